/**
 * What people did during a drill: alerts and incident actions in time order,
 * and the incident timings (detect, acknowledge, escalate…) with vendor
 * first-response SLA verdicts.
 */
import type { JournalEntry } from '../journal/entries.js';
import { drillTimings, type IncidentTimings, type UnmatchedEntry } from '../drill/timings.js';
import type { SlaProfile } from '../drill/slaProfile.js';

export interface TimelineEvent {
  t: number;
  type: 'alert' | 'alert.resolve' | 'action';
  /** Rule of an alert, or the action (ack, ticket…). */
  what: string;
  who: string | null;
  incidentId: string | null;
  text: string | null;
}

export interface HumanTimeline {
  present: boolean;
  slaProfiles: Array<{ file: string; vendor: string; plan: string; source: string | null }>;
  /** Why tickets are not judged, or which profile file could not be read. */
  slaNotes: string[];
  /** Tickets without a vendor reply are judged at this instant (the end of the record). */
  judgedAsOf: number;
  incidents: IncidentTimings[];
  unmatched: UnmatchedEntry[];
  events: TimelineEvent[];
  error: string | null;
}

export interface TimelineOptions {
  /** SLA profiles by the vendor name tickets use (see loadSlaProfiles). */
  profiles?: Record<string, SlaProfile>;
  slaProfiles?: HumanTimeline['slaProfiles'];
  slaNotes?: string[];
  /** Instant unanswered tickets are judged at; default the end of the record. */
  now?: number;
}

export function humanTimeline(entries: readonly JournalEntry[], options: TimelineOptions, recordEnd: number): HumanTimeline {
  const events = entries.filter((e) => e.type === 'alert.fire' || e.type === 'alert.resolve' || e.type === 'incident.action').map(timelineEvent);
  events.sort((a, b) => a.t - b.t);
  const now = options.now ?? recordEnd;
  const base = {
    present: events.length > 0,
    slaProfiles: options.slaProfiles ?? [],
    slaNotes: options.slaNotes ?? [],
    judgedAsOf: now,
    events,
  };
  if (!base.present) return { ...base, incidents: [], unmatched: [], error: null };
  try {
    const timings = drillTimings(entries, { profiles: options.profiles ?? {}, now });
    return { ...base, incidents: timings.incidents, unmatched: timings.unmatched, error: null };
  } catch (error) {
    return { ...base, incidents: [], unmatched: [], error: `the incident timeline could not be computed: ${(error as Error).message}` };
  }
}

function timelineEvent(e: JournalEntry): TimelineEvent {
  return {
    t: e.t,
    type: e.type === 'incident.action' ? 'action' : e.type === 'alert.fire' ? 'alert' : 'alert.resolve',
    what: String(e.type === 'incident.action' ? e.action : e.rule ?? e.type),
    who: typeof e.who === 'string' ? e.who : null,
    incidentId: typeof e.incidentId === 'string' ? e.incidentId : typeof e.faultId === 'string' ? e.faultId : null,
    text: describeAction(e),
  };
}

function describeAction(e: JournalEntry): string | null {
  const parts: string[] = [];
  const ticket = e.ticket as { vendor?: string; severity?: string; channel?: string; reference?: string } | undefined;
  if (ticket) parts.push(`${ticket.vendor ?? '?'} ${ticket.severity ?? ''} via ${ticket.channel ?? '?'} (${ticket.reference ?? '?'})`);
  if (typeof e.severity === 'string') parts.push(`severity ${e.severity}`);
  if (typeof e.reference === 'string') parts.push(`re ${e.reference}`);
  if (typeof e.value === 'number') parts.push(`value ${+e.value.toFixed(4)}`);
  if (typeof e.text === 'string') parts.push(e.text);
  return parts.length ? parts.join(' — ') : null;
}
