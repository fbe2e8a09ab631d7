import { beforeAll, describe, expect, it } from 'vitest';
import { loadSlaProfile, type SlaProfile } from '../../harness/drill/slaProfile.js';
import { drillTimings, type DrillTimings, type IncidentTimings, type VendorTicketTimings } from '../../harness/drill/timings.js';
import type { JournalEntry } from '../../harness/journal/entries.js';

const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const M = 60_000;

// Journal entries as the drill writes them.
const inject = (faultId: string, start: string, fields: Record<string, unknown> = {}): JournalEntry => ({
  t: at(start),
  type: 'fault.inject',
  faultId,
  kind: 'sfu-worker-kill',
  start: at(start),
  targets: ['worker-0'],
  ...fields,
});
const alert = (t: string, rule: string, faultId?: string): JournalEntry => ({ t: at(t), type: 'alert.fire', rule, ...(faultId ? { faultId } : {}) });
const act = (t: string, action: string, fields: Record<string, unknown> = {}): JournalEntry => ({
  t: at(t),
  type: 'incident.action',
  action,
  who: 'alice',
  ...fields,
});
const ticket = (t: string, vendor: string, severity: string, fields: Record<string, unknown> = {}): JournalEntry =>
  act(t, 'ticket', { ticket: { vendor, severity, channel: 'portal', reference: `${vendor}-1` }, ...fields });

let profiles: Record<string, SlaProfile>;
beforeAll(async () => {
  profiles = {
    sdk: await loadSlaProfile('scenarios/sla/urgent-30m-24x7.yaml'),
    twilio: await loadSlaProfile('scenarios/sla/twilio-base.yaml'),
    'twilio-premium': await loadSlaProfile('scenarios/sla/twilio-premium.yaml'),
  };
});

const timings = (entries: JournalEntry[], now = at('2026-12-31T00:00:00Z')): DrillTimings => {
  const result = drillTimings(entries, { profiles, now });
  // It goes into summary.json as it is.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  return result;
};
const onlyIncident = (entries: JournalEntry[], now?: number): IncidentTimings => {
  const { incidents, unmatched } = timings(entries, now);
  expect(unmatched).toEqual([]);
  expect(incidents).toHaveLength(1);
  return incidents[0];
};
const onlyTicket = (entries: JournalEntry[], now?: number): VendorTicketTimings => {
  const { tickets } = onlyIncident(entries, now);
  expect(tickets).toHaveLength(1);
  return tickets[0];
};

/** A P1 outage on a 24x7 plan (30 min), handled by the book, the vendor replying at `replyAt`. */
const outage = (replyAt: string): JournalEntry[] => [
  inject('f1', '2026-11-24T10:00:00Z', { end: at('2026-11-24T10:30:00Z') }),
  alert('2026-11-24T10:00:20Z', 'viewer-freeze-ratio'),
  alert('2026-11-24T10:00:40Z', 'sfu-worker-restarts'),
  act('2026-11-24T10:02:00Z', 'ack'),
  ticket('2026-11-24T10:05:00Z', 'sdk', 'P1'),
  { t: at('2026-11-24T10:29:00Z'), type: 'fault.revert', faultId: 'f1', end: at('2026-11-24T10:29:00Z') },
  act(replyAt, 'vendor-reply', { who: 'vendor', text: 'looking into it' }),
  act('2026-11-24T10:40:00Z', 'mitigate'),
  act('2026-11-24T11:00:00Z', 'resolve'),
];

describe('incident timings', () => {
  it('measures detect, acknowledge, escalate, mitigate and resolve from ground truth', () => {
    const incident = onlyIncident(outage('2026-11-24T10:25:00Z'));
    expect(incident).toMatchObject({
      incidentId: 'f1',
      kind: 'sfu-worker-kill',
      targets: ['worker-0'],
      faultStart: at('2026-11-24T10:00:00Z'),
      faultEnd: at('2026-11-24T10:29:00Z'), // the revert, not the scheduled end
      firstAlert: { at: at('2026-11-24T10:00:20Z'), rule: 'viewer-freeze-ratio' },
      acknowledgedAt: at('2026-11-24T10:02:00Z'),
      detectMs: 20_000,
      acknowledgeMs: 100_000,
      escalateMs: 3 * M,
      mitigateMs: 40 * M,
      resolveMs: 60 * M,
    });
    expect(incident.actions.map((a) => [a.action, a.who, a.text])).toEqual([
      ['ack', 'alice', null],
      ['ticket', 'alice', null],
      ['vendor-reply', 'vendor', 'looking into it'],
      ['mitigate', 'alice', null],
      ['resolve', 'alice', null],
    ]);
  });

  it('24x7: a reply within 30 min meets the SLA, with the time to spare', () => {
    const t = onlyTicket(outage('2026-11-24T10:25:00Z'));
    expect(t).toMatchObject({ vendor: 'sdk', reference: 'sdk-1', channel: 'portal', openedBy: 'alice', responseMs: 20 * M, responseCoveredMs: 20 * M });
    expect(t.sla).toEqual({
      status: 'met',
      profile: 'reference level urgent 30 min, 24x7',
      severity: 'P1',
      budgetMs: 30 * M,
      clockStartedAt: at('2026-11-24T10:05:00Z'),
      deadline: at('2026-11-24T10:35:00Z'),
      judgedAt: at('2026-11-24T10:25:00Z'),
      marginMs: 10 * M,
      coveredMarginMs: 10 * M,
    });
  });

  it('24x7: a reply after 30 min breaches it, by a negative margin', () => {
    const t = onlyTicket(outage('2026-11-24T10:50:00Z'));
    expect(t.sla).toMatchObject({ status: 'breached', deadline: at('2026-11-24T10:35:00Z'), marginMs: -15 * M, coveredMarginMs: -15 * M });
    expect(t.responseMs).toBe(45 * M);
  });

  it('without a reply: pending while the deadline is ahead of now, breached once past it', () => {
    const entries = [inject('f1', '2026-11-24T10:00:00Z'), ticket('2026-11-24T10:05:00Z', 'sdk', 'P1')];
    const pending = onlyTicket(entries, at('2026-11-24T10:20:00Z'));
    expect(pending).toMatchObject({ firstReplyAt: null, responseMs: null, responseCoveredMs: null });
    expect(pending.sla).toMatchObject({ status: 'pending', judgedAt: at('2026-11-24T10:20:00Z'), marginMs: 15 * M });
    expect(onlyTicket(entries, at('2026-11-24T10:35:00Z')).sla).toMatchObject({ status: 'pending', marginMs: 0 });
    expect(onlyTicket(entries, at('2026-11-24T10:50:00Z')).sla).toMatchObject({ status: 'breached', marginMs: -15 * M });
  });

  it('Twilio base, P1 at Saturday 00:30 Pacific: the clock starts Monday 06:00, due Monday 08:00 Pacific', () => {
    const t = onlyTicket([
      inject('f1', '2026-11-28T00:20:00-08:00'),
      ticket('2026-11-28T00:30:00-08:00', 'twilio', 'P1'),
      act('2026-11-30T07:30:00-08:00', 'vendor-reply', { who: 'twilio' }),
    ]);
    expect(t.sla).toMatchObject({
      status: 'met',
      profile: 'Twilio Bootstrap',
      budgetMs: 2 * H,
      clockStartedAt: at('2026-11-30T14:00:00Z'),
      deadline: at('2026-11-30T16:00:00Z'),
      marginMs: 30 * M,
      coveredMarginMs: 30 * M,
    });
    expect(t.responseMs).toBe(55 * H);
    expect(t.responseCoveredMs).toBe(1.5 * H);
  });

  it('Twilio base, P2 at Friday 17:30 Pacific spans the weekend: due Monday 09:30, a 10:00 reply is 30 min late', () => {
    const t = onlyTicket([
      inject('f1', '2026-11-20T17:00:00-08:00'),
      ticket('2026-11-20T17:30:00-08:00', 'twilio', 'P2'),
      act('2026-11-23T10:00:00-08:00', 'vendor-reply'),
    ]);
    expect(t.sla).toMatchObject({ status: 'breached', deadline: at('2026-11-23T09:30:00-08:00'), marginMs: -30 * M, coveredMarginMs: -30 * M });
    expect(t.responseCoveredMs).toBe(4.5 * H);
    expect(t.responseMs).toBe(64.5 * H);
  });

  it('Twilio base across the spring-forward weekend: 61 wall hours from Friday 17:00 PST to the Monday 07:00 PDT deadline', () => {
    const t = onlyTicket([inject('f1', '2026-03-06T16:50:00-08:00'), ticket('2026-03-06T17:00:00-08:00', 'twilio', 'P1')], at('2026-03-09T06:30:00-07:00'));
    expect(t.sla).toMatchObject({ status: 'pending', deadline: at('2026-03-09T07:00:00-07:00'), marginMs: 30 * M, coveredMarginMs: 30 * M });
    expect(t.sla.status !== 'no-profile' && t.sla.deadline - t.openedAt).toBe(61 * H);
  });
});

describe('reclassification', () => {
  const p3Ticket = [inject('f1', '2026-11-24T09:55:00Z'), ticket('2026-11-24T10:00:00Z', 'sdk', 'P3')];

  it('P3 → P1: the P1 budget counts from the ticket time', () => {
    const t = onlyTicket([...p3Ticket, act('2026-11-24T10:10:00Z', 'reclassify', { severity: 'P1' }), act('2026-11-24T10:40:00Z', 'vendor-reply')]);
    expect(t.severityHistory).toEqual([
      { at: at('2026-11-24T10:00:00Z'), severity: 'P3', who: 'alice' },
      { at: at('2026-11-24T10:10:00Z'), severity: 'P1', who: 'alice' },
    ]);
    expect(t.sla).toMatchObject({ status: 'breached', severity: 'P1', budgetMs: 30 * M, deadline: at('2026-11-24T10:30:00Z'), marginMs: -10 * M });
  });

  it('P3 → P1 after the P1 budget has run out is breached at once', () => {
    const entries = [...p3Ticket, act('2026-11-24T11:00:00Z', 'reclassify', { severity: 'P1' })];
    expect(onlyTicket(entries, at('2026-11-24T10:50:00Z')).sla).toMatchObject({ status: 'pending', severity: 'P3', deadline: at('2026-11-24T18:00:00Z') });
    expect(onlyTicket(entries, at('2026-11-24T11:00:00Z')).sla).toMatchObject({ status: 'breached', severity: 'P1', marginMs: -30 * M });
  });

  it('a reclassification after the reply changes nothing', () => {
    const t = onlyTicket([...p3Ticket, act('2026-11-24T11:00:00Z', 'vendor-reply'), act('2026-11-24T11:10:00Z', 'reclassify', { severity: 'P1' })]);
    expect(t.sla).toMatchObject({ status: 'met', severity: 'P3', deadline: at('2026-11-24T18:00:00Z'), marginMs: 7 * H });
    expect(t.severityHistory).toHaveLength(2);
  });

  it('a downgrade before the deadline gives the lower severity’s budget; after it, the breach stays', () => {
    const p1Ticket = [inject('f1', '2026-11-24T09:55:00Z'), ticket('2026-11-24T10:00:00Z', 'sdk', 'P1')];
    const early = onlyTicket([...p1Ticket, act('2026-11-24T10:15:00Z', 'reclassify', { severity: 'P3', who: 'vendor' }), act('2026-11-24T12:00:00Z', 'vendor-reply')]);
    expect(early.sla).toMatchObject({ status: 'met', severity: 'P3', deadline: at('2026-11-24T18:00:00Z') });
    const late = onlyTicket([...p1Ticket, act('2026-11-24T11:00:00Z', 'reclassify', { severity: 'P3', who: 'vendor' }), act('2026-11-24T12:00:00Z', 'vendor-reply')]);
    expect(late.sla).toMatchObject({ status: 'breached', severity: 'P1', deadline: at('2026-11-24T10:30:00Z'), marginMs: -90 * M });
  });

  it('the new severity brings its own coverage: a Saturday P3 (business hours) raised to P1 (24x7) is due within the hour', () => {
    const t = onlyTicket([
      inject('f1', '2026-11-28T09:50:00-08:00'),
      ticket('2026-11-28T10:00:00-08:00', 'twilio-premium', 'P3'),
      act('2026-11-28T10:20:00-08:00', 'reclassify', { severity: 'P1' }),
      act('2026-11-28T10:50:00-08:00', 'vendor-reply'),
    ]);
    expect(t.sla).toMatchObject({
      status: 'met',
      severity: 'P1',
      clockStartedAt: at('2026-11-28T10:00:00-08:00'),
      deadline: at('2026-11-28T11:00:00-08:00'),
      marginMs: 10 * M,
    });
    expect(t.responseCoveredMs).toBe(50 * M);
  });
});

describe('mapping alerts and actions to incidents', () => {
  it('two overlapping faults: named ones go where they say, the rest to the latest open fault', () => {
    const { incidents, unmatched } = timings([
      alert('2026-11-24T09:59:00Z', 'noise'),
      act('2026-11-24T09:59:30Z', 'note', { text: 'before anything' }),
      inject('a', '2026-11-24T10:00:00Z', { kind: 'packet-loss' }),
      inject('b', '2026-11-24T10:05:00Z', { kind: 'sfu-worker-kill' }),
      alert('2026-11-24T10:06:00Z', 'viewer-freeze-ratio'), // → b, the latest started
      alert('2026-11-24T10:07:00Z', 'packet-loss', 'a'), // → a, named
      act('2026-11-24T10:08:00Z', 'ack'), // → b
      act('2026-11-24T10:09:00Z', 'ack', { incidentId: 'a', who: 'bob' }),
      ticket('2026-11-24T10:10:00Z', 'sdk', 'P2', { incidentId: 'a' }),
      act('2026-11-24T10:11:00Z', 'vendor-reply'), // → b, which has no ticket
      act('2026-11-24T10:12:00Z', 'mitigate', { incidentId: 'zzz' }),
      act('2026-11-24T10:20:00Z', 'resolve'), // → b
      act('2026-11-24T10:21:00Z', 'mitigate'), // → a, b being resolved
      act('2026-11-24T10:30:00Z', 'resolve'), // → a
      act('2026-11-24T10:40:00Z', 'vendor-reply', { reference: 'sdk-1', who: 'vendor' }), // → a's ticket, after resolution
      act('2026-11-24T10:41:00Z', 'note'),
    ]);
    const [a, b] = incidents;
    expect(a).toMatchObject({
      incidentId: 'a',
      firstAlert: { at: at('2026-11-24T10:07:00Z'), rule: 'packet-loss' },
      detectMs: 7 * M,
      acknowledgedAt: at('2026-11-24T10:09:00Z'),
      escalateMs: M,
      mitigateMs: 21 * M,
      resolveMs: 30 * M,
    });
    expect(a.tickets[0]).toMatchObject({ firstReplyAt: at('2026-11-24T10:40:00Z'), responseMs: 30 * M, sla: { status: 'met', severity: 'P2' } });
    expect(b).toMatchObject({
      incidentId: 'b',
      firstAlert: { at: at('2026-11-24T10:06:00Z'), rule: 'viewer-freeze-ratio' },
      detectMs: M,
      acknowledgeMs: 2 * M,
      escalateMs: null,
      mitigateMs: null,
      resolveMs: 15 * M,
      tickets: [],
    });
    expect(unmatched).toEqual([
      { at: at('2026-11-24T09:59:00Z'), type: 'alert.fire', reason: 'no open incident' },
      { at: at('2026-11-24T09:59:30Z'), type: 'incident.action', reason: 'no open incident' },
      { at: at('2026-11-24T10:11:00Z'), type: 'incident.action', reason: 'no vendor ticket in incident b' },
      { at: at('2026-11-24T10:12:00Z'), type: 'incident.action', reason: 'unknown incident zzz' },
      { at: at('2026-11-24T10:41:00Z'), type: 'incident.action', reason: 'no open incident' },
    ]);
  });

  it('reads the journal in time order and keeps the first of each action', () => {
    const incident = onlyIncident([
      act('2026-11-24T10:05:00Z', 'ack', { who: 'bob' }),
      act('2026-11-24T10:03:00Z', 'ack'),
      alert('2026-11-24T10:01:00Z', 'viewer-freeze-ratio'),
      inject('f1', '2026-11-24T10:00:00Z'),
    ]);
    // Neither reverted nor scheduled to end in the record: active to the record's end, its last entry.
    expect(incident).toMatchObject({ acknowledgedAt: at('2026-11-24T10:03:00Z'), acknowledgeMs: 2 * M, faultEnd: at('2026-11-24T10:05:00Z') });
    expect(incident.actions.map((a) => a.who)).toEqual(['alice', 'bob']);
  });

  it('a ticket to a vendor without a profile is timed but not judged', () => {
    const t = onlyTicket([inject('f1', '2026-11-24T10:00:00Z'), ticket('2026-11-24T10:05:00Z', 'cdn', 'P1'), act('2026-11-24T10:20:00Z', 'vendor-reply')]);
    expect(t).toMatchObject({ responseMs: 15 * M, responseCoveredMs: null, sla: { status: 'no-profile' } });
  });

  it('a malformed entry names its index, field and what was expected', () => {
    const fault = inject('f1', '2026-11-24T10:00:00Z');
    expect(() => timings([fault, act('2026-11-24T10:01:00Z', 'ticket')])).toThrow(
      'journal entry 1 (incident.action): ticket: expected the ticket (vendor, severity, channel, reference) of a "ticket" action',
    );
    expect(() => timings([fault, act('2026-11-24T10:01:00Z', 'reclassify', { severity: 'P0' })])).toThrow(
      /^journal entry 1 \(incident\.action\): severity: Invalid option: expected one of "P1"\|"P2"\|"P3"\|"P4"/,
    );
    expect(() => timings([fault, act('2026-11-24T10:01:00Z', 'escalate')])).toThrow(/^journal entry 1 \(incident\.action\): action: Invalid option/);
    expect(() => timings([fault, { ...fault }])).toThrow('journal entry 1 (fault.inject): fault f1 injected twice');
  });
});
