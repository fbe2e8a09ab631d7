/**
 * Ticket follow-ups after a drill has ended. A vendor's diagnosis, fix or
 * reopened ticket often comes hours after the broadcast (a drill ends once
 * its incidents are resolved on the team's side), and the scorecard needs
 * them timed like the rest. `livedrill incident` appends them to the ended
 * drill's journal as `incident.action` entries marked `followUp: true`,
 * checked as the console API checks actions. What belongs to the drill's own
 * time (ack, ticket, mitigate, resolve) is refused.
 */
import { join } from 'node:path';
import { Journal, readJournalFile } from '../journal/Journal.js';
import { incidentAction, ticketProblem, type ActionRequest, type RecordedAction } from './actions.js';
import { TICKET_ACTIONS, type IncidentActionKind } from './metrics.js';
import { DrillRunError } from './runFiles.js';

const FOLLOW_UP_ACTIONS: readonly IncidentActionKind[] = [...TICKET_ACTIONS, 'note'];

/** Appends a validated action to an ended drill's journal; `ended` says when and how it ended, for messages. */
export function recordFollowUp(runDir: string, request: ActionRequest, ended: string, now = Date.now()): RecordedAction {
  const file = join(runDir, 'journal.jsonl');
  if (!FOLLOW_UP_ACTIONS.includes(request.action)) {
    throw new DrillRunError(
      `${runDir}: the drill ended ${ended}: "${request.action}" can no longer be recorded; after a drill only ticket follow-ups and notes can (${FOLLOW_UP_ACTIONS.join(', ')})`,
    );
  }
  const { entries } = readJournalFile(file);
  if (!entries.some((e) => e.type === 'run.end')) {
    throw new DrillRunError(`${file}: no run.end entry: the drill is still writing its journal (or crashed); record through its console instead`);
  }
  const vendor = entries.find((e) => e.type === 'drill.start')?.vendor;
  if (typeof vendor !== 'string') throw new DrillRunError(`${file}: no drill.start entry with a vendor: not a drill's journal`);
  const opened = entries.flatMap((e) => {
    const ticket = e.type === 'incident.action' ? (e.ticket as { reference?: unknown } | undefined) : undefined;
    return typeof ticket?.reference === 'string' ? [ticket.reference] : [];
  });
  const problem = ticketProblem(request, opened);
  if (problem) throw new DrillRunError(`${problem.field}: ${problem.message}`);
  const action = incidentAction(request, vendor, opened);
  const journal = new Journal(file);
  try {
    journal.write('incident.action', { ...action, followUp: true }, now);
  } finally {
    journal.close();
  }
  return { ...action, t: now };
}
