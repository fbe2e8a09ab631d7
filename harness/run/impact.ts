/**
 * Measured impact of each injected fault, set against its ground truth.
 * Inputs are what the run recorded: fault windows (start, end, targets) and
 * per-viewer timelines (freezes, audio samples, disconnects, recoveries).
 */
import { AUDIO_SAMPLE_RATE, HOST_PUBLISHER_ID } from '../scenario/definitions.js';
import type { FaultMetricName } from '../scenario/thresholds.js';
import type { FaultRecord, PublisherSample, ViewerTimeline } from '../journal/records.js';
import type { NoiseSpan } from '../probes/SelfWatch.js';
import { FAULT_EFFECTS, type EffectKind } from '../scenario/faults.js';
import type { StampBatch } from '../page/reports.js';
import { median, percentile } from '../../common/stats.js';
import { countedMedianMs } from '../probes/latency.js';

export interface ViewerImpact {
  id: string;
  /** In the fault's blast radius: named in its targets, or reached through the publisher or signaling. */
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
  /**
   * The same for its audio alone, which nothing retransmits: what the
   * network took of the audio, to set against the relay's audio drops
   * (`relayed`). Absent in summaries written before it.
   */
  audioPacketLossRatio?: number | null;
  /** Fault start to signaling resumed, when the viewer's signaling dropped and came back. */
  signalingDownSeconds: number | null;
  /**
   * Struck while joining (asked, not yet showing media): from the fault's start
   * (or the join request, if later) to its first media, or to the run's end if
   * it never showed any. Its join time absorbed the fault: it counts as affected.
   */
  joinDelayedSeconds: number | null;
  /**
   * Stamped source: the median glass-to-glass latency of the frames shown over
   * as long a window just before the fault, during it, and from a second after
   * its end (whether latency came back: a jitter buffer grown under a delay
   * may keep it) (null: no stamp read then, or a fault with no duration).
   */
  latencySeconds: AroundFault;
  /** The same for capture → frame received: the transport alone, without the receiver's jitter buffer and lip sync. */
  receiveLatencySeconds: AroundFault;
  /** The same for the audio markers' latency, and for the A/V offset (audio − picture: positive, the sound is behind). */
  audioLatencySeconds: AroundFault;
  avOffsetSeconds: AroundFault;
  /** Synthetic viewers: the median network-path latency, SFU → viewer, over the same windows. */
  pathLatencySeconds: AroundFault;
  /** Stamped source: source frames never shown, from the fault's start to IN_PROGRESS_MS after its end (null: no stamp read then). */
  framesNeverShown: number | null;
}

/** A median over as long a window as the fault: just before it, during it, and from IN_PROGRESS_MS after its end. */
export interface AroundFault {
  before: number | null;
  during: number | null;
  after: number | null;
}

/** Something a viewer went through: a freeze, concealed audio, a disconnection, a signaling drop. */
export interface Effect {
  viewerId: string;
  kind: EffectKind;
  /** When it began (epoch ms); for audio, the end of the sample period it was measured in. */
  t: number;
  /** How long: the freeze, the concealed audio, the time down (0 when unknown). */
  seconds: number;
}

export interface FaultImpact extends FaultRecord {
  /** Window the impact is attributed to: fault start (less LEAD_MS) to settleEnd (end + settle time, or the run's end). */
  settleEnd: number;
  viewers: ViewerImpact[];
  affected: string[];
  /** Viewers outside the blast radius with effects no fault explains, begun inside this fault's window. */
  affectedUntargeted: string[];
  unrecovered: string[];
  /** Effects this fault may have caused together with others: counted for none of them. */
  overlaps: Array<Effect & { faultIds: string[] }>;
  /** Effects in this fault's window and radius that began while the harness itself was flagged: counted for none. */
  suspect: Effect[];
  recoverySeconds: { p50: number | null; p95: number | null; max: number | null };
  keyframeRequests: number;
  /** Publisher's sending bitrate during the fault and over as long a window just before it. */
  publisherBitrateBps: { before: number | null; during: number | null };
}

/** Effects owned by no single fault, reported beside the faults' own. */
export interface ImpactAnalysis {
  faults: FaultImpact[];
  /** Effects outside every fault's radius and window, or of a kind no active fault causes. */
  unexplained: Effect[];
  /** Effects that began in a second the harness flagged (saturated machine, stalled event loop). */
  suspect: Effect[];
}

/** How long after a fault ends its effects are still attributed to it. */
export const SETTLE_MS = 10_000;
/**
 * An effect that begins this soon before a fault's start is that fault's: a
 * freeze begins at the last frame shown before the cut, one frame interval
 * (plus jitter) ahead of the fault itself.
 */
export const LEAD_MS = 200;
/**
 * Up to this long after its end a fault is still in progress: an effect then
 * is its doing rather than the settling of an earlier fault (a disconnection is
 * noticed, a concealed audio period reported, a little after the cut).
 */
export const IN_PROGRESS_MS = 1000;
/** Less than this much concealment in a window is ordinary jitter, not impact. */
export const AUDIO_IMPACT_SECONDS = 0.2;
/**
 * Concealment under this in one sample period (a few 20 ms Opus frames, which
 * NetEq hides from the ear) is ordinary jitter: attributed where a fault
 * explains it, but never listed as an effect of its own.
 */
const AUDIO_LISTED_SECONDS = 0.1;


/**
 * Who a fault can reach: the viewers it names; everyone when it strikes the
 * publisher (its network or encoder, the worker that carries it) or signaling.
 */
export function blastRadius(fault: FaultRecord, viewerIds: readonly string[]): Set<string> {
  const everyone = fault.targets.some((t) => t === 'signaling' || (t === HOST_PUBLISHER_ID || t.startsWith(`${HOST_PUBLISHER_ID}-`)));
  return new Set(everyone ? viewerIds : fault.targets);
}

/**
 * Attribution by ground truth. An effect on a viewer belongs to the faults
 * whose blast radius holds that viewer, that can cause that kind of effect,
 * and whose window [start - LEAD_MS, end + SETTLE_MS) holds its beginning.
 * When several qualify, a fault still in progress (up to IN_PROGRESS_MS after
 * its end) is preferred over one that is only settling; if that still leaves
 * several, the effect is an overlap, counted for none of them. An effect no
 * fault explains is unexplained. An effect that began while the harness
 * flagged itself is suspect, counted for no fault (disconnections and
 * signaling drops are server-side events and never suspect).
 */
export function measureImpact(
  faults: FaultRecord[],
  viewers: ViewerTimeline[],
  publisher: readonly PublisherSample[],
  runEnd: number,
  noise: readonly NoiseSpan[] = [],
): ImpactAnalysis {
  const viewerIds = viewers.map((v) => v.id);
  const radius = new Map(faults.map((f) => [f, blastRadius(f, viewerIds)]));
  const settleEnd = (f: FaultRecord): number => Math.min(f.end + SETTLE_MS, runEnd);
  // A sample at t covers the interval before it: an audio effect at t belongs to a fault begun before t.
  const within = (e: Effect, from: number, to: number): boolean => (e.kind === 'audio' ? e.t > from + LEAD_MS : e.t >= from) && e.t < to;
  const candidates = (e: Effect): FaultRecord[] => {
    const all = faults.filter(
      (f) => radius.get(f)!.has(e.viewerId) && FAULT_EFFECTS[f.kind].includes(e.kind) && within(e, f.start - LEAD_MS, settleEnd(f)),
    );
    const inProgress = all.filter((f) => within(e, f.start - LEAD_MS, f.end + IN_PROGRESS_MS));
    return inProgress.length > 0 ? inProgress : all;
  };
  const isSuspect = (e: Effect): boolean =>
    (e.kind === 'freeze' || e.kind === 'audio') &&
    noise.some((n) => (e.kind === 'audio' ? n.from < e.t && n.to > e.t - 1000 : n.from <= e.t && e.t < n.to));

  const owned = new Map<FaultRecord, Set<string>>(faults.map((f) => [f, new Set()]));
  const overlaps = new Map<FaultRecord, FaultImpact['overlaps']>(faults.map((f) => [f, []]));
  const suspectOf = new Map<FaultRecord, Effect[]>(faults.map((f) => [f, []]));
  const unexplained: Effect[] = [];
  const suspect: Effect[] = [];
  for (const v of viewers) {
    for (const { effect, key } of effectsOf(v)) {
      const shown = listed(effect);
      if (isSuspect(effect)) {
        if (!shown) continue;
        suspect.push(effect);
        for (const f of faults) if (within(effect, f.start - LEAD_MS, settleEnd(f)) && radius.get(f)!.has(v.id)) suspectOf.get(f)!.push(effect);
        continue;
      }
      const causes = candidates(effect);
      if (causes.length === 1) owned.get(causes[0])!.add(key);
      else if (!shown) continue;
      else if (causes.length > 1) {
        const faultIds = causes.map((f) => f.faultId);
        for (const f of causes) overlaps.get(f)!.push({ ...effect, faultIds });
      } else unexplained.push(effect);
    }
  }

  const impacts = faults.map((fault): FaultImpact => {
    const end = settleEnd(fault);
    const mine = owned.get(fault)!;
    const viewerImpacts = viewers.map((v) =>
      viewerImpact(fault, radius.get(fault)!.has(v.id), (kind, i) => mine.has(effectKey(v.id, kind, i)), v, runEnd),
    );
    const affected = viewerImpacts.filter((i) => i.affected);
    const recoveries = affected.map((i) => i.recoverySeconds ?? Number.POSITIVE_INFINITY);
    const strays = unexplainedAffected(unexplained, (e) => !radius.get(fault)!.has(e.viewerId) && within(e, fault.start - LEAD_MS, end));
    return {
      ...fault,
      settleEnd: end,
      viewers: viewerImpacts,
      affected: affected.map((i) => i.id),
      affectedUntargeted: strays,
      unrecovered: affected.filter((i) => !i.recoveredByEnd).map((i) => i.id),
      overlaps: overlaps.get(fault)!,
      suspect: suspectOf.get(fault)!,
      recoverySeconds: {
        p50: recoveries.length ? finite(percentile(recoveries, 50)) : null,
        p95: recoveries.length ? finite(percentile(recoveries, 95)) : null,
        max: recoveries.length ? finite(recoveries.reduce((a, b) => Math.max(a, b))) : null,
      },
      keyframeRequests: growthBetween(publisher, 'keyframeRequests', fault.start, end),
      publisherBitrateBps: {
        before: bitrate(publisher, 2 * fault.start - fault.end, fault.start),
        during: bitrate(publisher, fault.start, fault.end),
      },
    };
  });
  return { faults: impacts, unexplained, suspect };
}

/** Whether an effect is listed on its own (overlaps, unexplained, suspect). */
function listed(e: Effect): boolean {
  return e.kind !== 'audio' || e.seconds >= AUDIO_LISTED_SECONDS;
}

/** Viewers with unexplained effects that pass the impact bar (audio: AUDIO_IMPACT_SECONDS in total). */
function unexplainedAffected(unexplained: Effect[], here: (e: Effect) => boolean): string[] {
  const audio = new Map<string, number>();
  const ids = new Set<string>();
  for (const e of unexplained.filter(here)) {
    if (e.kind !== 'audio') ids.add(e.viewerId);
    else audio.set(e.viewerId, (audio.get(e.viewerId) ?? 0) + e.seconds);
  }
  for (const [id, seconds] of audio) if (seconds >= AUDIO_IMPACT_SECONDS) ids.add(id);
  return [...ids];
}

/** Names one timeline entry: its viewer, its kind, its index in the timeline's list of that kind. */
const effectKey = (viewerId: string, kind: EffectKind, index: number): string => `${viewerId}\u0000${kind}\u0000${index}`;

/** Every effect in a viewer's timeline, keyed by the entry it came from. */
function effectsOf(v: ViewerTimeline): Array<{ effect: Effect; key: string }> {
  const viewerId = v.id;
  const effects: Array<{ effect: Effect; key: string }> = [];
  const add = (kind: EffectKind, index: number, t: number, seconds: number): void => {
    effects.push({ effect: { viewerId, kind, t, seconds }, key: effectKey(viewerId, kind, index) });
  };
  v.freezes.forEach((f, i) => f.w3c && add('freeze', i, f.start, (f.end - f.start) / 1000));
  v.samples.forEach((s, i) => s.concealed > 0 && add('audio', i, s.t, s.concealed / AUDIO_SAMPLE_RATE));
  v.disconnects.forEach((t, i) => add('disconnect', i, t, downSeconds(v, t)));
  v.signalingResumes.forEach((r, i) => add('signaling', i, r.since, (r.t - r.since) / 1000));
  return effects;
}

function downSeconds(v: ViewerTimeline, t: number): number {
  return v.recoveries.find((r) => r.t > t)?.downSeconds ?? 0;
}

function viewerImpact(
  fault: FaultRecord,
  targeted: boolean,
  mine: (kind: EffectKind, index: number) => boolean,
  v: ViewerTimeline,
  runEnd: number,
): ViewerImpact {
  const freezes = v.freezes.filter((_, i) => mine('freeze', i));
  const disconnects = v.disconnects.filter((_, i) => mine('disconnect', i));
  const audioConcealedSeconds = v.samples.filter((_, i) => mine('audio', i)).reduce((a, s) => a + s.concealed, 0) / AUDIO_SAMPLE_RATE;
  const during = v.samples.filter((s) => s.t > fault.start && s.t <= fault.end);
  const lossRatio = (lostOf: (s: (typeof during)[number]) => number, receivedOf: (s: (typeof during)[number]) => number): number | null => {
    const lost = during.reduce((a, s) => a + lostOf(s), 0);
    const expected = lost + during.reduce((a, s) => a + receivedOf(s), 0);
    return expected > 0 ? lost / expected : null;
  };
  const resume = v.signalingResumes.find((_, i) => mine('signaling', i));
  const stamped = (from: number, to: number): StampBatch[] =>
    v.samples.flatMap((s) => (s.t > from && s.t <= to && s.stamps ? [s.stamps] : []));
  const aroundFault = (medianMs: (from: number, to: number) => number | null): AroundFault => {
    const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
    const afterStart = fault.end + IN_PROGRESS_MS;
    return {
      before: seconds(medianMs(2 * fault.start - fault.end, fault.start)),
      during: seconds(medianMs(fault.start, fault.end)),
      after: seconds(medianMs(afterStart, afterStart + fault.end - fault.start)),
    };
  };
  const stampMedian = (field: 'videoLatencyMs' | 'receiveLatencyMs' | 'audioLatencyMs' | 'avOffsetMs') => (from: number, to: number): number | null => {
    const latencies = stamped(from, to).flatMap((s) => s[field]);
    return latencies.length > 0 ? median(latencies) : null;
  };
  const pathMedian = (from: number, to: number): number | null =>
    countedMedianMs(v.samples.flatMap((s) => (s.t > from && s.t <= to && s.pathLatencyMs ? [s.pathLatencyMs] : [])));
  const stampsAround = stamped(fault.start, fault.end + IN_PROGRESS_MS);
  // Gaps are the fault's when the frame shown after them was captured while it lasted (or just after):
  // a frame skipped before it struck is not, though the sample reporting it ends after its start.
  const neverShown = (s: StampBatch): number =>
    s.neverShownGaps ? s.neverShownGaps.filter(([t]) => t > fault.start && t <= fault.end + IN_PROGRESS_MS).reduce((a, [, n]) => a + n, 0) : s.neverShown;

  const joinDelayed =
    targeted &&
    FAULT_EFFECTS[fault.kind].includes('freeze') &&
    v.joinRequestedAt !== undefined &&
    v.joinRequestedAt < fault.end + IN_PROGRESS_MS &&
    (v.firstMediaAt === undefined || v.firstMediaAt > fault.start);
  const joinDelayedSeconds = joinDelayed ? Math.max(0, (v.firstMediaAt ?? runEnd) - Math.max(fault.start, v.joinRequestedAt!)) / 1000 : null;

  let recoverySeconds: number | null = 0;
  if (joinDelayed) {
    recoverySeconds = v.firstMediaAt === undefined ? null : Math.max(0, v.firstMediaAt - fault.end) / 1000;
  } else if (disconnects.length > 0) {
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
  const affected = joinDelayed || freezes.length > 0 || disconnects.length > 0 || audioConcealedSeconds >= AUDIO_IMPACT_SECONDS;
  return {
    id: v.id,
    targeted,
    affected,
    freezeCount: freezes.length,
    freezeSeconds: freezes.reduce((a, f) => a + (f.end - f.start) / 1000, 0),
    freezeSecondsAfterEnd: freezes.reduce((a, f) => a + Math.max(0, f.end - Math.max(f.start, fault.end)) / 1000, 0),
    audioConcealedSeconds,
    disconnects: disconnects.length,
    recoverySeconds,
    audioRecoverySeconds,
    recoveredByEnd: !affected || (recoverySeconds !== null && v.connectedAtEnd),
    packetLossRatio: lossRatio((s) => s.packetsLost, (s) => s.packetsReceived),
    audioPacketLossRatio: lossRatio((s) => s.audioPacketsLost, (s) => s.audioPacketsReceived),
    signalingDownSeconds: resume ? (resume.t - fault.start) / 1000 : null,
    joinDelayedSeconds,
    latencySeconds: aroundFault(stampMedian('videoLatencyMs')),
    receiveLatencySeconds: aroundFault(stampMedian('receiveLatencyMs')),
    audioLatencySeconds: aroundFault(stampMedian('audioLatencyMs')),
    avOffsetSeconds: aroundFault(stampMedian('avOffsetMs')),
    pathLatencySeconds: aroundFault(pathMedian),
    framesNeverShown: stampsAround.length > 0 ? stampsAround.reduce((a, s) => a + neverShown(s), 0) : null,
  };
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** Growth of a cumulative series between two instants (latest samples at or before each). */
function growthBetween(series: readonly PublisherSample[], key: 'keyframeRequests' | 'bytes', from: number, to: number): number {
  const at = (t: number): number | undefined => series.findLast((s) => s.t <= t)?.[key];
  const before = at(from) ?? 0;
  return Math.max(0, (at(to) ?? before) - before);
}

function bitrate(series: readonly PublisherSample[], from: number, to: number): number | null {
  const first = series.find((s) => s.t >= from);
  const last = series.findLast((s) => s.t <= to);
  if (!first || !last || last.t <= first.t) return null;
  return ((last.bytes - first.bytes) * 8 * 1000) / (last.t - first.t);
}

/**
 * Fault metrics a threshold can name. Per-viewer ones take one value per
 * (fault, affected or targeted viewer); per-fault ones one value per fault.
 */
export const FAULT_METRICS: Record<FaultMetricName, (impacts: FaultImpact[]) => number[]> = {
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
