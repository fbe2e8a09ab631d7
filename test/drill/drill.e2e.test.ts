/**
 * A whole drill for real: `livedrill drill` runs the SFU, a Chromium publisher
 * and 2 Chromium viewers; one video freeze for everyone strikes at a hidden
 * time in [3 s, 5 s]. The drill console is opened in headless Chromium: it
 * must show live data and the freeze alert, and its ack button must land in
 * the journal. Then ticket / vendor-reply / mitigate / resolve go through the
 * HTTP API with the token; resolve ends the drill before its time limit, and
 * the timings computed from the journal must match when things were done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../harness/browser/chromium.js';
import { readJournal } from '../../harness/journal/Journal.js';
import type { JournalEntry } from '../../harness/journal/entries.js';
import { loadSlaProfile } from '../../harness/drill/slaProfile.js';
import { deadline } from '../../harness/drill/slaClock.js';
import { drillTimings, type IncidentTimings } from '../../harness/drill/timings.js';
import { loadDrill } from '../../harness/drill/load.js';
import type { DrillFile } from '../../harness/drill/runFiles.js';
import { screenshotPath } from '../screenshots.js';
import { until } from '../until.js';

const SCENARIO = 'test/drill/fixtures/freeze-drill.yaml';
const SCREENSHOT = screenshotPath('console.png');

describe('a drill end to end: hidden freeze, live console, human actions, SLA timings', () => {
  let outDir: string;
  let child: ChildProcess;
  let stdout = '';
  let exit: Promise<number | null>;
  let drill: DrillFile;
  let token: string;
  let browser: Browser;
  let page: Page;
  const journal = (): JournalEntry[] => readJournal(join(outDir, 'journal.jsonl'));
  /** When each action was sent (client side): [before, after] the request. */
  const sent: Record<string, [number, number]> = {};
  const post = (body: unknown, auth: string | null = `Bearer ${token}`) =>
    fetch(`${drill.apiUrl}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    });
  const act = async (body: { action: string } & Record<string, unknown>): Promise<void> => {
    const before = Date.now();
    const res = await post(body);
    sent[body.action] = [before, Date.now()];
    expect(res.status, await res.clone().text()).toBe(201);
  };

  beforeAll(async () => {
    outDir = join(mkdtempSync(join(tmpdir(), 'livedrill-drill-')), 'run');
    child = spawn(process.execPath, ['harness/cli/livedrill.js', 'drill', SCENARIO, '--out', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stdout += d.toString()));
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await until('drill.json', () => existsSync(join(outDir, 'drill.json')) || undefined, 30_000);
    drill = JSON.parse(readFileSync(join(outDir, 'drill.json'), 'utf8')) as DrillFile;
    token = readFileSync(join(outDir, '.token'), 'utf8').trim();
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 1100 });
    await page.goto(`${drill.consoleUrl}#token=${token}`, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await exit;
    }
  });

  it('prints the console URL with its token, and leaves drill.json and a private .token for other commands', async () => {
    await until('the console URL on stdout', () => stdout.includes('#token=') || undefined);
    expect(stdout).toContain(`console  ${drill.consoleUrl}#token=${token}`);
    expect(drill).toMatchObject({ runDir: outDir, apiUrl: `${drill.consoleUrl}api`, endedAt: null });
    expect(drill.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(statSync(join(outDir, '.token')).mode & 0o777).toBe(0o600);
  });

  it('the console shows live data: both viewers connected, charts drawing points', async () => {
    await page.waitForFunction(() => document.getElementById('kpi-connected')?.textContent === '2 / 2', { timeout: 40_000 });
    await page.waitForFunction(
      () => (document.querySelector('#chart-viewers polyline[data-series="connected"]')?.getAttribute('points') ?? '').split(' ').filter(Boolean).length >= 3,
      { timeout: 10_000 },
    );
    expect(await page.$eval('#feed', (e) => e.textContent)).toBe('live');
    expect(await page.$eval('#phase', (e) => e.textContent)).toBe('broadcasting');
    expect(await page.$eval('#drill-name', (e) => e.textContent)).toBe('Drill: freeze-drill');
    expect(await page.$eval('#banner-readonly', (e) => (e as HTMLElement).hidden)).toBe(true);
    // The token left the address bar once read (no history entry, no screenshot, no shoulder carries it).
    expect(page.url()).not.toContain('token');
    const loadPoints = await page.$eval('#chart-load polyline[data-series="machineBusy"]', (e) => e.getAttribute('points')!.split(' ').length);
    expect(loadPoints).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('shows the freeze alert when the hidden fault strikes', async () => {
    await page.waitForSelector('#alerts-firing li[data-rule="freeze-ratio"]', { timeout: 25_000 });
    const inject = journal().find((e) => e.type === 'fault.inject')!;
    const fire = journal().find((e) => e.type === 'alert.fire')!;
    expect(fire).toMatchObject({ rule: 'freeze-ratio', faultId: '1-video-freeze' });
    expect(fire.t).toBeGreaterThan(inject.t); // no false alarm before the fault
    // The hidden fault struck where the seeded schedule said, inside its window.
    const steady = journal().find((e) => e.type === 'run.steady')!.t;
    const { schedule } = await loadDrill(SCENARIO);
    expect(Math.abs(inject.t - steady - schedule.faults[0].at)).toBeLessThan(300);
    expect(inject.t - steady).toBeGreaterThanOrEqual(3000 - 50);
    expect(inject.t - steady).toBeLessThanOrEqual(5000 + 300);
  }, 30_000);

  it('the console\'s ack button records the action in the journal', async () => {
    await page.type('#who', 'alice');
    await page.type('#form-quick input[name="text"]', 'every viewer frozen');
    const before = Date.now();
    await page.click('#action-ack');
    await page.waitForSelector('#timeline-list li[data-action="ack"]', { timeout: 10_000 });
    sent.ack = [before, Date.now()];
    expect(await page.$eval('#action-status', (e) => e.textContent)).toContain('Recorded: alice acknowledged');
    const ack = journal().find((e) => e.type === 'incident.action' && e.action === 'ack')!;
    expect(ack).toMatchObject({ who: 'alice', source: 'console', text: 'every viewer frozen' });
    expect(ack.t).toBeGreaterThanOrEqual(before);
  });

  it('the API refuses a request without the token (401) and a malformed one (400, naming the field)', async () => {
    const anonymous = await post({ action: 'ticket', who: 'mallory' }, null);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error).toContain('Authorization: Bearer');
    const malformed = await post({ action: 'ticket', who: 'alice', ticket: { severity: 'urgent', channel: 'portal', reference: 'TW-1' } });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toContain('ticket.severity: Invalid option: expected one of "P1"|"P2"|"P3"|"P4"');
  });

  it('records ticket, vendor reply and mitigation through the API; the console and /metrics follow', async () => {
    await act({ action: 'ticket', who: 'alice', ticket: { vendor: 'Twilio', severity: 'P1', channel: 'portal', reference: 'TW-1001' } });
    await act({ action: 'vendor-reply', who: 'bob', reference: 'TW-1001', text: 'Twilio: looking into it' });
    await act({ action: 'mitigate', who: 'alice', text: 'viewers see video again' });
    await page.waitForSelector('#tickets-body tr[data-reference="TW-1001"] .sla-met', { timeout: 5000 });
    await page.waitForFunction(() => document.querySelectorAll('#timeline-list li').length === 4, { timeout: 5000 });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // drill.json gets the metrics URL once the SFU is up: read it now, not as first written.
    const { metricsUrl } = JSON.parse(readFileSync(join(outDir, 'drill.json'), 'utf8')) as DrillFile;
    const metrics = await (await fetch(metricsUrl!)).text();
    expect(metrics).toMatch(/livedrill_drill_alerts_total\{rule="freeze-ratio"\} [1-9]/);
    expect(metrics).toContain('livedrill_incident_actions_total{action="vendor-reply"} 1');
    for (const name of ['time_to_detect', 'time_to_acknowledge', 'time_to_escalate', 'vendor_first_response', 'time_to_mitigate']) {
      expect(metrics).toContain(`livedrill_incident_${name}_seconds_count 1`);
    }
    expect(metrics).toContain('livedrill_incident_time_to_resolve_seconds_count 0');
    // Every metric the drill dashboard queries is one a real drill exports (and no fault metric: they stay hidden).
    const dashboard = readFileSync('dashboards/grafana/dashboards/drill.json', 'utf8');
    const used = new Set([...dashboard.matchAll(/livedrill_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
    const exported = new Set([...metrics.matchAll(/^# TYPE (livedrill_[a-z_]+)/gm)].map((m) => m[1]));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    expect(metrics).not.toMatch(/livedrill_fault/);
  });

  it('resolve ends the drill before its time limit; the console says so', async () => {
    await act({ action: 'resolve', who: 'alice', text: 'vendor confirmed a fix' });
    await page.waitForSelector('#banner-ended:not([hidden])', { timeout: 15_000 });
    expect(await page.$eval('#banner-ended', (e) => e.textContent)).toContain('every incident resolved');
    expect(await exit).toBe(0);
    const entries = journal();
    const steady = entries.find((e) => e.type === 'run.steady')!.t;
    const end = entries.find((e) => e.type === 'drill.end')!;
    expect(end).toMatchObject({ reason: 'resolved', injected: 1, scheduled: 1 });
    expect(end.t - steady).toBeLessThan(25_000);
    expect(entries.at(-1)!.type).toBe('run.end');
    expect(JSON.parse(readFileSync(join(outDir, 'drill.json'), 'utf8'))).toMatchObject({ endReason: 'resolved', endedAt: expect.any(String) });
    expect(readFileSync(join(outDir, 'journal.jsonl'), 'utf8')).not.toContain(token);
  }, 60_000);

  it('computes the timings from the journal, matching when things were done, and the SLA verdict', async () => {
    const entries = journal();
    const profile = await loadSlaProfile('scenarios/sla/twilio-base.yaml');
    const { incidents, unmatched } = drillTimings(entries, { profiles: { Twilio: profile }, now: Date.now() });
    expect(unmatched).toEqual([]);
    expect(incidents).toHaveLength(1);
    const incident: IncidentTimings = incidents[0];
    const inject = entries.find((e) => e.type === 'fault.inject')!;
    const fire = entries.find((e) => e.type === 'alert.fire')!;
    const within1s = (at: number | null, action: string) => {
      const [before, after] = sent[action];
      expect(at, action).not.toBeNull();
      expect(at!, action).toBeGreaterThanOrEqual(before - 1000);
      expect(at!, action).toBeLessThanOrEqual(after + 1000);
    };
    expect(incident.faultStart).toBe(inject.t);
    expect(incident.detectMs).toBe(fire.t - inject.t);
    expect(incident.detectMs!).toBeGreaterThan(0);
    expect(incident.detectMs!).toBeLessThan(6000);
    within1s(incident.acknowledgedAt, 'ack');
    expect(incident.acknowledgeMs).toBe(incident.acknowledgedAt! - fire.t);
    const ticket = incident.tickets[0];
    within1s(ticket.openedAt, 'ticket');
    expect(incident.escalateMs).toBe(ticket.openedAt - incident.acknowledgedAt!);
    within1s(ticket.firstReplyAt, 'vendor-reply');
    expect(ticket.responseMs).toBe(ticket.firstReplyAt! - ticket.openedAt);
    within1s(incident.mitigatedAt, 'mitigate');
    expect(incident.mitigateMs).toBe(incident.mitigatedAt! - inject.t);
    within1s(incident.resolvedAt, 'resolve');
    expect(incident.resolveMs).toBe(incident.resolvedAt! - inject.t);

    // Twilio Bootstrap P1: first response within 2 business hours (Mon-Fri 06:00-18:00 Los Angeles).
    const due = deadline(profile.severities.P1.coverage, ticket.openedAt, 2 * 3_600_000);
    expect(ticket.sla).toMatchObject({ status: 'met', profile: 'Twilio Bootstrap', severity: 'P1', budgetMs: 7_200_000, deadline: due, marginMs: due - ticket.firstReplyAt! });

    // The CLI printed the same outcome.
    expect(stdout).toContain('drill ended: resolved');
    expect(stdout).toMatch(new RegExp(`1-video-freeze\\s+video-freeze\\s+T\\+[\\d.]+s\\s+freeze-ratio`));
    expect(stdout).toMatch(/TW-1001\s+1-video-freeze\s+Twilio\s+P1\s.*MET \(/);
    console.log(
      'drill timings (s):',
      JSON.stringify({
        detect: incident.detectMs! / 1000,
        acknowledge: incident.acknowledgeMs! / 1000,
        escalate: incident.escalateMs! / 1000,
        vendorFirstResponse: ticket.responseMs! / 1000,
        mitigate: incident.mitigateMs! / 1000,
        resolve: incident.resolveMs! / 1000,
        sla: ticket.sla,
      }),
    );
  });
});
