/**
 * Spans of time a viewer lost picture or sound, and what the pack says of
 * their lengths. Shared by the per-viewer, per-fault and run-wide figures.
 */
import type { Freeze } from '../probes/freeze.js';
import { maxOf, percentile, sum } from '../../common/stats.js';

export interface Interval {
  start: number;
  end: number;
  seconds: number;
  /** Still open when measurement ended. */
  ongoing: boolean;
}

/** Durations in seconds. */
export interface DurationStats {
  count: number;
  totalSeconds: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function freezeInterval(f: Freeze): Interval {
  return { start: f.start, end: f.end, seconds: (f.end - f.start) / 1000, ongoing: f.ongoing };
}

export function durationStats(seconds: number[]): DurationStats {
  return {
    count: seconds.length,
    totalSeconds: sum(seconds),
    p50: seconds.length ? percentile(seconds, 50) : null,
    p95: seconds.length ? percentile(seconds, 95) : null,
    max: maxOf(seconds, null),
  };
}

/** The lengths of the intervals, to feed durationStats. */
export const lengths = (intervals: readonly Interval[]): number[] => intervals.map((i) => i.seconds);
