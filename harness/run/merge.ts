import type { Scenario } from '../scenario/schema.js';
import { noiseSpans, type SelfSample } from '../probes/SelfWatch.js';
import { RunDirError } from '../journal/Journal.js';
import { journalVersion, type JournalEntry } from '../journal/entries.js';
import { JournalReplay } from '../journal/replay.js';
import { groundTruth, toTimeline } from '../journal/records.js';
import { measureImpact } from './impact.js';
import { loadRun, type LoadedRun } from './runDir.js';
import { buildSummary, type RunSummary } from './summary.js';

/**
 * One run out of a run spread over processes: the SFU's directory holds the
 * ground truth (faults, publisher), each viewer shard its viewers. Impact
 * and thresholds are recomputed over all viewers together; the journals are
 * merged in time order (each line keeps its shard), so `report` works on it.
 */
export function mergeRuns(dirs: string[]): { summary: RunSummary; entries: JournalEntry[] } {
  const runs = dirs.map(loadFinishedRun);
  const sfus = runs.filter((r) => r.role !== 'viewers');
  if (sfus.length !== 1) {
    throw new RunDirError(`merge needs exactly one SFU run directory among ${dirs.join(', ')}; found ${sfus.length}`);
  }
  const sfu = sfus[0];
  const scenario = sfu.entries.find((e) => e.type === 'run.start')!.scenario as Scenario;
  const viewers = runs.flatMap((r) => r.summary.viewers);
  const all = runs.flatMap((r) => r.entries).sort((a, b) => a.t - b.t);
  const replay = JournalReplay.of(all);
  const startedAt = runs.reduce((a, r) => Math.min(a, Date.parse(r.summary.startedAt)), Infinity);
  const endedAt = runs.reduce((a, r) => Math.max(a, Date.parse(r.summary.endedAt)), -Infinity);
  const shardOf = (r: FinishedRun): string => String(r.entries.find((e) => e.shard !== undefined)?.shard ?? r.role);
  const reliabilities = runs.map((r) => r.summary.reliability);
  // Any process's flagged seconds make an effect suspect: its cause may be that machine's load.
  const noise = noiseSpans(all.filter((e) => e.type === 'self.sample') as unknown as SelfSample[]);
  const impact = measureImpact(
    groundTruth(replay.faults(endedAt)),
    replay.viewers(endedAt, true).map(toTimeline),
    replay.publisherSamples,
    endedAt,
    noise,
  );
  const summary = buildSummary({
    runId: `merged-${sfu.summary.runId}`,
    scenario,
    scenarioFile: sfu.summary.scenario.file,
    startedAt,
    endedAt,
    interrupted: runs.some((r) => r.summary.interrupted),
    error: runs.map((r) => r.summary.error && `${r.dir}: ${r.summary.error}`).filter(Boolean).join('; ') || null,
    versions: { ...sfu.summary.versions, ...shardsReceive(runs) },
    publisher: replay.publisherSummary(sfu.entries.find((e) => e.type === 'run.steady')?.t),
    viewers,
    faults: impact.faults,
    effects: { unexplained: impact.unexplained, suspect: impact.suspect },
    network: sfu.summary.network,
    relay: sfu.summary.relay ?? null,
    reliability: {
      ...sfu.summary.reliability,
      reliable: reliabilities.every((r) => r.reliable),
      reasons: runs.flatMap((r) => r.summary.reliability.reasons.map((reason) => `${shardOf(r)}: ${reason}`)),
      suspectFreezes: reliabilities.reduce((a, r) => a + r.suspectFreezes, 0),
      kernelUdpDrops: reliabilities.reduce((a, r) => a + (r.kernelUdpDrops ?? 0), 0),
      browserFramesDropped: reliabilities.reduce((a, r) => a + (r.browserFramesDropped ?? 0), 0),
    },
    // Older shard summaries have none.
    clocks: runs.flatMap((r) => r.summary.clocks ?? []),
  });
  // The SFU's entries come first (it started first): its run.start names the scenario.
  return { summary, entries: all };
}

type FinishedRun = LoadedRun & { summary: RunSummary; role: string };

/** Synthetic viewers receive in the shards: the merged run names their receive paths, not the SFU process's. */
function shardsReceive(runs: FinishedRun[]): { syntheticReceive?: string } {
  const paths = new Set(runs.filter((r) => r.role === 'viewers').flatMap((r) => r.summary.versions.syntheticReceive ?? []));
  return paths.size > 0 ? { syntheticReceive: [...paths].join('; ') } : {};
}

/** A run directory whose run finished (it wrote its summary); its role is its run.start's. */
function loadFinishedRun(dir: string): FinishedRun {
  const run = loadRun(dir);
  if (!run.summary) throw new RunDirError(`${dir}: ${run.summaryProblem}`);
  journalVersion(run.entries, run.journalFile);
  const start = run.entries.find((e) => e.type === 'run.start');
  if (!start) throw new RunDirError(`${run.journalFile}: no run.start entry`);
  return { ...run, summary: run.summary, role: String(start.role ?? 'all') };
}
