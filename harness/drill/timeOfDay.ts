/**
 * When a fault struck, in the terms support is judged by: the local time,
 * whether it was night there, and whether the vendor plan's clock was running
 * ("answers in 20 min at 15:00, in 9 h at 02:00").
 *
 * Night is a wall-clock window (default 22:00-07:00) in one time zone: the one
 * asked for, else the plan's business-hours zone, else UTC.
 */
import { DateTime, IANAZone } from 'luxon';
import { clockStartedAt } from './slaClock.js';
import { SEVERITIES, type Coverage, type SlaProfile } from './slaProfile.js';

export interface NightWindow {
  /** "HH:MM": night starts here… */
  from: string;
  /** …and ends here, the next morning when `to` is earlier than `from`. */
  to: string;
}

export const DEFAULT_NIGHT: NightWindow = { from: '22:00', to: '07:00' };

export interface LocalTimeOptions {
  /** IANA zone; default: the plan's business-hours zone, else UTC. */
  timeZone?: string;
  night?: NightWindow;
}

export interface StruckAt {
  at: number;
  timeZone: string;
  /** Weekday and wall-clock time there: "Tue 02:14". */
  local: string;
  night: boolean;
  /** The plan's clock for the ticket's severity was running then (24x7: always); null without a plan. */
  planHours: boolean | null;
}

export function struckAt(at: number, coverage: Coverage | null, zone: string, night: NightWindow = DEFAULT_NIGHT): StruckAt {
  const local = DateTime.fromMillis(at, { zone });
  const minute = local.hour * 60 + local.minute;
  const [from, to] = [minutes(night.from), minutes(night.to)];
  return {
    at,
    timeZone: zone,
    local: local.toFormat('ccc HH:mm'),
    night: from <= to ? minute >= from && minute < to : minute >= from || minute < to,
    planHours: coverage === null ? null : clockStartedAt(coverage, at) === at,
  };
}

/** The zone a plan keeps business hours in: its own coverage's, else the first severity's that has hours. */
export function planTimeZone(profile: SlaProfile | undefined): string | undefined {
  if (!profile) return undefined;
  const coverages = [profile.coverage, ...SEVERITIES.map((s) => profile.severities[s].coverage)];
  return coverages.find((c): c is Exclude<Coverage, '24x7'> => c !== '24x7')?.timeZone;
}

/** "22:00-07:00" → the window; the error says what was expected. */
export function parseNight(text: string): NightWindow {
  const match = /^((?:[01]\d|2[0-3]):[0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d)$/.exec(text.trim());
  if (!match || match[1] === match[2]) throw new Error(`expected a night window "HH:MM-HH:MM" such as "22:00-07:00", got "${text}"`);
  return { from: match[1], to: match[2] };
}

export function checkTimeZone(zone: string): string {
  if (!IANAZone.isValidZone(zone)) throw new Error(`expected an IANA time zone like "Europe/Berlin", got "${zone}"`);
  return zone;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
