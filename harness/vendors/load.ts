/**
 * The trial's runs, as `livedrill vendors` is given them: run directories (a
 * `journal.jsonl` in them), or folders of run directories, each belonging to
 * a vendor. A drill belongs to the vendor its journal names (`drill.start`
 * vendor); `--vendor NAME=DIR` gives a plain run (which names none) its vendor,
 * or overrides a drill's. Each run is read as `livedrill report` reads it:
 * its evidence (SDK figures) and, for a drill, its ticket timings.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildEvidence, type Evidence } from '../report/evidence.js';
import { loadSlaProfiles } from '../report/slaProfiles.js';
import { JOURNAL_FILE, loadRun } from '../run/runDir.js';
import { drillTimings, type DrillTimings } from '../drill/timings.js';
import type { SlaProfile } from '../drill/slaProfile.js';
import type { LocalTimeOptions } from '../drill/timeOfDay.js';
import { VendorsError } from './errors.js';
import { scenarioIdentity, type ScenarioIdentity } from './fairness.js';

export interface TrialRun {
  /** The run directory's name: how links, notes and `fix-verified` name it. */
  id: string;
  dir: string;
  vendor: string;
  kind: 'drill' | 'run';
  /** The name the drill's tickets use for its vendor (drill.start); null for a plain run. */
  drillVendor: string | null;
  scenario: ScenarioIdentity;
  versions: Record<string, string>;
  evidence: Evidence;
  /** Null for a plain run (no people, no tickets). */
  timings: DrillTimings | null;
  /** "Twilio Bootstrap (twilio-base.yaml)", or null without one. */
  profileName: string | null;
  /** When the record ends: unanswered tickets are judged then. */
  recordEnd: number;
  /** The run's evidence pack when `livedrill report` wrote one, else its journal. */
  evidenceFile: string;
  notes: string[];
}

export interface TrialInput {
  dirs: string[];
  vendors: Array<{ vendor: string; dir: string }>;
  localTime?: LocalTimeOptions;
}

export async function loadTrial(input: TrialInput): Promise<TrialRun[]> {
  // A directory named twice keeps the vendor --vendor gives it.
  const assigned = new Map<string, string | null>();
  for (const dir of input.dirs) for (const run of runDirs(dir)) if (!assigned.has(run)) assigned.set(run, null);
  for (const { vendor, dir } of input.vendors) for (const run of runDirs(dir)) assigned.set(run, vendor);
  if (assigned.size === 0) throw new VendorsError('no run directory given: name drill and run directories (or folders of them)');
  const runs: TrialRun[] = [];
  for (const [dir, vendor] of assigned) runs.push(await loadTrialRun(dir, vendor, input.localTime));
  const ids = new Map<string, string>();
  for (const run of runs) {
    const other = ids.get(run.id);
    if (other) throw new VendorsError(`${run.dir}: has the same name as ${other}: runs are named by their directory, so rename one`);
    ids.set(run.id, run.dir);
  }
  return runs;
}

/** The run directories `dir` stands for: itself, or the subdirectories holding a journal. */
function runDirs(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new VendorsError(`${dir}: no such directory`);
  if (existsSync(join(dir, JOURNAL_FILE))) return [realpathSync(dir)];
  const inside = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, JOURNAL_FILE)))
    .map((e) => realpathSync(join(dir, e.name)))
    .sort();
  if (inside.length === 0) throw new VendorsError(`${dir}: holds no ${JOURNAL_FILE}, nor do its subdirectories: not a run directory, nor a folder of them`);
  return inside;
}

async function loadTrialRun(dir: string, assigned: string | null, localTime: LocalTimeOptions = {}): Promise<TrialRun> {
  const loaded = loadRun(dir);
  const { entries } = loaded;
  const notes: string[] = [];
  const start = entries.find((e) => e.type === 'run.start');
  if (!start) throw new VendorsError(`${loaded.journalFile}: no run.start entry: which scenario and livedrill version it ran is unknown, so it cannot be compared`);
  const drillStart = entries.find((e) => e.type === 'drill.start');
  const drillVendor = drillStart && typeof drillStart.vendor === 'string' ? drillStart.vendor : null;
  if (drillStart && drillVendor === null) throw new VendorsError(`${loaded.journalFile}: drill.start: vendor: expected the vendor's name`);
  const vendor = assigned ?? drillVendor;
  if (vendor === null) throw new VendorsError(`${dir}: a plain run names no vendor: give it as --vendor NAME=${dir}`);
  if (assigned !== null && drillVendor !== null && assigned !== drillVendor) {
    notes.push(`the drill names its vendor "${drillVendor}"; counted for ${assigned} as --vendor says`);
  }

  const sla = await loadSlaProfiles(loaded);
  const profiles: Record<string, SlaProfile> = { ...sla.profiles };
  const own = Object.values(profiles)[0] as SlaProfile | undefined;
  if (own && drillVendor !== null) profiles[drillVendor] = own;
  notes.push(...(sla.slaNotes ?? []));
  const recordEnd = entries.reduce((a, e) => Math.max(a, e.t), 0);
  let timings: DrillTimings | null = null;
  if (drillStart) {
    try {
      timings = drillTimings(entries, { profiles, now: recordEnd, localTime });
    } catch (error) {
      throw new VendorsError(`${loaded.journalFile}: ${(error as Error).message}`);
    }
  }
  const report = join(dir, 'report.html');
  const summaryVersions = loaded.summary?.versions;
  return {
    id: basename(dir),
    dir,
    vendor,
    kind: drillStart ? 'drill' : 'run',
    drillVendor,
    scenario: scenarioIdentity(start.scenario, start.scenarioFile, loaded.journalFile),
    versions: { ...((start.versions as Record<string, string> | undefined) ?? {}), ...(summaryVersions ?? {}) },
    evidence: buildEvidence(loaded, { profiles, now: recordEnd }),
    timings,
    profileName: own ? `${own.vendor} ${own.plan} (${sla.slaProfiles?.[0]?.file})` : null,
    recordEnd,
    evidenceFile: existsSync(report) ? report : resolve(loaded.journalFile),
    notes,
  };
}
