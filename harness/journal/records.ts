/**
 * What the replay (replay.ts) makes of a journal: the records every analysis
 * reads — fault ground truth, viewer tracks and timelines, publisher samples.
 */
import type { Freeze } from '../probes/freeze.js';
import type { LatencySummary, ViewerLatencySummary } from '../probes/latency.js';
import type { StampBatch } from '../page/reports.js';
import type { FaultKind } from '../scenario/faults.js';
import type { JournalEntry } from './entries.js';
import type { PathCounters } from '../network/ImpairedPath.js';

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
  /** Network faults: per target, what its path forwarded and dropped while the fault lasted (absent in older journals). */
  relayed?: Record<string, PathCounters>;
}

export interface FaultTruth extends FaultRecord {
  /** Null when the journal does not say. */
  scheduledEnd: number | null;
  /** Why it ended ("scheduled", "interrupted", "run-ended"), null when the journal has no revert. */
  revertReason: string | null;
  revertError: string | null;
  reverted: boolean;
}

/** What impact analysis reads of a viewer (harness/run/impact.ts). */
export interface ViewerTimeline {
  id: string;
  freezes: Freeze[];
  /** Per sample, growth since the previous one: audio samples, RTP packets (audio + video), and audio RTP packets alone. */
  samples: Array<{
    t: number;
    received: number;
    concealed: number;
    packetsReceived: number;
    packetsLost: number;
    audioPacketsReceived: number;
    audioPacketsLost: number;
    /** What the stamped source's stamps said in the period (null: nothing read). */
    stamps: StampBatch | null;
    /** Synthetic viewers: network-path latency of the period's frames, [whole ms, frames] (null: none timed). */
    pathLatencyMs: Array<[number, number]> | null;
  }>;
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
  /** What the stamped source's stamps and audio markers said in the period (null: nothing read). */
  stamps: StampBatch | null;
  /** Synthetic viewers: network-path latency of the period's frames, [whole ms, frames] (null: none timed). */
  pathLatencyMs: Array<[number, number]> | null;
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
  /** Over every sample (kept or not), from the stamped source: latencies (s) and frame counts; null when the viewer read no stamp. */
  latency: ViewerLatencySummary | null;
  stamps: { read: number; unreadable: number; stale: number; neverShown: number; repeated: number; outOfOrder: number } | null;
  /** Synthetic viewers: network-path latency (s) over every sample; null when none was timed. */
  pathLatency: LatencySummary | null;
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

/** The ground truth impact analysis takes, without what only the report shows. */
export function groundTruth(faults: readonly FaultTruth[]): FaultRecord[] {
  return faults.map(({ faultId, kind, start, end, targets, params, relayed }) => ({ faultId, kind, start, end, targets, params, ...(relayed ? { relayed } : {}) }));
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
      audioPacketsReceived: s.audioPacketsReceived,
      audioPacketsLost: s.audioPacketsLost,
      stamps: s.stamps,
      pathLatencyMs: s.pathLatencyMs,
    })),
    disconnects: v.disconnects,
    recoveries: v.recoveries,
    signalingResumes: v.signalingResumes,
    connectedAtEnd: v.connectedAtEnd,
    joinRequestedAt: v.joinRequestedAt ?? undefined,
    firstMediaAt: v.firstMediaAt ?? undefined,
  };
}
