/** One viewer over the whole run: join, picture, sound, packets and connection, as the pack states them. */
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import { sum } from '../../common/stats.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';
import type { SampleDelta, ViewerTrack } from '../journal/records.js';
import { durationStats, freezeInterval, lengths, type DurationStats, type Interval } from './durations.js';
import { audioGaps } from './audioGaps.js';

export interface PacketCounts {
  received: number;
  lost: number;
  lossRatio: number | null;
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
  /** Stamped source (null: not read): latencies over the whole run (s), and the frame-exact counts beside the freeze rule. */
  latency: ViewerTrack['latency'];
  stamps: ViewerTrack['stamps'];
}

/** Measurement ends at `end` for every viewer. */
export function viewerEvidence(v: ViewerTrack, end: number): ViewerEvidence {
  const watchSeconds = v.firstFrameAt === null ? 0 : Math.max(0, (end - v.firstFrameAt) / 1000);
  const w3c = v.w3cFreezes.map(freezeInterval);
  const fixed = v.fixedFreezes.map(freezeInterval);
  const gaps = audioGaps(v.samples);
  const total = (pick: (s: SampleDelta) => number): number => sum(v.samples.map(pick));
  const received = total((s) => s.audioSamplesReceived);
  const concealed = total((s) => s.audioConcealedSamples);
  return {
    id: v.id,
    kind: v.kind,
    joinSeconds: v.joinSeconds,
    firstFrameAt: v.firstFrameAt,
    watchSeconds,
    framesRendered: v.frames.length,
    fps: watchSeconds > 0 ? v.frames.length / watchSeconds : 0,
    freezeRatio: watchSeconds > 0 ? Math.min(1, sum(lengths(w3c)) / watchSeconds) : 0,
    freezes: {
      w3c: { ...durationStats(lengths(w3c)), intervals: w3c },
      fixedVideo: { ...durationStats(lengths(fixed)), thresholdMs: VIDEO_GAP_MS, source: v.fixedSource, intervals: fixed },
    },
    audio: {
      samplesReceived: received,
      concealedSeconds: concealed / AUDIO_SAMPLE_RATE,
      concealedRatio: received > 0 ? concealed / received : 0,
      gaps: { ...durationStats(lengths(gaps)), thresholdMs: AUDIO_GAP_MS, intervals: gaps },
    },
    packets: {
      video: packetCounts(total((s) => s.videoPacketsReceived), total((s) => s.videoPacketsLost)),
      audio: packetCounts(total((s) => s.audioPacketsReceived), total((s) => s.audioPacketsLost)),
      nackCount: total((s) => s.nackCount),
      pliCount: total((s) => s.pliCount),
    },
    disconnects: v.disconnects,
    recoveries: v.recoveries,
    down: downSpans(v),
    reconnectAttempts: v.reconnectAttempts.length,
    connectedAtEnd: v.connectedAtEnd,
    latency: v.latency,
    stamps: v.stamps,
  };
}

/** Lost / (received + lost): what the receiver still missed after retransmission. */
export function lossRatio(received: number, lost: number): number | null {
  return received + lost > 0 ? lost / (received + lost) : null;
}

function packetCounts(received: number, lost: number): PacketCounts {
  return { received, lost, lossRatio: lossRatio(received, lost) };
}

function downSpans(v: ViewerTrack): ViewerEvidence['down'] {
  return v.disconnects.map((t) => ({ start: t, end: v.recoveries.find((r) => r.t > t)?.t ?? null }));
}
