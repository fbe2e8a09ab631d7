/**
 * What people record during a drill, as the HTTP API accepts it
 * (`POST /api/actions`) and the journal keeps it (`incident.action`, the
 * shape timings.ts reads).
 */
import { z } from 'zod';
import { SEVERITIES } from './slaProfile.js';
import { INCIDENT_ACTIONS, TICKET_ACTIONS, VENDOR_ACTIONS } from './metrics.js';

/**
 * Control characters (terminal escapes among them) would act when a name or a
 * note is printed on a terminal; line breaks and tabs are allowed in free text only.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_BREAKS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const plain = (pattern: RegExp) => (s: string) => !pattern.test(s);
const noControl = { message: 'control characters (such as terminal escapes) are not allowed' };
const text = (max: number) => z.string().trim().min(1, 'expected a non-empty string').max(max).refine(plain(CONTROL), noControl);

/**
 * Replies that do not work on the problem, as a team tags them on a vendor-*
 * action so the scorecard can count them.
 */
export const GENERIC_REPLY_TAGS = ['restart', 'see-docs', 'network-on-your-side', 'upgrade-sdk', 'cannot-reproduce', 'canned'] as const;
export type GenericReplyTag = (typeof GENERIC_REPLY_TAGS)[number];
export const GENERIC_REPLY_MEANINGS: Record<GenericReplyTag, string> = {
  restart: 'try restarting (the app, the device, the service)',
  'see-docs': 'a pointer to the documentation instead of an answer',
  'network-on-your-side': "the customer's network blamed without evidence",
  'upgrade-sdk': 'upgrade the SDK, without naming a fix in the new version',
  'cannot-reproduce': 'could not reproduce, without asking for what would',
  canned: 'a template answer that does not address the ticket',
};

export const FIX_KINDS = ['fix', 'workaround'] as const;

const isVendorAction = (action: string): boolean => (VENDOR_ACTIONS as readonly string[]).includes(action);

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
    /** The vendor ticket a ticket action (vendor-*, fix-verified, reopen, reclassify) is about (default: the latest one). */
    reference: text(200).optional(),
    /** vendor-*: the reply was generic (see GENERIC_REPLY_TAGS). */
    tags: z
      .array(z.enum(GENERIC_REPLY_TAGS))
      .min(1, 'expected at least one tag, or no tags field')
      .refine((tags) => new Set(tags).size === tags.length, 'expected each tag once')
      .optional(),
    /** vendor-*: the vendor's person who answered, when they gave a name (a named contact). */
    contact: text(120).optional(),
    /** vendor-diagnosis: whether the vendor named the root cause. */
    rootCause: z.boolean().optional(),
    /** vendor-fix: a fix of the cause, or a workaround. */
    fix: z.enum(FIX_KINDS).optional(),
    /** fix-verified: the re-run that shows the fault no longer hurts (its run directory or id). */
    verifiedBy: text(200).optional(),
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
    if (a.action === 'vendor-ask' && !a.text) issue('text', 'expected what the vendor asked for, the text of a "vendor-ask" action');
    const only = (field: 'rootCause' | 'fix' | 'verifiedBy', action: string, expected: string): void => {
      if (a.action === action && a[field] === undefined) issue(field, `expected ${expected} of a "${action}" action`);
      if (a.action !== action && a[field] !== undefined) issue(field, `only a "${action}" action has ${field}, not "${a.action}"`);
    };
    only('rootCause', 'vendor-diagnosis', 'rootCause: true (the vendor named the root cause) or false');
    only('fix', 'vendor-fix', 'fix: "fix" or "workaround"');
    only('verifiedBy', 'fix-verified', 'verifiedBy: the run directory (or id) of the re-run that shows the fault no longer hurts,');
    for (const field of ['tags', 'contact'] as const) {
      if (a[field] !== undefined && !isVendorAction(a.action)) issue(field, `only what the vendor said (${VENDOR_ACTIONS.join(', ')}) has ${field}, not "${a.action}"`);
    }
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
  tags?: GenericReplyTag[];
  contact?: string;
  rootCause?: boolean;
  fix?: (typeof FIX_KINDS)[number];
  verifiedBy?: string;
}

/** A recorded action, as the API answers and the console shows it. */
export type RecordedAction = IncidentAction & { t: number };

/**
 * The journal entry's fields for a validated request: a ticket without a
 * vendor is the drill's, and a ticket action without a reference names the
 * latest ticket opened (`opened`), so it still finds its ticket when it comes
 * after the incident was resolved.
 */
export function incidentAction(request: ActionRequest, drillVendor: string, opened: readonly string[]): IncidentAction {
  const { action, who, source, text, ticket, ...given } = request;
  const optional = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const latest = TICKET_ACTIONS.includes(action) && request.reference === undefined ? opened.at(-1) : undefined;
  return {
    action,
    who,
    source,
    ...(text ? { text } : {}),
    ...(ticket ? { ticket: { ...ticket, vendor: ticket.vendor ?? drillVendor } } : {}),
    ...optional,
    ...(latest !== undefined ? { reference: latest } : {}),
  };
}

/** An action that cannot apply to the tickets opened so far: the field it is about, and why. */
export interface TicketProblem {
  field: 'ticket.reference' | 'action' | 'reference';
  message: string;
}

/** Checks an action against the references of the tickets opened so far; null when it applies. */
export function ticketProblem(request: Pick<ActionRequest, 'action' | 'ticket' | 'reference'>, opened: readonly string[]): TicketProblem | null {
  if (request.ticket && opened.includes(request.ticket.reference)) {
    return { field: 'ticket.reference', message: `ticket ${request.ticket.reference} is already open; give the vendor's new reference` };
  }
  if (!TICKET_ACTIONS.includes(request.action)) return null;
  if (opened.length === 0) return { field: 'action', message: `no vendor ticket is open yet: record a "ticket" action before a "${request.action}"` };
  if (request.reference !== undefined && !opened.includes(request.reference)) {
    return { field: 'reference', message: `no ticket ${request.reference} was opened in this drill (open: ${opened.join(', ')})` };
  }
  return null;
}
