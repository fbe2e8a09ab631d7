/**
 * Drill and run directories written by hand, entry for entry as a drill
 * journals them (run.start, drill.start with the embedded SLA profile, the
 * fault's ground truth, incident.action, drill.end, run.end), with the
 * people's actions at chosen times. No summary.json: such a run gives no SDK
 * figures (the scorecard says so), which these tests do not need.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from '../../harness/journal/entries.js';

const MIN = 60_000;

export interface HandDrill {
  /** The directory's name. */
  id: string;
  vendor: string;
  /** A profile under scenarios/sla/. */
  profile: string;
  /** When the fault strikes (ISO, with its offset). */
  struck: string;
  /** People's actions: minutes after the fault, the action, its fields (a ticket action gets the drill's ticket reference). */
  actions: Array<[minutes: number, action: string, fields?: Record<string, unknown>]>;
  livedrill?: string;
  /** Changes what the drill runs (so its scenario differs). */
  viewers?: number;
  /** A plain run: no drill.start, no actions. */
  plain?: boolean;
}

export const reference = (d: Pick<HandDrill, 'id'>): string => `T-${d.id}`;

export function drillEntries(d: HandDrill): JournalEntry[] {
  const start = Date.parse(d.struck);
  const scenario = {
    name: d.plain ? 'hand-run' : `hand-drill-${d.vendor}`,
    description: '',
    duration: 60_000,
    room: 'livedrill',
    viewers: { browser: d.viewers ?? 1 },
    faults: d.plain ? [{ kind: 'video-freeze', at: 5000, duration: 4000 }] : [],
    ...(d.plain ? {} : { drill: { seed: 1, vendor: d.vendor, slaProfile: d.profile, faults: [{ kind: 'video-freeze', window: [5000, 5000], duration: 4000 }] } }),
  };
  const versions = { livedrill: d.livedrill ?? '0.1.0', mediasoup: '3.8.4', node: 'v20.20.2' };
  const entries: JournalEntry[] = [
    { t: start - 10_000, type: 'run.start', runId: d.id, role: 'all', scenarioFile: `/somewhere/${scenario.name}.yaml`, scenario, versions },
    { t: start - 5000, type: 'run.steady' },
    { t: start, type: 'fault.inject', faultId: '1-video-freeze', kind: 'video-freeze', start, end: start + 4000, targets: ['browser-1'], params: {} },
    { t: start + 4000, type: 'fault.revert', faultId: '1-video-freeze', end: start + 4000 },
    { t: start + 20_000, type: 'run.end', pass: true, interrupted: false, error: null },
  ];
  if (!d.plain) {
    const yaml = readFileSync(join('scenarios/sla', d.profile), 'utf8');
    entries.push({ t: start - 9000, type: 'drill.start', seed: 1, slaProfile: d.profile, slaProfileYaml: yaml, vendor: d.vendor, tokenIssuedAt: start - 20_000, timeLimitMs: 60_000, alerts: {} });
    entries.push({ t: start + 19_000, type: 'drill.end', reason: 'resolved', injected: 1, scheduled: 1 });
  }
  return [...entries, ...actionEntries(d, start)].sort((a, b) => a.t - b.t);
}

/** The people's actions, journaled as the API journals them (a ticket action names the drill's ticket). */
export function actionEntries(d: Pick<HandDrill, 'id' | 'vendor' | 'actions'>, faultStart: number): JournalEntry[] {
  return d.actions.map(([minutes, action, fields = {}]) => {
    const ticket = action === 'ticket' ? { ticket: { vendor: d.vendor, severity: 'P1', channel: 'portal', reference: reference(d), ...(fields.ticket as object) } } : {};
    const ref = ['ticket', 'ack', 'mitigate', 'resolve', 'note'].includes(action) ? {} : { reference: reference(d) };
    return { t: faultStart + minutes * MIN, type: 'incident.action', action, who: 'alice', source: 'api', ...ref, ...fields, ...ticket };
  });
}

export function writeRunDir(root: string, id: string, entries: readonly JournalEntry[]): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'journal.jsonl'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return dir;
}

export function writeHandDrill(root: string, d: HandDrill): string {
  return writeRunDir(root, d.id, drillEntries(d));
}
