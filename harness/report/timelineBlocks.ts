/** The report's human timeline: incidents and their timings, vendor tickets against their SLA, every alert and action. */
import type { Evidence } from './evidence.js';
import type { IncidentTimings, VendorTicketTimings } from '../drill/timings.js';
import type { Block } from './blocks.js';
import { clock, duration, utc } from './format.js';

export function timelineBlocks(ev: Evidence): Block[] {
  const tl = ev.timeline;
  const heading: Block = { type: 'heading', level: 2, text: 'Human timeline', id: 'timeline' };
  if (!tl.present) return [heading, { type: 'paragraph', text: 'No alert or human action was journaled in this run (it was not a drill).' }];
  const blocks: Block[] = [heading];
  if (tl.error) blocks.push({ type: 'callout', tone: 'bad', title: 'Timeline incomplete', lines: [tl.error] });
  const profiles = tl.slaProfiles.map((p) => `${p.vendor} ${p.plan} (${p.file})`);
  blocks.push({
    type: 'paragraph',
    text:
      (profiles.length ? `Vendor first responses judged against: ${profiles.join('; ')}. ` : '') +
      `Tickets still without a reply are judged as of ${utc(tl.judgedAsOf)}, the end of the record.`,
  });
  if (tl.slaNotes.length) blocks.push({ type: 'callout', tone: 'info', title: 'SLA profile', lines: tl.slaNotes });

  if (tl.incidents.length > 0) {
    blocks.push({ type: 'heading', level: 3, text: 'Incidents' });
    blocks.push({
      type: 'table',
      id: 'incident-table',
      header: ['Incident (fault)', 'Kind', 'Fault start', 'Detect', 'Acknowledge', 'Escalate', 'Mitigate', 'Resolve', 'First alert'],
      rows: tl.incidents.map((i) => [
        i.incidentId,
        i.kind,
        utc(i.faultStart),
        duration(i.detectMs),
        duration(i.acknowledgeMs),
        duration(i.escalateMs),
        duration(i.mitigateMs),
        duration(i.resolveMs),
        i.firstAlert ? `${i.firstAlert.rule} at ${clock(i.firstAlert.at)}` : 'none',
      ]),
      note: 'Detect: fault start → first alert. Acknowledge: first alert → first ack. Escalate: first ack → first vendor ticket. Mitigate, resolve: from fault start.',
    });
    const tickets = tl.incidents.flatMap((i) => i.tickets.map((t) => [i, t] as [IncidentTimings, VendorTicketTimings]));
    if (tickets.length > 0) {
      blocks.push({ type: 'heading', level: 3, text: 'Vendor tickets and first-response SLA' });
      blocks.push({
        type: 'table',
        id: 'sla-table',
        header: ['Incident', 'Vendor ticket', 'Severity', 'Opened', 'First reply', 'Response time', 'SLA verdict', 'Deadline', 'Margin'],
        rows: tickets.map(([i, t]) => {
          const sla = t.sla;
          const judged = sla.status !== 'no-profile';
          return [
            i.incidentId,
            `${t.vendor} ${t.reference} (${t.channel}, by ${t.openedBy})`,
            t.severityHistory.map((s) => s.severity).join(' → '),
            utc(t.openedAt),
            t.firstReplyAt === null ? 'no reply' : utc(t.firstReplyAt),
            duration(t.responseMs),
            judged ? `${sla.status.toUpperCase()} (${sla.severity}, ${duration(sla.budgetMs)} budget, ${sla.profile})` : 'not judged (no SLA profile for this vendor)',
            judged ? utc(sla.deadline) : '-',
            judged ? `${duration(sla.marginMs)}${sla.marginMs >= 0 ? ' early' : ' late'}` : '-',
          ];
        }),
      });
    }
  }

  const faultStart = new Map(ev.faults.map((f) => [f.faultId, f.start]));
  // Actions as drillTimings attributed them; alerts by the fault they name, else the latest fault started before.
  const attributed = new Map<string, string>(tl.incidents.flatMap((i) => i.actions.map((a) => [`${a.at}|${a.action}|${a.who}`, i.incidentId] as [string, string])));
  const incidentOf = (t: number): string | null => tl.incidents.filter((i) => i.faultStart <= t).at(-1)?.incidentId ?? null;
  blocks.push({ type: 'heading', level: 3, text: 'Alerts and actions' });
  blocks.push({
    type: 'table',
    id: 'human-timeline',
    header: ['Time (UTC)', 'Since fault start', 'Incident', 'Event', 'Who', 'Detail'],
    rows: tl.events.map((e) => {
      const incident = (e.type === 'action' ? attributed.get(`${e.t}|${e.what}|${e.who}`) : undefined) ?? e.incidentId ?? incidentOf(e.t);
      const start = incident ? faultStart.get(incident) : undefined;
      return [
        clock(e.t),
        start === undefined ? '-' : duration(e.t - start),
        incident ?? '-',
        e.type === 'action' ? e.what : `${e.type}: ${e.what}`,
        e.who ?? '-',
        e.text ?? '',
      ];
    }),
  });
  if (tl.unmatched.length > 0) {
    blocks.push({ type: 'heading', level: 3, text: 'Entries not attributed to any incident' });
    blocks.push({
      type: 'table',
      header: ['Time (UTC)', 'Entry', 'Not attributed because'],
      rows: tl.unmatched.map((u) => [clock(u.at), u.type, u.reason]),
    });
  }
  return blocks;
}
