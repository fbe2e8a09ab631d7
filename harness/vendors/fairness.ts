/**
 * What makes runs comparable, and what the scorecard says when they are not.
 *
 * - livedrill versions: refused unless the caller allows them (then said at
 *   the top): a livedrill change can move what is measured (the freeze rule,
 *   attribution, timings), so a difference could be livedrill's, not a
 *   vendor's.
 * - Scenarios: never pooled. SDK figures are computed per scenario (same
 *   broadcast, viewers, faults and alert rules: the identity below), and a
 *   scenario not every vendor ran is shown, not compared. Support figures pool
 *   a vendor's tickets, so different drill scenarios are said loudly.
 * - Other versions (browser, node, mediasoup) that differ are listed.
 * - A run the test machine could not measure (unreliable) or that did not end
 *   normally (incomplete) gives no SDK figures: its tickets still count.
 */
import { createHash } from 'node:crypto';
import { VendorsError } from './errors.js';
import type { TrialRun } from './load.js';

export interface ScenarioIdentity {
  name: string;
  /** The scenario file's name (never a path: scorecards travel). */
  file: string | null;
  /** Hash of what the run ran, less what names it or ties it to one vendor: equal for the same scenario. */
  fingerprint: string;
}

/** Fields that differ between vendors' copies of one scenario without changing what is run. */
const NOT_IDENTITY = new Set(['name', 'description', 'room', 'drill.seed', 'drill.vendor', 'drill.slaProfile']);

export function scenarioIdentity(scenario: unknown, file: unknown, journalFile: string): ScenarioIdentity {
  if (typeof scenario !== 'object' || scenario === null || typeof (scenario as { name?: unknown }).name !== 'string') {
    throw new VendorsError(`${journalFile}: run.start: scenario: expected the scenario the run ran (an object with a name)`);
  }
  const fingerprint = createHash('sha256').update(canonical(scenario, '')).digest('hex').slice(0, 12);
  return { name: (scenario as { name: string }).name, file: typeof file === 'string' ? file.split(/[\\/]/).at(-1)! : null, fingerprint };
}

/** JSON with sorted keys and the fields outside the identity left out. */
function canonical(value: unknown, path: string): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, path)).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const keys = Object.keys(value).sort().filter((k) => !NOT_IDENTITY.has(path ? `${path}.${k}` : k));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k)}`).join(',')}}`;
}

export interface Fairness {
  livedrillVersions: Record<string, string[]>;
  /** Loud, plain statements, most serious first. */
  warnings: string[];
}

/** Why a run gives no SDK figures, or null when it does. */
export function sdkExclusion(run: TrialRun): string | null {
  if (run.evidence.reliability.status === 'unreliable') return 'UNRELIABLE: the test machine was saturated, so its freezes may be the harness\'s own';
  if (run.evidence.run.status === 'incomplete') return `incomplete: ${run.evidence.run.missing[0]}`;
  return null;
}

export function checkFairness(runs: readonly TrialRun[], options: { allowMixedVersions: boolean }): Fairness {
  const warnings: string[] = [];
  const livedrillVersions = groupBy(runs, (r) => r.versions.livedrill ?? 'unknown');
  if (Object.keys(livedrillVersions).length > 1) {
    const listed = describeGroups(livedrillVersions);
    if (!options.allowMixedVersions) {
      throw new VendorsError(
        `refusing to compare runs of different livedrill versions (${listed}): a livedrill change can move what is measured, so a difference could be livedrill's rather than a vendor's. ` +
          'Re-run them with one livedrill, or pass --allow-mixed-versions to compare them anyway (the scorecard then says so at the top).',
      );
    }
    warnings.push(`COMPARED ACROSS LIVEDRILL VERSIONS (${listed}), as --allow-mixed-versions asked: a difference may be livedrill's, not a vendor's.`);
  }

  const vendors = [...new Set(runs.map((r) => r.vendor))];
  if (vendors.length === 1) warnings.push(`Only one vendor (${vendors[0]}): nothing to compare it with.`);

  for (const part of ['browser', 'mediasoup', 'mediasoupClient', 'node']) {
    const by = groupBy(runs, (r) => r.versions[part] ?? 'unknown');
    if (Object.keys(by).length > 1) warnings.push(`${part} versions differ between runs (${describeGroups(by)}): figures may differ for that reason too.`);
  }

  const byName = groupBy(runs, (r) => r.scenario.name);
  for (const [name, ids] of Object.entries(byName)) {
    const variants = new Set(runs.filter((r) => ids.includes(r.id)).map((r) => r.scenario.fingerprint));
    if (variants.size > 1) warnings.push(`Scenario "${name}" ran with different settings (${variants.size} variants): each variant is a scenario of its own, never pooled.`);
  }
  for (const [fingerprint, ids] of Object.entries(groupBy(runs, (r) => r.scenario.fingerprint))) {
    const ran = new Set(runs.filter((r) => ids.includes(r.id)).map((r) => r.vendor));
    if (vendors.length > 1 && ran.size < vendors.length) {
      const name = runs.find((r) => r.scenario.fingerprint === fingerprint)!.scenario.name;
      warnings.push(`Scenario "${name}" (${fingerprint}) was run only by ${[...ran].join(', ')}: its SDK figures are shown, not compared.`);
    }
  }
  const drillScenarios = vendors.map((v) => [...new Set(runs.filter((r) => r.vendor === v && r.kind === 'drill').map((r) => r.scenario.fingerprint))].sort().join(','));
  if (new Set(drillScenarios).size > 1) {
    const said = vendors.map((v, i) => `${v}: ${drillScenarios[i] || 'no drill'}`).join('; ');
    warnings.push(`The vendors' drills ran different scenarios (${said}): their support figures answer different problems.`);
  }
  for (const run of runs) {
    const why = sdkExclusion(run);
    if (why) warnings.push(`Run ${run.id} (${run.vendor}) gives no SDK figures: ${why}. Its tickets still count.`);
  }
  return { livedrillVersions, warnings };
}

function groupBy(runs: readonly TrialRun[], key: (r: TrialRun) => string): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const run of runs) (groups[key(run)] ??= []).push(run.id);
  return groups;
}

function describeGroups(groups: Record<string, string[]>): string {
  return Object.entries(groups)
    .map(([value, ids]) => `${value}: ${ids.join(', ')}`)
    .join('; ');
}
