/**
 * Each fault as the pack states it: its ground truth, who it affected and
 * how much (the run's own verdicts from summary.json, else measured again
 * from the journal), and the metrics around it.
 */
import type { RunSummary } from '../run/summary.js';
import { measureImpact, type FaultImpact, type ViewerImpact } from '../run/impact.js';
import { maxOf, sum } from '../../common/stats.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';
import { toTimeline, type RunRecord } from '../journal/records.js';
import { durationStats, lengths, type DurationStats, type Interval } from './durations.js';
import type { ViewerEvidence } from './viewerEvidence.js';
import { faultWindows, type FaultWindows } from './faultWindows.js';
import { recordedNoise } from './machineReliability.js';
import { audioDroppedShare, droppedShare, type RelayCounters } from '../network/ImpairedPath.js';

type Fault = RunRecord['faults'][number];

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
  /**
   * pathDropped: a network fault's ground truth, the share of the viewer's
   * downstream packets the relay dropped while it lasted (null: not relayed);
   * pathAudioDropped: the same of its audio RTP packets, set against the
   * viewer's audioPacketLossRatio (null: not relayed, or an older run).
   */
  perViewer: Array<ViewerImpact & { fixedVideoGapSeconds: number; audioGapSeconds: number; pathDropped: number | null; pathAudioDropped: number | null }>;
  windows: FaultWindows;
}

export function faultsEvidence(rec: RunRecord, summary: RunSummary | null, viewers: ViewerEvidence[]): FaultEvidence[] {
  const impacts = faultImpacts(rec, summary);
  return rec.faults.map((f, i) => faultEvidence(rec, f, impacts[i].impact, impacts[i].source, viewers));
}

/** Per fault, the run's verdict when summary.json has it, else one measured again from the journal. */
function faultImpacts(rec: RunRecord, summary: RunSummary | null): Array<{ impact: FaultImpact; source: FaultEvidence['impactSource'] }> {
  const recomputed = measureImpact(rec.faults, rec.viewers.map(toTimeline), rec.publisher, rec.end, recordedNoise(rec));
  return rec.faults.map((f, i) => {
    const fromSummary = summary?.faults?.find((s) => s.faultId === f.faultId);
    return fromSummary ? { impact: fromSummary, source: 'summary.json' } : { impact: recomputed.faults[i], source: 'journal' };
  });
}

function faultEvidence(
  rec: RunRecord,
  fault: Fault,
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
  const concealed = impact.viewers.map((v) => v.audioConcealedSeconds);
  const byId = new Map(viewers.map((v) => [v.id, v]));
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
    viewers: reach(impact, viewers.length),
    freezes: {
      w3c: durationStats(lengths(w3c)),
      fixedVideo: { ...durationStats(lengths(fixed)), thresholdMs: VIDEO_GAP_MS },
    },
    audio: {
      concealedSeconds: { total: sum(concealed), max: maxOf(concealed, null) },
      gaps: { ...durationStats(lengths(gaps)), thresholdMs: AUDIO_GAP_MS },
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
        fixedVideoGapSeconds: sum(lengths(overlapping(v?.freezes.fixedVideo.intervals ?? []))),
        audioGapSeconds: sum(lengths(overlapping(v?.audio.gaps.intervals ?? []))),
        pathDropped: relayedDown(impact, iv.id, droppedShare),
        pathAudioDropped: relayedDown(impact, iv.id, audioDroppedShare),
      };
    }),
    windows: faultWindows(rec, viewers, fault),
  };
}

/** Who the fault reached: of all viewers, and of its own targets. */
function reach(impact: FaultImpact, total: number): FaultEvidence['viewers'] {
  const targeted = impact.viewers.filter((v) => v.targeted).length;
  return {
    total,
    targeted,
    affected: impact.affected,
    affectedPercent: total > 0 ? (100 * impact.affected.length) / total : null,
    targetedAffectedPercent: targeted > 0 ? (100 * impact.viewers.filter((v) => v.targeted && v.affected).length) / targeted : null,
    affectedUntargeted: impact.affectedUntargeted,
    unrecovered: impact.unrecovered,
  };
}

/** The share of a viewer's downstream packets (all, or its audio: `share` says) a network fault's relay dropped (summaries before `relayed` have none). */
function relayedDown(impact: { relayed?: FaultImpact['relayed'] }, viewerId: string, share: (c: RelayCounters) => number | null): number | null {
  const down = impact.relayed?.[viewerId]?.down;
  return down ? share(down) : null;
}
