/**
 * One viewer's part of the replay: its `viewer.*` entries in, its track out
 * (freezes as journaled and, from frame times, the gaps the journal has no
 * entry for; getStats growth per sample, reset when a new receiver starts;
 * joins, disconnections, recoveries, signaling and reconnect history; what
 * the stamped source's stamps said, per sample and over the whole run).
 */
import { FreezeDetector, type Freeze } from '../probes/freeze.js';
import { growth } from '../probes/ViewerQoe.js';
import type { AudioInboundStats, StampBatch, VideoInboundStats } from '../page/reports.js';
import { LatencyStats, ViewerLatency } from '../probes/latency.js';
import { VIDEO_GAP_MS } from '../scenario/definitions.js';
import { minOf } from '../../common/stats.js';
import type { JournalEntry } from './entries.js';
import type { ViewerTrack } from './records.js';

/** What every viewer's replay shares with the run's (read when used: run.start may come later in a merged journal). */
export interface ViewerReplaySettings {
  /** Keep rendered frame times (the report draws them). */
  frames: boolean;
  keepSample?: (t: number) => boolean;
  sampleIntervalMs: number;
  fixedThresholdsMs: number[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export class ViewerReplay {
  /** The kind its viewer.start entry gave (journal version 2). */
  #kindFromEntry: string | null = null;
  /** Frame times give the gaps the journal has no entry for: fixed gaps under another threshold, the gap open at a cut. */
  readonly #detector: FreezeDetector | null;
  readonly #recomputed: Freeze[] = [];
  /** The earliest rendered frame in the samples, for journals without a firstFrame entry. */
  #firstFrameSeen: number | undefined;
  #lastVideo: VideoInboundStats | undefined;
  #lastAudio: AudioInboundStats | undefined;
  #lastSampleAt: number | undefined;
  /** Over every sample, kept or not (null until a sample carries stamps). */
  #stamps: { latency: ViewerLatency; counts: NonNullable<ViewerTrack['stamps']> } | null = null;
  /** Synthetic viewers' network-path latency, over every sample. */
  readonly #pathLatency = new LatencyStats();
  readonly #track: ViewerTrack;

  constructor(
    id: string,
    private readonly settings: ViewerReplaySettings,
  ) {
    this.#detector = settings.frames ? new FreezeDetector([VIDEO_GAP_MS]) : null;
    this.#track = {
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
      fixedSource: 'journal',
      disconnects: [],
      recoveries: [],
      signalingClosed: [],
      signalingResumes: [],
      sessionsLost: [],
      reconnectAttempts: [],
      gaveUp: [],
      errors: [],
      connectedAtEnd: false,
      latency: null,
      stamps: null,
      pathLatency: null,
    };
  }

  get kindFromEntry(): string | null {
    return this.#kindFromEntry;
  }

  /** One `viewer.*` entry of this viewer. */
  add(e: JournalEntry): void {
    const track = this.#track;
    switch (e.type) {
      case 'viewer.start':
        this.#kindFromEntry = str(e.kind);
        break;
      case 'viewer.joining':
        track.joinRequestedAt ??= e.t;
        // A new receiver restarts its cumulative stats at zero.
        this.#lastVideo = undefined;
        this.#lastAudio = undefined;
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
        this.#onSample(e);
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

  #onSample(e: JournalEntry): void {
    const track = this.#track;
    const frames = Array.isArray(e.frames) ? (e.frames as unknown[]).filter((f): f is number => typeof f === 'number') : [];
    if (frames.length > 0) this.#firstFrameSeen = Math.min(this.#firstFrameSeen ?? Infinity, minOf(frames));
    if (this.#detector) {
      for (const f of frames) {
        track.frames.push(f);
        const freeze = this.#detector.onFrame(f);
        if (freeze) this.#recomputed.push(freeze);
      }
    }
    const video = e.video as VideoInboundStats | undefined;
    const audio = e.audio as AudioInboundStats | undefined;
    const stamps = stampBatchOf(e.stamps);
    if (stamps) this.#addStamps(stamps);
    const pathLatencyMs = Array.isArray(e.pathLatencyMs) ? countedPairs(e.pathLatencyMs) : null;
    if (pathLatencyMs) this.#pathLatency.addCounts(pathLatencyMs);
    const lastVideo = this.#lastVideo;
    const lastAudio = this.#lastAudio;
    if (this.settings.keepSample?.(e.t) ?? true) {
      const g = (now: number | undefined, before: number | undefined): number => (typeof now === 'number' ? growth(now, before) : 0);
      track.samples.push({
        t: e.t,
        from: this.#lastSampleAt ?? e.t - this.settings.sampleIntervalMs,
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
        stamps,
        pathLatencyMs,
      });
    }
    if (video) this.#lastVideo = video;
    if (audio) this.#lastAudio = audio;
    this.#lastSampleAt = e.t;
  }

  #addStamps(batch: StampBatch): void {
    this.#stamps ??= { latency: new ViewerLatency(), counts: { read: 0, unreadable: 0, stale: 0, neverShown: 0, repeated: 0, outOfOrder: 0 } };
    const { latency, counts } = this.#stamps;
    latency.add(batch);
    for (const key of Object.keys(counts) as Array<keyof typeof counts>) counts[key] += batch[key] ?? 0;
  }

  /**
   * The track as it stands at `end`. `complete`: the run ended properly and
   * journaled every freeze, so a gap still open is not added again.
   */
  finish(kind: string, end: number, complete: boolean): ViewerTrack {
    const track: ViewerTrack = { ...this.#track, kind, frames: [...this.#track.frames].sort((a, b) => a - b) };
    track.fixedSource = this.settings.fixedThresholdsMs.includes(VIDEO_GAP_MS) ? 'journal' : 'frames';
    track.firstFrameAt ??= this.#firstFrameSeen ?? null;
    track.firstMediaAt ??= track.firstFrameAt;
    if (track.joinSeconds === null && track.joinRequestedAt !== null && track.firstFrameAt !== null) {
      track.joinSeconds = (track.firstFrameAt - track.joinRequestedAt) / 1000;
    }
    const journaled = track.freezes;
    // The gap open when measurement ended. A complete run journaled it already; a cut one did not.
    const recomputed = [...this.#recomputed];
    const tail = this.#detector?.finish(end);
    if (tail) recomputed.push(tail);
    const tailMissing = (f: Freeze): boolean => !journaled.some((j) => Math.abs(j.start - f.start) < 1);
    const openAtEnd = !complete && tail && tailMissing(tail) ? [tail] : [];
    track.w3cFreezes = [...journaled.filter((f) => f.w3c), ...openAtEnd.filter((f) => f.w3c)].sort((a, b) => a.start - b.start);
    track.fixedFreezes = (
      track.fixedSource === 'journal'
        ? [...journaled.filter((f) => f.fixed.includes(VIDEO_GAP_MS)), ...openAtEnd.filter((f) => f.fixed.includes(VIDEO_GAP_MS))]
        : recomputed.filter((f) => f.fixed.includes(VIDEO_GAP_MS))
    ).sort((a, b) => a.start - b.start);

    const stamps = this.#stamps;
    track.latency = stamps && stamps.latency.summary();
    track.stamps = stamps && { ...stamps.counts };
    track.pathLatency = this.#pathLatency.summary();

    const lastDown = track.disconnects.at(-1);
    const lastBack = track.recoveries.at(-1)?.t;
    track.connectedAtEnd = track.firstMediaAt !== null && (lastDown === undefined || (lastBack !== undefined && lastBack > lastDown));
    return track;
  }
}

/** A sample's stamps as journaled, checked field by field (a hand-edited or foreign journal may hold anything). */
function stampBatchOf(value: unknown): StampBatch | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const list = (x: unknown): number[] => (Array.isArray(x) ? x.filter((n): n is number => typeof n === 'number' && Number.isFinite(n)) : []);
  const count = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0);
  return {
    videoLatencyMs: list(v.videoLatencyMs),
    receiveLatencyMs: list(v.receiveLatencyMs),
    read: count(v.read),
    unreadable: count(v.unreadable),
    stale: count(v.stale),
    neverShown: count(v.neverShown),
    ...(Array.isArray(v.neverShownGaps) ? { neverShownGaps: countedPairs(v.neverShownGaps) } : {}),
    repeated: count(v.repeated),
    outOfOrder: count(v.outOfOrder),
    audioLatencyMs: list(v.audioLatencyMs),
    avOffsetMs: list(v.avOffsetMs),
  };
}

/** [number, count] pairs (never-shown gaps, path latency) with finite numbers and a positive count; anything else is left out. */
function countedPairs(pairs: unknown[]): Array<[number, number]> {
  return pairs.filter(
    (g): g is [number, number] => Array.isArray(g) && g.length === 2 && g.every((n) => typeof n === 'number' && Number.isFinite(n)) && g[1] > 0,
  );
}
