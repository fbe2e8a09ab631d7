/**
 * Two "vendors" from two sets of short drills, end to end: `livedrill vendors`
 * on them, every figure of the scorecard checked, its HTML opened in Chromium.
 *
 * A real drill costs about ten seconds of this 2-core machine, so the test
 * runs one real drill per vendor (the same scenario, each vendor's copy):
 * a hidden video freeze, the ticket's life recorded through the HTTP API, the
 * console (a tagged clarification with a named contact) and, after the drill
 * ended, the CLI (the fix verified by a re-run). The other drills are copies
 * of those real directories: every entry the drill wrote is kept (run.start
 * with the scenario and versions, drill.start with the embedded SLA profile,
 * the fault's ground truth, viewer samples and freezes, summary.json), moved
 * in time so the fault strikes at a chosen hour, and the people's actions are
 * replaced by ones at known times, shaped as the API journals them. The
 * scorecard reads all of them as it reads any trial: livedrill vendors →
 * loadRun → buildEvidence and drillTimings.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../harness/browser/chromium.js';
import { readJournal } from '../../harness/journal/Journal.js';
import type { JournalEntry } from '../../harness/journal/entries.js';
import type { RunSummary } from '../../harness/run/summary.js';
import { writeReport } from '../../harness/report/writeReport.js';
import type { Evidence } from '../../harness/report/evidence.js';
import type { DrillFile } from '../../harness/drill/runFiles.js';
import { loadSlaProfile } from '../../harness/drill/slaProfile.js';
import { DEFAULT_NIGHT } from '../../harness/drill/timeOfDay.js';
import { loadTrial } from '../../harness/vendors/load.js';
import type { Row } from '../../harness/vendors/model.js';
import { buildScorecard, type Scorecard } from '../../harness/vendors/scorecard.js';
import { screenshotPath } from '../screenshots.js';
import { useTempDirs } from '../tempDirs.js';
import { until } from '../until.js';
import { actionEntries, type HandDrill } from './handDrills.js';

const SCENARIOS = { Acme: 'test/vendors/fixtures/trial-acme.yaml', Zeta: 'test/vendors/fixtures/trial-zeta.yaml' } as const;
const SCREENSHOT = screenshotPath('vendors-scorecard.png');
const MIN = 60_000;
const tempDir = useTempDirs();

/** What the test knows of each ticket, from the actions it recorded: the scorecard must say the same. */
interface Known {
  run: string;
  vendor: 'Acme' | 'Zeta';
  severity: 'P1' | 'P2';
  struck: number;
  response: number | null;
  planHours: boolean;
  rootCause: number | null;
  asksBefore: number;
  generic: number;
  verifiedFix: number | null;
  reopens: number;
  escalation: number | null;
  contact: boolean;
  slaOwnMet: boolean;
  yardstickMet: boolean;
}

/** Drills copied from the real ones, the fault struck at a chosen time, the actions at known minutes after it. */
const copies: Array<HandDrill & { from: 'acme-1' | 'zeta-1'; known: Omit<Known, 'run' | 'vendor' | 'struck'> }> = [
  {
    id: 'acme-2', // Tuesday 15:00 in Los Angeles: inside Twilio's business hours; answered in 20 min
    from: 'acme-1',
    vendor: 'Acme',
    profile: 'twilio-base.yaml',
    struck: '2026-11-24T15:00:00-08:00',
    actions: [
      [2, 'ticket'],
      [22, 'vendor-reply'],
      [30, 'vendor-ask', { text: 'which SDK version?' }],
      [60, 'vendor-diagnosis', { rootCause: true, text: 'keyframe requests lost after a freeze' }],
      [120, 'vendor-fix', { fix: 'fix' }],
      [180, 'fix-verified', { verifiedBy: 'acme-1' }],
    ],
    known: { severity: 'P1', response: 20 * MIN, planHours: true, rootCause: 60 * MIN, asksBefore: 1, generic: 0, verifiedFix: 180 * MIN, reopens: 0, escalation: null, contact: false, slaOwnMet: true, yardstickMet: true },
  },
  {
    id: 'acme-3', // Wednesday 02:00: outside the plan's hours, at night; answered 9 h later, reopened
    from: 'acme-1',
    vendor: 'Acme',
    profile: 'twilio-base.yaml',
    struck: '2026-11-25T02:00:00-08:00',
    actions: [
      [5, 'ticket'],
      [545, 'vendor-reply', { tags: ['restart'] }],
      [600, 'vendor-ask', { text: 'is it your network?', tags: ['network-on-your-side'] }],
      [660, 'vendor-escalate', { contact: 'Kim (Acme engineering)' }],
      [900, 'vendor-diagnosis', { rootCause: true }],
      [960, 'vendor-fix', { fix: 'workaround' }],
      [1020, 'fix-verified', { verifiedBy: 'acme-2' }],
      [1080, 'reopen', { text: 'froze again' }],
    ],
    // Twilio's clock starts at 06:00: due 08:00, the 11:05 reply is late; the 30-minute yardstick too.
    known: { severity: 'P1', response: 540 * MIN, planHours: false, rootCause: 900 * MIN, asksBefore: 1, generic: 2, verifiedFix: null, reopens: 1, escalation: 660 * MIN, contact: true, slaOwnMet: false, yardstickMet: false },
  },
  {
    id: 'zeta-2', // Saturday 23:30: Zoom's P1 runs 24x7, so inside its hours, and at night
    from: 'zeta-1',
    vendor: 'Zeta',
    profile: 'zoom-premier.yaml',
    struck: '2026-11-28T23:30:00-08:00',
    actions: [
      [3, 'ticket'],
      [13, 'vendor-ask', { text: 'send a HAR file', contact: 'Sam (Zeta TAM)' }],
      [35, 'vendor-escalate'],
      [40, 'vendor-diagnosis', { rootCause: true }],
      [60, 'vendor-fix', { fix: 'fix' }],
      [120, 'fix-verified', { verifiedBy: 'zeta-1' }],
    ],
    known: { severity: 'P1', response: 10 * MIN, planHours: true, rootCause: 40 * MIN, asksBefore: 1, generic: 0, verifiedFix: 120 * MIN, reopens: 0, escalation: 35 * MIN, contact: true, slaOwnMet: true, yardstickMet: true },
  },
];

/** Local hour and weekday in Los Angeles (both plans' zone), read without livedrill's own code. */
function losAngeles(t: number): { hour: number; weekday: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: '2-digit', hourCycle: 'h23', weekday: 'short' }).formatToParts(t);
  return { hour: Number(parts.find((p) => p.type === 'hour')!.value), weekday: parts.find((p) => p.type === 'weekday')!.value };
}
const isNight = (t: number): boolean => losAngeles(t).hour >= 22 || losAngeles(t).hour < 7;

/** Nearest-rank percentile, written here again so the check does not lean on the code it checks. */
function nearestRank(sorted: number[], p: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Every value moved by `delta`: epoch-ms numbers and ISO times within the record's span. */
function shift<T>(value: T, delta: number, lo: number, hi: number): T {
  if (typeof value === 'number') return (value >= lo && value <= hi ? value + delta : value) as T;
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
    const t = Date.parse(value);
    return (Number.isFinite(t) && t >= lo && t <= hi ? new Date(t + delta).toISOString() : value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => shift(v, delta, lo, hi)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, delta, lo, hi)])) as T;
  return value;
}

describe('livedrill vendors: two vendors from real and copied drills, every figure checked', () => {
  let root: string;
  let browser: Browser;
  let scorecard: Scorecard;
  let stdout = '';
  const known: Known[] = [];
  const evidence: Record<string, Evidence> = {};

  /** Runs one vendor's real drill into root/<id>, `act` recording the people's part; once more if the machine was saturated. */
  async function realDrill(vendor: keyof typeof SCENARIOS, id: string, act: (ctx: { post: (body: object) => Promise<number>; consoleUrl: string; journal: () => JournalEntry[] }) => Promise<void>): Promise<void> {
    const dir = join(root, id);
    for (let attempt = 1; ; attempt++) {
      rmSync(dir, { recursive: true, force: true });
      const child = spawn(process.execPath, ['harness/cli/livedrill.js', 'drill', SCENARIOS[vendor], '--out', dir], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await until('drill.json', () => existsSync(join(dir, 'drill.json')) || undefined);
      const drill = JSON.parse(readFileSync(join(dir, 'drill.json'), 'utf8')) as DrillFile;
      const token = readFileSync(join(dir, '.token'), 'utf8').trim();
      const journal = (): JournalEntry[] => readJournal(join(dir, 'journal.jsonl'));
      const post = async (body: object): Promise<number> => {
        const res = await fetch(`${drill.apiUrl}/actions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
        expect(res.status, await res.clone().text()).toBe(201);
        return ((await res.json()) as { recorded: { t: number } }).recorded.t;
      };
      await until('the hidden fault', () => journal().some((e) => e.type === 'fault.inject') || undefined);
      await act({ post, consoleUrl: `${drill.consoleUrl}#token=${token}`, journal });
      // Resolve once the viewer has shown frames again, so its recovery is measured.
      await until('the fault reverted', () => journal().some((e) => e.type === 'fault.revert') || undefined);
      await new Promise((r) => setTimeout(r, 2500));
      await post({ action: 'resolve', who: 'alice' });
      await exited;
      const { reliability } = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
      console.log(`${id}: drill ${attempt} was ${reliability.reliable ? 'reliable' : `UNRELIABLE (${reliability.reasons.join('; ')})`}`);
      if (reliability.reliable || attempt >= 2) return;
    }
  }

  /** A copy of a real drill, moved so its fault strikes at `d.struck`, with `d.actions` as the people's part. */
  function copyDrill(d: (typeof copies)[number]): void {
    const entries = readJournal(join(root, d.from, 'journal.jsonl'));
    const summary = JSON.parse(readFileSync(join(root, d.from, 'summary.json'), 'utf8')) as unknown;
    const faultStart = Number(entries.find((e) => e.type === 'fault.inject')!.start);
    const struck = Date.parse(d.struck);
    const [lo, hi] = [entries[0].t - 3_600_000, entries.at(-1)!.t + 3_600_000];
    const moved = entries.filter((e) => e.type !== 'incident.action').map((e) => shift(e, struck - faultStart, lo, hi));
    const all = [...moved, ...actionEntries(d, struck)].sort((a, b) => a.t - b.t);
    mkdirSync(join(root, d.id));
    writeFileSync(join(root, d.id, 'journal.jsonl'), all.map((e) => `${JSON.stringify(e)}\n`).join(''));
    writeFileSync(join(root, d.id, 'summary.json'), JSON.stringify(shift(summary, struck - faultStart, lo, hi)));
    known.push({ run: d.id, vendor: d.vendor as Known['vendor'], struck, ...d.known });
  }

  beforeAll(async () => {
    root = tempDir('livedrill-trial-');
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 1100 });
    const t: Record<string, number> = {};

    await realDrill('Acme', 'acme-1', async ({ post, consoleUrl, journal }) => {
      await post({ action: 'ack', who: 'alice' });
      t.ticket = await post({ action: 'ticket', who: 'alice', ticket: { severity: 'P1', channel: 'portal', reference: 'A-1' } });
      // The console's follow-up form: a clarification tagged as generic, from a named contact.
      await page.goto(consoleUrl, { waitUntil: 'load' });
      await page.waitForSelector('#reply-tags input[value="see-docs"]', { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelector('#vendor-reference option[value="A-1"]') !== null, { timeout: 10_000 });
      await page.type('#who', 'robin');
      await page.click('#reply-tags input[value="see-docs"]');
      await page.type('#vendor-contact', 'Robin (Acme support)');
      await page.type('#vendor-text', 'which SDK version? see our docs');
      await page.click('#action-vendor-ask');
      await page.waitForSelector('#timeline-list li[data-action="vendor-ask"]', { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelector('#tickets-body tr[data-reference="A-1"] td.progress')?.textContent?.includes('1 ask'), { timeout: 10_000 });
      t.ask = journal().find((e) => e.action === 'vendor-ask')!.t;
      expect(journal().find((e) => e.action === 'vendor-ask')).toMatchObject({ source: 'console', who: 'robin', reference: 'A-1', tags: ['see-docs'], contact: 'Robin (Acme support)' });
      t.diagnosis = await post({ action: 'vendor-diagnosis', who: 'alice', rootCause: true, text: 'the SDK drops keyframe requests' });
      await post({ action: 'vendor-fix', who: 'alice', fix: 'fix' });
    });
    await realDrill('Zeta', 'zeta-1', async ({ post }) => {
      t.zTicket = await post({ action: 'ticket', who: 'alice', ticket: { severity: 'P2', channel: 'chat', reference: 'Z-1' } });
      t.zReply = await post({ action: 'vendor-reply', who: 'alice', contact: 'Sam (Zeta TAM)' });
      t.zDiagnosis = await post({ action: 'vendor-diagnosis', who: 'alice', rootCause: true });
    });
    for (const d of copies) copyDrill(d);

    // After the drill ended, the fix verified by a re-run: the CLI appends it to the journal.
    const verified = spawnSync(process.execPath, ['harness/cli/livedrill.js', 'incident', 'fix-verified', '--run', join(root, 'acme-1'), '--who', 'alice', '--verified-by', join(root, 'acme-2')], { encoding: 'utf8' });
    expect(verified.stderr).toBe('');
    t.verified = readJournal(join(root, 'acme-1', 'journal.jsonl')).at(-1)!.t;

    for (const [id, vendor, severity] of [['acme-1', 'Acme', 'P1'], ['zeta-1', 'Zeta', 'P2']] as const) {
      evidence[id] = (await writeReport(join(root, id))).content;
      const struck = evidence[id].faults[0].start;
      const acme = vendor === 'Acme';
      const { hour, weekday } = losAngeles(struck);
      known.push({
        run: id,
        vendor,
        severity,
        struck,
        response: acme ? t.ask - t.ticket : t.zReply - t.zTicket,
        // Twilio's P1: Mon-Fri 06:00-18:00 in Los Angeles; Zoom's P2: 24x7.
        planHours: acme ? !['Sat', 'Sun'].includes(weekday) && hour >= 6 && hour < 18 : true,
        rootCause: (acme ? t.diagnosis : t.zDiagnosis) - struck,
        asksBefore: acme ? 1 : 0,
        generic: acme ? 1 : 0,
        verifiedFix: acme ? t.verified - struck : null,
        reopens: 0,
        escalation: null,
        contact: true,
        slaOwnMet: true,
        yardstickMet: true,
      });
    }

    const cli = spawnSync(process.execPath, ['harness/cli/livedrill.js', 'vendors', root, '--out', join(root, 'scorecard')], { encoding: 'utf8' });
    stdout = cli.stdout;
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    scorecard = JSON.parse(readFileSync(join(root, 'scorecard', 'scorecard.json'), 'utf8')) as Scorecard;
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
  });

  const rows = (): Row[] => scorecard.sections.flatMap((s) => s.groups.flatMap((g) => g.rows));
  const rowOf = (key: string): Row => rows().find((r) => r.key === key)!;
  /** A cell's values and spread must be exactly these values' (a share: k of n). */
  const expectCell = (key: string, vendor: string, values: number[] | { k: number; n: number } | null): void => {
    const cell = rowOf(key).cells[vendor];
    if (values === null) return void expect(cell, `${key} ${vendor}`).toBeUndefined();
    if (!Array.isArray(values)) return void expect(cell.rate, `${key} ${vendor}`).toMatchObject(values);
    const sorted = [...values].sort((a, b) => a - b);
    expect(cell.samples.map((s) => s.value).sort((a, b) => a - b), `${key} ${vendor}`).toEqual(sorted);
    expect(cell.spread, `${key} ${vendor}`).toMatchObject({ n: sorted.length, p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), min: sorted[0] ?? null, max: sorted.at(-1) ?? null });
  };

  it('prints each vendor\'s sample and writes scorecard.json, .md and .html', () => {
    expect(stdout).toContain('Acme: 3 drills and 0 plain runs: 3 tickets, 3 runs with SDK figures.');
    expect(stdout).toContain('Zeta: 2 drills and 0 plain runs: 2 tickets, 2 runs with SDK figures. Too small a sample: 2 tickets is too few to rank its support; 2 runs with SDK figures is too few to rank its SDK (at least 3 each).');
    expect(stdout).not.toContain('WARNING');
    // One livedrill, one scenario (each vendor's copy of it): nothing to warn about.
    expect(scorecard.fairness.warnings).toEqual([]);
    expect(new Set(scorecard.runs.map((r) => r.scenario.fingerprint)).size).toBe(1);
    expect(scorecard.runs.map((r) => [r.id, r.vendor, r.kind, r.reliability, r.status])).toEqual([
      ['acme-1', 'Acme', 'drill', 'reliable', 'complete'],
      ['acme-2', 'Acme', 'drill', 'reliable', 'complete'],
      ['acme-3', 'Acme', 'drill', 'reliable', 'complete'],
      ['zeta-1', 'Zeta', 'drill', 'reliable', 'complete'],
      ['zeta-2', 'Zeta', 'drill', 'reliable', 'complete'],
    ]);
    // Evidence links: the real drills' evidence packs, the copies' journals, relative to the scorecard.
    expect(scorecard.runs.map((r) => r.evidence)).toEqual(['../acme-1/report.html', '../acme-2/journal.jsonl', '../acme-3/journal.jsonl', '../zeta-1/report.html', '../zeta-2/journal.jsonl']);
    expect(scorecard.vendors.map((v) => [v.name, v.drills, v.tickets, v.plans])).toEqual([
      ['Acme', ['acme-1', 'acme-2', 'acme-3'], 3, ['Twilio Bootstrap (twilio-base.yaml)']],
      ['Zeta', ['zeta-1', 'zeta-2'], 2, ['Zoom Premier (zoom-premier.yaml)']],
    ]);
  });

  it('SDK under faults: the evidence packs\' figures, per vendor, with their spread', () => {
    const sdk = (vendor: string) => known.filter((k) => k.vendor === vendor).map((k) => evidence[k.run.startsWith('acme') ? 'acme-1' : 'zeta-1']);
    for (const vendor of ['Acme', 'Zeta']) {
      const packs = sdk(vendor);
      const targeted = packs.flatMap((e) => e.faults[0].perViewer.filter((v) => v.targeted));
      expectCell('sdk.recovery.video-freeze', vendor, targeted.filter((v) => v.recoverySeconds !== null).map((v) => v.recoverySeconds! * 1000));
      expectCell('sdk.unrecovered.video-freeze', vendor, { k: packs.reduce((a, e) => a + e.faults[0].viewers.unrecovered.length, 0), n: targeted.length });
      const perMinute = (e: Evidence, seconds: (v: Evidence['viewers'][number]) => number) =>
        e.viewers.reduce((a, v) => a + seconds(v), 0) / (e.viewers.reduce((a, v) => a + v.watchSeconds, 0) / 60);
      expectCell('sdk.freeze-per-minute', vendor, packs.map((e) => perMinute(e, (v) => v.freezes.w3c.totalSeconds)));
      expectCell('sdk.audio-gap-per-minute', vendor, packs.map((e) => perMinute(e, (v) => v.audio.gaps.totalSeconds)));
      expectCell('sdk.join', vendor, packs.flatMap((e) => e.viewers.map((v) => v.joinSeconds! * 1000)));
    }
    // The freeze did freeze the viewer, and it came back: the recovery was measured.
    expect(rowOf('sdk.recovery.video-freeze').cells.Acme.spread!.n).toBe(3);
    expect(rowOf('sdk.freeze-per-minute').cells.Acme.spread!.p50).toBeGreaterThan(0);
    expect(rowOf('sdk.join').verdict).toBe('too small to rank: Zeta 2 runs (at least 3 each)');
  });

  it('response, problem solving and service: every figure from the known action times', () => {
    const of = (vendor: string) => known.filter((k) => k.vendor === vendor);
    const values = (vendor: string, pick: (k: Known) => number | null, only: (k: Known) => boolean = () => true) =>
      of(vendor).filter(only).flatMap((k) => (pick(k) === null ? [] : [pick(k)!]));
    const share = (vendor: string, has: (k: Known) => boolean) => ({ k: of(vendor).filter(has).length, n: of(vendor).length });
    const checked: string[] = [];
    const check = (key: string, expected: (vendor: string) => number[] | { k: number; n: number } | null): void => {
      for (const vendor of ['Acme', 'Zeta']) expectCell(key, vendor, expected(vendor));
      checked.push(key);
    };
    const response = (k: Known) => k.response;
    check('response.P1', (v) => values(v, response, (k) => k.severity === 'P1'));
    check('response.P2', (v) => values(v, response, (k) => k.severity === 'P2'));
    check('response.plan-hours', (v) => values(v, response, (k) => k.planHours));
    check('response.off-plan-hours', (v) => values(v, response, (k) => !k.planHours));
    check('response.day', (v) => values(v, response, (k) => !isNight(k.struck)));
    check('response.night', (v) => values(v, response, (k) => isNight(k.struck)));
    check('response.unanswered', (v) => share(v, (k) => k.response === null));
    check('response.sla-own', (v) => share(v, (k) => k.slaOwnMet));
    check('response.sla-yardstick', (v) => share(v, (k) => k.yardstickMet));
    check('solving.root-cause-share', (v) => share(v, (k) => k.rootCause !== null));
    check('solving.root-cause', (v) => values(v, (k) => k.rootCause));
    check('solving.clarifications', (v) => values(v, (k) => k.asksBefore));
    check('solving.vague', (v) => values(v, () => 0));
    check('solving.generic', (v) => values(v, (k) => k.generic));
    check('solving.fix', (v) => values(v, (k) => k.verifiedFix));
    check('solving.solved', (v) => share(v, (k) => k.verifiedFix !== null));
    check('solving.reopens', (v) => values(v, (k) => k.reopens));
    check('service.escalated', (v) => share(v, (k) => k.escalation !== null));
    check('service.escalation', (v) => values(v, (k) => k.escalation));
    check('service.contact', (v) => share(v, (k) => k.contact));
    // Every support row was checked; the SDK rows are checked above.
    expect(rows().filter((r) => !r.key.startsWith('sdk.')).map((r) => r.key)).toEqual(checked);

    expect(rowOf('solving.generic').cells.Acme.detail).toBe('network-on-your-side 1, restart 1, see-docs 1');
    expect(rowOf('service.contact').cells.Acme.detail).toBe('Robin (Acme support), Kim (Acme engineering)');
    expect(rowOf('response.sla-own').cells.Zeta.detail).toBe('Zoom Premier');
    expect(rowOf('response.P1').verdict).toBe('too small to rank: Zeta 1 ticket (at least 3 each)');
    expect(rowOf('service.escalated').verdict).toBe('context, not ranked');
  });

  it('fixes verified by re-runs are looked up among the runs given', () => {
    const affected = (id: string) => evidence[id.startsWith('acme') ? 'acme-1' : 'zeta-1'].faults[0].perViewer.filter((v) => v.targeted && v.affected).length;
    expect(scorecard.verifications).toEqual([
      { vendor: 'Acme', run: 'acme-1', ticket: 'A-1', rerun: 'acme-2', found: true, shows: `${affected('acme-2')} of 1 targeted viewers still affected by video-freeze` },
      { vendor: 'Acme', run: 'acme-2', ticket: 'T-acme-2', rerun: 'acme-1', found: true, shows: `${affected('acme-1')} of 1 targeted viewers still affected by video-freeze` },
      { vendor: 'Zeta', run: 'zeta-2', ticket: 'T-zeta-2', rerun: 'zeta-1', found: true, shows: `${affected('zeta-1')} of 1 targeted viewers still affected by video-freeze` },
    ]);
  });

  it('ranks once every vendor has enough samples', async () => {
    const runs = await loadTrial({ dirs: [root], vendors: [] });
    const two = buildScorecard(runs, {
      minSample: 2,
      yardstick: { profile: await loadSlaProfile('scenarios/sla/urgent-30m-24x7.yaml'), file: 'urgent-30m-24x7.yaml' },
      timeZone: null,
      night: DEFAULT_NIGHT,
      allowMixedVersions: false,
      outDir: join(root, 'scorecard'),
    });
    const row = (key: string) => two.sections.flatMap((s) => s.groups.flatMap((g) => g.rows)).find((r) => r.key === key)!;
    expect(row('solving.solved')).toMatchObject({ verdict: 'highest rate: Acme', leaders: ['Acme'] }); // 2 of 3 against 1 of 2
    expect(row('solving.clarifications')).toMatchObject({ verdict: 'lowest p50: Zeta', leaders: ['Zeta'] }); // p50 1 against 0
    expect(row('response.sla-yardstick').leaders).toEqual(['Zeta']); // 2 of 3 against 2 of 2
  });

  it('the Markdown says the same, with the values behind each figure linked to their runs', () => {
    const md = readFileSync(join(root, 'scorecard', 'scorecard.md'), 'utf8');
    expect(md).toMatch(/^# Vendor scorecard: Acme vs Zeta\n/);
    expect(md).toContain('| Reopened (per ticket) | p50 0 · p95 1 · 0–1 · total 1 · n 3 | p50 0 · p95 0 · 0–0 · total 0 · n 2 | too small to rank: Zeta 2 tickets (at least 3 each) |');
    expect(md).toContain('- Time to a verified fix (from the fault), Zeta: [zeta-2](<../zeta-2/journal.jsonl>) T-zeta-2, struck Sat 23:30 Los Angeles: 2 h');
    expect(md).toContain('[acme-3](<../acme-3/journal.jsonl>) T-acme-3, struck Wed 02:00 Los Angeles: 9 h');
    expect(md).toContain('[acme-2](<../acme-2/journal.jsonl>) T-acme-2, struck Tue 15:00 Los Angeles: 20 min');
    expect(md).toContain('| Acme | [acme-1](<../acme-1/report.html>), [acme-2](<../acme-2/journal.jsonl>), [acme-3](<../acme-3/journal.jsonl>) |');
  });

  it('the HTML scorecard renders in Chromium from the file alone, requesting nothing', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const file = join(root, 'scorecard', 'scorecard.html');
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => u !== `file://${file}`)).toEqual([]);
    expect(await page.$$eval('table.figures thead tr:first-child th', (ths) => ths.map((th) => th.textContent))).toEqual(
      Array(scorecard.sections.reduce((a, s) => a + s.groups.length, 0)).fill(null).flatMap(() => ['figure', 'Acme', 'Zeta', 'verdict']),
    );
    expect(await page.$$eval('table.figures tbody tr', (trs) => trs.length)).toBe(rows().length);
    const reopens = await page.$eval('tr[data-row="solving.reopens"] td[data-vendor="Acme"]', (td) => td.textContent);
    expect(reopens).toMatch(/^p50 0 · p95 1 · 0–1 · total 1 · n 3/);
    // Each figure opens onto its values, each linking to its run's evidence.
    const links = await page.$$eval('tr[data-row="solving.fix"] td[data-vendor="Acme"] details a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['../acme-1/report.html', '../acme-2/journal.jsonl']);
    await page.$$eval('tr[data-row^="response."] details, tr[data-row^="solving."] details', (ds) => ds.forEach((d) => d.setAttribute('open', '')));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
