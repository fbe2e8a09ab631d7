/** The drill's outcome as the CLI prints it: incident timings, each vendor ticket's SLA verdict, then how each ticket went. */
import type { ScheduledFault } from './schedule.js';
import type { DrillTimings } from './timings.js';
import { maxOf } from '../../common/stats.js';

export function formatSpan(ms: number | null): string {
  if (ms === null) return '-';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)}s`;
  const s = Math.round(abs / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const parts = h > 0 ? [`${h}h`, `${String(m).padStart(2, '0')}m`] : [`${m}m`];
  return `${sign}${parts.join('')}${String(s % 60).padStart(2, '0')}s`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => maxOf([h.length, ...rows.map((r) => r[i].length)]));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatDrillTimings(
  timings: DrillTimings,
  context: { steadyAt: number | null; schedule?: ScheduledFault[]; endReason?: string | null },
): string {
  const at = (t: number): string => (context.steadyAt === null ? new Date(t).toISOString() : `T+${formatSpan(t - context.steadyAt)}`);
  const out: string[] = [];
  out.push(`drill ${context.endReason ? `ended: ${context.endReason}` : 'outcome'}`);
  if (context.schedule) {
    out.push('');
    out.push('hidden schedule (revealed):');
    out.push(
      table(
        ['fault', 'kind', 'window', 'struck at', 'lasting'],
        context.schedule.map((f) => [f.faultId, f.kind, `T+${formatSpan(f.window[0])}..${formatSpan(f.window[1])}`, `T+${formatSpan(f.at)}`, formatSpan(f.duration)]),
      ),
    );
  }
  out.push('');
  if (timings.incidents.length === 0) {
    out.push('no fault struck: no incident');
  } else {
    out.push(
      table(
        ['incident', 'kind', 'struck', 'first alert', 'detect', 'ack', 'escalate', 'mitigate', 'resolve'],
        timings.incidents.map((i) => [
          i.incidentId,
          i.kind,
          at(i.faultStart),
          i.firstAlert ? `${i.firstAlert.rule} ${at(i.firstAlert.at)}` : '-',
          formatSpan(i.detectMs),
          formatSpan(i.acknowledgeMs),
          formatSpan(i.escalateMs),
          formatSpan(i.mitigateMs),
          formatSpan(i.resolveMs),
        ]),
      ),
    );
    out.push('(detect: fault -> first alert; ack: alert -> ack; escalate: ack -> vendor ticket; mitigate, resolve: from the fault)');
  }
  const tickets = timings.incidents.flatMap((i) => i.tickets.map((t) => ({ incident: i.incidentId, ...t })));
  if (tickets.length > 0) {
    out.push('');
    out.push(
      table(
        ['ticket', 'incident', 'vendor', 'severity', 'opened', 'first reply', 'response', 'SLA', 'verdict'],
        tickets.map((t) => {
          const sla = t.sla;
          const verdict =
            sla.status === 'no-profile'
              ? 'no SLA profile for this vendor'
              : `${sla.status.toUpperCase()} (${sla.marginMs >= 0 ? `${formatSpan(sla.marginMs)} ${sla.status === 'pending' ? 'left' : 'early'}` : `${formatSpan(-sla.marginMs)} late`})`;
          return [
            t.reference,
            t.incident,
            t.vendor,
            t.severityHistory.map((s) => s.severity).join('->'),
            `${at(t.openedAt)} by ${t.openedBy}`,
            t.firstReplyAt === null ? 'none' : at(t.firstReplyAt),
            formatSpan(t.responseMs),
            sla.status === 'no-profile' ? '-' : `${sla.profile} ${sla.severity} ${formatSpan(sla.budgetMs)}, due ${new Date(sla.deadline).toISOString()}`,
            verdict,
          ];
        }),
      ),
    );
  }
  if (tickets.length > 0) {
    out.push('');
    out.push(
      table(
        ['ticket', 'fault struck', 'asks (before diagnosis)', 'root cause', 'fix proposed', 'escalated', 'verified fix', 'reopens', 'generic replies', 'contact'],
        tickets.map(({ reference, progress: p, sinceFault: since, struck }) => [
          reference,
          `${struck.local} ${struck.timeZone}${struck.night ? ' (night)' : ''}${struck.planHours === false ? ', outside plan hours' : ''}`,
          `${p.clarifications.length} (${p.clarificationsBeforeDiagnosis})`,
          since.rootCause !== null ? formatSpan(since.rootCause) : p.firstDiagnosisAt !== null ? 'not named' : '-',
          formatSpan(since.fixProposed),
          formatSpan(since.escalation),
          since.verifiedFix === null ? '-' : `${formatSpan(since.verifiedFix)} (${p.verifiedBy})`,
          String(p.reopens),
          p.genericReplies === 0 ? '0' : `${p.genericReplies} (${Object.keys(p.tags).join(', ')})`,
          p.contacts.join(', ') || '-',
        ]),
      ),
    );
    out.push('(root cause, fix proposed, escalated, verified fix: from the fault; a verified fix counts when no reopen came after it)');
  }
  if (timings.unmatched.length > 0) {
    out.push('');
    out.push('not attributed to an incident:');
    for (const u of timings.unmatched) out.push(`  ${at(u.at)} ${u.type}: ${u.reason}`);
  }
  return out.join('\n');
}
