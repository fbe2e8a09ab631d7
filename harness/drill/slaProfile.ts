/**
 * A vendor's support SLA as published: per severity, how fast the first
 * response must come and during which hours that clock runs. Files live in
 * scenarios/sla/ and cite where their figures come from.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { durationMs } from '../scenario/units.js';
import { loadYaml, parseYaml } from '../scenario/yamlFile.js';

export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Luxon's weekday numbering (1 = Monday) is this list's index + 1. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a time of day "HH:MM" from 00:00 to 24:00');

const businessHours = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1),
    from: timeOfDay,
    to: timeOfDay,
    timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone like "America/Los_Angeles"'),
  })
  .strict()
  // "HH:MM" strings sort as times; a window past midnight would be two windows, which no vendor publishes.
  .refine((hours) => hours.from < hours.to, {
    path: ['to'],
    message: 'expected a time after "from" on the same day',
    when: (payload) => payload.issues.length === 0, // a malformed time already has its own message
  });

/** `24x7`, or working windows repeated every week in a time zone (public holidays are not modelled). */
const coverage = z.union([z.literal('24x7'), businessHours]);

const target = z
  .object({
    firstResponse: durationMs,
    restoration: durationMs.optional(),
    updateCadence: durationMs.optional(),
    /** Overrides the profile's coverage for this severity (e.g. P1 24x7 on a business-hours plan). */
    coverage: coverage.optional(),
  })
  .strict();

export const slaProfileSchema = z
  .object({
    vendor: z.string().min(1),
    plan: z.string().min(1),
    /** Public page the figures come from; a profile that is not one vendor's page says so in sourceNote. */
    source: z.url().optional(),
    /** When the figures were read from the source. */
    sourceDate: z.iso.date(),
    sourceNote: z.string().min(1).optional(),
    coverage,
    severities: z.object({ P1: target, P2: target, P3: target, P4: target }).strict(),
  })
  .strict()
  .refine((p) => p.source !== undefined || p.sourceNote !== undefined, {
    path: ['source'],
    message: 'expected the public URL of the figures (or a sourceNote saying where they come from)',
  })
  // Each severity carries the coverage in force for it, so callers never fall back themselves.
  .transform(({ severities, ...profile }) => ({
    ...profile,
    severities: Object.fromEntries(
      SEVERITIES.map((s) => [s, { ...severities[s], coverage: severities[s].coverage ?? profile.coverage }]),
    ) as Record<Severity, SeverityTarget>,
  }));

export type BusinessHours = z.output<typeof businessHours>;
export type Coverage = z.output<typeof coverage>;
/** Durations in milliseconds. */
export type SeverityTarget = Omit<z.output<typeof target>, 'coverage'> & { coverage: Coverage };
export type SlaProfile = z.output<typeof slaProfileSchema>;

/** A profile that cannot be used; its message names the file, the field and what was expected. */
export class SlaProfileError extends Error {}

export function loadSlaProfile(file: string): Promise<SlaProfile> {
  return loadYaml(file, 'SLA profile', slaProfileSchema, SlaProfileError);
}

export function parseSlaProfile(text: string, file: string): SlaProfile {
  return parseYaml(text, file, slaProfileSchema, SlaProfileError);
}
