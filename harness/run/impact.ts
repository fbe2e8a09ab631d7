/**
 * Measured impact of each injected fault, set against its ground truth.
 * Inputs are what the run recorded: fault windows (start, end, targets) and
 * per-viewer timelines (freezes, audio samples, disconnects, recoveries).
 */
import type { Freeze } from '../probes/freeze.js';
import type { FaultKind } from '../faults/schema.js';
import { percentile } from './thresholds.js';

/** Ground truth: what was injected, on whom, from when to when (epoch ms). */
export interface FaultRecord {
  faultId: string;
  kind: FaultKind;
  start: number;
  end: number;
  /** Viewer ids, or "publisher", or "worker:N", or "signaling". */
  targets: string[];
  params: Record<string, unknown>;
}

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
}

export interface PublisherSample {
  t: number;
  /** Cumulative PLI + FIR received by the publisher. */
  keyframeRequests: number;
  /** Cumulative bytes sent (audio + video). */
  bytes: number;
}

export interface ViewerImpact {
  id: string;
  targeted: boolean;
  affected: boolean;
  freezeCount: number;
  /** W3C freezes overlapping the fault window, whole length. */
  freezeSeconds: number;
  /** The part of those freezes after the fault ended. */
  freezeSecondsAfterEnd: number;
  audioConcealedSeconds: number;
  disconnects: number;
  /** Fault end to first rendered frame after it (0 if never interrupted, null if never back). */
  recoverySeconds: number | null;
  /** Fault end to the first audio sample period that was mostly real audio again. */
  audioRecoverySeconds: number | null;
  recoveredByEnd: boolean;
  /** RTP packets lost / expected at this viewer during the fault (audio + video, after retransmission). */
  packetLossRatio: number | null;
  /** Fault start to signaling resumed, when the viewer's signaling dropped and came back. */
  signalingDownSeconds: number | null;
}

export interface FaultImpact extends FaultRecord {
  /** Window the impact is attributed to: fault start to settleEnd (end + settle time, cut before the next fault). */
  settleEnd: number;
  viewers: ViewerImpact[];
  affected: string[];
  affectedUntargeted: string[];
  unrecovered: string[];
  recoverySeconds: { p50: number | null; p95: number | null; max: number | null };
  keyframeRequests: number;
  /** Publisher's sending bitrate during the fault and over as long a window just before it. */
  publisherBitrateBps: { before: number | null; during: number | null };
}

/** How long after a fault ends its effects are still attributed to it. */
export const SETTLE_MS = 10_000;
/**
 * An effect that begins this soon before a fault's start is that fault's: a
 * freeze begins at the last frame shown before the cut, one frame interval
 * (plus jitter) ahead of the fault itself.
 */
export const LEAD_MS = 200;
const SAMPLE_RATE = 48000;
/** Less than this much concealment in a window is ordinary jitter, not impact. */
const AUDIO_IMPACT_SECONDS = 0.2;

export function measureImpact(
  faults: FaultRecord[],
  viewers: ViewerTimeline[],
  publisher: PublisherSample[],
  runEnd: number,
): FaultImpact[] {
  const starts = faults.map((f) => f.start).sort((a, b) => a - b);
  // Each effect belongs to the latest fault that had begun (LEAD_MS ahead) when it began.
  const owner = (t: number): number | undefined => starts.findLast((s) => s - LEAD_MS <= t);
  return faults.map((fault) => {
    const next = starts.find((s) => s > fault.start) ?? Number.POSITIVE_INFINITY;
    const settleEnd = Math.min(fault.end + SETTLE_MS, next - LEAD_MS, runEnd);
    const mine = (t: number): boolean => owner(t) === fault.start && t < settleEnd;
    const impacts = viewers.map((v) => viewerImpact(fault, settleEnd, mine, v));
    const affected = impacts.filter((i) => i.affected);
    const recoveries = affected.map((i) => i.recoverySeconds ?? Number.POSITIVE_INFINITY);
    return {
      ...fault,
      settleEnd,
      viewers: impacts,
      affected: affected.map((i) => i.id),
      affectedUntargeted: affected.filter((i) => !i.targeted).map((i) => i.id),
      unrecovered: affected.filter((i) => !i.recoveredByEnd).map((i) => i.id),
      recoverySeconds: {
        p50: recoveries.length ? finite(percentile(recoveries, 50)) : null,
        p95: recoveries.length ? finite(percentile(recoveries, 95)) : null,
        max: recoveries.length ? finite(Math.max(...recoveries)) : null,
      },
      keyframeRequests: growthBetween(publisher, 'keyframeRequests', fault.start, settleEnd),
      publisherBitrateBps: {
        before: bitrate(publisher, 2 * fault.start - fault.end, fault.start),
        during: bitrate(publisher, fault.start, fault.end),
      },
    };
  });
}

function viewerImpact(fault: FaultRecord, settleEnd: number, mine: (t: number) => boolean, v: ViewerTimeline): ViewerImpact {
  const freezes = v.freezes.filter((f) => f.w3c && mine(f.start));
  const disconnects = v.disconnects.filter(mine);
  // A sample at t covers the interval before it.
  const samples = v.samples.filter((s) => s.t > fault.start && s.t <= settleEnd);
  const audioConcealedSeconds = samples.reduce((a, s) => a + s.concealed, 0) / SAMPLE_RATE;
  const during = v.samples.filter((s) => s.t > fault.start && s.t <= fault.end);
  const lost = during.reduce((a, s) => a + s.packetsLost, 0);
  const expected = lost + during.reduce((a, s) => a + s.packetsReceived, 0);
  const resume = v.signalingResumes.find((r) => mine(r.since));

  let recoverySeconds: number | null = 0;
  if (disconnects.length > 0) {
    const back = v.recoveries.find((r) => r.t > disconnects[0]);
    recoverySeconds = back ? Math.max(0, back.t - fault.end) / 1000 : null;
  } else if (freezes.length > 0) {
    const lastFreeze = freezes[freezes.length - 1];
    recoverySeconds = lastFreeze.ongoing ? null : Math.max(0, lastFreeze.end - fault.end) / 1000;
  }
  let audioRecoverySeconds: number | null = 0;
  if (audioConcealedSeconds >= AUDIO_IMPACT_SECONDS) {
    const clean = v.samples.find((s) => s.t > fault.end && s.received > 0 && s.concealed < s.received / 2);
    audioRecoverySeconds = clean ? Math.max(0, clean.t - fault.end) / 1000 : null;
  }
  const affected = freezes.length > 0 || disconnects.length > 0 || audioConcealedSeconds >= AUDIO_IMPACT_SECONDS;
  return {
    id: v.id,
    targeted: fault.targets.includes(v.id),
    affected,
    freezeCount: freezes.length,
    freezeSeconds: freezes.reduce((a, f) => a + (f.end - f.start) / 1000, 0),
    freezeSecondsAfterEnd: freezes.reduce((a, f) => a + Math.max(0, f.end - Math.max(f.start, fault.end)) / 1000, 0),
    audioConcealedSeconds,
    disconnects: disconnects.length,
    recoverySeconds,
    audioRecoverySeconds,
    recoveredByEnd: !affected || (recoverySeconds !== null && v.connectedAtEnd),
    packetLossRatio: expected > 0 ? lost / expected : null,
    signalingDownSeconds: resume ? (resume.t - fault.start) / 1000 : null,
  };
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** Growth of a cumulative series between two instants (latest samples at or before each). */
function growthBetween(series: PublisherSample[], key: 'keyframeRequests' | 'bytes', from: number, to: number): number {
  const at = (t: number): number | undefined => series.findLast((s) => s.t <= t)?.[key];
  const before = at(from) ?? 0;
  return Math.max(0, (at(to) ?? before) - before);
}

function bitrate(series: PublisherSample[], from: number, to: number): number | null {
  const first = series.find((s) => s.t >= from);
  const last = series.findLast((s) => s.t <= to);
  if (!first || !last || last.t <= first.t) return null;
  return ((last.bytes - first.bytes) * 8 * 1000) / (last.t - first.t);
}

/**
 * Fault metrics a threshold can name. Per-viewer ones take one value per
 * (fault, affected or targeted viewer); per-fault ones one value per fault.
 */
export const FAULT_METRICS: Record<string, (impacts: FaultImpact[]) => number[]> = {
  fault_recovery_seconds: (all) =>
    all.flatMap((f) => f.viewers.filter((v) => v.affected).map((v) => v.recoverySeconds ?? Number.POSITIVE_INFINITY)),
  fault_freeze_seconds: (all) => all.flatMap((f) => f.viewers.filter((v) => v.targeted).map((v) => v.freezeSeconds)),
  fault_audio_concealed_seconds: (all) =>
    all.flatMap((f) => f.viewers.filter((v) => v.targeted).map((v) => v.audioConcealedSeconds)),
  fault_unrecovered_viewers: (all) => all.map((f) => f.unrecovered.length),
  fault_untargeted_affected_viewers: (all) => all.map((f) => f.affectedUntargeted.length),
  fault_keyframe_requests: (all) => all.map((f) => f.keyframeRequests),
  fault_packet_loss_ratio: (all) =>
    all.flatMap((f) => f.viewers.filter((v) => v.targeted && v.packetLossRatio !== null).map((v) => v.packetLossRatio!)),
};
