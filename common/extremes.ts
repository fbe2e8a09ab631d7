/**
 * Largest and smallest of any number of values. `Math.max(...values)` throws
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
