/**
 * The evidence pack's content as one JSON-serialisable object: what was
 * broken and when (ground truth), who was affected and how much, under the
 * W3C and the fixed-threshold definitions, metrics before and after each
 * fault, versions, the human timeline with SLA verdicts, and whether the
 * machine itself can be trusted. Built from the journal; summary.json, when
 * present, supplies the run's own impact verdicts and what the journal lacks.
 * Each part is built by its own module; this one assembles them.
 */
import { sum } from '../../common/stats.js';
import type { LoadedRun } from '../run/runDir.js';
import { JournalReplay } from '../journal/replay.js';
import type { RunRecord } from '../journal/records.js';
import { DEFINITIONS, type Definition } from './definitions.js';
import { durationStats, lengths, type DurationStats, type Interval } from './durations.js';
import { runEvidence, type RunEvidence } from './runEvidence.js';
import { reliabilityEvidence, type ReliabilityEvidence } from './machineReliability.js';
import { versionsEvidence, type VersionsEvidence } from './softwareVersions.js';
import { publisherEvidence, type PublisherEvidence } from './publisherEvidence.js';
import { viewerEvidence, type ViewerEvidence } from './viewerEvidence.js';
import { faultsEvidence, type FaultEvidence } from './faultEvidence.js';
import { humanTimeline, type HumanTimeline, type TimelineOptions } from './humanTimeline.js';
import { chartSeries, type ChartData } from './chartSeries.js';

export const EVIDENCE_FORMAT = 'livedrill-evidence/1';

export interface Totals {
  viewers: number;
  joined: number;
  w3cFreezes: DurationStats;
  fixedVideoGaps: DurationStats;
  audioGaps: DurationStats;
  audioConcealedSeconds: number;
  disconnects: number;
  notWatchingAtEnd: string[];
}

export interface Evidence {
  format: typeof EVIDENCE_FORMAT;
  generatedAt: string;
  run: RunEvidence;
  reliability: ReliabilityEvidence;
  versions: VersionsEvidence;
  definitions: Definition[];
  totals: Totals;
  publisher: PublisherEvidence;
  faults: FaultEvidence[];
  faultErrors: RunRecord['faultErrors'];
  sfuWorkerEvents: RunRecord['workerEvents'];
  viewers: ViewerEvidence[];
  timeline: HumanTimeline;
  charts: ChartData;
}

export interface EvidenceOptions extends TimelineOptions {
  generatedAt?: Date;
}

export function buildEvidence(run: LoadedRun, options: EvidenceOptions = {}): Evidence {
  const { summary, entries } = run;
  const rec = JournalReplay.of(entries, { frames: true }).record(summary);
  const recordEnd = entries.reduce((a, e) => Math.max(a, e.t), rec.end);
  const viewers = rec.viewers.map((v) => viewerEvidence(v, rec.end));
  return {
    format: EVIDENCE_FORMAT,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    run: runEvidence(run, rec),
    reliability: reliabilityEvidence(rec, summary),
    versions: versionsEvidence(rec, summary),
    definitions: DEFINITIONS,
    totals: totals(viewers),
    publisher: publisherEvidence(rec, summary),
    faults: faultsEvidence(rec, summary, viewers),
    faultErrors: rec.faultErrors,
    sfuWorkerEvents: rec.workerEvents,
    viewers,
    timeline: humanTimeline(entries, options, recordEnd),
    charts: chartSeries(rec, viewers),
  };
}

function totals(viewers: ViewerEvidence[]): Totals {
  const all = (pick: (v: ViewerEvidence) => Interval[]): number[] => viewers.flatMap((v) => lengths(pick(v)));
  return {
    viewers: viewers.length,
    joined: viewers.filter((v) => v.firstFrameAt !== null).length,
    w3cFreezes: durationStats(all((v) => v.freezes.w3c.intervals)),
    fixedVideoGaps: durationStats(all((v) => v.freezes.fixedVideo.intervals)),
    audioGaps: durationStats(all((v) => v.audio.gaps.intervals)),
    audioConcealedSeconds: sum(viewers.map((v) => v.audio.concealedSeconds)),
    disconnects: sum(viewers.map((v) => v.disconnects.length)),
    notWatchingAtEnd: viewers.filter((v) => !v.connectedAtEnd).map((v) => v.id),
  };
}
