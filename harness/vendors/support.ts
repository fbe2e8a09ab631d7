/**
 * The vendor's support, from its drills' tickets: how fast it responds (by
 * severity, by when the fault struck, against its own plan and a common
 * yardstick), whether it finds and fixes the problem, and the service around
 * it. A vendor's tickets are those its drills opened to it; a ticket to
 * another vendor (a CDN…) is left out and said.
 */
import { judgeFirstResponse, type SlaVerdict, type VendorTicketTimings } from '../drill/timings.js';
import type { SlaProfile } from '../drill/slaProfile.js';
import type { TrialRun } from './load.js';
import { rateCell, row, valueCell, type Cell, type Row, type Section } from './model.js';
import type { Sample } from './spread.js';

export interface TrialTicket {
  vendor: string;
  /** The drill (run id) and incident (fault id) it was opened in. */
  run: string;
  incident: string;
  faultKind: string;
  ticket: VendorTicketTimings;
  /** The same first response judged against the common yardstick. */
  yardstick: SlaVerdict;
}

export function trialTickets(runs: readonly TrialRun[], yardstick: SlaProfile): { tickets: TrialTicket[]; notes: string[] } {
  const tickets: TrialTicket[] = [];
  const notes: string[] = [];
  for (const run of runs) {
    for (const incident of run.timings?.incidents ?? []) {
      for (const ticket of incident.tickets) {
        if (ticket.vendor !== run.drillVendor && ticket.vendor !== run.vendor) {
          notes.push(`Ticket ${ticket.reference} in ${run.id} was opened to ${ticket.vendor}, not to ${run.vendor}: left out.`);
          continue;
        }
        const verdict = judgeFirstResponse(yardstick, ticket, run.recordEnd);
        tickets.push({ vendor: run.vendor, run: run.id, incident: incident.incidentId, faultKind: incident.kind, ticket, yardstick: verdict });
      }
    }
  }
  return { tickets, notes };
}

type Measure = (t: TrialTicket) => number | null;

export function supportSections(tickets: readonly TrialTicket[], vendors: readonly string[], yardstick: SlaProfile): Section[] {
  const cells = (make: (own: TrialTicket[]) => Cell | null): Record<string, Cell> =>
    Object.fromEntries(
      vendors.flatMap((v) => {
        const own = tickets.filter((t) => t.vendor === v);
        const cell = own.length > 0 ? make(own) : null;
        return cell ? [[v, cell]] : [];
      }),
    );
  const sample = (t: TrialTicket, value: number, ref = ticketRef(t)): Sample => ({ value, run: t.run, ref });
  const values = (pick: Measure, detail?: (own: TrialTicket[]) => string | null) => (own: TrialTicket[]) => {
    const samples = own.flatMap((t) => (pick(t) === null ? [] : [sample(t, pick(t)!)]));
    return valueCell(samples, samples.length, detail?.(own) ?? null);
  };
  const share = (has: (t: TrialTicket) => boolean, detail?: (own: TrialTicket[]) => string | null) => (own: TrialTicket[]) =>
    rateCell(own.map((t) => sample(t, has(t) ? 1 : 0)), own.length, detail?.(own) ?? null);
  const duration = (key: string, label: string, pick: Measure, better: Row['better'] = 'lower', only?: (t: TrialTicket) => boolean): Row =>
    row({ key, label, unit: 'duration', better, sampleOf: 'tickets', cells: cells((own) => values(pick)(only ? own.filter(only) : own)) });
  const perTicket = (key: string, label: string, count: (t: TrialTicket) => number, detail?: (own: TrialTicket[]) => string | null, ref?: (t: TrialTicket) => string): Row =>
    row({
      key,
      label,
      unit: 'count',
      better: 'lower',
      sampleOf: 'tickets',
      cells: cells((own) => valueCell(own.map((t) => sample(t, count(t), ref?.(t))), own.length, detail?.(own) ?? null)),
    });

  const response: Measure = (t) => t.ticket.responseMs;
  const severities = [...new Set(tickets.map((t) => t.ticket.severityHistory[0].severity))].sort();
  const when = (t: TrialTicket) => t.ticket.struck;
  const judged = (verdict: (t: TrialTicket) => SlaVerdict | { status: 'no-profile' }) => (own: TrialTicket[]) => {
    const counted = own.filter((t) => verdict(t).status === 'met' || verdict(t).status === 'breached');
    const pending = own.length - counted.length;
    const profiles = [...new Set(own.flatMap((t) => (verdict(t).status === 'no-profile' ? [] : [(verdict(t) as SlaVerdict).profile])))];
    const notes = [profiles.join(', ') || 'no SLA profile', ...(pending > 0 ? [`${pending} not judged (no profile, or still pending)`] : [])];
    return rateCell(counted.map((t) => sample(t, verdict(t).status === 'met' ? 1 : 0)), counted.length, notes.join('; '));
  };

  return [
    {
      id: 'response',
      title: 'Response',
      groups: [
        {
          title: 'First response (ticket to the first thing the vendor said)',
          notes: [],
          rows: [
            ...severities.map((s) => duration(`response.${s}`, `${s} tickets`, response, 'lower', (t) => t.ticket.severityHistory[0].severity === s)),
            duration('response.plan-hours', "Fault struck inside the plan's hours", response, 'lower', (t) => when(t).planHours === true),
            duration('response.off-plan-hours', "Fault struck outside the plan's hours", response, 'lower', (t) => when(t).planHours === false),
            duration('response.day', 'Fault struck by day', response, 'lower', (t) => !when(t).night),
            duration('response.night', 'Fault struck at night', response, 'lower', (t) => when(t).night),
            row({ key: 'response.unanswered', label: 'Unanswered at the end of the record', unit: 'rate', better: 'lower', sampleOf: 'tickets', cells: cells(share((t) => t.ticket.firstReplyAt === null)) }),
          ],
        },
        {
          title: 'SLA',
          notes: [],
          rows: [
            row({ key: 'response.sla-own', label: "First response SLA met, vendor's own plan", unit: 'rate', better: 'higher', sampleOf: 'tickets', cells: cells(judged((t) => t.ticket.sla)) }),
            row({
              key: 'response.sla-yardstick',
              label: `First response SLA met, yardstick: ${yardstick.vendor} ${yardstick.plan}`,
              unit: 'rate',
              better: 'higher',
              sampleOf: 'tickets',
              cells: cells(judged((t) => t.yardstick)),
            }),
          ],
        },
      ],
    },
    {
      id: 'solving',
      title: 'Problem solving',
      groups: [
        {
          title: 'Locating the problem',
          notes: [],
          rows: [
            row({ key: 'solving.root-cause-share', label: 'Root cause named', unit: 'rate', better: 'higher', sampleOf: 'tickets', cells: cells(share((t) => t.ticket.progress.rootCauseAt !== null)) }),
            duration('solving.root-cause', 'Time to the root cause (from the fault)', (t) => t.ticket.sinceFault.rootCause),
            perTicket('solving.clarifications', 'Clarification rounds before the diagnosis (per ticket)', (t) => t.ticket.progress.clarificationsBeforeDiagnosis, undefined, (t) => {
              const asked = t.ticket.progress.clarifications.map((c) => `"${c.text ?? ''}"`);
              return asked.length > 0 ? `${ticketRef(t)}; asked ${asked.join(', ')}` : ticketRef(t);
            }),
            perTicket('solving.vague', 'Diagnoses naming no root cause (per ticket)', (t) => t.ticket.progress.vagueDiagnoses),
            perTicket('solving.generic', 'Generic replies (per ticket)', (t) => t.ticket.progress.genericReplies, tagsUsed),
          ],
        },
        {
          title: 'Fixing it',
          notes: [],
          rows: [
            duration('solving.fix', 'Time to a verified fix (from the fault)', (t) => t.ticket.sinceFault.verifiedFix),
            row({
              key: 'solving.solved',
              label: 'Solved (a verified fix no reopen followed)',
              unit: 'rate',
              better: 'higher',
              sampleOf: 'tickets',
              cells: cells(share((t) => t.ticket.progress.solved, proposals)),
            }),
            perTicket('solving.reopens', 'Reopened (per ticket)', (t) => t.ticket.progress.reopens),
          ],
        },
      ],
    },
    {
      id: 'service',
      title: 'Service',
      groups: [
        {
          title: 'Escalation and contact',
          notes: ['Escalation is shown, not ranked: a vendor that solves a problem without its experts is not worse for it.'],
          rows: [
            row({ key: 'service.escalated', label: "Escalated to the vendor's experts", unit: 'rate', better: null, sampleOf: 'tickets', cells: cells(share((t) => t.ticket.progress.escalations > 0)) }),
            duration('service.escalation', 'Time to escalation (from the fault)', (t) => t.ticket.sinceFault.escalation, null),
            row({ key: 'service.contact', label: 'A named contact', unit: 'rate', better: 'higher', sampleOf: 'tickets', cells: cells(share((t) => t.ticket.progress.contacts.length > 0, contactsNamed)) }),
          ],
        },
      ],
    },
  ];
}

/** A ticket, and when its fault struck: "T-7, struck Wed 02:00 Los Angeles". */
function ticketRef({ ticket }: TrialTicket): string {
  const { local, timeZone } = ticket.struck;
  return `${ticket.reference}, struck ${local} ${timeZone.split('/').at(-1)!.replace(/_/g, ' ')}`;
}

function tagsUsed(own: TrialTicket[]): string | null {
  const counts: Record<string, number> = {};
  for (const t of own) for (const [tag, n] of Object.entries(t.ticket.progress.tags)) counts[tag] = (counts[tag] ?? 0) + n;
  const said = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return said.length > 0 ? said.map(([tag, n]) => `${tag} ${n}`).join(', ') : null;
}

function proposals(own: TrialTicket[]): string {
  const fix = own.reduce((a, t) => a + t.ticket.progress.proposals.fix, 0);
  const workaround = own.reduce((a, t) => a + t.ticket.progress.proposals.workaround, 0);
  return `proposed: ${fix} fix${fix === 1 ? '' : 'es'}, ${workaround} workaround${workaround === 1 ? '' : 's'}`;
}

function contactsNamed(own: TrialTicket[]): string | null {
  const names = [...new Set(own.flatMap((t) => t.ticket.progress.contacts))];
  return names.length > 0 ? names.join(', ') : null;
}
