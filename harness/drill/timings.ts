/**
 * Incident timings of an outage drill, read from the journal: ground truth
 * (`fault.inject`, `fault.revert`), what the detectors saw (`alert.fire`) and
 * what people did (`incident.action`).
 *
 * One incident per injected fault; its id is the fault id. An alert or action
 * belongs to:
 *   1. the incident it names (`faultId` on an alert, `incidentId` on an action);
 *   2. else, for an action carrying a ticket `reference`, the incident that
 *      opened that ticket (vendor replies often come after resolution);
 *   3. else the open incident (fault started at or before it, not yet resolved)
 *      whose fault started most recently.
 * Within an incident, a ticket action (`vendor-*`, `fix-verified`, `reopen`,
 * `reclassify`) applies to the ticket with its `reference`, else to the
 * incident's latest ticket (tickets.ts). Anything that belongs nowhere is
 * listed in `unmatched`, with why. (`alert.resolve` is not needed for these
 * timings.)
 *
 * The vendor's work on a ticket (diagnosis, fix, escalation, verified fix) is
 * timed from the fault's real start, as the incident's own intervals are; and
 * each ticket says when the fault struck: local time, night or not, inside the
 * plan's hours or not (timeOfDay.ts).
 *
 * Vendor first response (the first `vendor-*` action): judged with the severity in force when the reply
 * came (or at `now` while there is none), its budget counted from the ticket
 * time on that severity's coverage — the customer has waited since the ticket,
 * whatever the label said (as Jira Service Management and Zendesk recompute
 * SLA goals). So an upgrade can breach at once; a reclassification after the
 * reply changes nothing; and a deadline already missed when a reclassification
 * comes stays missed, so a downgrade cannot erase a breach.
 */
import { z } from 'zod';
import { describeIssues } from '../../common/validation.js';
import type { JournalEntry } from '../journal/entries.js';
import { FIX_KINDS, GENERIC_REPLY_TAGS } from './actions.js';
import { INCIDENT_ACTIONS, TICKET_ACTIONS, type IncidentActionKind } from './metrics.js';
import { JournalReplay } from '../journal/replay.js';
import { maxOf } from '../../common/stats.js';
import { clockStartedAt, coveredMs, deadline } from './slaClock.js';
import { SEVERITIES, type Severity, type SlaProfile } from './slaProfile.js';
import { applyToTicket, openTicket, ticketProgress, type SeverityChange, type Ticket, type TicketProgress } from './tickets.js';
import { planTimeZone, struckAt, type LocalTimeOptions, type StruckAt } from './timeOfDay.js';

// Loose objects: the journal carries more fields than timings need.
const faultRevert = z.looseObject({ faultId: z.string().min(1), end: z.number() });
const alertFire = z.looseObject({ rule: z.string().min(1), faultId: z.string().min(1).optional() });
const incidentAction = z
  .looseObject({
    action: z.enum(INCIDENT_ACTIONS),
    who: z.string().min(1),
    incidentId: z.string().min(1).optional(),
    ticket: z
      .object({ vendor: z.string().min(1), severity: z.enum(SEVERITIES), channel: z.string(), reference: z.string().min(1) })
      .optional(),
    severity: z.enum(SEVERITIES).optional(),
    /** The vendor ticket this action is about (a ticket action names it when there are several). */
    reference: z.string().min(1).optional(),
    text: z.string().optional(),
    tags: z.array(z.enum(GENERIC_REPLY_TAGS)).optional(),
    contact: z.string().min(1).optional(),
    rootCause: z.boolean().optional(),
    fix: z.enum(FIX_KINDS).optional(),
    verifiedBy: z.string().min(1).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.action === 'ticket' && a.ticket === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ticket'], message: 'expected the ticket (vendor, severity, channel, reference) of a "ticket" action' });
    }
    if (a.action === 'reclassify' && a.severity === undefined) {
      ctx.addIssue({ code: 'custom', path: ['severity'], message: 'expected the new severity of a "reclassify" action' });
    }
  });
type Action = z.output<typeof incidentAction> & { t: number };

export interface DrillTimings {
  incidents: IncidentTimings[];
  unmatched: UnmatchedEntry[];
}

export interface UnmatchedEntry {
  at: number;
  type: string;
  reason: string;
}

/** Instants are epoch ms; durations ms; null when an end of the interval never happened. */
export interface IncidentTimings {
  incidentId: string;
  kind: string;
  /** As the fault scheduler records them: viewer ids, "publisher", "worker:N", "signaling". */
  targets: string[];
  faultStart: number;
  /** When the fault was reverted, else its scheduled end or the end of the record, whichever came first. */
  faultEnd: number;
  firstAlert: { at: number; rule: string } | null;
  acknowledgedAt: number | null;
  mitigatedAt: number | null;
  resolvedAt: number | null;
  /** Fault start → first alert. */
  detectMs: number | null;
  /** First alert → first ack. */
  acknowledgeMs: number | null;
  /** First ack → first vendor ticket. */
  escalateMs: number | null;
  /** Fault start → first mitigate. */
  mitigateMs: number | null;
  /** Fault start → resolve. */
  resolveMs: number | null;
  tickets: VendorTicketTimings[];
  actions: Array<{ at: number; action: IncidentActionKind; who: string; text: string | null }>;
}

export interface VendorTicketTimings extends Ticket {
  /** Ticket → first reply (the first vendor-* action), wall clock. */
  responseMs: number | null;
  /** Ticket → first reply, covered time under the judged severity's coverage; null without a profile. */
  responseCoveredMs: number | null;
  sla: SlaJudgement;
  progress: TicketProgress;
  /** Fault start → each step of the vendor's work (ms); null when it never happened. */
  sinceFault: {
    firstDiagnosis: number | null;
    rootCause: number | null;
    fixProposed: number | null;
    escalation: number | null;
    verifiedFix: number | null;
  };
  /** When the fault struck: local time, night, inside the plan's hours for the ticket's severity. */
  struck: StruckAt;
}

export type SlaJudgement = { status: 'no-profile' } | SlaVerdict;

export interface SlaVerdict {
  status: 'met' | 'breached' | 'pending';
  /** "vendor plan" of the profile used. */
  profile: string;
  severity: Severity;
  budgetMs: number;
  clockStartedAt: number;
  deadline: number;
  /** The reply, or `now` while there is none. */
  judgedAt: number;
  /** deadline − judgedAt: positive is early (or time left), negative is late. */
  marginMs: number;
  /** The same margin in covered time. */
  coveredMarginMs: number;
}

export interface TimingsOptions {
  /** SLA profiles by the vendor name tickets use. */
  profiles: Record<string, SlaProfile>;
  /** The instant a ticket without reply is judged at (pending or breached). */
  now: number;
  /** Where and when night is, for classifying when faults struck. */
  localTime?: LocalTimeOptions;
}

interface Incident {
  id: string;
  kind: string;
  targets: string[];
  start: number;
  end: number;
  firstAlert: { at: number; rule: string } | null;
  firsts: Partial<Record<IncidentActionKind, number>>;
  tickets: Ticket[];
  actions: IncidentTimings['actions'];
}

export function drillTimings(entries: readonly JournalEntry[], options: TimingsOptions): DrillTimings {
  const incidents = new Map<string, Incident>();
  const unmatched: UnmatchedEntry[] = [];
  const skip = (entry: JournalEntry, reason: string): void => {
    unmatched.push({ at: entry.t, type: entry.type, reason });
  };

  const injected = new Set<unknown>();
  entries.forEach((entry, index) => {
    if (entry.type !== 'fault.inject') return;
    if (injected.has(entry.faultId)) throw new Error(`journal entry ${index} (fault.inject): fault ${String(entry.faultId)} injected twice`);
    injected.add(entry.faultId);
  });
  // The faults' ground truth as every reader sees it (journal/replay.ts).
  const recordEnd = maxOf(entries.map((e) => e.t));
  for (const fault of JournalReplay.of(entries, { selfSamples: false }).faults(recordEnd)) {
    incidents.set(fault.faultId, {
      id: fault.faultId,
      kind: fault.kind,
      targets: fault.targets,
      start: fault.start,
      end: fault.end,
      firstAlert: null,
      firsts: {},
      tickets: [],
      actions: [],
    });
  }

  // Time order, since "open" and "latest ticket" depend on what happened before.
  const timeline = entries.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.t - b.entry.t);
  for (const { entry, index } of timeline) {
    if (entry.type === 'fault.revert') {
      const revert = parse(faultRevert, entry, index);
      if (!incidents.has(revert.faultId)) skip(entry, `unknown fault ${revert.faultId}`);
    } else if (entry.type === 'alert.fire') {
      const alert = parse(alertFire, entry, index);
      const incident = alert.faultId !== undefined ? incidents.get(alert.faultId) : openIncidentAt(incidents, entry.t);
      if (!incident) skip(entry, alert.faultId !== undefined ? `unknown fault ${alert.faultId}` : 'no open incident');
      else if (incident.firstAlert === null) incident.firstAlert = { at: entry.t, rule: alert.rule };
    } else if (entry.type === 'incident.action') {
      const placed = applyAction(incidents, { ...parse(incidentAction, entry, index), t: entry.t });
      if (typeof placed === 'string') skip(entry, placed);
    }
  }

  return {
    incidents: [...incidents.values()].sort((a, b) => a.start - b.start).map((incident) => summarise(incident, options)),
    unmatched,
  };
}

function parse<T extends z.ZodType>(schema: T, entry: JournalEntry, index: number): z.output<T> {
  const parsed = schema.safeParse(entry);
  if (!parsed.success) throw new Error(describeIssues(`journal entry ${index} (${entry.type})`, parsed.error));
  return parsed.data;
}

/** Records an action on its incident (rules in the module comment); returns why when it belongs nowhere. */
function applyAction(incidents: Map<string, Incident>, action: Action): string | undefined {
  const owner = action.reference !== undefined ? ticketOwner(incidents, action.reference) : undefined;
  const incident =
    action.incidentId !== undefined ? incidents.get(action.incidentId) : (owner ?? openIncidentAt(incidents, action.t));
  if (!incident) return action.incidentId !== undefined ? `unknown incident ${action.incidentId}` : 'no open incident';

  if (TICKET_ACTIONS.includes(action.action)) {
    const problem = applyToTicket(incident.tickets, action, `incident ${incident.id}`);
    if (problem) return problem;
  }
  if (action.action === 'ticket') incident.tickets.push(openTicket({ ...action, ticket: action.ticket! }));
  incident.firsts[action.action] ??= action.t;
  incident.actions.push({ at: action.t, action: action.action, who: action.who, text: action.text ?? null });
  return undefined;
}

function ticketOwner(incidents: Map<string, Incident>, reference: string): Incident | undefined {
  return [...incidents.values()].find((incident) => incident.tickets.some((t) => t.reference === reference));
}

/** The unresolved incident whose fault started most recently at or before `t`. */
function openIncidentAt(incidents: Map<string, Incident>, t: number): Incident | undefined {
  let latest: Incident | undefined;
  for (const incident of incidents.values()) {
    if (incident.start > t || incident.firsts.resolve !== undefined) continue;
    if (!latest || incident.start >= latest.start) latest = incident;
  }
  return latest;
}

function summarise(incident: Incident, options: TimingsOptions): IncidentTimings {
  const { firsts, start } = incident;
  const alertAt = incident.firstAlert?.at;
  const ticketAt = incident.tickets[0]?.openedAt;
  return {
    incidentId: incident.id,
    kind: incident.kind,
    targets: incident.targets,
    faultStart: start,
    faultEnd: incident.end,
    firstAlert: incident.firstAlert,
    acknowledgedAt: firsts.ack ?? null,
    mitigatedAt: firsts.mitigate ?? null,
    resolvedAt: firsts.resolve ?? null,
    detectMs: span(start, alertAt),
    acknowledgeMs: span(alertAt, firsts.ack),
    escalateMs: span(firsts.ack, ticketAt),
    mitigateMs: span(start, firsts.mitigate),
    resolveMs: span(start, firsts.resolve),
    tickets: incident.tickets.map((ticket) => ticketTimings(ticket, start, options)),
    actions: incident.actions,
  };
}

function span(from: number | undefined, to: number | undefined): number | null {
  return from === undefined || to === undefined ? null : to - from;
}

function ticketTimings(ticket: Ticket, faultStart: number, { profiles, now, localTime = {} }: TimingsOptions): VendorTicketTimings {
  const profile = profiles[ticket.vendor] as SlaProfile | undefined;
  const reply = ticket.firstReplyAt;
  const progress = ticketProgress(ticket);
  const since = (at: number | null): number | null => (at === null ? null : at - faultStart);
  const coverage = profile?.severities[ticket.severityHistory[0].severity].coverage ?? null;
  const timings = {
    ...ticket,
    responseMs: reply === null ? null : reply - ticket.openedAt,
    progress,
    sinceFault: {
      firstDiagnosis: since(progress.firstDiagnosisAt),
      rootCause: since(progress.rootCauseAt),
      fixProposed: since(progress.fixProposedAt),
      escalation: since(progress.escalatedAt),
      verifiedFix: since(progress.verifiedFixAt),
    },
    struck: struckAt(faultStart, coverage, localTime.timeZone ?? planTimeZone(profile) ?? 'UTC', localTime.night),
  };
  if (!profile) return { ...timings, responseCoveredMs: null, sla: { status: 'no-profile' } };
  const sla = judgeFirstResponse(profile, ticket, now);
  const judged = profile.severities[sla.severity].coverage;
  return { ...timings, responseCoveredMs: reply === null ? null : coveredMs(judged, ticket.openedAt, reply), sla };
}

/** Judges a ticket's first response against the profile (rules in the module comment). */
export function judgeFirstResponse(
  profile: SlaProfile,
  ticket: { openedAt: number; severityHistory: readonly SeverityChange[]; firstReplyAt: number | null },
  now: number,
): SlaVerdict {
  const judgedAt = ticket.firstReplyAt ?? now;
  const dueUnder = (severity: Severity): number => {
    const target = profile.severities[severity];
    return deadline(target.coverage, ticket.openedAt, target.firstResponse);
  };
  let severity = ticket.severityHistory[0].severity;
  let due = dueUnder(severity);
  for (const change of ticket.severityHistory.slice(1)) {
    if (change.at > judgedAt || due < change.at) break;
    severity = change.severity;
    due = dueUnder(severity);
  }
  const target = profile.severities[severity];
  return {
    status: judgedAt > due ? 'breached' : ticket.firstReplyAt === null ? 'pending' : 'met',
    profile: `${profile.vendor} ${profile.plan}`,
    severity,
    budgetMs: target.firstResponse,
    clockStartedAt: clockStartedAt(target.coverage, ticket.openedAt),
    deadline: due,
    judgedAt,
    marginMs: due - judgedAt,
    coveredMarginMs: coveredMs(target.coverage, judgedAt, due),
  };
}
