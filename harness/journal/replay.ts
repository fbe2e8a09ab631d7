/**
 * The one replay: journal entries in, the run's record out — per viewer its
 * freezes, getStats growth per sample, joins, disconnections and recoveries;
 * the host publisher's cumulative counters; the faults' ground truth. The
 * live run feeds it each entry as it writes it, `merge` the shards' merged
 * journals, the report and the drill a journal read from disk: all of them
 * see the same figures because they are computed once, here.
 *
 * Entries are taken in arrival order (the order the run processed them).
 */
import { FreezeDetector, type Freeze } from '../probes/freeze.js';
import { growth } from '../probes/ViewerQoe.js';
import type { AudioInboundStats, VideoInboundStats } from '../page/reports.js';
import type { FaultKind } from '../scenario/faults.js';
import { HOST_PUBLISHER_ID, VIDEO_GAP_MS } from '../scenario/definitions.js';
import { journalVersion, scheduledEndOf, type JournalEntry } from './entries.js';

/** Ground truth: what was injected, on whom, from when to when (epoch ms). */
export interface FaultRecord {
  faultId: string;
  kind: FaultKind;
  start: number;
  /** The actual end: the revert, else (never reverted in the record) the scheduled end or the end of the record, whichever came first. */
  end: number;
  /** Viewer ids, or "publisher", or "worker:N", or "signaling". */
  targets: string[];
  params: Record<string, unknown>;
}

export interface FaultTruth extends FaultRecord {
  scheduledEnd: number;
  /** Why it ended ("scheduled", "interrupted", "run-ended"), null when the journal has no revert. */
  revertReason: string | null;
  revertError: string | null;
  reverted: boolean;
}

/** What impact analysis reads of a viewer (harness/run/impact.ts). */
export interface ViewerTimeline {
  id: string;
  freezes: Freeze[];
  /** Per sample, growth since the previous one: audio samples, and RTP packets (audio + video). */
  samples: Array<{ t: number; received: number; concealed: number; packetsReceived: number; packetsLost: number }>;
  disconnects: number[];
  recoveries: Array<{ t: number; downSeconds: number }>;
  /** Signaling connections lost and resumed (media kept flowing): when it dropped, when it came back. */
  signalingResumes: Array<{ since: number; t: number }>;
  connectedAtEnd: boolean;
  /** When it first asked to join, and first showed media (absent: never). */
  joinRequestedAt?: number;
  firstMediaAt?: number;
}

export interface PublisherSample {
  t: number;
  /** Cumulative PLI + FIR received by the publisher. */
  keyframeRequests: number;
  /** Cumulative bytes sent (audio + video). */
  bytes: number;
}

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
  /** First media shown (audio-only broadcasts: first real audio): the join, as the viewer's QoE judged it. */
  firstMediaAt: number | null;
  joinSeconds: number | null;
  /** Rendered frame times, sorted (kept only when the replay keeps frames). */
  frames: number[];
  samples: SampleDelta[];
  /** Every freeze as the run journaled it (W3C or over a fixed threshold only). */
  freezes: Freeze[];
  /** W3C freezes as the run journaled them, plus (incomplete runs) the gap still open at the end of the record. */
  w3cFreezes: Freeze[];
  /** Gaps over VIDEO_GAP_MS. */
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

/** What a run's summary.json adds, when there is one (the journal cannot say when measurement ended exactly). */
export interface RunEnding {
  runId?: string;
  endedAt?: string;
  interrupted?: boolean;
  error?: string | null;
  versions?: Record<string, string>;
  scenario?: { name?: string; file?: string };
  viewers?: ReadonlyArray<{ id: string; kind?: string }>;
}

export interface RunRecord {
  journalVersion: number;
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

export interface ReplayOptions {
  /** Keep browser viewers' rendered frame times (the report draws them; a live run need not). */
  frames?: boolean;
  /** Keep a viewer sample only when this says so (a live run keeps what impact analysis will read). */
  keepSample?: (t: number) => boolean;
  /** Keep self.sample entries. */
  selfSamples?: boolean;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Per-viewer state while replaying. */
interface ViewerState {
  track: ViewerTrack;
  kindFromEntry: string | null;
  detector: FreezeDetector | null;
  recomputed: Freeze[];
  /** The earliest rendered frame in the samples, for journals without a firstFrame entry. */
  firstFrameSeen?: number;
  lastVideo?: VideoInboundStats;
  lastAudio?: AudioInboundStats;
  lastSampleAt?: number;
}

export class JournalReplay {
  readonly #options: ReplayOptions;
  readonly #viewers = new Map<string, ViewerState>();
  readonly #publisher: PublisherSample[] = [];
  /** Cumulative frames encoded, at each sample that had video: the frame rate of a stretch. */
  readonly #publisherFrames: Array<{ t: number; frames: number }> = [];
  #publisherRaw: { bytes: number; frames: number; pli: number; fir: number } | undefined;
  readonly #publisherTotals = { bytes: 0, frames: 0, pli: 0, fir: 0 };
  readonly #injects: JournalEntry[] = [];
  readonly #reverts = new Map<string, JournalEntry>();
  readonly #faultErrors: RunRecord['faultErrors'] = [];
  readonly #workerEvents: RunRecord['workerEvents'] = [];
  readonly #selfSamples: JournalEntry[] = [];
  readonly #errors: string[] = [];
  #first: JournalEntry | undefined;
  #steadyAt: number | null = null;
  #runEnd: JournalEntry | undefined;
  #slaProfileFile: string | null = null;
  #firstT = Infinity;
  #lastT = -Infinity;
  #lastSampleT = -Infinity;
  #fixedThresholdsMs: number[] = [VIDEO_GAP_MS];
  #sampleIntervalMs = 500;

  constructor(options: ReplayOptions = {}) {
    this.#options = options;
  }

  /** Replays a whole journal. */
  static of(entries: readonly JournalEntry[], options: ReplayOptions = {}): JournalReplay {
    const replay = new JournalReplay(options);
    for (const e of entries) replay.add(e);
    return replay;
  }

  add(e: JournalEntry): void {
    this.#firstT = Math.min(this.#firstT, e.t);
    this.#lastT = Math.max(this.#lastT, e.t);
    if (e.type.startsWith('viewer.')) {
      const id = str(e.viewerId);
      if (id !== null) this.#onViewer(this.#viewer(id), e);
      return;
    }
    switch (e.type) {
      case 'run.start':
        if (this.#first) break; // a merged journal: the first run.start (the SFU's) names the run
        this.#first = e;
        journalVersion([e]);
        this.#readMeasurement(e.scenario);
        break;
      case 'run.steady':
        this.#steadyAt ??= e.t;
        break;
      case 'run.end':
        this.#runEnd ??= e;
        break;
      case 'run.error':
        this.#errors.push(str(e.message) ?? 'run error');
        break;
      case 'publisher.publisherSample':
        if (e.publisherId === undefined || e.publisherId === HOST_PUBLISHER_ID) this.#onPublisherSample(e);
        break;
      case 'fault.inject':
        if (str(e.faultId) !== null) this.#injects.push(e);
        break;
      case 'fault.revert': {
        const id = str(e.faultId);
        if (id !== null && !this.#reverts.has(id)) this.#reverts.set(id, e);
        break;
      }
      case 'fault.error':
        this.#faultErrors.push({ t: e.t, faultId: str(e.faultId) ?? '?', message: str(e.message) ?? '' });
        break;
      case 'sfu.workerDied':
      case 'sfu.workerReplaced':
        this.#workerEvents.push({ t: e.t, type: e.type, index: num(e.index), message: str(e.message) });
        break;
      case 'self.sample':
        if (this.#options.selfSamples !== false) this.#selfSamples.push(e);
        break;
      case 'drill.start':
        this.#slaProfileFile ??= str(e.slaProfile);
        break;
    }
  }

  /** The faults' ground truth; a fault never reverted in the record ran until its scheduled end or `end`, whichever came first. */
  faults(end: number): FaultTruth[] {
    return this.#injects
      .map((e) => {
        const faultId = str(e.faultId)!;
        const start = num(e.start) ?? e.t;
        const scheduledEnd = scheduledEndOf(e) ?? start;
        const revert = this.#reverts.get(faultId);
        return {
          faultId,
          kind: (str(e.kind) ?? 'unknown') as FaultKind,
          start,
          end: num(revert?.end) ?? Math.min(scheduledEnd, Math.max(start, end)),
          scheduledEnd,
          targets: Array.isArray(e.targets) ? (e.targets as string[]) : [],
          params: (e.params as Record<string, unknown> | undefined) ?? {},
          revertReason: str(revert?.reason),
          revertError: str(revert?.error),
          reverted: revert !== undefined,
        };
      })
      .sort((a, b) => a.start - b.start);
  }

  /** Faults injected and not yet reverted at `now` (the live run's progress). */
  activeFaults(now: number): number {
    return this.faults(now).filter((f) => !f.reverted && f.end >= now).length;
  }

  get publisherSamples(): readonly PublisherSample[] {
    return this.#publisher;
  }

  /** The host publisher's figures: its frame rate over the steady broadcast (from `steadyFrom`), start-up excluded; null without video. */
  publisherSummary(steadyFrom = 0): { framesEncoded: number; fps: number; bytesSent: number; pliCount: number; firCount: number } | null {
    const samples = this.#publisherFrames;
    const first = samples.find((s) => s.t >= steadyFrom) ?? samples[0];
    const last = samples.at(-1);
    if (!first || !last) return null;
    const seconds = (last.t - first.t) / 1000;
    const totals = this.#publisherTotals;
    return {
      framesEncoded: totals.frames,
      fps: seconds > 0 ? (last.frames - first.frames) / seconds : 0,
      bytesSent: totals.bytes,
      pliCount: totals.pli,
      firCount: totals.fir,
    };
  }

  /**
   * The viewers as they stand at `end`. `complete`: the run ended properly and
   * journaled every freeze, so a gap still open is not added again.
   */
  viewers(end: number, complete: boolean, kinds: ReadonlyMap<string, string> = new Map()): ViewerTrack[] {
    const scenarioKinds = Object.keys((this.#first?.scenario as { viewers?: Record<string, unknown> } | undefined)?.viewers ?? {});
    return [...this.#viewers.values()]
      .map((state) => {
        const id = state.track.id;
        // Journals before version 2 do not say a viewer's kind: the summary does, else its id's prefix.
        const kind = state.kindFromEntry ?? kinds.get(id) ?? scenarioKinds.find((k) => id.startsWith(`${k}-`)) ?? 'unknown';
        return finishTrack(state, kind, end, complete);
      })
      .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  /** The whole record; `summary`, when the run wrote one, says when measurement ended and the viewers' kinds. */
  record(summary: RunEnding | null = null): RunRecord {
    const first = this.#first;
    const scenario = (first?.scenario as Record<string, unknown> | undefined) ?? null;
    // Without the summary's exact end, measurement ends with the last viewer sample: an open gap is never made longer than seen.
    const end = summary?.endedAt
      ? Date.parse(summary.endedAt)
      : Number.isFinite(this.#lastSampleT)
        ? this.#lastSampleT
        : (this.#runEnd?.t ?? this.#lastT);
    for (const v of summary?.viewers ?? []) this.#viewer(v.id);
    const kinds = new Map((summary?.viewers ?? []).flatMap((v) => (v.kind ? [[v.id, v.kind] as [string, string]] : [])));
    return {
      journalVersion: first ? journalVersion([first]) : 1,
      runId: str(first?.runId) ?? summary?.runId ?? null,
      scenarioName: str(scenario?.name) ?? summary?.scenario?.name ?? null,
      scenarioFile: str(first?.scenarioFile) ?? summary?.scenario?.file ?? null,
      scenario,
      versions: { ...((first?.versions as Record<string, string> | undefined) ?? {}), ...(summary?.versions ?? {}) },
      start: first?.t ?? this.#firstT,
      steadyAt: this.#steadyAt,
      end,
      ended: this.#runEnd !== undefined,
      interrupted: summary?.interrupted ?? (this.#runEnd ? Boolean(this.#runEnd.interrupted) : null),
      errors: [...this.#errors, ...(summary?.error && !this.#errors.includes(summary.error) ? [summary.error] : [])],
      viewers: this.viewers(end, this.#runEnd !== undefined || summary !== null, kinds),
      publisher: [...this.#publisher].sort((a, b) => a.t - b.t),
      faults: this.faults(end),
      faultErrors: this.#faultErrors,
      workerEvents: this.#workerEvents,
      selfSamples: this.#selfSamples,
      sampleIntervalMs: this.#sampleIntervalMs,
      fixedThresholdsMs: this.#fixedThresholdsMs,
      slaProfileFile: this.#slaProfileFile,
    };
  }

  #readMeasurement(scenario: unknown): void {
    const m = (scenario as { measurement?: { sampleInterval?: unknown; fixedFreezeThresholds?: unknown } } | undefined)?.measurement;
    if (Array.isArray(m?.fixedFreezeThresholds)) this.#fixedThresholdsMs = m.fixedFreezeThresholds as number[];
    this.#sampleIntervalMs = num(m?.sampleInterval) ?? 500;
    for (const state of this.#viewers.values()) state.track.fixedSource = this.#fixedSource();
  }

  #fixedSource(): ViewerTrack['fixedSource'] {
    return this.#fixedThresholdsMs.includes(VIDEO_GAP_MS) ? 'journal' : 'frames';
  }

  #viewer(id: string): ViewerState {
    let state = this.#viewers.get(id);
    if (!state) {
      state = {
        track: {
          id,
          kind: 'unknown',
          joinRequestedAt: null,
          firstFrameAt: null,
          firstMediaAt: null,
          joinSeconds: null,
          frames: [],
          samples: [],
          freezes: [],
          w3cFreezes: [],
          fixedFreezes: [],
          fixedSource: this.#fixedSource(),
          disconnects: [],
          recoveries: [],
          signalingClosed: [],
          signalingResumes: [],
          sessionsLost: [],
          reconnectAttempts: [],
          gaveUp: [],
          errors: [],
          connectedAtEnd: false,
        },
        kindFromEntry: null,
        // Frame times give the gaps the journal has no entry for: fixed gaps under another threshold, the gap open at a cut.
        detector: this.#options.frames ? new FreezeDetector([VIDEO_GAP_MS]) : null,
        recomputed: [],
      };
      this.#viewers.set(id, state);
    }
    return state;
  }

  #onViewer(state: ViewerState, e: JournalEntry): void {
    const track = state.track;
    switch (e.type) {
      case 'viewer.start':
        state.kindFromEntry = str(e.kind);
        break;
      case 'viewer.joining':
        track.joinRequestedAt ??= e.t;
        // A new receiver restarts its cumulative stats at zero.
        state.lastVideo = undefined;
        state.lastAudio = undefined;
        break;
      case 'viewer.firstFrame':
        track.firstFrameAt ??= e.t;
        break;
      case 'viewer.joinTime': {
        track.joinSeconds ??= num(e.joinSeconds);
        const at = num(e.firstMediaAt) ?? (track.joinRequestedAt !== null && track.joinSeconds !== null ? track.joinRequestedAt + track.joinSeconds * 1000 : null);
        track.firstMediaAt ??= at;
        break;
      }
      case 'viewer.viewerSample':
        this.#onSample(state, e);
        break;
      case 'viewer.freeze': {
        const start = num(e.start);
        const end = num(e.end);
        if (start === null || end === null) break;
        track.freezes.push({
          start,
          end,
          w3c: e.w3c === true,
          fixed: Array.isArray(e.fixed) ? (e.fixed as number[]) : [],
          ongoing: e.ongoing === true,
          ...(e.pause === true ? { pause: true } : {}),
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

  #onSample(state: ViewerState, e: JournalEntry): void {
    this.#lastSampleT = Math.max(this.#lastSampleT, e.t);
    const track = state.track;
    const frames = Array.isArray(e.frames) ? (e.frames as unknown[]).filter((f): f is number => typeof f === 'number') : [];
    if (frames.length > 0) state.firstFrameSeen = Math.min(state.firstFrameSeen ?? Infinity, minimum(frames));
    if (state.detector) {
      for (const f of frames) {
        track.frames.push(f);
        const freeze = state.detector.onFrame(f);
        if (freeze) state.recomputed.push(freeze);
      }
    }
    const video = e.video as VideoInboundStats | undefined;
    const audio = e.audio as AudioInboundStats | undefined;
    const { lastVideo, lastAudio } = state;
    if (this.#options.keepSample?.(e.t) ?? true) {
      const g = (now: number | undefined, before: number | undefined): number => (typeof now === 'number' ? growth(now, before) : 0);
      track.samples.push({
        t: e.t,
        from: state.lastSampleAt ?? e.t - this.#sampleIntervalMs,
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
    }
    if (video) state.lastVideo = video;
    if (audio) state.lastAudio = audio;
    state.lastSampleAt = e.t;
  }

  #onPublisherSample(e: JournalEntry): void {
    const video = e.video as { bytesSent?: number; framesEncoded?: number; pliCount?: number; firCount?: number } | undefined;
    const audio = e.audio as { bytesSent?: number } | undefined;
    if (!video && !audio) return;
    // Counters restart at zero when the publisher republishes: growth is accumulated.
    const raw = {
      bytes: (video?.bytesSent ?? 0) + (audio?.bytesSent ?? 0),
      frames: video?.framesEncoded ?? 0,
      pli: video?.pliCount ?? 0,
      fir: video?.firCount ?? 0,
    };
    const totals = this.#publisherTotals;
    for (const key of ['bytes', 'frames', 'pli', 'fir'] as const) totals[key] += growth(raw[key], this.#publisherRaw?.[key]);
    this.#publisherRaw = raw;
    this.#publisher.push({ t: e.t, bytes: totals.bytes, keyframeRequests: totals.pli + totals.fir });
    if (video) this.#publisherFrames.push({ t: e.t, frames: totals.frames });
  }
}

function minimum(values: number[]): number {
  let m = Infinity;
  for (const v of values) m = Math.min(m, v);
  return m;
}

function finishTrack(state: ViewerState, kind: string, end: number, complete: boolean): ViewerTrack {
  const track: ViewerTrack = { ...state.track, kind, frames: [...state.track.frames].sort((a, b) => a - b) };
  track.firstFrameAt ??= state.firstFrameSeen ?? null;
  track.firstMediaAt ??= track.firstFrameAt;
  if (track.joinSeconds === null && track.joinRequestedAt !== null && track.firstFrameAt !== null) {
    track.joinSeconds = (track.firstFrameAt - track.joinRequestedAt) / 1000;
  }
  const journaled = track.freezes;
  // The gap open when measurement ended. A complete run journaled it already; a cut one did not.
  const recomputed = [...state.recomputed];
  const tail = state.detector?.finish(end);
  if (tail) recomputed.push(tail);
  const tailMissing = (f: Freeze): boolean => !journaled.some((j) => Math.abs(j.start - f.start) < 1);
  const openAtEnd = !complete && tail && tailMissing(tail) ? [tail] : [];
  track.w3cFreezes = [...journaled.filter((f) => f.w3c), ...openAtEnd.filter((f) => f.w3c)].sort((a, b) => a.start - b.start);
  track.fixedFreezes = (
    track.fixedSource === 'journal'
      ? [...journaled.filter((f) => f.fixed.includes(VIDEO_GAP_MS)), ...openAtEnd.filter((f) => f.fixed.includes(VIDEO_GAP_MS))]
      : recomputed.filter((f) => f.fixed.includes(VIDEO_GAP_MS))
  ).sort((a, b) => a.start - b.start);

  const lastDown = track.disconnects.at(-1);
  const lastBack = track.recoveries.at(-1)?.t;
  track.connectedAtEnd = track.firstMediaAt !== null && (lastDown === undefined || (lastBack !== undefined && lastBack > lastDown));
  return track;
}

/** The ground truth impact analysis takes, without what only the report shows. */
export function groundTruth(faults: readonly FaultTruth[]): FaultRecord[] {
  return faults.map(({ faultId, kind, start, end, targets, params }) => ({ faultId, kind, start, end, targets, params }));
}

/** What measureImpact (harness/run/impact.ts) needs, from a replayed viewer. */
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
    firstMediaAt: v.firstMediaAt ?? undefined,
  };
}
