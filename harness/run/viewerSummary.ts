import type { ViewerMetricName } from '../scenario/thresholds.js';
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import { type ViewerQoe } from '../probes/ViewerQoe.js';
import type { FreezeTotals } from '../probes/freeze.js';
import type { LatencySummary, ViewerLatencySummary } from '../probes/latency.js';

export interface ViewerSummary {
  id: string;
  kind: 'browser' | 'synthetic';
  joinSeconds: number | null;
  watchSeconds: number;
  framesRendered: number;
  framesDecoded: number;
  fps: number;
  freezes: { w3c: FreezeTotals; fixed: Record<string, FreezeTotals> };
  freezeRatio: number;
  audio: { samplesReceived: number; concealedSeconds: number; concealedRatio: number; concealmentEvents: number };
  video: {
    packetsReceived: number;
    packetsLost: number;
    nackCount: number;
    pliCount: number;
    firCount: number;
    framesDropped: number;
    browserFreezeCount: number;
    browserFreezeSeconds: number;
    browserPauseCount: number;
    browserPauseSeconds: number;
  };
  disconnects: number;
  recoveries: number;
  /** Watching when the run ended (joined, not disconnected). */
  connectedAtEnd: boolean;
  /**
   * From the stamped source (null: the viewer did not read it — fake source,
   * synthetic viewer, stamps off): glass-to-glass latency of its frames, their
   * capture → arrival (received), audio latency and A/V offset (audio − video;
   * positive: sound behind picture) of its audio markers, in seconds, each
   * null when nothing was measured.
   */
  latency: ViewerLatencySummary | null;
  /** The frame-exact count beside the freeze rule: stamps read, unreadable and read too late, source frames never shown, repeated, out of order (null as latency). */
  stamps: { read: number; unreadable: number; stale: number; neverShown: number; repeated: number; outOfOrder: number } | null;
  /**
   * Synthetic viewers of livedrill's own SFU: network-path latency, SFU →
   * viewer, of each video frame's first packet, from the SFU's RTCP sender
   * reports, in seconds; not glass-to-glass (null: not measured).
   */
  pathLatency: LatencySummary | null;
}

export function summarizeViewer(id: string, kind: ViewerSummary['kind'], qoe: ViewerQoe, end: number): ViewerSummary {
  const t = qoe.totals;
  const watchSeconds = qoe.firstMediaAt === undefined ? 0 : Math.max(0, (end - qoe.firstMediaAt) / 1000);
  const freezes = qoe.freezeTotals();
  const audioTotal = t.audioSamplesReceived;
  return {
    id,
    kind,
    joinSeconds: qoe.joinSeconds ?? null,
    watchSeconds,
    framesRendered: t.framesRendered,
    framesDecoded: t.framesDecoded,
    fps: watchSeconds > 0 ? t.framesRendered / watchSeconds : 0,
    freezes,
    freezeRatio: watchSeconds > 0 ? Math.min(1, freezes.w3c.seconds / watchSeconds) : 0,
    audio: {
      samplesReceived: audioTotal,
      concealedSeconds: t.audioConcealedSamples / AUDIO_SAMPLE_RATE,
      concealedRatio: audioTotal > 0 ? t.audioConcealedSamples / audioTotal : 0,
      concealmentEvents: t.audioConcealmentEvents,
    },
    video: {
      packetsReceived: t.videoPacketsReceived,
      packetsLost: t.videoPacketsLost,
      nackCount: t.nackCount,
      pliCount: t.pliCount,
      firCount: t.firCount,
      framesDropped: t.framesDropped,
      browserFreezeCount: t.browserFreezeCount,
      browserFreezeSeconds: t.browserFreezeSeconds,
      browserPauseCount: t.browserPauseCount,
      browserPauseSeconds: t.browserPauseSeconds,
    },
    disconnects: qoe.disconnects,
    recoveries: qoe.recoveries,
    connectedAtEnd: qoe.connected,
    latency: qoe.readsStamps ? qoe.latency.summary() : null,
    stamps: qoe.readsStamps
      ? { read: t.stampsRead, unreadable: t.stampsUnreadable, stale: t.stampsStale, neverShown: t.framesNeverShown, repeated: t.framesRepeated, outOfOrder: t.framesOutOfOrder }
      : null,
    pathLatency: qoe.pathLatency.summary(),
  };
}

/**
 * Per-viewer metrics that thresholds can name. A viewer that never showed a
 * frame has no join time: it counts as +Infinity, so it fails a join limit.
 * null: the viewer does not measure this (latency without the stamped source).
 */
export const VIEWER_METRICS: Record<ViewerMetricName, (v: ViewerSummary) => number | null> = {
  join_seconds: (v) => v.joinSeconds ?? Number.POSITIVE_INFINITY,
  fps: (v) => v.fps,
  frames_rendered: (v) => v.framesRendered,
  freeze_count: (v) => v.freezes.w3c.count,
  freeze_seconds: (v) => v.freezes.w3c.seconds,
  freeze_ratio: (v) => v.freezeRatio,
  audio_samples_received: (v) => v.audio.samplesReceived,
  audio_concealed_seconds: (v) => v.audio.concealedSeconds,
  audio_concealed_ratio: (v) => v.audio.concealedRatio,
  video_packet_loss_ratio: (v) => {
    const total = v.video.packetsReceived + v.video.packetsLost;
    return total > 0 ? v.video.packetsLost / total : 0;
  },
  disconnects: (v) => v.disconnects,
  unrecovered: (v) => (v.connectedAtEnd ? 0 : 1),
  // A reader that never read a stamp fails a latency limit, as a viewer that never joined fails a join limit.
  latency_seconds: (v) => (v.latency ? (v.latency.video?.p95 ?? Number.POSITIVE_INFINITY) : null),
  av_sync_seconds: (v) => (v.latency ? (v.latency.avOffset?.p50 ?? Number.POSITIVE_INFINITY) : null),
  path_latency_seconds: (v) => v.pathLatency?.p95 ?? null,
};
