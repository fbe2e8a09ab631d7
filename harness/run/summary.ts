import { isViewerMetric } from '../scenario/thresholds.js';
import { writeFileSync, renameSync } from 'node:fs';
import type { Scenario } from '../scenario/schema.js';
import type { Reliability } from '../probes/SelfWatch.js';
import { evaluateThresholds, type ThresholdResult } from './thresholds.js';
import { VIEWER_METRICS, type ViewerSummary } from './viewerSummary.js';
import { FAULT_METRICS, type Effect, type FaultImpact } from './impact.js';
import type { RelayCounters } from '../network/ImpairedPath.js';
import type { RelayCost } from '../network/NetworkRelay.js';

/** Packets the network relay forwarded and dropped per peer (ground truth for network faults). */
export type NetworkCounters = Record<string, { up: RelayCounters; down: RelayCounters }>;

export interface PublisherSummary {
  framesEncoded: number;
  fps: number;
  bytesSent: number;
  pliCount: number;
  firCount: number;
}

export interface RunSummary {
  runId: string;
  scenario: { name: string; file: string };
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
  /** Stopped by Ctrl-C / SIGTERM before its planned end. */
  interrupted: boolean;
  error: string | null;
  versions: Record<string, string>;
  publisher: PublisherSummary | null;
  viewers: ViewerSummary[];
  /** Per injected fault: ground truth and measured impact. */
  faults: FaultImpact[];
  /** Effects counted for no fault: unexplained by any, or begun while the harness flagged itself. */
  effects: { unexplained: Effect[]; suspect: Effect[] };
  network: NetworkCounters | null;
  /** The network relay's own cost to the harness (null: no relay in this run). */
  relay: RelayCost | null;
  totals: {
    viewers: number;
    joined: number;
    freezeCount: number;
    freezeSeconds: number;
    audioConcealedSeconds: number;
    disconnects: number;
  };
  thresholds: ThresholdResult[];
  reliability: Reliability;
  /**
   * Viewer shards of livedrill's own SFU: each one's clock against the SFU
   * host's, which its latencies were set on (harness/run/clockOffset.ts).
   * Empty for a run on one machine.
   */
  clocks: ShardClock[];
  pass: boolean;
}

export interface ShardClock {
  /** "index/count", as on the shard's journal lines. */
  shard: string;
  offsetMs: number;
  uncertaintyMs: number;
  rttMs: number;
}

/** What a run knows when it ends; the summary derives totals, thresholds and the verdict from it. */
export interface SummaryInput extends Pick<RunSummary, 'runId' | 'interrupted' | 'error' | 'versions' | 'publisher' | 'viewers' | 'faults' | 'effects' | 'network' | 'relay' | 'reliability' | 'clocks'> {
  scenario: Scenario;
  scenarioFile: string;
  startedAt: number;
  endedAt: number;
}

export function buildSummary(input: SummaryInput): RunSummary {
  const { viewers } = input;
  const sum = (f: (v: ViewerSummary) => number): number => viewers.reduce((a, v) => a + f(v), 0);
  const thresholds = evaluateThresholds(input.scenario.thresholds, (metric) =>
    isViewerMetric(metric)
      ? viewers.map(VIEWER_METRICS[metric]).filter((value): value is number => value !== null)
      : FAULT_METRICS[metric](input.faults),
  );
  return {
    runId: input.runId,
    scenario: { name: input.scenario.name, file: input.scenarioFile },
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    durationSeconds: (input.endedAt - input.startedAt) / 1000,
    interrupted: input.interrupted,
    error: input.error,
    versions: input.versions,
    publisher: input.publisher,
    viewers,
    faults: input.faults,
    effects: input.effects,
    network: input.network,
    relay: input.relay,
    totals: {
      viewers: viewers.length,
      joined: viewers.filter((v) => v.joinSeconds !== null).length,
      freezeCount: sum((v) => v.freezes.w3c.count),
      freezeSeconds: sum((v) => v.freezes.w3c.seconds),
      audioConcealedSeconds: sum((v) => v.audio.concealedSeconds),
      disconnects: sum((v) => v.disconnects),
    },
    thresholds,
    reliability: input.reliability,
    clocks: input.clocks,
    // An interrupted or failed run never passes: its thresholds saw only part of it.
    pass: !input.interrupted && input.error === null && thresholds.every((t) => t.pass),
  };
}

/** Written whole or not at all (temp file + rename), so a reader never sees half a summary. */
export function writeSummary(file: string, summary: RunSummary): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
