/**
 * The scorecard as one JSON-serialisable object: the vendors side by side
 * (SDK under faults, response, problem solving, service), what makes the
 * comparison fair or not, the runs behind every figure with links to their
 * evidence, the sample sizes and the definitions. scorecard.json is this
 * object; the Markdown and HTML files render it.
 */
import { relative } from 'node:path';
import type { SlaProfile } from '../drill/slaProfile.js';
import type { NightWindow } from '../drill/timeOfDay.js';
import { definitions, type Definition } from './definitions.js';
import { checkFairness, sdkExclusion, type Fairness, type ScenarioIdentity } from './fairness.js';
import type { TrialRun } from './load.js';
import { judge, type Section } from './model.js';
import { sdkSection } from './sdk.js';
import { supportSections, trialTickets, type TrialTicket } from './support.js';

export const SCORECARD_FORMAT = 'livedrill-vendor-scorecard/1';

export interface ScorecardOptions {
  /** Fewer tickets (or runs) than this and a vendor is not ranked on a figure. */
  minSample: number;
  yardstick: { profile: SlaProfile; file: string };
  timeZone: string | null;
  night: NightWindow;
  allowMixedVersions: boolean;
  /** Where the scorecard is written: links are relative to it. */
  outDir: string;
  generatedAt?: Date;
}

export interface VendorSummary {
  name: string;
  drills: string[];
  runs: string[];
  tickets: number;
  /** Runs that give SDK figures. */
  sdkRuns: number;
  /** The SLA plans its drills embedded. */
  plans: string[];
  /** The sample in plain words, and whether it is too small to rank. */
  statement: string;
}

export interface RunEntry {
  id: string;
  vendor: string;
  kind: TrialRun['kind'];
  scenario: ScenarioIdentity;
  livedrill: string | null;
  reliability: string;
  status: string;
  /** The run's evidence pack (report.html) when written, else its journal; relative to the scorecard. */
  evidence: string;
  notes: string[];
}

/** A fix-verified's re-run, looked up among the directories given. */
export interface Verification {
  vendor: string;
  run: string;
  ticket: string;
  rerun: string;
  found: boolean;
  /** What the re-run's faults of the ticket's kind did, in words. */
  shows: string;
}

export interface Scorecard {
  format: typeof SCORECARD_FORMAT;
  generatedAt: string;
  settings: { minSample: number; timeZone: string | null; night: NightWindow; yardstick: string };
  vendors: VendorSummary[];
  fairness: Fairness;
  sections: Section[];
  verifications: Verification[];
  /** Tickets left out, runs' own notes. */
  notes: string[];
  runs: RunEntry[];
  definitions: Definition[];
}

export function buildScorecard(runs: readonly TrialRun[], options: ScorecardOptions): Scorecard {
  const fairness = checkFairness(runs, { allowMixedVersions: options.allowMixedVersions });
  const vendors = [...new Set(runs.map((r) => r.vendor))].sort();
  const { profile, file } = options.yardstick;
  const yardstick = `${profile.vendor} ${profile.plan} (${file})`;
  const { tickets, notes } = trialTickets(runs, profile);
  const sections = [sdkSection(runs, vendors), ...supportSections(tickets, vendors, profile)].map((section) => {
    const compared = sectionVendors(section.id, runs, tickets);
    return { ...section, groups: section.groups.map((group) => ({ ...group, rows: group.rows.map((r) => judge(r, compared, options.minSample)) })) };
  });
  const settings = { minSample: options.minSample, timeZone: options.timeZone, night: options.night, yardstick };
  return {
    format: SCORECARD_FORMAT,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    settings,
    vendors: vendors.map((v) => vendorSummary(v, runs, tickets, options.minSample)),
    fairness,
    sections,
    verifications: verifications(tickets, runs),
    notes: [...notes, ...runs.flatMap((r) => r.notes.map((n) => `${r.id}: ${n}`))],
    runs: runs.map((r) => ({
      id: r.id,
      vendor: r.vendor,
      kind: r.kind,
      scenario: r.scenario,
      livedrill: r.versions.livedrill ?? null,
      reliability: r.evidence.reliability.status,
      status: r.evidence.run.status,
      evidence: relative(options.outDir, r.evidenceFile),
      notes: r.notes,
    })),
    definitions: definitions(settings),
  };
}

/** The vendors a section compares: those with SDK figures for the SDK, those with tickets for support. */
function sectionVendors(id: Section['id'], runs: readonly TrialRun[], tickets: readonly TrialTicket[]): string[] {
  const vendors = id === 'sdk' ? runs.filter((r) => sdkExclusion(r) === null).map((r) => r.vendor) : tickets.map((t) => t.vendor);
  return [...new Set(vendors)].sort();
}

function vendorSummary(name: string, runs: readonly TrialRun[], tickets: readonly TrialTicket[], minSample: number): VendorSummary {
  const own = runs.filter((r) => r.vendor === name);
  const drills = own.filter((r) => r.kind === 'drill').map((r) => r.id);
  const plain = own.filter((r) => r.kind === 'run').map((r) => r.id);
  const ticketCount = tickets.filter((t) => t.vendor === name).length;
  const sdkRuns = own.filter((r) => sdkExclusion(r) === null).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const small = [
    ...(ticketCount < minSample ? [`${plural(ticketCount, 'ticket')} is too few to rank its support`] : []),
    ...(sdkRuns < minSample ? [`${plural(sdkRuns, 'run')} with SDK figures is too few to rank its SDK`] : []),
  ];
  const statement =
    `${plural(drills.length, 'drill')} and ${plural(plain.length, 'plain run')}: ${plural(ticketCount, 'ticket')}, ${plural(sdkRuns, 'run')} with SDK figures.` +
    (small.length > 0 ? ` Too small a sample: ${small.join('; ')} (at least ${minSample} each).` : '');
  return {
    name,
    drills,
    runs: plain,
    tickets: ticketCount,
    sdkRuns,
    plans: [...new Set(own.flatMap((r) => (r.profileName ? [r.profileName] : [])))],
    statement,
  };
}

function verifications(tickets: readonly TrialTicket[], runs: readonly TrialRun[]): Verification[] {
  return tickets.flatMap((t): Verification[] => {
    const rerun = t.ticket.progress.verifiedBy;
    if (rerun === null) return [];
    const id = rerun.split(/[\\/]/).filter(Boolean).at(-1)!;
    const found = runs.find((r) => r.id === id);
    const base = { vendor: t.vendor, run: t.run, ticket: t.ticket.reference, rerun: id };
    if (!found) return [{ ...base, found: false, shows: 'not among the directories given: not checked' }];
    const faults = found.evidence.faults.filter((f) => f.kind === t.faultKind);
    if (faults.length === 0) return [{ ...base, found: true, shows: `has no ${t.faultKind} fault: it cannot show the fault no longer hurts` }];
    const affected = faults.reduce((a, f) => a + f.perViewer.filter((v) => v.targeted && v.affected).length, 0);
    const targeted = faults.reduce((a, f) => a + f.perViewer.filter((v) => v.targeted).length, 0);
    const shows =
      affected === 0
        ? `no viewer affected by ${t.faultKind} (0 of ${targeted} targeted)`
        : `${affected} of ${targeted} targeted viewers still affected by ${t.faultKind}`;
    return [{ ...base, found: true, shows }];
  });
}
