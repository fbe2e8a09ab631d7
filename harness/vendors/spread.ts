/**
 * A figure with its spread: every scorecard number is shown as p50, p95 and
 * the range of the values behind it, never as an average alone, with the
 * samples themselves kept for the evidence.
 */
import { maxOf, minOf, percentile } from '../../common/stats.js';

/** One value and where it comes from: the run (directory name) and, for tickets and faults, which one. */
export interface Sample {
  value: number;
  run: string;
  ref: string | null;
}

export interface Spread {
  n: number;
  p50: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
  total: number;
}

/** Nearest-rank percentiles, as the run and the evidence pack compute theirs. */
export function spread(samples: readonly Sample[]): Spread {
  const values = samples.map((s) => s.value);
  if (values.length === 0) return { n: 0, p50: null, p95: null, min: null, max: null, total: 0 };
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: minOf(values),
    max: maxOf(values),
    total: values.reduce((a, b) => a + b, 0),
  };
}

/** How many of `n` had it (met an SLA, were solved…); the samples are the ones that count. */
export interface Rate {
  k: number;
  n: number;
  ratio: number | null;
}

export function rate(k: number, n: number): Rate {
  return { k, n, ratio: n > 0 ? k / n : null };
}
