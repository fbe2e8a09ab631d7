/**
 * The run rebuilt from its journal alone: per viewer its rendered frames,
 * getStats growth per sample, freezes, disconnections and recoveries; the
 * publisher's cumulative counters; the faults' ground truth. A summary.json,
 * when there is one, only adds what the journal cannot say (viewer kinds,
 * the browser version, the exact end of measurement).
 */
import type { JournalEntry } from '../journal/Journal.js';
import type { RunSummary } from '../run/summary.js';
import type { FaultRecord, PublisherSample, ViewerTimeline } from '../run/impact.js';
import { FreezeDetector, type Freeze } from '../probes/freeze.js';
import { growth } from '../probes/ViewerQoe.js';
import type { AudioInboundStats, VideoInboundStats } from '../page/reports.js';
import type { FaultKind } from '../scenario/faults.js';

/** Video gaps over this are the vendor-dashboard style freeze the report always shows. */
export const VIDEO_FIXED_MS = 500;
/** Audio concealed in one sample period at least this long is an audio gap. */
export const AUDIO_GAP_MS = 200;

/** Growth of the viewer's receiver counters over one getStats period, which ends at `t`. */
export interface SampleDelta {
  t: number;
  /** Start of the period: the previous sample of this viewer (or t − the sample interval for the first). */
  from: number;
  framesRendered: number;
  framesDecoded: number;
  videoPacketsReceived: number;
  videoPacketsLost: number;
  audioPacketsReceived: number;
  audioPacketsLost: number;
  audioSamplesReceived: number;
  audioConcealedSamples: number;
  nackCount: number;
  pliCount: number;
}

export interface ViewerTrack {
  id: string;
  kind: string;
  joinRequestedAt: number | null;
  firstFrameAt: number | null;
  joinSeconds: number | null;
  /** Rendered frame times, sorted. */
  frames: number[];
  samples: SampleDelta[];
  /** W3C freezes as the run journaled them, plus (incomplete runs) the gap still open at the end of the record. */
  w3cFreezes: Freeze[];
  /** Gaps over VIDEO_FIXED_MS. */
  fixedFreezes: Freeze[];
  /** Where fixedFreezes come from: the journal's freeze entries, or the frame timestamps. */
  fixedSource: 'journal' | 'frames';
  disconnects: number[];
  recoveries: Array<{ t: number; downSeconds: number }>;
  signalingClosed: number[];
  signalingResumes: Array<{ since: number; t: number }>;
  sessionsLost: Array<{ t: number; since: number; reason: string }>;
  reconnectAttempts: Array<{ t: number; attempt: number; mode: string; outcome: string }>;
  gaveUp: number[];
  errors: Array<{ t: number; message: string }>;
  connectedAtEnd: boolean;
}

export interface FaultTruth extends FaultRecord {
  /** Why it ended ("scheduled", "interrupted", "run-ended"), null when the journal has no revert. */
  revertReason: string | null;
  revertError: string | null;
  reverted: boolean;
}

export interface RunRecord {
  runId: string | null;
  scenarioName: string | null;
  scenarioFile: string | null;
  scenario: Record<string, unknown> | null;
  versions: Record<string, string>;
  /** First journal entry (run.start). */
  start: number;
  /** run.steady: every viewer started; the scenario's fault times count from here. */
  steadyAt: number | null;
  /** End of measurement: summary.endedAt, else the last viewer sample, else run.end, else the last journal entry. */
  end: number;
  /** The journal has a run.end entry. */
  ended: boolean;
  interrupted: boolean | null;
  errors: string[];
  viewers: ViewerTrack[];
  publisher: PublisherSample[];
  faults: FaultTruth[];
  faultErrors: Array<{ t: number; faultId: string; message: string }>;
  workerEvents: Array<{ t: number; type: string; index: number | null; message: string | null }>;
  selfSamples: JournalEntry[];
  sampleIntervalMs: number;
  fixedThresholdsMs: number[];
  slaProfileFile: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function reconstruct(entries: readonly JournalEntry[], summary: RunSummary | null): RunRecord {
  const first = entries.find((e) => e.type === 'run.start');
  const scenario = (first?.scenario as Record<string, unknown> | undefined) ?? null;
  const measurement = (scenario?.measurement as { sampleInterval?: number; fixedFreezeThresholds?: number[] } | undefined) ?? {};
  const fixedThresholdsMs = Array.isArray(measurement.fixedFreezeThresholds) ? measurement.fixedFreezeThresholds : [VIDEO_FIXED_MS];
  const sampleIntervalMs = num(measurement.sampleInterval) ?? 500;
  const runEnd = entries.find((e) => e.type === 'run.end');
  const lastT = entries.reduce((a, e) => Math.max(a, e.t), -Infinity);
  // Without the summary's exact end, measurement ends with the last viewer sample: an open gap is never made longer than seen.
  const lastSample = entries.reduce((a, e) => (e.type === 'viewer.viewerSample' ? Math.max(a, e.t) : a), -Infinity);
  const end = summary?.endedAt ? Date.parse(summary.endedAt) : Number.isFinite(lastSample) ? lastSample : (runEnd?.t ?? lastT);
  const start = first?.t ?? entries.reduce((a, e) => Math.min(a, e.t), Infinity);

  const viewerKinds = new Map((summary?.viewers ?? []).map((v) => [v.id, v.kind as string]));
  const scenarioKinds = Object.keys((scenario?.viewers as Record<string, unknown> | undefined) ?? {});
  const kindOf = (id: string, entry?: JournalEntry): string =>
    viewerKinds.get(id) ?? str(entry?.kind) ?? scenarioKinds.find((k) => id.startsWith(`${k}-`)) ?? 'unknown';

  const byViewer = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    if (!e.type.startsWith('viewer.')) continue;
    const id = str(e.viewerId);
    if (id === null) continue;
    if (!byViewer.has(id)) byViewer.set(id, []);
    byViewer.get(id)!.push(e);
  }
  for (const v of summary?.viewers ?? []) if (!byViewer.has(v.id)) byViewer.set(v.id, []);

  const viewers = [...byViewer.entries()].map(([id, list]) =>
    viewerTrack(id, kindOf(id, list.find((e) => e.kind !== undefined)), list, {
      end,
      complete: runEnd !== undefined || summary !== null,
      fixedThresholdsMs,
      sampleIntervalMs,
    }),
  );
  viewers.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  return {
    runId: str(first?.runId) ?? summary?.runId ?? null,
    scenarioName: str(scenario?.name) ?? summary?.scenario.name ?? null,
    scenarioFile: str(first?.scenarioFile) ?? summary?.scenario.file ?? null,
    scenario,
    versions: { ...((first?.versions as Record<string, string> | undefined) ?? {}), ...(summary?.versions ?? {}) },
    start,
    steadyAt: entries.find((e) => e.type === 'run.steady')?.t ?? null,
    end,
    ended: runEnd !== undefined,
    interrupted: summary?.interrupted ?? (runEnd ? Boolean(runEnd.interrupted) : null),
    errors: [
      ...entries.filter((e) => e.type === 'run.error').map((e) => str(e.message) ?? 'run error'),
      ...(summary?.error && !entries.some((e) => e.type === 'run.error' && e.message === summary.error) ? [summary.error] : []),
    ],
    viewers,
    publisher: publisherSamples(entries),
    faults: faultTruth(entries, end),
    faultErrors: entries
      .filter((e) => e.type === 'fault.error')
      .map((e) => ({ t: e.t, faultId: str(e.faultId) ?? '?', message: str(e.message) ?? '' })),
    workerEvents: entries
      .filter((e) => e.type === 'sfu.workerDied' || e.type === 'sfu.workerReplaced')
      .map((e) => ({ t: e.t, type: e.type, index: num(e.index), message: str(e.message) })),
    selfSamples: entries.filter((e) => e.type === 'self.sample'),
    sampleIntervalMs,
    fixedThresholdsMs,
    slaProfileFile: str(entries.find((e) => e.type === 'drill.start')?.slaProfile),
  };
}

function viewerTrack(
  id: string,
  kind: string,
  list: JournalEntry[],
  opts: { end: number; complete: boolean; fixedThresholdsMs: number[]; sampleIntervalMs: number },
): ViewerTrack {
  const track: ViewerTrack = {
    id,
    kind,
    joinRequestedAt: null,
    firstFrameAt: null,
    joinSeconds: null,
    frames: [],
    samples: [],
    w3cFreezes: [],
    fixedFreezes: [],
    fixedSource: opts.fixedThresholdsMs.includes(VIDEO_FIXED_MS) ? 'journal' : 'frames',
    disconnects: [],
    recoveries: [],
    signalingClosed: [],
    signalingResumes: [],
    sessionsLost: [],
    reconnectAttempts: [],
    gaveUp: [],
    errors: [],
    connectedAtEnd: false,
  };
  const detector = new FreezeDetector([VIDEO_FIXED_MS]);
  const recomputed: Freeze[] = [];
  const journaled: Freeze[] = [];
  let lastVideo: VideoInboundStats | undefined;
  let lastAudio: AudioInboundStats | undefined;
  let lastSampleAt: number | undefined;
  // Journal order is arrival order, the order the run itself processed the reports in.
  for (const e of list) {
    switch (e.type) {
      case 'viewer.joining':
        track.joinRequestedAt ??= e.t;
        // A new receiver restarts its cumulative stats at zero.
        lastVideo = undefined;
        lastAudio = undefined;
        break;
      case 'viewer.firstFrame':
        track.firstFrameAt ??= e.t;
        break;
      case 'viewer.joinTime':
        track.joinSeconds ??= num(e.joinSeconds);
        break;
      case 'viewer.viewerSample': {
        const frames = Array.isArray(e.frames) ? (e.frames as number[]).filter((f) => typeof f === 'number') : [];
        for (const f of frames) {
          track.frames.push(f);
          const freeze = detector.onFrame(f);
          if (freeze) recomputed.push(freeze);
        }
        const video = e.video as VideoInboundStats | undefined;
        const audio = e.audio as AudioInboundStats | undefined;
        const g = (now: number | undefined, before: number | undefined): number => (typeof now === 'number' ? growth(now, before) : 0);
        track.samples.push({
          t: e.t,
          from: lastSampleAt ?? e.t - opts.sampleIntervalMs,
          // Synthetic viewers report a count: their frame times went straight to their QoE.
          framesRendered: frames.length > 0 ? frames.length : (num(e.frameCount) ?? 0),
          framesDecoded: g(video?.framesDecoded, lastVideo?.framesDecoded),
          videoPacketsReceived: g(video?.packetsReceived, lastVideo?.packetsReceived),
          videoPacketsLost: g(video?.packetsLost, lastVideo?.packetsLost),
          nackCount: g(video?.nackCount, lastVideo?.nackCount),
          pliCount: g(video?.pliCount, lastVideo?.pliCount),
          audioPacketsReceived: g(audio?.packetsReceived, lastAudio?.packetsReceived),
          audioPacketsLost: g(audio?.packetsLost, lastAudio?.packetsLost),
          audioSamplesReceived: g(audio?.totalSamplesReceived, lastAudio?.totalSamplesReceived),
          audioConcealedSamples: g(audio?.concealedSamples, lastAudio?.concealedSamples),
        });
        if (video) lastVideo = video;
        if (audio) lastAudio = audio;
        lastSampleAt = e.t;
        break;
      }
      case 'viewer.freeze': {
        const s = num(e.start);
        const en = num(e.end);
        if (s === null || en === null) break;
        journaled.push({
          start: s,
          end: en,
          w3c: e.w3c === true,
          fixed: Array.isArray(e.fixed) ? (e.fixed as number[]) : [],
          ongoing: e.ongoing === true,
        });
        break;
      }
      case 'viewer.disconnected':
        track.disconnects.push(e.t);
        break;
      case 'viewer.recovered':
        track.recoveries.push({ t: e.t, downSeconds: num(e.downSeconds) ?? 0 });
        break;
      case 'viewer.signalingClosed':
        track.signalingClosed.push(e.t);
        break;
      case 'viewer.signalingResumed':
        track.signalingResumes.push({ since: num(e.since) ?? e.t, t: e.t });
        break;
      case 'viewer.sessionLost':
        track.sessionsLost.push({ t: e.t, since: num(e.since) ?? e.t, reason: str(e.reason) ?? '' });
        break;
      case 'viewer.reconnectAttempt':
        track.reconnectAttempts.push({ t: e.t, attempt: num(e.attempt) ?? 0, mode: str(e.mode) ?? '', outcome: str(e.outcome) ?? '' });
        break;
      case 'viewer.gaveUp':
        track.gaveUp.push(e.t);
        break;
      case 'viewer.error':
        track.errors.push({ t: e.t, message: str(e.message) ?? '' });
        break;
    }
  }
  track.frames.sort((a, b) => a - b);
  track.firstFrameAt ??= track.frames.length > 0 ? track.frames.reduce((a, f) => Math.min(a, f), Infinity) : null;
  if (track.joinSeconds === null && track.joinRequestedAt !== null && track.firstFrameAt !== null) {
    track.joinSeconds = (track.firstFrameAt - track.joinRequestedAt) / 1000;
  }

  // The gap open when measurement ended. A complete run journaled it already; a cut one did not.
  const tail = detector.finish(opts.end);
  if (tail) recomputed.push(tail);
  const tailMissing = (f: Freeze): boolean => !journaled.some((j) => Math.abs(j.start - f.start) < 1);
  const openAtEnd = !opts.complete && tail && tailMissing(tail) ? [tail] : [];
  track.w3cFreezes = [...journaled.filter((f) => f.w3c), ...openAtEnd.filter((f) => f.w3c)];
  track.fixedFreezes =
    track.fixedSource === 'journal'
      ? [...journaled.filter((f) => f.fixed.includes(VIDEO_FIXED_MS)), ...openAtEnd.filter((f) => f.fixed.includes(VIDEO_FIXED_MS))]
      : recomputed.filter((f) => f.fixed.includes(VIDEO_FIXED_MS));
  track.w3cFreezes.sort((a, b) => a.start - b.start);
  track.fixedFreezes.sort((a, b) => a.start - b.start);

  const lastDown = track.disconnects.at(-1);
  const lastBack = track.recoveries.at(-1)?.t;
  track.connectedAtEnd = track.firstFrameAt !== null && (lastDown === undefined || (lastBack !== undefined && lastBack > lastDown));
  return track;
}

/** The host publisher's cumulative counters (its stats restart at zero when it republishes). */
function publisherSamples(entries: readonly JournalEntry[]): PublisherSample[] {
  const out: PublisherSample[] = [];
  let raw: { bytes: number; kf: number } | undefined;
  const totals = { bytes: 0, kf: 0 };
  for (const e of entries) {
    if (e.type !== 'publisher.publisherSample') continue;
    if (e.publisherId !== undefined && e.publisherId !== 'publisher') continue;
    const video = e.video as { bytesSent?: number; pliCount?: number; firCount?: number } | undefined;
    const audio = e.audio as { bytesSent?: number } | undefined;
    if (!video && !audio) continue;
    const now = { bytes: (video?.bytesSent ?? 0) + (audio?.bytesSent ?? 0), kf: (video?.pliCount ?? 0) + (video?.firCount ?? 0) };
    totals.bytes += growth(now.bytes, raw?.bytes);
    totals.kf += growth(now.kf, raw?.kf);
    raw = now;
    out.push({ t: e.t, bytes: totals.bytes, keyframeRequests: totals.kf });
  }
  return out.sort((a, b) => a.t - b.t);
}

function faultTruth(entries: readonly JournalEntry[], end: number): FaultTruth[] {
  const faults: FaultTruth[] = [];
  for (const e of entries) {
    if (e.type !== 'fault.inject') continue;
    const faultId = str(e.faultId);
    const start = num(e.start) ?? e.t;
    if (faultId === null) continue;
    const revert = entries.find((r) => r.type === 'fault.revert' && r.faultId === faultId);
    const scheduledEnd = num(e.end) ?? start;
    faults.push({
      faultId,
      kind: (str(e.kind) ?? 'unknown') as FaultKind,
      start,
      // Never reverted in the record: active until its scheduled end, or the end of the record if that came first.
      end: num(revert?.end) ?? Math.min(scheduledEnd, Math.max(start, end)),
      targets: Array.isArray(e.targets) ? (e.targets as string[]) : [],
      params: (e.params as Record<string, unknown> | undefined) ?? {},
      revertReason: str(revert?.reason),
      revertError: str(revert?.error),
      reverted: revert !== undefined,
    });
  }
  return faults.sort((a, b) => a.start - b.start);
}

/** What measureImpact (harness/run/impact.ts) needs, from a reconstructed viewer. */
export function toTimeline(v: ViewerTrack): ViewerTimeline {
  return {
    id: v.id,
    freezes: v.w3cFreezes,
    samples: v.samples.map((s) => ({
      t: s.t,
      received: s.audioSamplesReceived,
      concealed: s.audioConcealedSamples,
      packetsReceived: s.videoPacketsReceived + s.audioPacketsReceived,
      packetsLost: s.videoPacketsLost + s.audioPacketsLost,
    })),
    disconnects: v.disconnects,
    recoveries: v.recoveries,
    signalingResumes: v.signalingResumes,
    connectedAtEnd: v.connectedAtEnd,
    joinRequestedAt: v.joinRequestedAt ?? undefined,
    firstMediaAt: v.firstFrameAt ?? undefined,
  };
}
