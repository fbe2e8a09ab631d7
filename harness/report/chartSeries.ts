/**
 * The series report.html draws (charts.client.js): frozen share, audio
 * concealment, latency and connection events on regular grids over the run.
 */
import { median, minOf } from '../../common/stats.js';
import type { RunRecord } from '../journal/records.js';
import type { ViewerEvidence } from './viewerEvidence.js';
import { AUDIO_MARKER } from '../page/audioMarkers.js';

export interface ChartData {
  from: number;
  to: number;
  faults: Array<{ faultId: string; kind: string; start: number; end: number }>;
  /** Share of joined viewers whose picture was frozen, on a regular grid. */
  frozenShare: { stepMs: number; t: number[]; w3c: number[]; fixedVideo: number[]; joined: number[] };
  /** Concealed / received audio per period, all viewers pooled and the worst viewer. */
  audioConcealment: { stepMs: number; t: number[]; all: Array<number | null>; worst: Array<number | null> };
  /** Stamped source, per step (ms): median glass-to-glass latency of all viewers' frames and of the worst viewer's, median capture → received, median audio latency. */
  latency: {
    stepMs: number;
    t: number[];
    video: Array<number | null>;
    worstVideo: Array<number | null>;
    received: Array<number | null>;
    audio: Array<number | null>;
  };
  /** Per bucket: first frames (joins), disconnections, recoveries; viewers watching at the bucket's end. */
  connections: { stepMs: number; t: number[]; joins: number[]; disconnects: number[]; recoveries: number[]; watching: number[] };
}

/** The charts' time span: from the first join (or the steady broadcast) to the end of measurement. */
interface Span {
  from: number;
  length: number;
}

export function chartSeries(rec: RunRecord, viewers: ViewerEvidence[]): ChartData {
  const firstFrames = viewers.map((v) => v.firstFrameAt).filter((t): t is number => t !== null);
  const from = minOf([rec.steadyAt ?? rec.start, ...firstFrames, ...rec.viewers.map((v) => v.joinRequestedAt ?? Infinity)]);
  const to = Math.max(from + 1000, rec.end);
  const span = { from, length: to - from };
  return {
    from,
    to,
    faults: rec.faults.map((f) => ({ faultId: f.faultId, kind: f.kind, start: f.start, end: f.end })),
    frozenShare: frozenShare(span, viewers),
    audioConcealment: audioConcealment(span, rec),
    latency: latency(span, rec),
    connections: connections(span, viewers),
  };
}

/**
 * A step that keeps a series to about `points` whatever the run's length
 * (a few thousand at most): a whole number of `unit`s, at least one.
 */
function step(length: number, points: number, unit: number): number {
  return Math.max(unit, Math.ceil(length / points / unit) * unit);
}

/** Each viewer's freeze intervals swept onto the grid. */
function frozenShare({ from, length }: Span, viewers: ViewerEvidence[]): ChartData['frozenShare'] {
  const stepMs = step(length, 4000, 250);
  const n = Math.floor(length / stepMs) + 1;
  const t = Array.from({ length: n }, (_, i) => from + i * stepMs);
  const joined = new Array<number>(n).fill(0);
  const w3c = new Array<number>(n).fill(0);
  const fixed = new Array<number>(n).fill(0);
  const mark = (counts: number[], start: number, end: number): void => {
    for (let i = Math.max(0, Math.ceil((start - from) / stepMs)); i < n && t[i] < end; i++) counts[i]++;
  };
  for (const v of viewers) {
    if (v.firstFrameAt === null) continue;
    mark(joined, v.firstFrameAt, Infinity);
    for (const f of v.freezes.w3c.intervals) mark(w3c, f.start, f.end);
    for (const f of v.freezes.fixedVideo.intervals) mark(fixed, f.start, f.end);
  }
  const share = (counts: number[]): number[] => counts.map((c, i) => (joined[i] > 0 ? Math.min(1, c / joined[i]) : 0));
  return { stepMs, t, w3c: share(w3c), fixedVideo: share(fixed), joined };
}

/** Whole sample periods per step; a period's samples are pooled, and the worst viewer's share kept. */
function audioConcealment(span: Span, rec: RunRecord): ChartData['audioConcealment'] {
  const stepMs = step(span.length, 2000, rec.sampleIntervalMs);
  const m = Math.floor(span.length / stepMs) + 1;
  const pooled = Array.from({ length: m }, () => ({ received: 0, concealed: 0, worst: null as number | null }));
  for (const v of rec.viewers) {
    const per = new Map<number, { received: number; concealed: number }>();
    for (const s of v.samples) {
      const i = Math.floor((s.t - span.from) / stepMs);
      if (i < 0 || i >= m) continue;
      const cell = per.get(i) ?? { received: 0, concealed: 0 };
      cell.received += s.audioSamplesReceived;
      cell.concealed += s.audioConcealedSamples;
      per.set(i, cell);
    }
    for (const [i, cell] of per) {
      pooled[i].received += cell.received;
      pooled[i].concealed += cell.concealed;
      if (cell.received > 0) pooled[i].worst = Math.max(pooled[i].worst ?? 0, Math.min(1, cell.concealed / cell.received));
    }
  }
  return {
    stepMs,
    t: Array.from({ length: m }, (_, i) => span.from + (i + 1) * stepMs),
    all: pooled.map((c) => (c.received > 0 ? Math.min(1, c.concealed / c.received) : null)),
    worst: pooled.map((c) => c.worst),
  };
}

/**
 * Every frame's latency in a step pooled, and the viewer whose median is
 * highest. A step is whole sample periods, and at least one audio marker
 * period, so each viewer's sound is in every step.
 */
function latency(span: Span, rec: RunRecord): ChartData['latency'] {
  const unit = Math.ceil(AUDIO_MARKER.periodMs / rec.sampleIntervalMs) * rec.sampleIntervalMs;
  const stepMs = step(span.length, 2000, unit);
  const m = Math.floor(span.length / stepMs) + 1;
  const cells = Array.from({ length: m }, () => ({ video: [] as number[], received: [] as number[], audio: [] as number[], worst: null as number | null }));
  for (const v of rec.viewers) {
    const own = new Map<number, number[]>();
    for (const s of v.samples) {
      const i = Math.floor((s.t - span.from) / stepMs);
      if (i < 0 || i >= m || !s.stamps) continue;
      cells[i].video.push(...s.stamps.videoLatencyMs);
      cells[i].received.push(...s.stamps.receiveLatencyMs);
      cells[i].audio.push(...s.stamps.audioLatencyMs);
      if (!own.has(i)) own.set(i, []);
      own.get(i)!.push(...s.stamps.videoLatencyMs);
    }
    for (const [i, values] of own) if (values.length > 0) cells[i].worst = Math.max(cells[i].worst ?? -Infinity, median(values));
  }
  const medianOrNull = (values: number[]): number | null => (values.length > 0 ? median(values) : null);
  return {
    stepMs,
    t: Array.from({ length: m }, (_, i) => span.from + (i + 1) * stepMs),
    video: cells.map((c) => medianOrNull(c.video)),
    worstVideo: cells.map((c) => c.worst),
    received: cells.map((c) => medianOrNull(c.received)),
    audio: cells.map((c) => medianOrNull(c.audio)),
  };
}

/** Joins, disconnections and recoveries per bucket, and who was watching at each bucket's end. */
function connections({ from, length }: Span, viewers: ViewerEvidence[]): ChartData['connections'] {
  const stepMs = step(length, 600, 1000);
  const k = Math.floor(length / stepMs) + 1;
  const bucket = (t: number): number => Math.min(k - 1, Math.max(0, Math.floor((t - from) / stepMs)));
  const joins = new Array<number>(k).fill(0);
  const disconnects = new Array<number>(k).fill(0);
  const recoveries = new Array<number>(k).fill(0);
  for (const v of viewers) {
    if (v.firstFrameAt !== null) joins[bucket(v.firstFrameAt)]++;
    for (const t of v.disconnects) disconnects[bucket(t)]++;
    for (const r of v.recoveries) recoveries[bucket(r.t)]++;
  }
  const t = Array.from({ length: k }, (_, i) => from + i * stepMs);
  const watching = t.map((t0) => {
    const end = t0 + stepMs;
    return viewers.filter((v) => v.firstFrameAt !== null && v.firstFrameAt <= end && !v.down.some((d) => d.start <= end && (d.end === null || d.end > end))).length;
  });
  return { stepMs, t, joins, disconnects, recoveries, watching };
}
