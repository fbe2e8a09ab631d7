/**
 * The drill console's HTTP API and the session behind it, on a stand-in run
 * (a real journal and registry, progress events fed by hand): tokens, input
 * validation, what is journaled, what the console may see, metrics, and the
 * end of the drill on resolve.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { Journal, readJournal } from '../../harness/journal/Journal.js';
import type { RunEvents, RunProgress } from '../../harness/run/lifecycle.js';
import { ConsoleServer } from '../../harness/drill/ConsoleServer.js';
import { DrillSession, type DrillRun } from '../../harness/drill/DrillSession.js';
import type { ObservedViewer } from '../../harness/drill/detectors.js';
import { loadDrill, type LoadedDrill } from '../../harness/drill/load.js';
import { newToken } from '../../harness/drill/runFiles.js';

const T0 = Date.UTC(2026, 0, 14, 17, 0, 0); // a Wednesday, 09:00 in Los Angeles: Twilio business hours

describe('drill console API', () => {
  let loaded: LoadedDrill;
  let session: DrillSession;
  let server: ConsoleServer;
  let run: DrillRun & { observer: TypedEmitter<RunEvents> };
  let journalFile: string;
  let stopped: string | undefined;
  const token = newToken();
  let frozenNow = false;
  const viewers: ObservedViewer[] = [0, 1].map(() => ({
    qoe: {
      firstMediaAt: T0,
      disconnectedAt: undefined,
      disconnects: 0,
      recoveries: 0,
      totals: { audioSamplesReceived: 0, audioConcealedSamples: 0 },
    },
  }));
  const at = (ms: number): void => void vi.setSystemTime(T0 + ms);
  const progress = (): RunProgress => ({
    elapsedMs: 0, durationMs: 25_000, viewers: 2, joined: 2, connected: 2, frozen: frozenNow ? 2 : 0, fps: 30,
    freezes: 0, freezeSeconds: 0, audioConcealedSeconds: 0, activeFaults: 0, latencyMs: { video: 95, path: null },
  });
  const post = (body: unknown, auth: string | null = `Bearer ${token}`, raw?: string) =>
    fetch(`${server.apiUrl}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: raw ?? JSON.stringify(body),
    });

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    loaded = await loadDrill('test/drill/fixtures/freeze-drill.yaml');
    journalFile = join(mkdtempSync(join(tmpdir(), 'livedrill-console-')), 'journal.jsonl');
    run = { observer: new TypedEmitter<RunEvents>(), journal: new Journal(journalFile), registry: new Registry(), viewers };
    session = new DrillSession({
      name: 'freeze-drill', schedule: loaded.schedule, alerts: loaded.drill.alerts, vendor: loaded.vendor,
      profile: loaded.profile, slaProfileFile: loaded.slaProfileFile, slaProfileYaml: loaded.slaProfileYaml, tokenIssuedAt: T0,
    });
    session.attach(run);
    void session.stopWhen.then((r) => (stopped = r));
    server = await ConsoleServer.start(session, { token });
  });

  afterAll(async () => {
    await server?.close();
    vi.useRealTimers();
  });

  it('listens on loopback and serves the page, with a strict content security policy', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script src="/console.js"');
    expect((await fetch(`${server.url}console.js`)).headers.get('content-type')).toContain('javascript');
    const missing = await fetch(`${server.url}nope`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${server.apiUrl}/actions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  it('every API read needs the token too: names, notes and tickets are the team\'s', async () => {
    expect((await fetch(`${server.apiUrl}/state`)).status).toBe(401);
    expect((await fetch(`${server.apiUrl}/events`)).status).toBe(401);
    expect((await fetch(`${server.apiUrl}/state?token=wrong-token-wrong-token`)).status).toBe(401);
    expect((await fetch(`${server.apiUrl}/state`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('refuses a Host that is not its own (DNS rebinding), 421', async () => {
    const port = new URL(server.url).port;
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/state', headers: { host: `attacker.example:${port}`, authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    expect((await fetch(`http://localhost:${port}/`)).status).toBe(200);
  });

  it('refuses control characters (terminal escapes) in names and notes, naming the field', async () => {
    const who = await post({ action: 'ack', who: 'eve\u001b[2J' });
    expect(who.status).toBe(400);
    expect((await who.json()).error).toMatch(/who: control characters/);
    const note = await post({ action: 'note', who: 'eve', text: 'ok\u0007\u009b31m' });
    expect(note.status).toBe(400);
    expect((await note.json()).error).toMatch(/text: control characters/);
  });

  it('journals drill.start and the hidden schedule after the run starts, never the token', () => {
    run.journal.write('run.start', {});
    run.observer.emit('phase', 'starting SFU');
    const entries = readJournal(journalFile);
    const start = entries.find((e) => e.type === 'drill.start')!;
    // The profile travels inside the journal, by file name and text: never this machine's path.
    expect(start).toMatchObject({ seed: 7, slaProfile: 'twilio-base.yaml', slaProfileYaml: loaded.slaProfileYaml, vendor: 'Twilio', tokenIssuedAt: T0, timeLimitMs: 25_000 });
    expect(entries.find((e) => e.type === 'drill.schedule')).toMatchObject({ seed: 7, faults: [{ faultId: '1-video-freeze', kind: 'video-freeze', window: [3000, 5000], duration: 4000 }] });
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('refuses writes without the token (401) and says why', async () => {
    const none = await post({ action: 'ack', who: 'eve' }, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await none.json()).error).toContain('missing "Authorization: Bearer <token>" header');
    const wrong = await post({ action: 'ack', who: 'eve' }, `Bearer ${newToken()}`);
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toContain('wrong token');
    expect((await post({ action: 'ack', who: 'eve' }, 'Basic abc')).status).toBe(401);
  });

  it('refuses malformed actions (400) naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ action: 'ack' }, 'POST /api/actions: who: Invalid input: expected string, received undefined'],
      [{ action: 'ack', who: '  ' }, 'who: expected a non-empty string'],
      [{ action: 'panic', who: 'bob' }, 'action: Invalid option: expected one of "ack"|"ticket"'],
      [{ action: 'ticket', who: 'bob' }, 'ticket: expected the ticket { severity, channel, reference, vendor? }'],
      [{ action: 'ticket', who: 'bob', ticket: { severity: 'P0', channel: 'portal', reference: 'X' } }, 'ticket.severity: Invalid option: expected one of "P1"|"P2"|"P3"|"P4"'],
      [{ action: 'ticket', who: 'bob', ticket: { severity: 'P1', reference: 'X' } }, 'ticket.channel: Invalid input'],
      [{ action: 'reclassify', who: 'bob' }, 'severity: expected the new severity (P1-P4) of a "reclassify" action'],
      [{ action: 'ack', who: 'bob', severity: 'P1' }, 'severity: only a "reclassify" action changes the severity, not "ack"'],
      [{ action: 'note', who: 'bob' }, 'text: expected the text of a "note" action'],
      [{ action: 'ack', who: 'bob', colour: 'red' }, 'Unrecognized key: "colour"'],
      [{ action: 'vendor-reply', who: 'bob' }, 'action: no vendor ticket is open yet'],
      [{ action: 'reopen', who: 'bob' }, 'action: no vendor ticket is open yet: record a "ticket" action before a "reopen"'],
      [{ action: 'vendor-ask', who: 'bob' }, 'text: expected what the vendor asked for, the text of a "vendor-ask" action'],
      [{ action: 'vendor-diagnosis', who: 'bob', text: 'a bug' }, 'rootCause: expected rootCause: true (the vendor named the root cause) or false'],
      [{ action: 'vendor-fix', who: 'bob', fix: 'patch' }, 'fix: Invalid option: expected one of "fix"|"workaround"'],
      [{ action: 'fix-verified', who: 'bob' }, 'verifiedBy: expected verifiedBy: the run directory (or id) of the re-run'],
      [{ action: 'ack', who: 'bob', rootCause: true }, 'rootCause: only a "vendor-diagnosis" action has rootCause, not "ack"'],
      [{ action: 'reopen', who: 'bob', verifiedBy: 'run-2' }, 'verifiedBy: only a "fix-verified" action has verifiedBy, not "reopen"'],
      [{ action: 'ack', who: 'bob', tags: ['restart'] }, 'tags: only what the vendor said (vendor-reply, vendor-ask, vendor-diagnosis, vendor-fix, vendor-escalate) has tags, not "ack"'],
      [{ action: 'fix-verified', who: 'bob', verifiedBy: 'r', contact: 'Jane' }, 'contact: only what the vendor said'],
      [{ action: 'vendor-reply', who: 'bob', tags: ['rtfm'] }, 'tags.0: Invalid option: expected one of "restart"|"see-docs"|"network-on-your-side"'],
      [{ action: 'vendor-reply', who: 'bob', tags: ['restart', 'restart'] }, 'tags: expected each tag once'],
      [{ action: 'vendor-reply', who: 'bob', tags: [] }, 'tags: expected at least one tag, or no tags field'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error).toContain(message);
    }
    const notJson = await post(null, `Bearer ${token}`, '{"action": ');
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toContain('body: expected JSON');
    const res = await post({ action: 'ticket', who: 'bob', ticket: { severity: 'P0', channel: 'portal', reference: 'X' } });
    expect((await res.json()).issues).toEqual([{ field: 'ticket.severity', message: expect.stringContaining('Invalid option') }]);
    expect(readJournal(journalFile).filter((e) => e.type === 'incident.action')).toEqual([]);
  });

  it('a hidden fault shows nowhere in the console state; the alert names it in the journal', async () => {
    run.journal.write('run.steady', {}, T0);
    at(4000);
    run.journal.write('fault.inject', { faultId: '1-video-freeze', kind: 'video-freeze', start: T0 + 4000, end: T0 + 8000, targets: ['browser-1', 'browser-2'], params: {} }, T0 + 4000);
    frozenNow = true;
    for (const s of [5, 6, 7]) {
      at(s * 1000);
      run.observer.emit('progress', progress());
    }
    const state = await (await fetch(`${server.apiUrl}/state`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(state.alerts.firing).toEqual([expect.objectContaining({ rule: 'freeze-ratio', since: T0 + 7000, value: 1 })]);
    expect(state.history).toHaveLength(3);
    expect(state.live).toMatchObject({ connected: 2, frozen: 2, freezeRatio: 1 });
    expect(state.steadyAt).toBe(T0);
    expect(state.endsAt).toBe(T0 + 25_000);
    expect(JSON.stringify(state)).not.toMatch(/video-freeze|1-video|fault/i);
    expect(readJournal(journalFile).find((e) => e.type === 'alert.fire')).toMatchObject({ t: T0 + 7000, rule: 'freeze-ratio', value: 1, threshold: 0.2, faultId: '1-video-freeze' });
  });

  it('records actions through the API; timings, SLA and metrics follow; resolve ends the drill', async () => {
    const record = async (ms: number, body: object) => {
      at(ms);
      const res = await post(body);
      expect(res.status).toBe(201);
      return (await res.json()).recorded;
    };
    expect(await record(9000, { action: 'ack', who: 'alice', text: 'freezes everywhere' })).toEqual({ action: 'ack', who: 'alice', source: 'api', text: 'freezes everywhere', t: T0 + 9000 });
    expect(await record(12_000, { action: 'ticket', who: 'alice', ticket: { severity: 'P1', channel: 'portal', reference: 'TW-1' } })).toMatchObject({
      ticket: { vendor: 'Twilio', severity: 'P1', channel: 'portal', reference: 'TW-1' },
    });
    const dup = await post({ action: 'ticket', who: 'alice', ticket: { severity: 'P1', channel: 'portal', reference: 'TW-1' } });
    expect(dup.status).toBe(400);
    expect((await dup.json()).error).toContain('ticket.reference: ticket TW-1 is already open');
    const unknown = await post({ action: 'vendor-reply', who: 'bob', reference: 'TW-9' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toContain('reference: no ticket TW-9 was opened in this drill (open: TW-1)');
    await record(20_000, { action: 'vendor-reply', who: 'bob', reference: 'TW-1' });
    await record(22_000, { action: 'mitigate', who: 'alice' });
    expect(stopped).toBeUndefined();
    const state = session.state();
    expect(state.tickets).toEqual([
      expect.objectContaining({ reference: 'TW-1', severity: 'P1', firstReplyAt: T0 + 20_000, sla: expect.objectContaining({ status: 'met', severity: 'P1', budgetMs: 7_200_000 }) }),
    ]);
    expect(state.timeline.map((a) => a.action)).toEqual(['ack', 'ticket', 'vendor-reply', 'mitigate']);

    await record(24_000, { action: 'resolve', who: 'alice', text: 'vendor fixed the publisher path' });
    await Promise.resolve();
    expect(stopped).toBe('resolved');

    const [incident] = session.timings(T0 + 24_000).incidents;
    expect(incident).toMatchObject({
      incidentId: '1-video-freeze',
      detectMs: 3000,
      acknowledgeMs: 2000,
      escalateMs: 3000,
      mitigateMs: 18_000,
      resolveMs: 20_000,
      firstAlert: { at: T0 + 7000, rule: 'freeze-ratio' },
    });
    expect(incident.tickets[0]).toMatchObject({ responseMs: 8000, sla: { status: 'met', deadline: T0 + 12_000 + 7_200_000, marginMs: 7_200_000 - 8000 } });

    const metrics = await run.registry.metrics();
    expect(metrics).toContain('livedrill_drill_alerts_total{rule="freeze-ratio"} 1');
    expect(metrics).toContain('livedrill_incident_actions_total{action="ack"} 1');
    expect(metrics).toContain('livedrill_incident_actions_total{action="resolve"} 1');
    for (const [name, seconds] of [
      ['time_to_detect', 3],
      ['time_to_acknowledge', 2],
      ['time_to_escalate', 3],
      ['vendor_first_response', 8],
      ['time_to_mitigate', 18],
      ['time_to_resolve', 20],
    ] as const) {
      const metric = `livedrill_incident_${name}_seconds`;
      expect(metrics).toContain(`${metric}_sum ${seconds}`);
      expect(metrics).toContain(`${metric}_count 1`);
    }

    const actions = readJournal(journalFile).filter((e) => e.type === 'incident.action');
    expect(actions.map((e) => [e.t - T0, e.action, e.who])).toEqual([
      [9000, 'ack', 'alice'],
      [12_000, 'ticket', 'alice'],
      [20_000, 'vendor-reply', 'bob'],
      [22_000, 'mitigate', 'alice'],
      [24_000, 'resolve', 'alice'],
    ]);
  });

  it("records the vendor's side of the ticket: asks, diagnosis, fix, escalation, verification, reopen; timed from the fault", async () => {
    const record = async (ms: number, body: object) => {
      at(ms);
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(201);
      return (await res.json()).recorded;
    };
    // Without a reference, a ticket action names the latest ticket: it still finds it after the incident was resolved.
    expect(await record(30_000, { action: 'vendor-ask', who: 'bob', text: 'which SDK version?', tags: ['upgrade-sdk'], contact: 'Dana (Twilio)' })).toMatchObject({ reference: 'TW-1', tags: ['upgrade-sdk'] });
    await record(31_000, { action: 'vendor-diagnosis', who: 'bob', rootCause: false, text: 'maybe your network', tags: ['network-on-your-side'] });
    await record(32_000, { action: 'vendor-ask', who: 'bob', text: 'send a packet capture' });
    await record(33_000, { action: 'vendor-escalate', who: 'bob', contact: 'Eli (Twilio media team)' });
    await record(34_000, { action: 'vendor-diagnosis', who: 'bob', rootCause: true, text: 'keyframe requests dropped after a freeze' });
    await record(35_000, { action: 'vendor-fix', who: 'bob', fix: 'workaround', text: 'request a keyframe every 2 s' });
    await record(36_000, { action: 'fix-verified', who: 'alice', verifiedBy: 'run-rerun-1' });
    await record(37_000, { action: 'reopen', who: 'alice', text: 'froze again in the next drill' });
    await record(38_000, { action: 'vendor-fix', who: 'bob', fix: 'fix', text: 'SDK 2.4.1' });
    await record(39_000, { action: 'fix-verified', who: 'alice', verifiedBy: 'run-rerun-2' });

    const progress = {
      clarifications: [
        { at: T0 + 30_000, text: 'which SDK version?' },
        { at: T0 + 32_000, text: 'send a packet capture' },
      ],
      clarificationsBeforeDiagnosis: 2,
      firstDiagnosisAt: T0 + 31_000,
      rootCauseAt: T0 + 34_000,
      vagueDiagnoses: 1,
      fixProposedAt: T0 + 35_000,
      proposals: { fix: 1, workaround: 1 },
      escalatedAt: T0 + 33_000,
      escalations: 1,
      reopens: 1,
      verifiedFixAt: T0 + 39_000,
      verifiedBy: 'run-rerun-2',
      solved: true,
      genericReplies: 2,
      tags: { 'upgrade-sdk': 1, 'network-on-your-side': 1 },
      contacts: ['Dana (Twilio)', 'Eli (Twilio media team)'],
    };
    // The console sees the ticket's progress, never the fault's start.
    expect(session.state().tickets[0].progress).toEqual(progress);
    const [ticket] = session.timings(T0 + 40_000).incidents[0].tickets;
    expect(ticket.progress).toEqual(progress);
    // The fault struck at T0 + 4 s: Wednesday 09:00:04 in Los Angeles, the plan's zone, inside its business hours.
    expect(ticket.sinceFault).toEqual({ firstDiagnosis: 27_000, rootCause: 30_000, fixProposed: 31_000, escalation: 29_000, verifiedFix: 35_000 });
    expect(ticket.struck).toEqual({ at: T0 + 4000, timeZone: 'America/Los_Angeles', local: 'Wed 09:00', night: false, planHours: true });
    expect(ticket.firstReplyAt).toBe(T0 + 20_000);
  });

  it('streams the state over SSE, updates carrying only what changed, then refuses actions once the drill is stopping (409)', async () => {
    const res = await fetch(`${server.apiUrl}/events?token=${token}`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
    while (!text.trimEnd().endsWith('}')) text += new TextDecoder().decode((await reader.read()).value);
    const snapshot = JSON.parse(text.split('event: snapshot\ndata: ')[1].split('\n')[0]);
    expect(snapshot.history).toHaveLength(3);
    expect(snapshot.state.timeline).toHaveLength(15);

    // A note: the update appends it to the timeline, and sends neither the old timeline nor the drill's settings.
    expect((await post({ action: 'note', who: 'carol', text: 'still watching' })).status).toBe(201);
    let noted = '';
    while (!noted.includes('still watching')) noted += new TextDecoder().decode((await reader.read()).value);
    const delta = JSON.parse(noted.split('event: update\ndata: ').at(-1)!.split('\n')[0]);
    expect(delta.append.timeline).toEqual([expect.objectContaining({ who: 'carol', text: 'still watching' })]);
    expect(delta.set.timeline).toBeUndefined();
    expect(delta.set.drill).toBeUndefined();

    at(25_000);
    run.observer.emit('phase', 'stopping');
    let update = '';
    while (!update.includes('"ended":{')) update += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(session.ended).toEqual({ at: T0 + 25_000, reason: 'resolved' });
    expect(readJournal(journalFile).find((e) => e.type === 'drill.end')).toMatchObject({ reason: 'resolved', injected: 1, scheduled: 1 });
    const late = await post({ action: 'note', who: 'bob', text: 'too late' });
    expect(late.status).toBe(409);
    expect((await late.json()).error).toContain('the drill has ended (resolved)');
  });

  it('caps live feeds: past 32 the next is refused (503)', async () => {
    const open: Array<ReadableStreamDefaultReader<Uint8Array>> = [];
    try {
      for (let i = 0; i < 32; i++) {
        const res = await fetch(`${server.apiUrl}/events?token=${token}`);
        if (res.status !== 200) break;
        open.push(res.body!.getReader());
      }
      const extra = await fetch(`${server.apiUrl}/events?token=${token}`);
      expect(extra.status).toBe(503);
    } finally {
      await Promise.all(open.map((r) => r.cancel()));
    }
  });
});

