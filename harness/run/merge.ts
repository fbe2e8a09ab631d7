import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import type { PageReport } from '../page/reports.js';
import { growth } from '../probes/ViewerQoe.js';
import type { Freeze } from '../probes/freeze.js';
import { noiseSpans, type SelfSample } from '../probes/SelfWatch.js';
import { readJournal, RunDirError, type JournalEntry } from '../journal/Journal.js';
import { measureImpact, type FaultRecord, type ViewerTimeline } from './impact.js';
import { buildSummary, type RunSummary } from './summary.js';
import { Timelines } from './Timelines.js';

interface RunDir {
  dir: string;
  entries: JournalEntry[];
  summary: RunSummary;
  role: string;
}

function loadDir(dir: string): RunDir {
  const journal = join(dir, 'journal.jsonl');
  const summaryFile = join(dir, 'summary.json');
  if (!existsSync(journal)) throw new RunDirError(`${dir}: no journal.jsonl (is this a livedrill run directory?)`);
  if (!existsSync(summaryFile)) throw new RunDirError(`${dir}: no summary.json (still running, or it crashed before writing one)`);
  const entries = readJournal(journal);
  const start = entries.find((e) => e.type === 'run.start');
  if (!start) throw new RunDirError(`${journal}: no run.start entry`);
  return { dir, entries, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary, role: String(start.role ?? 'all') };
}

/** Fault ground truth as journaled: start at inject, end at revert. */
export function faultRecords(entries: JournalEntry[]): FaultRecord[] {
  const ends = new Map(entries.filter((e) => e.type === 'fault.revert').map((e) => [e.faultId as string, e.end as number]));
  return entries
    .filter((e) => e.type === 'fault.inject')
    .map((e) => ({
      faultId: e.faultId as string,
      kind: e.kind as FaultRecord['kind'],
      start: e.start as number,
      end: ends.get(e.faultId as string) ?? (e.end as number),
      targets: e.targets as string[],
      params: e.params as Record<string, unknown>,
    }));
}

/** Per-viewer timelines rebuilt from journal lines (what Timelines keeps live). */
export function viewerTimelines(entries: JournalEntry[], connectedAtEnd: Map<string, boolean>): ViewerTimeline[] {
  const byId = new Map<string, ViewerTimeline & { last?: { video?: any; audio?: any } }>();
  const timeline = (id: string) => {
    let t = byId.get(id);
    if (!t) {
      t = { id, freezes: [], samples: [], disconnects: [], recoveries: [], signalingResumes: [], connectedAtEnd: connectedAtEnd.get(id) ?? false };
      byId.set(id, t);
    }
    return t;
  };
  for (const e of entries) {
    if (typeof e.viewerId !== 'string') continue;
    const v = timeline(e.viewerId);
    switch (e.type) {
      case 'viewer.freeze':
        v.freezes.push({ start: e.start, end: e.end, w3c: e.w3c, fixed: e.fixed, ongoing: e.ongoing } as Freeze);
        break;
      case 'viewer.joining':
        v.last = undefined; // a new receiver's stats start from zero
        v.joinRequestedAt ??= e.t;
        break;
      case 'viewer.joinTime':
        if (v.joinRequestedAt !== undefined) v.firstMediaAt ??= v.joinRequestedAt + (e.joinSeconds as number) * 1000;
        break;
      case 'viewer.viewerSample': {
        const video = e.video as any;
        const audio = e.audio as any;
        const last = v.last;
        v.samples.push({
          t: e.t,
          received: audio ? growth(audio.totalSamplesReceived, last?.audio?.totalSamplesReceived) : 0,
          concealed: audio ? growth(audio.concealedSamples, last?.audio?.concealedSamples) : 0,
          packetsReceived:
            (video ? growth(video.packetsReceived, last?.video?.packetsReceived) : 0) +
            (audio ? growth(audio.packetsReceived, last?.audio?.packetsReceived) : 0),
          packetsLost:
            (video ? growth(video.packetsLost, last?.video?.packetsLost) : 0) +
            (audio ? growth(audio.packetsLost, last?.audio?.packetsLost) : 0),
        });
        v.last = { video: video ?? last?.video, audio: audio ?? last?.audio };
        break;
      }
      case 'viewer.disconnected':
        v.disconnects.push(e.t);
        break;
      case 'viewer.recovered':
        v.recoveries.push({ t: e.t, downSeconds: e.downSeconds as number });
        break;
      case 'viewer.signalingResumed':
        v.signalingResumes.push({ since: e.since as number, t: e.t });
        break;
    }
  }
  return [...byId.values()].map(({ last: _last, ...t }) => t);
}

/**
 * One run out of a run spread over processes: the SFU's directory holds the
 * ground truth (faults, publisher), each viewer shard its viewers. Impact
 * and thresholds are recomputed over all viewers together; the journals are
 * merged in time order (each line keeps its shard), so `report` works on it.
 */
export function mergeRuns(dirs: string[]): { summary: RunSummary; entries: JournalEntry[] } {
  const runs = dirs.map(loadDir);
  const sfus = runs.filter((r) => r.role !== 'viewers');
  if (sfus.length !== 1) {
    throw new RunDirError(`merge needs exactly one SFU run directory among ${dirs.join(', ')}; found ${sfus.length}`);
  }
  const sfu = sfus[0];
  const scenario = sfu.entries.find((e) => e.type === 'run.start')!.scenario as Scenario;
  const viewers = runs.flatMap((r) => r.summary.viewers);
  const all = runs.flatMap((r) => r.entries).sort((a, b) => a.t - b.t);
  const timelines = viewerTimelines(all, new Map(viewers.map((v) => [v.id, v.connectedAtEnd])));
  const publisher = new Timelines();
  for (const e of sfu.entries) {
    if (e.type === 'publisher.publisherSample' && e.publisherId === undefined) publisher.onPublisherReport({ ...e, type: 'publisherSample' } as unknown as PageReport);
  }
  const startedAt = runs.reduce((a, r) => Math.min(a, Date.parse(r.summary.startedAt)), Infinity);
  const endedAt = runs.reduce((a, r) => Math.max(a, Date.parse(r.summary.endedAt)), -Infinity);
  const shardOf = (r: RunDir): string => String(r.entries.find((e) => e.shard !== undefined)?.shard ?? r.role);
  const reliabilities = runs.map((r) => r.summary.reliability);
  // Any process's flagged seconds make an effect suspect: its cause may be that machine's load.
  const noise = noiseSpans(all.filter((e) => e.type === 'self.sample') as unknown as SelfSample[]);
  const impact = measureImpact(faultRecords(sfu.entries), timelines, publisher.publisherSamples, endedAt, noise);
  const summary = buildSummary({
    runId: `merged-${sfu.summary.runId}`,
    scenario,
    scenarioFile: sfu.summary.scenario.file,
    startedAt,
    endedAt,
    interrupted: runs.some((r) => r.summary.interrupted),
    error: runs.map((r) => r.summary.error && `${r.dir}: ${r.summary.error}`).filter(Boolean).join('; ') || null,
    versions: sfu.summary.versions,
    publisher: publisher.publisher(sfu.entries.find((e) => e.type === 'run.steady')?.t),
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
  });
  // The SFU's entries come first (it started first): its run.start names the scenario.
  return { summary, entries: all };
}
