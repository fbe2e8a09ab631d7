/**
 * Metrics over a window before, during and after each fault, per viewer kind,
 * so a reader sees what changed without trusting any attribution rule.
 */
import { mean, maxOf, minOf, sum } from '../../common/stats.js';
import type { RunRecord, ViewerTrack } from '../journal/records.js';
import type { Interval } from './durations.js';
import { lossRatio, type ViewerEvidence } from './viewerEvidence.js';
import { bitrate } from './publisherEvidence.js';

/** Metrics are compared over this long before a fault starts and after it ends. */
export const WINDOW_MS = 10_000;

export interface KindWindowMetrics {
  /** Viewers of this kind that watched some of the window. */
  viewers: number;
  fps: { avg: number | null; min: number | null };
  freezeRatio: { avg: number | null; max: number | null };
  fixedVideoGapRatio: { avg: number | null; max: number | null };
  audioConcealedRatio: number | null;
  videoPacketLossRatio: number | null;
  audioPacketLossRatio: number | null;
}

export interface WindowMetrics {
  from: number;
  to: number;
  seconds: number;
  /** Shorter than asked for when the broadcast had not started yet or had already ended. */
  requestedSeconds: number;
  /** Other faults active during this window (their effects mix in). */
  overlapsFaults: string[];
  byKind: Record<string, KindWindowMetrics>;
  publisherBitrateBps: number | null;
}

export interface FaultWindows {
  before: WindowMetrics;
  during: WindowMetrics;
  after: WindowMetrics;
}

/** Before: from the steady broadcast at the earliest; during and after: up to the end of measurement. */
export function faultWindows(rec: RunRecord, viewers: ViewerEvidence[], fault: RunRecord['faults'][number]): FaultWindows {
  const window = (from: number, to: number, requestedMs: number): WindowMetrics => windowMetrics(rec, viewers, fault.faultId, from, to, requestedMs);
  const steady = rec.steadyAt ?? rec.start;
  return {
    before: window(Math.max(fault.start - WINDOW_MS, steady), fault.start, WINDOW_MS),
    during: window(fault.start, Math.min(fault.end, rec.end), fault.end - fault.start),
    after: window(fault.end, Math.min(fault.end + WINDOW_MS, rec.end), WINDOW_MS),
  };
}

function windowMetrics(rec: RunRecord, viewers: ViewerEvidence[], faultId: string, from: number, to: number, requestedMs: number): WindowMetrics {
  const kinds = [...new Set(viewers.map((v) => v.kind))].sort();
  const tracks = new Map(rec.viewers.map((v) => [v.id, v]));
  return {
    from,
    to: Math.max(from, to),
    seconds: Math.max(0, to - from) / 1000,
    requestedSeconds: requestedMs / 1000,
    overlapsFaults: rec.faults.filter((f) => f.faultId !== faultId && f.start < to && Math.max(f.end, f.start + 1) > from).map((f) => f.faultId),
    byKind: Object.fromEntries(kinds.map((kind) => [kind, kindMetrics(tracks, viewers.filter((v) => v.kind === kind), from, to)])),
    publisherBitrateBps: bitrate(rec.publisher, from, to),
  };
}

/** Picture per viewer (from its first frame on), sound and packets pooled over the kind. */
function kindMetrics(tracks: Map<string, ViewerTrack>, viewers: ViewerEvidence[], from: number, to: number): KindWindowMetrics {
  const per: Array<{ fps: number; freeze: number; fixed: number }> = [];
  const totals = { received: 0, concealed: 0, vr: 0, vl: 0, ar: 0, al: 0 };
  for (const v of viewers) {
    const track = tracks.get(v.id)!;
    if (v.firstFrameAt === null) continue;
    const a = Math.max(from, v.firstFrameAt);
    const watched = Math.max(0, to - a) / 1000;
    if (watched <= 0) continue;
    const frames = countIn(track.frames, a, to);
    const overlap = (list: Interval[]): number => sum(list.map((i) => Math.max(0, Math.min(i.end, to) - Math.max(i.start, a)) / 1000));
    per.push({ fps: frames / watched, freeze: overlap(v.freezes.w3c.intervals) / watched, fixed: overlap(v.freezes.fixedVideo.intervals) / watched });
    // A sample at t covers the period before it.
    for (const s of track.samples.filter((x) => x.t > from && x.t <= to)) {
      totals.received += s.audioSamplesReceived;
      totals.concealed += s.audioConcealedSamples;
      totals.vr += s.videoPacketsReceived;
      totals.vl += s.videoPacketsLost;
      totals.ar += s.audioPacketsReceived;
      totals.al += s.audioPacketsLost;
    }
  }
  const values = (k: 'fps' | 'freeze' | 'fixed'): number[] => per.map((p) => p[k]);
  return {
    viewers: per.length,
    fps: { avg: mean(values('fps'), null), min: minOf(values('fps'), null) },
    freezeRatio: { avg: mean(values('freeze'), null), max: maxOf(values('freeze'), null) },
    fixedVideoGapRatio: { avg: mean(values('fixed'), null), max: maxOf(values('fixed'), null) },
    audioConcealedRatio: totals.received > 0 ? totals.concealed / totals.received : null,
    videoPacketLossRatio: lossRatio(totals.vr, totals.vl),
    audioPacketLossRatio: lossRatio(totals.ar, totals.al),
  };
}

/** How many of the sorted times are in (from, to]. */
function countIn(sorted: readonly number[], from: number, to: number): number {
  const firstAfter = (x: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Math.max(0, firstAfter(to) - firstAfter(from));
}
