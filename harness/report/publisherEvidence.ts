/** The host publisher as the pack states it: what it sent, the keyframes it was asked for, its bitrate. */
import type { RunSummary } from '../run/summary.js';
import type { RunRecord } from '../journal/records.js';

export interface PublisherEvidence {
  samples: number;
  bytesSent: number;
  keyframeRequests: number;
  bitrateBps: number | null;
  summary: RunSummary['publisher'] | null;
}

export function publisherEvidence(rec: RunRecord, summary: RunSummary | null): PublisherEvidence {
  const last = rec.publisher.at(-1);
  return {
    samples: rec.publisher.length,
    bytesSent: last?.bytes ?? 0,
    keyframeRequests: last?.keyframeRequests ?? 0,
    bitrateBps: bitrate(rec.publisher, rec.steadyAt ?? rec.start, rec.end),
    summary: summary?.publisher ?? null,
  };
}

/** Bits per second sent between the first sample at or after `from` and the last at or before `to`. */
export function bitrate(series: RunRecord['publisher'], from: number, to: number): number | null {
  const first = series.find((s) => s.t >= from);
  const last = series.findLast((s) => s.t <= to);
  if (!first || !last || last.t <= first.t) return null;
  return ((last.bytes - first.bytes) * 8 * 1000) / (last.t - first.t);
}
