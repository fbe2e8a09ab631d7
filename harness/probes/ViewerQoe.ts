import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { AudioInboundStats, PageReport, StampBatch, VideoInboundStats } from '../page/reports.js';
import { FreezeDetector, type Freeze, type FreezeTotals } from './freeze.js';
import { countedMedianMs, LatencyStats, ViewerLatency } from './latency.js';
import { median } from '../../common/stats.js';

/** Counters a viewer accumulates; per-sample growth is emitted as a delta of the same shape. */
export interface QoeCounters {
  framesRendered: number;
  framesDecoded: number;
  framesDropped: number;
  videoPacketsReceived: number;
  videoPacketsLost: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  videoBytesReceived: number;
  audioSamplesReceived: number;
  audioConcealedSamples: number;
  audioConcealmentEvents: number;
  audioPacketsReceived: number;
  audioPacketsLost: number;
  audioBytesReceived: number;
  /** Chromium's own freeze and pause figures, kept to cross-check our frame timeline. */
  browserFreezeCount: number;
  browserFreezeSeconds: number;
  browserPauseCount: number;
  browserPauseSeconds: number;
  /** From the stamped source's stamps (page/StampTracker.ts): rendered frames read, unreadable and read too late, source frames never shown, repeated, out of order. */
  stampsRead: number;
  stampsUnreadable: number;
  stampsStale: number;
  framesNeverShown: number;
  framesRepeated: number;
  framesOutOfOrder: number;
}

export const zeroCounters = (): QoeCounters => ({
  framesRendered: 0, framesDecoded: 0, framesDropped: 0, videoPacketsReceived: 0, videoPacketsLost: 0,
  nackCount: 0, pliCount: 0, firCount: 0, videoBytesReceived: 0, audioSamplesReceived: 0,
  audioConcealedSamples: 0, audioConcealmentEvents: 0, audioPacketsReceived: 0, audioPacketsLost: 0,
  audioBytesReceived: 0, browserFreezeCount: 0, browserFreezeSeconds: 0, browserPauseCount: 0, browserPauseSeconds: 0,
  stampsRead: 0, stampsUnreadable: 0, stampsStale: 0, framesNeverShown: 0, framesRepeated: 0, framesOutOfOrder: 0,
});

/** Path latency as a synthetic viewer reports it: [whole ms, frames] pairs. */
export type PathLatencyCounts = NonNullable<Extract<PageReport, { type: 'viewerSample' }>['pathLatencyMs']>;

export type QoeEvents = {
  joined: [joinSeconds: number];
  freeze: [freeze: Freeze];
  /** Per sample: the counters' growth, and what the stamps and audio markers measured in it. */
  sample: [t: number, delta: QoeCounters, stamps: StampBatch | undefined, pathLatencyMs: PathLatencyCounts | undefined];
  disconnected: [t: number];
  recovered: [t: number, downSeconds: number];
};


/**
 * Quality of experience of one viewer, whatever its kind: fed rendered-frame
 * times and cumulative receiver stats, it keeps join time, freezes (one
 * definition, see freeze.ts) and counters that survive a rejoin (a new
 * receiver restarts its stats at zero).
 */
export class ViewerQoe {
  readonly observer = new TypedEmitter<QoeEvents>();
  readonly freezes: FreezeDetector;
  readonly totals = zeroCounters();
  /** Stamped source: what its stamps and audio markers timed. */
  readonly latency = new ViewerLatency();
  /** Synthetic viewers: network-path latency, SFU → viewer (synthetic/PathLatency.ts). */
  readonly pathLatency = new LatencyStats();
  /** The last sample's median glass-to-glass and path latency (ms), for live views; null when it timed no frame. */
  latestLatencyMs: { video: number | null; path: number | null } = { video: null, path: null };
  joinRequestedAt: number | undefined;
  firstMediaAt: number | undefined;
  /** When its page was given up on: no media within the join timeout, or its session stopped retrying. */
  gaveUpAt: number | undefined;
  disconnectedAt: number | undefined;
  /** Set when the loss needs a fresh join: only frames after that join's request are a recovery. */
  #rejoinRequestedAt: number | undefined;
  #needsRejoin = false;
  disconnects = 0;
  recoveries = 0;
  /** When the last freeze (W3C or over a fixed threshold) ended. */
  lastFreezeEnd: number | undefined;
  #lastVideo: VideoInboundStats | undefined;
  #lastSampleAt: number | undefined;
  #sampleIntervalMs = 1000;
  #lastAudio: AudioInboundStats | undefined;
  /** End of the last sample period that played mostly real audio. */
  #lastRealAudioAt: number | undefined;

  /**
   * @param audioOnly an audio-only broadcast: audio, not video frames, marks
   *   the join (first audio) and recoveries.
   * @param readsStamps the viewer reads the stamped source: latency is measured (no reading, no figure).
   */
  constructor(
    fixedFreezeThresholdsMs: readonly number[],
    readonly audioOnly = false,
    readonly readsStamps = false,
  ) {
    this.freezes = new FreezeDetector(fixedFreezeThresholdsMs);
  }

  /**
   * Frozen, as far as the measurements tell at `now`. Frames reach the harness
   * in batches (one per report), so the open gap is judged at the last report,
   * or, if reports stopped coming, no earlier than two report intervals ago.
   */
  frozenNow(now: number): boolean {
    const asOf = Math.max(this.#lastSampleAt ?? now, now - (2 * this.#sampleIntervalMs + 1000));
    return this.connected && this.freezes.frozenAt(asOf);
  }

  /** Joined (has shown media) and not disconnected now. */
  get connected(): boolean {
    return this.firstMediaAt !== undefined && this.disconnectedAt === undefined;
  }

  get joinSeconds(): number | undefined {
    if (this.joinRequestedAt === undefined || this.firstMediaAt === undefined) return undefined;
    return (this.firstMediaAt - this.joinRequestedAt) / 1000;
  }

  onJoinRequested(t: number): void {
    this.joinRequestedAt ??= t;
    if (this.#needsRejoin) this.#rejoinRequestedAt = t;
  }

  onFrame(t: number): void {
    this.totals.framesRendered++;
    if (!this.audioOnly) this.#mediaArrived(t);
    const freeze = this.freezes.onFrame(t);
    if (freeze) {
      this.lastFreezeEnd = freeze.end;
      this.observer.emit('freeze', freeze);
    }
  }

  /** Watching without a freeze or a disconnection since `t` (and since before it). */
  smoothSince(t: number, now: number): boolean {
    return this.connected && this.firstMediaAt! <= t && (this.lastFreezeEnd ?? 0) <= t && !this.frozenNow(now);
  }

  /** First media after joining is the join; first media after a disconnection is the recovery. */
  #mediaArrived(t: number): void {
    if (this.firstMediaAt === undefined) {
      this.firstMediaAt = t;
      if (this.joinSeconds !== undefined) this.observer.emit('joined', this.joinSeconds);
    }
    // Frames arrive in batches, and frames in flight still show after a session is lost:
    // neither is a recovery.
    if (this.disconnectedAt !== undefined && t > this.disconnectedAt && (!this.#needsRejoin || t > (this.#rejoinRequestedAt ?? Infinity))) {
      const down = (t - this.disconnectedAt) / 1000;
      this.disconnectedAt = undefined;
      this.#needsRejoin = false;
      this.#rejoinRequestedAt = undefined;
      this.recoveries++;
      this.observer.emit('recovered', t, down);
    }
  }

  /**
   * The viewer lost its media connection (or its room); the next frame is its
   * recovery. With `rejoin`, the session itself is gone: the next frame of a new join is.
   */
  onDisconnected(t: number, rejoin = false): void {
    if (rejoin) this.#needsRejoin = true;
    if (this.disconnectedAt !== undefined) return;
    this.disconnectedAt = t;
    this.disconnects++;
    this.observer.emit('disconnected', t);
  }

  /** When media was last seen playing: the last frame (audio-only: the last period of real audio). */
  get lastMediaAt(): number | undefined {
    return this.audioOnly ? this.#lastRealAudioAt : this.freezes.lastFrame;
  }

  onStats(t: number, video: VideoInboundStats | undefined, audio: AudioInboundStats | undefined, frames: number, stamps?: StampBatch, path?: PathLatencyCounts): void {
    if (this.#lastSampleAt !== undefined && t > this.#lastSampleAt) this.#sampleIntervalMs = t - this.#lastSampleAt;
    this.#lastSampleAt = t;
    const d = zeroCounters();
    d.framesRendered = frames;
    if (video) {
      const p = this.#lastVideo;
      d.framesDecoded = growth(video.framesDecoded, p?.framesDecoded);
      d.framesDropped = growth(video.framesDropped, p?.framesDropped);
      d.videoPacketsReceived = growth(video.packetsReceived, p?.packetsReceived);
      d.videoPacketsLost = growth(video.packetsLost, p?.packetsLost);
      d.nackCount = growth(video.nackCount, p?.nackCount);
      d.pliCount = growth(video.pliCount, p?.pliCount);
      d.firCount = growth(video.firCount, p?.firCount);
      d.videoBytesReceived = growth(video.bytesReceived, p?.bytesReceived);
      d.browserFreezeCount = growth(video.freezeCount, p?.freezeCount);
      d.browserFreezeSeconds = growth(video.totalFreezesDuration, p?.totalFreezesDuration);
      d.browserPauseCount = growth(video.pauseCount ?? 0, p?.pauseCount ?? 0);
      d.browserPauseSeconds = growth(video.totalPausesDuration ?? 0, p?.totalPausesDuration ?? 0);
      this.#lastVideo = video;
    }
    if (audio) {
      const p = this.#lastAudio;
      d.audioSamplesReceived = growth(audio.totalSamplesReceived, p?.totalSamplesReceived);
      d.audioConcealedSamples = growth(audio.concealedSamples, p?.concealedSamples);
      d.audioConcealmentEvents = growth(audio.concealmentEvents, p?.concealmentEvents);
      d.audioPacketsReceived = growth(audio.packetsReceived, p?.packetsReceived);
      d.audioPacketsLost = growth(audio.packetsLost, p?.packetsLost);
      d.audioBytesReceived = growth(audio.bytesReceived, p?.bytesReceived);
      this.#lastAudio = audio;
    }
    if (stamps) {
      d.stampsRead = stamps.read;
      d.stampsUnreadable = stamps.unreadable;
      d.stampsStale = stamps.stale ?? 0;
      d.framesNeverShown = stamps.neverShown;
      d.framesRepeated = stamps.repeated;
      d.framesOutOfOrder = stamps.outOfOrder;
      this.latency.add(stamps);
    }
    for (const key of Object.keys(d) as Array<keyof QoeCounters>) {
      if (key !== 'framesRendered') this.totals[key] += d[key];
    }
    // Audio played for real (not concealment) in this sample period.
    if (d.audioSamplesReceived > 2 * d.audioConcealedSamples) this.#lastRealAudioAt = t;
    if (this.audioOnly && d.audioSamplesReceived > d.audioConcealedSamples) this.#mediaArrived(t);
    if (path) this.pathLatency.addCounts(path);
    this.latestLatencyMs = { video: stamps?.videoLatencyMs.length ? median(stamps.videoLatencyMs) : null, path: path ? countedMedianMs([path]) : null };
    this.observer.emit('sample', t, d, stamps, path);
  }

  /** A new receiver (after a rejoin) starts its cumulative stats from zero. */
  onNewReceiver(): void {
    this.#lastVideo = undefined;
    this.#lastAudio = undefined;
  }

  finish(end: number): void {
    const freeze = this.freezes.finish(end);
    if (freeze) this.observer.emit('freeze', freeze);
  }

  freezeTotals(): { w3c: FreezeTotals; fixed: Record<string, FreezeTotals> } {
    const fixed: Record<string, FreezeTotals> = {};
    for (const [ms, totals] of this.freezes.fixed) fixed[`${ms}ms`] = { ...totals };
    return { w3c: { ...this.freezes.w3c }, fixed };
  }
}

/** Growth of a cumulative counter since the previous reading; a reset counts from zero. */
export function growth(now: number, before: number | undefined): number {
  if (before === undefined || now < before) return now;
  return now - before;
}
