/**
 * What people record during a drill, as the HTTP API accepts it
 * (`POST /api/actions`) and the journal keeps it (`incident.action`, the
 * shape timings.ts reads).
 */
import { z } from 'zod';
import { SEVERITIES } from './slaProfile.js';
import { INCIDENT_ACTIONS } from './metrics.js';

/**
 * Control characters (terminal escapes among them) would act when a name or a
 * note is printed on a terminal; line breaks and tabs are allowed in free text only.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_BREAKS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const plain = (pattern: RegExp) => (s: string) => !pattern.test(s);
const noControl = { message: 'control characters (such as terminal escapes) are not allowed' };
const text = (max: number) => z.string().trim().min(1, 'expected a non-empty string').max(max).refine(plain(CONTROL), noControl);

export const actionRequestSchema = z
  .object({
    action: z.enum(INCIDENT_ACTIONS),
    who: text(80),
    /** Free text: what was seen or done; required for a note. */
    text: z.string().trim().max(4000).refine(plain(CONTROL_BUT_BREAKS), noControl).optional(),
    /** The incident this is about, when the person knows it (faults are hidden, so usually not). */
    incidentId: text(200).optional(),
    ticket: z
      .object({
        /** Default: the drill's vendor. */
        vendor: text(100).optional(),
        severity: z.enum(SEVERITIES),
        /** How it was raised: portal, email, phone, chat... */
        channel: text(100),
        /** The vendor's ticket number. */
        reference: text(200),
      })
      .strict()
      .optional(),
    /** The new severity of a reclassify. */
    severity: z.enum(SEVERITIES).optional(),
    /** The vendor ticket a vendor-reply or reclassify is about (default: the latest one). */
    reference: text(200).optional(),
    /** Where it was recorded from. */
    source: z.enum(['console', 'cli', 'api']).default('api'),
  })
  .strict()
  .superRefine((a, ctx) => {
    const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
    if (a.action === 'ticket' && a.ticket === undefined) issue('ticket', 'expected the ticket { severity, channel, reference, vendor? } of a "ticket" action');
    if (a.action !== 'ticket' && a.ticket !== undefined) issue('ticket', `only a "ticket" action opens a ticket, not "${a.action}"`);
    if (a.action === 'ticket' && a.reference !== undefined) issue('reference', 'a "ticket" action gives its reference in ticket.reference');
    if (a.action === 'reclassify' && a.severity === undefined) issue('severity', 'expected the new severity (P1-P4) of a "reclassify" action');
    if (a.action !== 'reclassify' && a.severity !== undefined) {
      issue('severity', a.action === 'ticket' ? 'a "ticket" action gives its severity in ticket.severity' : `only a "reclassify" action changes the severity, not "${a.action}"`);
    }
    if (a.action === 'note' && !a.text) issue('text', 'expected the text of a "note" action');
  });

export type ActionRequest = z.output<typeof actionRequestSchema>;

/** The `incident.action` journal entry's fields (t is the entry's). */
export interface IncidentAction {
  action: ActionRequest['action'];
  who: string;
  source: ActionRequest['source'];
  text?: string;
  incidentId?: string;
  ticket?: { vendor: string; severity: (typeof SEVERITIES)[number]; channel: string; reference: string };
  severity?: (typeof SEVERITIES)[number];
  reference?: string;
}

/** A recorded action, as the API answers and the console shows it. */
export type RecordedAction = IncidentAction & { t: number };
