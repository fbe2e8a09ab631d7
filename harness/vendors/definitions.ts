/**
 * What every scorecard figure means, shared by scorecard.json, .md and .html
 * (and restated in the README), so the three never disagree.
 */
import { GENERIC_REPLY_MEANINGS } from '../drill/actions.js';
import type { NightWindow } from '../drill/timeOfDay.js';

export interface Definition {
  term: string;
  text: string;
}

export function definitions(settings: { minSample: number; night: NightWindow; timeZone: string | null; yardstick: string }): Definition[] {
  const zone = settings.timeZone ?? "the vendor plan's business-hours time zone (UTC for a plan without business hours)";
  return [
    {
      term: 'Spread',
      text:
        'Every figure is shown with its spread: p50 and p95 (nearest rank), the smallest and largest value, and n, the number of values. ' +
        'A share is k of n. The values behind a figure, each with the run and ticket or fault it comes from, are listed under it.',
    },
    {
      term: 'Ranking',
      text:
        `A row names the vendor with the lowest (or highest, where more is better) p50 or share only when every vendor has at least ${settings.minSample} ` +
        'tickets (support rows) or runs (SDK rows) behind it; otherwise it says the sample is too small to rank. Rows marked context are never ranked.',
    },
    {
      term: 'Comparable runs',
      text:
        'Runs of different livedrill versions are refused unless --allow-mixed-versions is given (then said at the top). Runs are compared per scenario: ' +
        'two runs share a scenario when they ran the same broadcast, viewers, faults and alert rules (its name, description, room, drill seed, vendor and ' +
        'SLA profile aside); figures of different scenarios are never pooled. Runs the test machine could not measure reliably, or that did not end normally, give no SDK figures.',
    },
    {
      term: 'Recovery',
      text: "Per targeted viewer, from the fault's end to the first frame rendered after it (0 when the picture never stopped); a viewer with no frame by the end of the run is not recovered.",
    },
    {
      term: 'Freeze and audio-gap seconds per viewer-minute',
      text:
        'Per run: the W3C freezes of all viewers (seconds), and the audio gaps of at least 200 ms of concealed audio, divided by the minutes viewers watched ' +
        '(first frame to the end of the run). The evidence pack defines both in full.',
    },
    { term: 'Join time', text: 'Per viewer, from asking to join to its first frame.' },
    {
      term: 'First response',
      text:
        "From the ticket to the first thing the vendor said on it (vendor-reply, vendor-ask, vendor-diagnosis, vendor-fix or vendor-escalate), wall clock. SLA met: judged against the vendor's own plan " +
        `(the profile its drill embedded) and against the yardstick ${settings.yardstick}, with the severity in force when the reply came, on the plan's hours; tickets still pending are not judged.`,
    },
    {
      term: 'When the fault struck',
      text:
        `Each ticket is classed by its fault's start: inside or outside the plan's hours (the plan's clock for the ticket's severity was running or not; 24x7 always inside), ` +
        `and by day or at night (night: ${settings.night.from} to ${settings.night.to} in ${zone}).`,
    },
    {
      term: 'Time to the root cause, to a verified fix, to escalation',
      text:
        "From the fault's real start to the first vendor-diagnosis naming the root cause, to the fix-verified that stands (no reopen after it), and to the first vendor-escalate.",
    },
    {
      term: 'Clarification rounds before the diagnosis',
      text: 'The vendor-ask actions (each a round, with what was asked) before the first diagnosis naming the root cause; all of them when none did.',
    },
    {
      term: 'Generic replies',
      text: `vendor-* actions the team tagged as generic: ${Object.entries(GENERIC_REPLY_MEANINGS)
        .map(([tag, meaning]) => `${tag} (${meaning})`)
        .join('; ')}.`,
    },
    {
      term: 'Solved, reopened',
      text:
        "Solved: a fix-verified (a re-run showing the fault no longer hurts) that no reopen followed. Re-runs named by fix-verified are looked up among the directories given, and what their faults of the same kind did is said.",
    },
    {
      term: 'Named contact',
      text: "A ticket on which the vendor's person who answered gave a name (contact on a vendor-* action).",
    },
  ];
}
