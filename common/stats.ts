/**
 * Statistics over measured values, shared by the run, the report and the
 * benches. Largest and smallest of any number of values. `Math.max(...values)` throws
 * past about 120,000 arguments (thresholds over 20k viewers, a day of
 * self-watch samples); these loop instead. `empty` is the answer for no values.
 */
export function maxOf(values: Iterable<number>, empty = -Infinity): number {
  return extreme(values, Math.max, empty);
}

export function minOf(values: Iterable<number>, empty = Infinity): number {
  return extreme(values, Math.min, empty);
}

function extreme(values: Iterable<number>, pick: (a: number, b: number) => number, empty: number): number {
  let result: number | undefined;
  for (const v of values) result = result === undefined ? v : pick(result, v);
  return result ?? empty;
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
