/**
 * A vendor ticket's life as the team records it: opened, reclassified, what
 * the vendor said (`vendor-*`), the team's verdicts on the fix (`fix-verified`,
 * `reopen`). Shared by timings.ts (from the journal) and the drill console
 * (from the actions alone: it must not learn which fault a ticket is about).
 *
 * A ticket action applies to the ticket its `reference` names, else to the
 * latest ticket opened.
 */
import type { RecordedAction } from './actions.js';
import { VENDOR_ACTIONS, type IncidentActionKind } from './metrics.js';
import type { Severity } from './slaProfile.js';

export interface SeverityChange {
  at: number;
  severity: Severity;
  who: string;
}

/** A ticket action after the ticket was opened (reclassifications are in severityHistory). */
export type TicketFollowUp = Pick<RecordedAction, 'action' | 'who' | 'tags' | 'contact' | 'rootCause' | 'fix' | 'verifiedBy'> & { at: number; text: string | null };

export interface Ticket {
  vendor: string;
  reference: string;
  channel: string;
  openedAt: number;
  openedBy: string;
  /** The ticket's severity, then each reclassification. */
  severityHistory: SeverityChange[];
  /** The first thing the vendor said (any vendor-* action): its first response. */
  firstReplyAt: number | null;
  followUps: TicketFollowUp[];
}

/** What timings and the console read of an action. */
export type TicketActionInput = Omit<RecordedAction, 'source' | 'incidentId'>;

const isVendorAction = (action: IncidentActionKind): boolean => (VENDOR_ACTIONS as readonly string[]).includes(action);

/** The ticket a `ticket` action opens. */
export function openTicket(action: TicketActionInput & { ticket: NonNullable<RecordedAction['ticket']> }): Ticket {
  const { vendor, severity, channel, reference } = action.ticket;
  return {
    vendor,
    reference,
    channel,
    openedAt: action.t,
    openedBy: action.who,
    severityHistory: [{ at: action.t, severity, who: action.who }],
    firstReplyAt: null,
    followUps: [],
  };
}

/** Applies a ticket action to its ticket among `tickets`; returns why when there is none to apply it to. */
export function applyToTicket(tickets: readonly Ticket[], action: TicketActionInput, where: string): string | undefined {
  const named = action.reference;
  const ticket = named !== undefined ? tickets.find((t) => t.reference === named) : tickets.at(-1);
  if (!ticket) return named !== undefined ? `no ticket ${named} in ${where}` : `no vendor ticket in ${where}`;
  if (action.action === 'reclassify') {
    ticket.severityHistory.push({ at: action.t, severity: action.severity!, who: action.who });
    return undefined;
  }
  if (isVendorAction(action.action)) ticket.firstReplyAt ??= action.t;
  const { t, text, action: kind, who, tags, contact, rootCause, fix, verifiedBy } = action;
  const given = Object.entries({ tags, contact, rootCause, fix, verifiedBy }).filter(([, v]) => v !== undefined);
  ticket.followUps.push({ at: t, action: kind, who, text: text ?? null, ...Object.fromEntries(given) });
  return undefined;
}

/** Where a ticket stands: what the vendor asked, diagnosed and proposed, and whether the fix held. */
export interface TicketProgress {
  /** Each time the vendor asked for information, with what it asked. */
  clarifications: Array<{ at: number; text: string | null }>;
  /** Clarification rounds before the first diagnosis naming the root cause (all of them when none did). */
  clarificationsBeforeDiagnosis: number;
  firstDiagnosisAt: number | null;
  /** The first diagnosis that named the root cause. */
  rootCauseAt: number | null;
  /** Diagnoses that named no root cause. */
  vagueDiagnoses: number;
  fixProposedAt: number | null;
  /** Proposals, fixes and workarounds apart. */
  proposals: { fix: number; workaround: number };
  escalatedAt: number | null;
  escalations: number;
  reopens: number;
  /** The verification that stands (none reopened the ticket after it), and the re-run it names. */
  verifiedFixAt: number | null;
  verifiedBy: string | null;
  solved: boolean;
  /** vendor-* actions tagged as generic replies, and how often each tag was used. */
  genericReplies: number;
  tags: Record<string, number>;
  /** The vendor's people who gave their name. */
  contacts: string[];
}

export function ticketProgress(ticket: Pick<Ticket, 'followUps'>): TicketProgress {
  const of = (action: IncidentActionKind): TicketFollowUp[] => ticket.followUps.filter((f) => f.action === action);
  const asks = of('vendor-ask');
  const diagnoses = of('vendor-diagnosis');
  const rootCauseAt = diagnoses.find((d) => d.rootCause)?.at ?? null;
  const lastReopen = of('reopen').at(-1)?.at ?? -Infinity;
  const standing = of('fix-verified').filter((v) => v.at >= lastReopen).at(0) ?? null;
  const tagged = ticket.followUps.filter((f) => f.tags !== undefined);
  const tags: Record<string, number> = {};
  for (const tag of tagged.flatMap((f) => f.tags!)) tags[tag] = (tags[tag] ?? 0) + 1;
  return {
    clarifications: asks.map((a) => ({ at: a.at, text: a.text })),
    clarificationsBeforeDiagnosis: asks.filter((a) => rootCauseAt === null || a.at < rootCauseAt).length,
    firstDiagnosisAt: diagnoses[0]?.at ?? null,
    rootCauseAt,
    vagueDiagnoses: diagnoses.filter((d) => !d.rootCause).length,
    fixProposedAt: of('vendor-fix')[0]?.at ?? null,
    proposals: { fix: of('vendor-fix').filter((f) => f.fix === 'fix').length, workaround: of('vendor-fix').filter((f) => f.fix === 'workaround').length },
    escalatedAt: of('vendor-escalate')[0]?.at ?? null,
    escalations: of('vendor-escalate').length,
    reopens: of('reopen').length,
    verifiedFixAt: standing?.at ?? null,
    verifiedBy: standing?.verifiedBy ?? null,
    solved: standing !== null,
    genericReplies: tagged.length,
    tags,
    contacts: [...new Set(ticket.followUps.flatMap((f) => (f.contact ? [f.contact] : [])))],
  };
}
