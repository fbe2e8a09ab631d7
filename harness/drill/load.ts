/**
 * Loads a drill scenario: the scenario itself (scenario/load.ts), what only
 * the drill and the rest of the scenario together can check, its SLA profile,
 * and the hidden schedule for a seed.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { faultProblems } from '../scenario/faults.js';
import { drawSchedule, randomSeed, type DrillSchedule } from './schedule.js';
import type { DrillSpec } from '../scenario/drill.js';
import { parseSlaProfile, type SlaProfile } from './slaProfile.js';

export interface LoadedDrill {
  file: string;
  /** As written (windows, not times). */
  source: Scenario & { drill: DrillSpec };
  drill: DrillSpec;
  schedule: DrillSchedule;
  /** Absolute path of the SLA profile, or null when the drill names none. */
  slaProfileFile: string | null;
  /** Its text as read: the journal embeds it, so reports never open a path a journal names. */
  slaProfileYaml: string | null;
  profile: SlaProfile | null;
  /** The vendor name tickets use. */
  vendor: string;
}

export async function loadDrill(file: string, options: { seed?: number } = {}): Promise<LoadedDrill> {
  const scenario = await loadScenario(file);
  const source = checkDrill(scenario, file);
  const drill = source.drill;
  let slaProfileFile: string | null = null;
  let slaProfileYaml: string | null = null;
  let profile: SlaProfile | null = null;
  if (drill.slaProfile !== undefined) {
    slaProfileFile = resolve(dirname(file), drill.slaProfile);
    try {
      slaProfileYaml = await readFile(slaProfileFile, 'utf8').catch((error: Error) => {
        throw new Error(`${slaProfileFile}: cannot read the SLA profile: ${error.message}`);
      });
      profile = parseSlaProfile(slaProfileYaml, slaProfileFile);
    } catch (error) {
      throw new ScenarioError(`${file}: drill.slaProfile: ${(error as Error).message}`);
    }
  }
  const seed = options.seed ?? drill.seed ?? randomSeed();
  return {
    file,
    source,
    drill,
    schedule: drawSchedule(source, seed),
    slaProfileFile,
    slaProfileYaml,
    profile,
    vendor: drill.vendor ?? profile?.vendor ?? 'vendor',
  };
}

/** What the schema alone cannot check: the drill against the scenario around it. */
export function checkDrill(scenario: Scenario, file: string): Scenario & { drill: DrillSpec } {
  const drill = scenario.drill;
  if (!drill) throw new ScenarioError(`${file}: drill: missing: a drill scenario needs a drill: { faults: [...] } section`);
  const problems: string[] = [];
  if (scenario.faults.length > 0) {
    problems.push(`${file}: faults: a drill's faults are hidden: list them under drill.faults with a window: [from, to] instead of at`);
  }
  const limit = drill.timeLimit ?? scenario.duration;
  drill.faults.forEach((fault, i) => {
    for (const [field, message] of faultProblems(fault, fault.window[1], { limit, limitName: 'the time limit', may: true, scenario })) {
      // With a time limit of its own, the drill's schema has checked the end already.
      if (field === 'end' && drill.timeLimit !== undefined) continue;
      problems.push(`${file}: drill.faults.${i}.${field === 'end' ? 'window' : field}: ${message}`);
    }
  });
  if (problems.length > 0) throw new ScenarioError(problems.join('\n'));
  return scenario as Scenario & { drill: DrillSpec };
}
