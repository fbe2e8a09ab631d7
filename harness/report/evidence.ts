/**
 * The evidence pack's content as one JSON-serialisable object: what was
 * broken and when (ground truth), who was affected and how much, under the
 * W3C and the fixed-threshold definitions, metrics before and after each
 * fault, versions, the human timeline with SLA verdicts, and whether the
 * machine itself can be trusted. Built from the journal; summary.json, when
 * present, supplies the run's own impact verdicts and what the journal lacks.
 */
import { basename } from 'node:path';
import type { JournalEntry } from '../journal/entries.js';
import type { RunSummary } from '../run/summary.js';
import { measureImpact, type FaultImpact, type ViewerImpact } from '../run/impact.js';
import { percentile } from '../../common/stats.js';
import { judgeReliability, noiseSpans, type NoiseSpan, type Reliability, type SelfSample } from '../probes/SelfWatch.js';
import type { Freeze } from '../probes/freeze.js';
import { drillTimings, type IncidentTimings, type UnmatchedEntry } from '../drill/timings.js';
import { loadSlaProfile, parseSlaProfile, type SlaProfile } from '../drill/slaProfile.js';
import type { LoadedRun } from '../run/runDir.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';
import { JournalReplay, toTimeline, type RunRecord, type SampleDelta, type ViewerTrack } from '../journal/replay.js';
import { DEFINITIONS, SAMPLE_RATE, WINDOW_MS, type Definition } from './definitions.js';
import { minOf } from '../../common/stats.js';

export const EVIDENCE_FORMAT = 'livedrill-evidence/1';

/** Durations in seconds. */
export interface DurationStats {
  count: number;
  totalSeconds: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface Interval {
  start: number;
  end: number;
  seconds: number;
  /** Still open when measurement ended. */
  ongoing: boolean;
}

export interface ViewerEvidence {
  id: string;
  kind: string;
  joinSeconds: number | null;
  firstFrameAt: number | null;
  watchSeconds: number;
  framesRendered: number;
  fps: number;
  freezeRatio: number;
  freezes: {
    w3c: DurationStats & { intervals: Interval[] };
    fixedVideo: DurationStats & { thresholdMs: number; source: 'journal' | 'frames'; intervals: Interval[] };
  };
  audio: {
    samplesReceived: number;
    concealedSeconds: number;
    concealedRatio: number;
    gaps: DurationStats & { thresholdMs: number; intervals: Interval[] };
  };
  packets: { video: PacketCounts; audio: PacketCounts; nackCount: number; pliCount: number };
  disconnects: number[];
  recoveries: Array<{ t: number; downSeconds: number }>;
  /** Disconnected spans (end null: never came back). */
  down: Array<{ start: number; end: number | null }>;
  reconnectAttempts: number;
  connectedAtEnd: boolean;
}

export interface PacketCounts {
  received: number;
  lost: number;
  lossRatio: number | null;
}

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

export interface FaultEvidence {
  faultId: string;
  kind: string;
  targets: string[];
  params: Record<string, unknown>;
  start: number;
  end: number;
  /** From the start of the steady broadcast. */
  atSeconds: number | null;
  durationSeconds: number;
  reverted: boolean;
  revertReason: string | null;
  revertError: string | null;
  attributionWindow: { from: number; to: number };
  /** Where the impact verdicts (affected, recovery, loss…) come from. */
  impactSource: 'summary.json' | 'journal';
  viewers: {
    total: number;
    targeted: number;
    affected: string[];
    affectedPercent: number | null;
    targetedAffectedPercent: number | null;
    affectedUntargeted: string[];
    unrecovered: string[];
  };
  freezes: { w3c: DurationStats; fixedVideo: DurationStats & { thresholdMs: number } };
  audio: {
    concealedSeconds: { total: number; max: number | null };
    gaps: DurationStats & { thresholdMs: number };
  };
  recoverySeconds: { p50: number | null; p95: number | null; max: number | null };
  /** Effects shared with another fault, and effects that began while the harness flagged itself: counted for none. */
  overlaps: number;
  suspect: number;
  keyframeRequests: number;
  publisherBitrateBps: { before: number | null; during: number | null };
  perViewer: Array<ViewerImpact & { fixedVideoGapSeconds: number; audioGapSeconds: number }>;
  windows: { before: WindowMetrics; during: WindowMetrics; after: WindowMetrics };
}

export interface TimelineEvent {
  t: number;
  type: 'alert' | 'alert.resolve' | 'action';
  /** Rule of an alert, or the action (ack, ticket…). */
  what: string;
  who: string | null;
  incidentId: string | null;
  text: string | null;
}

export interface HumanTimeline {
  present: boolean;
  slaProfiles: Array<{ file: string; vendor: string; plan: string; source: string | null }>;
  /** Why tickets are not judged, or which profile file could not be read. */
  slaNotes: string[];
  /** Tickets without a vendor reply are judged at this instant (the end of the record). */
  judgedAsOf: number;
  incidents: IncidentTimings[];
  unmatched: UnmatchedEntry[];
  events: TimelineEvent[];
  error: string | null;
}

export interface ChartData {
  from: number;
  to: number;
  faults: Array<{ faultId: string; kind: string; start: number; end: number }>;
  /** Share of joined viewers whose picture was frozen, on a regular grid. */
  frozenShare: { stepMs: number; t: number[]; w3c: number[]; fixedVideo: number[]; joined: number[] };
  /** Concealed / received audio per period, all viewers pooled and the worst viewer. */
  audioConcealment: { stepMs: number; t: number[]; all: Array<number | null>; worst: Array<number | null> };
  /** Per bucket: first frames (joins), disconnections, recoveries; viewers watching at the bucket's end. */
  connections: { stepMs: number; t: number[]; joins: number[]; disconnects: number[]; recoveries: number[]; watching: number[] };
}

export interface Evidence {
  format: typeof EVIDENCE_FORMAT;
  generatedAt: string;
  run: {
    runId: string | null;
    scenario: { name: string | null; file: string | null };
    startedAt: string;
    steadyAt: string | null;
    endedAt: string;
    durationSeconds: number;
    status: 'complete' | 'incomplete';
    /** What the record lacks, in words; empty for a complete run. */
    missing: string[];
    interrupted: boolean | null;
    errors: string[];
    /** The run's threshold verdict; null without summary.json. */
    pass: boolean | null;
    thresholds: RunSummary['thresholds'] | null;
    /** File names only: the pack goes to outside vendors and says nothing of this machine's paths. */
    sources: { journal: string; journalEntries: number; journalTruncated: boolean; journalSkipped: number; summary: string | null };
    measurement: { sampleIntervalMs: number; scenarioFixedFreezeThresholdsMs: number[] };
  };
  reliability: {
    status: 'reliable' | 'unreliable' | 'unknown';
    statement: string;
    reasons: string[];
    source: 'summary.json' | 'journal' | 'none';
    details: Reliability | null;
  };
  versions: {
    browser: string | null;
    mediasoup: string | null;
    mediasoupClient: string | null;
    node: string | null;
    livedrill: string | null;
    source: string;
    other: Record<string, string>;
  };
  definitions: Definition[];
  totals: {
    viewers: number;
    joined: number;
    w3cFreezes: DurationStats;
    fixedVideoGaps: DurationStats;
    audioGaps: DurationStats;
    audioConcealedSeconds: number;
    disconnects: number;
    notWatchingAtEnd: string[];
  };
  publisher: { samples: number; bytesSent: number; keyframeRequests: number; bitrateBps: number | null; summary: RunSummary['publisher'] | null };
  faults: FaultEvidence[];
  faultErrors: RunRecord['faultErrors'];
  sfuWorkerEvents: RunRecord['workerEvents'];
  viewers: ViewerEvidence[];
  timeline: HumanTimeline;
  charts: ChartData;
}

export interface EvidenceOptions {
  /** SLA profiles by the vendor name tickets use (see loadSlaProfiles). */
  profiles?: Record<string, SlaProfile>;
  slaProfiles?: HumanTimeline['slaProfiles'];
  slaNotes?: string[];
  /** Instant unanswered tickets are judged at; default the end of the record. */
  now?: number;
  generatedAt?: Date;
}

export function buildEvidence(run: LoadedRun, options: EvidenceOptions = {}): Evidence {
  const { summary, entries } = run;
  const rec = JournalReplay.of(entries, { frames: true }).record(summary);
  const recordEnd = entries.reduce((a, e) => Math.max(a, e.t), rec.end);
  const viewers = rec.viewers.map((v) => viewerEvidence(v, rec.end));
  const impacts = faultImpacts(rec, summary);
  const faults = rec.faults.map((f, i) => faultEvidence(rec, f, impacts[i].impact, impacts[i].source, viewers));

  const missing: string[] = [];
  if (run.summaryProblem) missing.push(`${run.summaryProblem}; every figure below is computed from the journal alone`);
  if (run.journalTruncated) missing.push('the journal\'s last line was cut short (the run stopped while writing it): that entry is lost');
  const skipped = run.journalSkipped;
  if (skipped.count > 0) {
    const where = skipped.lines.length ? ` (lines ${skipped.lines.join(', ')}${skipped.count - skipped.outOfRange > skipped.lines.length ? ', …' : ''})` : '';
    missing.push(`${skipped.count} journal line(s) could not be used and were skipped: ${skipped.count - skipped.outOfRange} not journal entries${where}, ${skipped.outOfRange} timed far outside the run`);
  }
  if (!rec.ended) {
    missing.push(`the journal has no run.end entry: the run did not end normally; measurements stop at the last viewer measurement in the journal (${iso(rec.end)})`);
  }
  if (!entries.some((e) => e.type === 'run.start')) missing.push('the journal has no run.start entry: scenario and versions are unknown');
  for (const f of rec.faults) {
    if (!f.reverted) missing.push(`fault ${f.faultId} has no fault.revert entry: its end is the scheduled one, cut at the end of the record`);
  }
  if (rec.interrupted) missing.push('the run was interrupted (Ctrl-C / SIGTERM) before its planned end');
  for (const message of rec.errors) missing.push(`the run failed: ${message}`);
  // Complete: the whole record is there and the run went to its planned end.
  const complete = run.summary !== null && rec.ended && !run.journalTruncated && rec.interrupted !== true && rec.errors.length === 0;

  const allFreezes = (pick: (v: ViewerEvidence) => Interval[]): number[] => viewers.flatMap((v) => pick(v).map((i) => i.seconds));
  return {
    format: EVIDENCE_FORMAT,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    run: {
      runId: rec.runId,
      scenario: { name: rec.scenarioName, file: rec.scenarioFile && basename(rec.scenarioFile) },
      startedAt: iso(rec.start),
      steadyAt: rec.steadyAt === null ? null : iso(rec.steadyAt),
      endedAt: iso(rec.end),
      durationSeconds: (rec.end - rec.start) / 1000,
      status: complete ? 'complete' : 'incomplete',
      missing,
      interrupted: rec.interrupted,
      errors: rec.errors,
      pass: summary ? summary.pass : null,
      thresholds: summary ? summary.thresholds : null,
      sources: {
        journal: basename(run.journalFile),
        journalEntries: entries.length,
        journalTruncated: run.journalTruncated,
        journalSkipped: run.journalSkipped.count,
        summary: run.summaryFile && basename(run.summaryFile),
      },
      measurement: { sampleIntervalMs: rec.sampleIntervalMs, scenarioFixedFreezeThresholdsMs: rec.fixedThresholdsMs },
    },
    reliability: reliability(rec, summary),
    versions: versions(rec, summary),
    definitions: DEFINITIONS,
    totals: {
      viewers: viewers.length,
      joined: viewers.filter((v) => v.firstFrameAt !== null).length,
      w3cFreezes: durationStats(allFreezes((v) => v.freezes.w3c.intervals)),
      fixedVideoGaps: durationStats(allFreezes((v) => v.freezes.fixedVideo.intervals)),
      audioGaps: durationStats(allFreezes((v) => v.audio.gaps.intervals)),
      audioConcealedSeconds: sum(viewers.map((v) => v.audio.concealedSeconds)),
      disconnects: sum(viewers.map((v) => v.disconnects.length)),
      notWatchingAtEnd: viewers.filter((v) => !v.connectedAtEnd).map((v) => v.id),
    },
    publisher: {
      samples: rec.publisher.length,
      bytesSent: rec.publisher.at(-1)?.bytes ?? 0,
      keyframeRequests: rec.publisher.at(-1)?.keyframeRequests ?? 0,
      bitrateBps: bitrate(rec.publisher, rec.steadyAt ?? rec.start, rec.end),
      summary: summary?.publisher ?? null,
    },
    faults,
    faultErrors: rec.faultErrors,
    sfuWorkerEvents: rec.workerEvents,
    viewers,
    timeline: humanTimeline(entries, options, recordEnd),
    charts: charts(rec, viewers),
  };
}

// ---------------------------------------------------------------- viewers

function viewerEvidence(v: ViewerTrack, end: number): ViewerEvidence {
  const watchSeconds = v.firstFrameAt === null ? 0 : Math.max(0, (end - v.firstFrameAt) / 1000);
  const w3c = v.w3cFreezes.map(interval);
  const fixed = v.fixedFreezes.map(interval);
  const gaps = audioGaps(v.samples);
  const received = sum(v.samples.map((s) => s.audioSamplesReceived));
  const concealed = sum(v.samples.map((s) => s.audioConcealedSamples));
  const counts = (r: number, l: number): PacketCounts => ({ received: r, lost: l, lossRatio: r + l > 0 ? l / (r + l) : null });
  return {
    id: v.id,
    kind: v.kind,
    joinSeconds: v.joinSeconds,
    firstFrameAt: v.firstFrameAt,
    watchSeconds,
    framesRendered: v.frames.length,
    fps: watchSeconds > 0 ? v.frames.length / watchSeconds : 0,
    freezeRatio: watchSeconds > 0 ? Math.min(1, sum(w3c.map((f) => f.seconds)) / watchSeconds) : 0,
    freezes: {
      w3c: { ...durationStats(w3c.map((f) => f.seconds)), intervals: w3c },
      fixedVideo: { ...durationStats(fixed.map((f) => f.seconds)), thresholdMs: VIDEO_GAP_MS, source: v.fixedSource, intervals: fixed },
    },
    audio: {
      samplesReceived: received,
      concealedSeconds: concealed / SAMPLE_RATE,
      concealedRatio: received > 0 ? concealed / received : 0,
      gaps: { ...durationStats(gaps.map((g) => g.seconds)), thresholdMs: AUDIO_GAP_MS, intervals: gaps },
    },
    packets: {
      video: counts(sum(v.samples.map((s) => s.videoPacketsReceived)), sum(v.samples.map((s) => s.videoPacketsLost))),
      audio: counts(sum(v.samples.map((s) => s.audioPacketsReceived)), sum(v.samples.map((s) => s.audioPacketsLost))),
      nackCount: sum(v.samples.map((s) => s.nackCount)),
      pliCount: sum(v.samples.map((s) => s.pliCount)),
    },
    disconnects: v.disconnects,
    recoveries: v.recoveries,
    down: downSpans(v),
    reconnectAttempts: v.reconnectAttempts.length,
    connectedAtEnd: v.connectedAtEnd,
  };
}

function interval(f: Freeze): Interval {
  return { start: f.start, end: f.end, seconds: (f.end - f.start) / 1000, ongoing: f.ongoing };
}

/**
 * Audio gaps: sample periods whose concealed samples reach AUDIO_GAP_MS worth
 * at 48 kHz; consecutive ones merge. Length = concealed audio; span = the periods.
 */
export function audioGaps(samples: readonly SampleDelta[]): Interval[] {
  const minSamples = (AUDIO_GAP_MS / 1000) * SAMPLE_RATE;
  const gaps: Interval[] = [];
  let open: { start: number; end: number; concealed: number } | undefined;
  for (const s of samples) {
    if (s.audioConcealedSamples >= minSamples) {
      if (open) {
        open.end = s.t;
        open.concealed += s.audioConcealedSamples;
      } else {
        open = { start: s.from, end: s.t, concealed: s.audioConcealedSamples };
      }
    } else if (open) {
      gaps.push({ start: open.start, end: open.end, seconds: open.concealed / SAMPLE_RATE, ongoing: false });
      open = undefined;
    }
  }
  if (open) gaps.push({ start: open.start, end: open.end, seconds: open.concealed / SAMPLE_RATE, ongoing: true });
  return gaps;
}

function downSpans(v: ViewerTrack): Array<{ start: number; end: number | null }> {
  return v.disconnects.map((t) => ({ start: t, end: v.recoveries.find((r) => r.t > t)?.t ?? null }));
}

// ---------------------------------------------------------------- faults

function faultImpacts(rec: RunRecord, summary: RunSummary | null): Array<{ impact: FaultImpact; source: FaultEvidence['impactSource'] }> {
  const recomputed = measureImpact(rec.faults, rec.viewers.map(toTimeline), rec.publisher, rec.end, recordedNoise(rec));
  return rec.faults.map((f, i) => {
    const fromSummary = summary?.faults?.find((s) => s.faultId === f.faultId);
    return fromSummary ? { impact: fromSummary, source: 'summary.json' } : { impact: recomputed.faults[i], source: 'journal' };
  });
}

function faultEvidence(
  rec: RunRecord,
  fault: RunRecord['faults'][number],
  impact: FaultImpact,
  impactSource: FaultEvidence['impactSource'],
  viewers: ViewerEvidence[],
): FaultEvidence {
  const from = fault.start;
  const to = impact.settleEnd;
  const overlapping = (list: Interval[]): Interval[] => list.filter((i) => i.start < to && i.end > from);
  const w3c = viewers.flatMap((v) => overlapping(v.freezes.w3c.intervals));
  const fixed = viewers.flatMap((v) => overlapping(v.freezes.fixedVideo.intervals));
  const gaps = viewers.flatMap((v) => overlapping(v.audio.gaps.intervals));
  const targetedViewers = impact.viewers.filter((v) => v.targeted).length;
  const concealed = impact.viewers.map((v) => v.audioConcealedSeconds);
  const byId = new Map(viewers.map((v) => [v.id, v]));
  const window = (a: number, b: number, requested: number): WindowMetrics => windowMetrics(rec, viewers, fault.faultId, a, b, requested);
  const steady = rec.steadyAt ?? rec.start;
  return {
    faultId: fault.faultId,
    kind: fault.kind,
    targets: fault.targets,
    params: fault.params,
    start: fault.start,
    end: fault.end,
    atSeconds: rec.steadyAt === null ? null : (fault.start - rec.steadyAt) / 1000,
    durationSeconds: (fault.end - fault.start) / 1000,
    reverted: fault.reverted,
    revertReason: fault.revertReason,
    revertError: fault.revertError,
    attributionWindow: { from, to },
    impactSource,
    viewers: {
      total: viewers.length,
      targeted: targetedViewers,
      affected: impact.affected,
      affectedPercent: viewers.length > 0 ? (100 * impact.affected.length) / viewers.length : null,
      targetedAffectedPercent:
        targetedViewers > 0 ? (100 * impact.viewers.filter((v) => v.targeted && v.affected).length) / targetedViewers : null,
      affectedUntargeted: impact.affectedUntargeted,
      unrecovered: impact.unrecovered,
    },
    freezes: {
      w3c: durationStats(w3c.map((i) => i.seconds)),
      fixedVideo: { ...durationStats(fixed.map((i) => i.seconds)), thresholdMs: VIDEO_GAP_MS },
    },
    audio: {
      concealedSeconds: { total: sum(concealed), max: max(concealed) },
      gaps: { ...durationStats(gaps.map((i) => i.seconds)), thresholdMs: AUDIO_GAP_MS },
    },
    recoverySeconds: impact.recoverySeconds,
    // Summaries written before attribution by ground truth have neither list.
    overlaps: impact.overlaps?.length ?? 0,
    suspect: impact.suspect?.length ?? 0,
    keyframeRequests: impact.keyframeRequests,
    publisherBitrateBps: impact.publisherBitrateBps,
    perViewer: impact.viewers.map((iv) => {
      const v = byId.get(iv.id);
      return {
        ...iv,
        fixedVideoGapSeconds: sum(overlapping(v?.freezes.fixedVideo.intervals ?? []).map((i) => i.seconds)),
        audioGapSeconds: sum(overlapping(v?.audio.gaps.intervals ?? []).map((i) => i.seconds)),
      };
    }),
    windows: {
      before: window(Math.max(fault.start - WINDOW_MS, steady), fault.start, WINDOW_MS),
      during: window(fault.start, Math.min(fault.end, rec.end), fault.end - fault.start),
      after: window(fault.end, Math.min(fault.end + WINDOW_MS, rec.end), WINDOW_MS),
    },
  };
}

function windowMetrics(rec: RunRecord, viewers: ViewerEvidence[], faultId: string, from: number, to: number, requestedMs: number): WindowMetrics {
  const span = Math.max(0, to - from);
  const byKind: Record<string, KindWindowMetrics> = {};
  const tracks = new Map(rec.viewers.map((v) => [v.id, v]));
  for (const kind of [...new Set(viewers.map((v) => v.kind))].sort()) {
    const per: Array<{ fps: number; freeze: number; fixed: number }> = [];
    const totals = { received: 0, concealed: 0, vr: 0, vl: 0, ar: 0, al: 0 };
    for (const v of viewers.filter((x) => x.kind === kind)) {
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
    byKind[kind] = {
      viewers: per.length,
      fps: { avg: mean(values('fps')), min: min(values('fps')) },
      freezeRatio: { avg: mean(values('freeze')), max: max(values('freeze')) },
      fixedVideoGapRatio: { avg: mean(values('fixed')), max: max(values('fixed')) },
      audioConcealedRatio: totals.received > 0 ? totals.concealed / totals.received : null,
      videoPacketLossRatio: totals.vr + totals.vl > 0 ? totals.vl / (totals.vr + totals.vl) : null,
      audioPacketLossRatio: totals.ar + totals.al > 0 ? totals.al / (totals.ar + totals.al) : null,
    };
  }
  return {
    from,
    to: Math.max(from, to),
    seconds: span / 1000,
    requestedSeconds: requestedMs / 1000,
    overlapsFaults: rec.faults.filter((f) => f.faultId !== faultId && f.start < to && Math.max(f.end, f.start + 1) > from).map((f) => f.faultId),
    byKind,
    publisherBitrateBps: bitrate(rec.publisher, from, to),
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

function bitrate(series: RunRecord['publisher'], from: number, to: number): number | null {
  const first = series.find((s) => s.t >= from);
  const last = series.findLast((s) => s.t <= to);
  if (!first || !last || last.t <= first.t) return null;
  return ((last.bytes - first.bytes) * 8 * 1000) / (last.t - first.t);
}

// ---------------------------------------------------------------- run-level

function recordedSelfSamples(rec: RunRecord): SelfSample[] {
  return rec.selfSamples.map((e) => e as unknown as SelfSample);
}

/** The seconds the harness flagged itself in, as the run judged them. */
export function recordedNoise(rec: RunRecord): NoiseSpan[] {
  return noiseSpans(recordedSelfSamples(rec));
}

function reliability(rec: RunRecord, summary: RunSummary | null): Evidence['reliability'] {
  let details: Reliability | null = summary?.reliability ?? null;
  let source: Evidence['reliability']['source'] = details ? 'summary.json' : 'none';
  if (!details && rec.selfSamples.length > 0) {
    const samples = recordedSelfSamples(rec);
    const freezes = rec.viewers.flatMap((v) => [...v.w3cFreezes, ...v.fixedFreezes]);
    details = judgeReliability(samples, rec.steadyAt ?? rec.start, freezes);
    source = 'journal';
  }
  if (!details) {
    return {
      status: 'unknown',
      statement: 'UNKNOWN: the record has no self-watch samples, so whether the test machine itself was saturated cannot be judged.',
      reasons: [],
      source,
      details: null,
    };
  }
  const from = source === 'journal' ? ' (judged from the journal\'s self.sample entries: summary.json is missing)' : '';
  return details.reliable
    ? {
        status: 'reliable',
        statement: `RELIABLE: the test machine was not saturated during the broadcast, so what was measured is the system under test's doing${from}.`,
        reasons: [],
        source,
        details,
      }
    : {
        status: 'unreliable',
        statement: `UNRELIABLE: the test machine was overloaded during the run; some freezes may be the harness's own, not the vendor's${from}. Why: ${details.reasons.join('; ')}.`,
        reasons: details.reasons,
        source,
        details,
      };
}

function versions(rec: RunRecord, summary: RunSummary | null): Evidence['versions'] {
  const v = rec.versions;
  const { browser, mediasoup, mediasoupClient, node, livedrill, ...other } = v;
  return {
    browser: browser ?? null,
    mediasoup: mediasoup ?? null,
    mediasoupClient: mediasoupClient ?? null,
    node: node ?? null,
    livedrill: livedrill ?? null,
    source: summary?.versions
      ? 'summary.json versions'
      : 'journal run.start versions (the browser version is only known once the run ends, in summary.json)',
    other,
  };
}

// ---------------------------------------------------------------- human timeline

function humanTimeline(entries: readonly JournalEntry[], options: EvidenceOptions, recordEnd: number): HumanTimeline {
  const events: TimelineEvent[] = entries
    .filter((e) => e.type === 'alert.fire' || e.type === 'alert.resolve' || e.type === 'incident.action')
    .map((e) => ({
      t: e.t,
      type: e.type === 'incident.action' ? 'action' : e.type === 'alert.fire' ? 'alert' : 'alert.resolve',
      what: String(e.type === 'incident.action' ? e.action : e.rule ?? e.type),
      who: typeof e.who === 'string' ? e.who : null,
      incidentId: typeof e.incidentId === 'string' ? e.incidentId : typeof e.faultId === 'string' ? e.faultId : null,
      text: describeAction(e),
    }));
  events.sort((a, b) => a.t - b.t);
  const now = options.now ?? recordEnd;
  const base = {
    present: events.length > 0,
    slaProfiles: options.slaProfiles ?? [],
    slaNotes: options.slaNotes ?? [],
    judgedAsOf: now,
    events,
  };
  if (!base.present) return { ...base, incidents: [], unmatched: [], error: null };
  try {
    const timings = drillTimings(entries, { profiles: options.profiles ?? {}, now });
    return { ...base, incidents: timings.incidents, unmatched: timings.unmatched, error: null };
  } catch (error) {
    return { ...base, incidents: [], unmatched: [], error: `the incident timeline could not be computed: ${(error as Error).message}` };
  }
}

function describeAction(e: JournalEntry): string | null {
  const parts: string[] = [];
  const ticket = e.ticket as { vendor?: string; severity?: string; channel?: string; reference?: string } | undefined;
  if (ticket) parts.push(`${ticket.vendor ?? '?'} ${ticket.severity ?? ''} via ${ticket.channel ?? '?'} (${ticket.reference ?? '?'})`);
  if (typeof e.severity === 'string') parts.push(`severity ${e.severity}`);
  if (typeof e.reference === 'string') parts.push(`re ${e.reference}`);
  if (typeof e.value === 'number') parts.push(`value ${+e.value.toFixed(4)}`);
  if (typeof e.text === 'string') parts.push(e.text);
  return parts.length ? parts.join(' — ') : null;
}

/**
 * The SLA profiles a drill judged tickets against: the one its drill.start
 * entry embeds, plus any the user names with --sla. A path found in a journal
 * is never opened (a journal may come from anywhere), and the pack names
 * profiles by file name only. Keyed by vendor, as tickets name them.
 * Problems become notes, never errors, and quote no file content.
 */
export async function loadSlaProfiles(
  run: LoadedRun,
  extraFiles: string[] = [],
): Promise<Pick<EvidenceOptions, 'profiles' | 'slaProfiles' | 'slaNotes'>> {
  const start = run.entries.find((e) => e.type === 'drill.start');
  const loaded: Array<{ name: string; load: () => Promise<SlaProfile> | SlaProfile }> = [];
  const notes: string[] = [];
  if (typeof start?.slaProfileYaml === 'string') {
    const name = typeof start.slaProfile === 'string' ? basename(start.slaProfile) : 'the embedded SLA profile';
    loaded.push({ name, load: () => parseSlaProfile(start.slaProfileYaml as string, name) });
  } else if (typeof start?.slaProfile === 'string') {
    notes.push(`the drill used the SLA profile ${basename(start.slaProfile)}, which this journal does not embed (an older livedrill wrote it): vendor response times are shown, not judged (pass --sla FILE to judge them)`);
  } else if (extraFiles.length === 0 && run.entries.some((e) => e.type === 'incident.action')) {
    notes.push('the journal names no SLA profile (no drill.start entry with slaProfile): vendor response times are shown, not judged (pass --sla FILE to judge them)');
  }
  for (const file of extraFiles) loaded.push({ name: basename(file), load: () => loadSlaProfile(file) });
  const profiles: Record<string, SlaProfile> = {};
  const used: HumanTimeline['slaProfiles'] = [];
  for (const { name, load } of loaded) {
    try {
      const p = await load();
      profiles[p.vendor] = p;
      used.push({ file: name, vendor: p.vendor, plan: p.plan, source: p.source ?? p.sourceNote ?? null });
    } catch (error) {
      // The first line names the field; the lines after it quote the file, which stays out of the pack.
      notes.push(`${name}: not a usable SLA profile: ${(error as Error).message.split('\n')[0].replace(/^[^:]*: /, '')}`);
    }
  }
  return { profiles, slaProfiles: used, slaNotes: notes };
}

// ---------------------------------------------------------------- charts

function charts(rec: RunRecord, viewers: ViewerEvidence[]): ChartData {
  const firstFrames = viewers.map((v) => v.firstFrameAt).filter((t): t is number => t !== null);
  const from = minOf([rec.steadyAt ?? rec.start, ...firstFrames, ...rec.viewers.map((v) => v.joinRequestedAt ?? Infinity)]);
  const to = Math.max(from + 1000, rec.end);
  const length = to - from;
  // Keep the series to a few thousand points whatever the run's length.
  const gridMs = Math.max(250, Math.ceil(length / 4000 / 250) * 250);
  const audioMs = Math.max(rec.sampleIntervalMs, Math.ceil(length / 2000 / rec.sampleIntervalMs) * rec.sampleIntervalMs);
  const eventMs = Math.max(1000, Math.ceil(length / 600 / 1000) * 1000);

  // Frozen share: sweep each viewer's intervals onto the grid.
  const n = Math.floor(length / gridMs) + 1;
  const gridT = Array.from({ length: n }, (_, i) => from + i * gridMs);
  const joined = new Array<number>(n).fill(0);
  const frozenW3c = new Array<number>(n).fill(0);
  const frozenFixed = new Array<number>(n).fill(0);
  const mark = (counts: number[], start: number, end: number): void => {
    for (let i = Math.max(0, Math.ceil((start - from) / gridMs)); i < n && gridT[i] < end; i++) counts[i]++;
  };
  for (const v of viewers) {
    if (v.firstFrameAt === null) continue;
    mark(joined, v.firstFrameAt, Infinity);
    for (const f of v.freezes.w3c.intervals) mark(frozenW3c, f.start, f.end);
    for (const f of v.freezes.fixedVideo.intervals) mark(frozenFixed, f.start, f.end);
  }
  const share = (counts: number[]): number[] => counts.map((c, i) => (joined[i] > 0 ? Math.min(1, c / joined[i]) : 0));

  // Audio concealment per period.
  const m = Math.floor(length / audioMs) + 1;
  const pooled = Array.from({ length: m }, () => ({ received: 0, concealed: 0, worst: null as number | null }));
  for (const v of rec.viewers) {
    const per = new Map<number, { received: number; concealed: number }>();
    for (const s of v.samples) {
      const i = Math.floor((s.t - from) / audioMs);
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

  // Joins, disconnections, recoveries per bucket.
  const k = Math.floor(length / eventMs) + 1;
  const bucket = (t: number): number => Math.min(k - 1, Math.max(0, Math.floor((t - from) / eventMs)));
  const joins = new Array<number>(k).fill(0);
  const downs = new Array<number>(k).fill(0);
  const ups = new Array<number>(k).fill(0);
  for (const v of viewers) {
    if (v.firstFrameAt !== null) joins[bucket(v.firstFrameAt)]++;
    for (const t of v.disconnects) downs[bucket(t)]++;
    for (const r of v.recoveries) ups[bucket(r.t)]++;
  }
  const eventT = Array.from({ length: k }, (_, i) => from + i * eventMs);
  const watching = eventT.map((t0) => {
    const t = t0 + eventMs;
    return viewers.filter((v) => v.firstFrameAt !== null && v.firstFrameAt <= t && !v.down.some((d) => d.start <= t && (d.end === null || d.end > t))).length;
  });

  return {
    from,
    to,
    faults: rec.faults.map((f) => ({ faultId: f.faultId, kind: f.kind, start: f.start, end: f.end })),
    frozenShare: { stepMs: gridMs, t: gridT, w3c: share(frozenW3c), fixedVideo: share(frozenFixed), joined },
    audioConcealment: {
      stepMs: audioMs,
      t: Array.from({ length: m }, (_, i) => from + (i + 1) * audioMs),
      all: pooled.map((c) => (c.received > 0 ? Math.min(1, c.concealed / c.received) : null)),
      worst: pooled.map((c) => c.worst),
    },
    connections: { stepMs: eventMs, t: eventT, joins, disconnects: downs, recoveries: ups, watching },
  };
}

// ---------------------------------------------------------------- helpers

export function durationStats(seconds: number[]): DurationStats {
  return {
    count: seconds.length,
    totalSeconds: sum(seconds),
    p50: seconds.length ? percentile(seconds, 50) : null,
    p95: seconds.length ? percentile(seconds, 95) : null,
    max: seconds.length ? seconds.reduce((a, b) => Math.max(a, b)) : null,
  };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]): number | null => (xs.length ? sum(xs) / xs.length : null);
const min = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => Math.min(a, b)) : null);
const max = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => Math.max(a, b)) : null);
export const iso = (t: number): string => new Date(t).toISOString();
