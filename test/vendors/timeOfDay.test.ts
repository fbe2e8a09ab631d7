/** When a fault struck: night windows, the zone they are read in, and the plan's hours. */
import { describe, expect, it } from 'vitest';
import { loadSlaProfile } from '../../harness/drill/slaProfile.js';
import { checkTimeZone, parseNight, planTimeZone, struckAt } from '../../harness/drill/timeOfDay.js';
import { drillTimings } from '../../harness/drill/timings.js';
import { drillEntries } from './handDrills.js';

const at = (iso: string): number => Date.parse(iso);

describe('when a fault struck', () => {
  it('night is [from, to): 22:00 is night, 07:00 is day; a window may also sit inside one day', () => {
    const la = 'America/Los_Angeles';
    expect(struckAt(at('2026-11-24T22:00:00-08:00'), null, la).night).toBe(true);
    expect(struckAt(at('2026-11-24T21:59:00-08:00'), null, la).night).toBe(false);
    expect(struckAt(at('2026-11-25T06:59:00-08:00'), null, la).night).toBe(true);
    expect(struckAt(at('2026-11-25T07:00:00-08:00'), null, la)).toEqual({ at: at('2026-11-25T07:00:00-08:00'), timeZone: la, local: 'Wed 07:00', night: false, planHours: null });
    const early = { from: '01:00', to: '05:00' };
    expect(struckAt(at('2026-11-25T00:30:00Z'), null, 'UTC', early).night).toBe(false);
    expect(struckAt(at('2026-11-25T01:30:00Z'), null, 'UTC', early).night).toBe(true);
  });

  it("the plan's hours: its clock for the ticket's severity was running when the fault struck", async () => {
    const twilio = await loadSlaProfile('scenarios/sla/twilio-base.yaml');
    const coverage = twilio.severities.P1.coverage;
    expect(struckAt(at('2026-11-24T15:00:00-08:00'), coverage, 'UTC').planHours).toBe(true);
    expect(struckAt(at('2026-11-28T15:00:00-08:00'), coverage, 'UTC').planHours).toBe(false); // a Saturday
    expect(struckAt(at('2026-11-28T15:00:00-08:00'), '24x7', 'UTC').planHours).toBe(true);
    expect(planTimeZone(twilio)).toBe('America/Los_Angeles');
    expect(planTimeZone(await loadSlaProfile('scenarios/sla/zoom-premier.yaml'))).toBe('America/Los_Angeles'); // from P3/P4's hours
    expect(planTimeZone(await loadSlaProfile('scenarios/sla/aws-business.yaml'))).toBeUndefined();
  });

  it("a team's own time zone changes what is night: 15:00 in Los Angeles is midnight in Berlin", async () => {
    const entries = drillEntries({ id: 'd', vendor: 'Acme', profile: 'twilio-base.yaml', struck: '2026-11-24T15:00:00-08:00', actions: [[2, 'ticket']] });
    const profiles = { Acme: await loadSlaProfile('scenarios/sla/twilio-base.yaml') };
    const ticket = (localTime = {}) => drillTimings(entries, { profiles, now: at('2026-11-25T00:00:00Z'), localTime }).incidents[0].tickets[0];
    expect(ticket().struck).toMatchObject({ timeZone: 'America/Los_Angeles', local: 'Tue 15:00', night: false, planHours: true });
    expect(ticket({ timeZone: 'Europe/Berlin' }).struck).toMatchObject({ timeZone: 'Europe/Berlin', local: 'Wed 00:00', night: true, planHours: true });
  });

  it('says what a bad night window or time zone should look like', () => {
    expect(parseNight('23:00-06:30')).toEqual({ from: '23:00', to: '06:30' });
    expect(() => parseNight('10pm-7am')).toThrow('expected a night window "HH:MM-HH:MM" such as "22:00-07:00", got "10pm-7am"');
    expect(() => parseNight('07:00-07:00')).toThrow('expected a night window');
    expect(() => checkTimeZone('Mars/Olympus')).toThrow('expected an IANA time zone like "Europe/Berlin", got "Mars/Olympus"');
  });
});
