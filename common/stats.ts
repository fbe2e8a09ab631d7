/** Statistics over measured values, shared by the run, the report and the benches. */

/**
 * Largest and smallest of any number of values. `Math.max(...values)` throws
 * past about 120,000 arguments (thresholds over 20k viewers, a day of
 * self-watch samples); these loop instead. `empty` is the answer for no values.
 */
export function maxOf<E = number>(values: Iterable<number>, empty: E | number = -Infinity): number | E {
  return extreme(values, Math.max, empty);
}

export function minOf<E = number>(values: Iterable<number>, empty: E | number = Infinity): number | E {
  return extreme(values, Math.min, empty);
}

function extreme<E>(values: Iterable<number>, pick: (a: number, b: number) => number, empty: E): number | E {
  let result: number | undefined;
  for (const v of values) result = result === undefined ? v : pick(result, v);
  return result ?? empty;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The arithmetic mean; `empty` for no values. */
export function mean<E = number>(values: readonly number[], empty: E | number = Number.NaN): number | E {
  return values.length ? sum(values) / values.length : empty;
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The middle value (the upper one of an even count); `empty` for no values. */
export function median<E = number>(values: readonly number[], empty: E | number = 0): number | E {
  if (values.length === 0) return empty;
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
