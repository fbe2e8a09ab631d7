import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockStartedAt, coveredMs, deadline } from '../../harness/drill/slaClock.js';
import { loadSlaProfile, parseSlaProfile, SlaProfileError, type Coverage } from '../../harness/drill/slaProfile.js';

const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const M = 60_000;

/** Twilio's business hours: Mon–Fri 06:00–18:00 US Pacific. */
const pacificOffice: Coverage = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '06:00', to: '18:00', timeZone: 'America/Los_Angeles' };

const errorOf = (text: string): string => {
  try {
    parseSlaProfile(text, 'scenarios/sla/bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(SlaProfileError);
    return (error as Error).message;
  }
  throw new Error('expected an SlaProfileError');
};

const profileText = (overrides: { coverage?: string; p1?: string; source?: string; extra?: string } = {}): string =>
  [
    'vendor: Acme',
    'plan: Gold',
    overrides.source ?? 'source: https://example.com/support',
    'sourceDate: 2026-11-25',
    `coverage: ${overrides.coverage ?? '24x7'}`,
    'severities:',
    `  P1: ${overrides.p1 ?? '{ firstResponse: 30m }'}`,
    '  P2: { firstResponse: 2h }',
    '  P3: { firstResponse: 8h }',
    '  P4: { firstResponse: 24h }',
    overrides.extra ?? '',
  ].join('\n');

describe('SLA profile files', () => {
  it('parses durations and gives every severity its coverage, the override or the global one', async () => {
    const premium = await loadSlaProfile('scenarios/sla/twilio-premium.yaml');
    expect(premium).toMatchObject({ vendor: 'Twilio', plan: 'Premium', sourceDate: '2026-11-25' });
    expect(premium.severities.P1).toEqual({ firstResponse: H, coverage: '24x7' });
    expect(premium.severities.P2).toEqual({ firstResponse: 2 * H, coverage: pacificOffice });

    const zoom = await loadSlaProfile('scenarios/sla/zoom-premier.yaml');
    expect(zoom.severities.P1).toEqual({ firstResponse: H, restoration: 4 * H, updateCadence: H, coverage: '24x7' });
  });

  it('ships the advertised levels with their figures and sources', async () => {
    const p1 = async (file: string) => (await loadSlaProfile(`scenarios/sla/${file}`)).severities.P1;
    expect(await p1('urgent-30m-24x7.yaml')).toEqual({ firstResponse: 30 * M, coverage: '24x7' });
    expect(await p1('twilio-base.yaml')).toEqual({ firstResponse: 2 * H, coverage: pacificOffice });
    expect(await p1('aws-business.yaml')).toEqual({ firstResponse: H, coverage: '24x7' });
    expect(await p1('aws-enterprise.yaml')).toEqual({ firstResponse: 15 * M, coverage: '24x7' });
  });

  it('every shipped profile is valid and says where its figures come from', async () => {
    const files = readdirSync('scenarios/sla').filter((f) => f.endsWith('.yaml'));
    expect(files).toHaveLength(6);
    for (const f of files) {
      const profile = await loadSlaProfile(`scenarios/sla/${f}`);
      expect(profile.source ?? profile.sourceNote).toBeTruthy();
    }
  });

  it('names the file, the field path and what was expected', () => {
    expect(errorOf(profileText({ p1: '{ firstResponse: soon }' }))).toBe(
      'scenarios/sla/bad.yaml: severities.P1.firstResponse: expected a duration like "500ms", "20s" or "2m", got "soon"',
    );
    expect(errorOf(profileText({ coverage: '{ days: [mon], from: "06:00", to: "18:00", timeZone: Mars/Olympus }' }))).toBe(
      'scenarios/sla/bad.yaml: coverage.timeZone: expected an IANA time zone like "America/Los_Angeles"',
    );
    expect(errorOf(profileText({ coverage: '{ days: [mon], from: "18:00", to: "06:00", timeZone: UTC }' }))).toBe(
      'scenarios/sla/bad.yaml: coverage.to: expected a time after "from" on the same day',
    );
    expect(errorOf(profileText({ coverage: '{ days: [monday], from: "06:00", to: "18:00", timeZone: UTC }' }))).toContain(
      'scenarios/sla/bad.yaml: coverage.days.0: Invalid option: expected one of "mon"|',
    );
    expect(errorOf(profileText({ p1: '{ firstResponse: 1h, coverage: { days: [mon], from: "6am", to: "18:00", timeZone: UTC } }' }))).toBe(
      'scenarios/sla/bad.yaml: severities.P1.coverage.from: expected a time of day "HH:MM" from 00:00 to 24:00',
    );
    expect(errorOf(profileText({ source: 'source: not a url' }))).toMatch(/^scenarios\/sla\/bad.yaml: source: Invalid URL/);
    expect(errorOf(profileText({ source: '' }))).toBe(
      'scenarios/sla/bad.yaml: source: expected the public URL of the figures (or a sourceNote saying where they come from)',
    );
    expect(errorOf(profileText().replace('  P4: { firstResponse: 24h }', ''))).toBe(
      'scenarios/sla/bad.yaml: severities.P4: Invalid input: expected object, received undefined',
    );
    expect(errorOf(profileText({ extra: 'holidays: []' }))).toMatch(/^scenarios\/sla\/bad.yaml: Unrecognized key: "holidays"/);
    expect(errorOf('vendor: [x\n')).toMatch(/^scenarios\/sla\/bad.yaml: YAML syntax: /);
  });

  it('reports an unreadable file by name', async () => {
    await expect(loadSlaProfile('scenarios/sla/missing.yaml')).rejects.toThrow(/scenarios\/sla\/missing.yaml: cannot read/);
  });
});

describe('SLA clock, 24x7', () => {
  it('counts every millisecond', () => {
    const start = at('2026-11-28T08:30:00Z');
    expect(coveredMs('24x7', start, start + 90 * M)).toBe(90 * M);
    expect(coveredMs('24x7', start + 90 * M, start)).toBe(-90 * M);
    expect(deadline('24x7', start, 30 * M)).toBe(start + 30 * M);
    expect(clockStartedAt('24x7', start)).toBe(start);
  });
});

describe('SLA clock, business hours', () => {
  it('a Saturday 00:30 Pacific P1 (2 business hours) starts Monday 06:00 and is due Monday 08:00 Pacific', () => {
    const saturday = at('2026-11-28T00:30:00-08:00');
    expect(clockStartedAt(pacificOffice, saturday)).toBe(at('2026-11-30T14:00:00Z'));
    expect(deadline(pacificOffice, saturday, 2 * H)).toBe(at('2026-11-30T16:00:00Z'));
    expect(coveredMs(pacificOffice, saturday, at('2026-11-30T06:00:00-08:00'))).toBe(0);
  });

  it('a Friday 17:30 ticket uses Friday’s last half hour, then Monday', () => {
    const friday = at('2026-11-20T17:30:00-08:00');
    expect(deadline(pacificOffice, friday, 4 * H)).toBe(at('2026-11-23T09:30:00-08:00'));
    expect(coveredMs(pacificOffice, friday, at('2026-11-23T09:30:00-08:00'))).toBe(4 * H);
    // Late by 30 business minutes is late by 30 minutes of covered time, negative.
    expect(coveredMs(pacificOffice, at('2026-11-23T10:00:00-08:00'), at('2026-11-23T09:30:00-08:00'))).toBe(-30 * M);
  });

  it('inside a window the clock runs at once, and a budget ending at closing time is due then', () => {
    const monday = at('2026-11-23T16:00:00-08:00');
    expect(clockStartedAt(pacificOffice, monday)).toBe(monday);
    expect(deadline(pacificOffice, monday, 2 * H)).toBe(at('2026-11-23T18:00:00-08:00'));
    expect(deadline(pacificOffice, monday, 2 * H + 1)).toBe(at('2026-11-24T06:00:00-08:00') + 1);
  });

  it('a full week is 60 covered hours, including the weeks clocks change', () => {
    expect(coveredMs(pacificOffice, at('2026-11-16T00:00:00-08:00'), at('2026-11-23T00:00:00-08:00'))).toBe(60 * H);
    expect(coveredMs(pacificOffice, at('2026-03-02T00:00:00-08:00'), at('2026-03-16T00:00:00-07:00'))).toBe(120 * H);
    expect(coveredMs(pacificOffice, at('2026-10-26T00:00:00-07:00'), at('2026-11-09T00:00:00-08:00'))).toBe(120 * H);
  });

  it('follows local time across DST: Friday 17:00 + 2 business hours is Monday 07:00 local', () => {
    // Spring forward (Sunday 2026-03-08): Friday is PST, Monday PDT; 61 wall hours, not 62.
    const springFriday = at('2026-03-06T17:00:00-08:00');
    const springDue = deadline(pacificOffice, springFriday, 2 * H);
    expect(springDue).toBe(at('2026-03-09T07:00:00-07:00'));
    expect(springDue - springFriday).toBe(61 * H);
    // Fall back (Sunday 2026-11-01): 63 wall hours.
    const fallFriday = at('2026-10-30T17:00:00-07:00');
    const fallDue = deadline(pacificOffice, fallFriday, 2 * H);
    expect(fallDue).toBe(at('2026-11-02T07:00:00-08:00'));
    expect(fallDue - fallFriday).toBe(63 * H);
  });

  it('a window over the DST shift counts the hours that exist', () => {
    const sundayNight: Coverage = { days: ['sun'], from: '01:00', to: '05:00', timeZone: 'America/Los_Angeles' };
    expect(coveredMs(sundayNight, at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z'))).toBe(3 * H);
    expect(coveredMs(sundayNight, at('2026-10-31T00:00:00Z'), at('2026-11-03T00:00:00Z'))).toBe(5 * H);
    const sundays: Coverage = { days: ['sun'], from: '00:00', to: '24:00', timeZone: 'America/Los_Angeles' };
    expect(coveredMs(sundays, at('2026-03-03T00:00:00Z'), at('2026-03-12T00:00:00Z'))).toBe(23 * H);
  });

  it('time zones other than the reader’s: Mon–Fri 09:00–17:00 in Tokyo', () => {
    const tokyo: Coverage = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'Asia/Tokyo' };
    // Friday 16:00 JST + 2 business hours: 1 h Friday, 1 h Monday → Monday 10:00 JST.
    expect(deadline(tokyo, at('2026-11-20T16:00:00+09:00'), 2 * H)).toBe(at('2026-11-23T10:00:00+09:00'));
  });

  it('refuses business hours with no working window instead of looping', () => {
    expect(() => deadline({ days: [], from: '06:00', to: '18:00', timeZone: 'UTC' }, 0, H)).toThrow(/no working window/);
  });
});
