/**
 * Largest and smallest of any number of values. `Math.max(...values)` throws
 * past about 120,000 arguments (thresholds over 20k viewers, a day of
 * self-watch samples); these loop instead.
 */
export function maxOf(values: Iterable<number>, empty = -Infinity): number {
  let max = empty;
  let any = false;
  for (const v of values) {
    max = any ? Math.max(max, v) : v;
    any = true;
  }
  return max;
}

export function minOf(values: Iterable<number>, empty = Infinity): number {
  let min = empty;
  let any = false;
  for (const v of values) {
    min = any ? Math.min(min, v) : v;
    any = true;
  }
  return min;
}
