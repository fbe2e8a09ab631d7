/**
 * The run itself as the pack states it: what ran, when, whether its record
 * is complete (and what is missing from it, in words), and its threshold verdict.
 */
import { basename } from 'node:path';
import type { RunSummary } from '../run/summary.js';
import type { LoadedRun } from '../run/runDir.js';
import type { RunRecord } from '../journal/records.js';

export interface RunEvidence {
  runId: string | null;
  scenario: { name: string | null; file: string | null };
  startedAt: string;
  steadyAt: string | null;
  endedAt: string;
  durationSeconds: number;
  status: 'complete' | 'incomplete';
  /** What the record lacks, in words; empty for a complete run. */
  missing: string[];
  interrupted: boolean | null;
  errors: string[];
  /** The run's threshold verdict; null without summary.json. */
  pass: boolean | null;
  thresholds: RunSummary['thresholds'] | null;
  /** File names only: the pack goes to outside vendors and says nothing of this machine's paths. */
  sources: { journal: string; journalEntries: number; journalTruncated: boolean; journalSkipped: number; summary: string | null };
  measurement: { sampleIntervalMs: number; scenarioFixedFreezeThresholdsMs: number[] };
}

const iso = (t: number): string => new Date(t).toISOString();

export function runEvidence(run: LoadedRun, rec: RunRecord): RunEvidence {
  const { summary, entries } = run;
  // Complete: the whole record is there and the run went to its planned end.
  const complete = summary !== null && rec.ended && !run.journalTruncated && rec.interrupted !== true && rec.errors.length === 0;
  return {
    runId: rec.runId,
    scenario: { name: rec.scenarioName, file: rec.scenarioFile && basename(rec.scenarioFile) },
    startedAt: iso(rec.start),
    steadyAt: rec.steadyAt === null ? null : iso(rec.steadyAt),
    endedAt: iso(rec.end),
    durationSeconds: (rec.end - rec.start) / 1000,
    status: complete ? 'complete' : 'incomplete',
    missing: missing(run, rec),
    interrupted: rec.interrupted,
    errors: rec.errors,
    pass: summary ? summary.pass : null,
    thresholds: summary ? summary.thresholds : null,
    sources: {
      journal: basename(run.journalFile),
      journalEntries: entries.length,
      journalTruncated: run.journalTruncated,
      journalSkipped: run.journalSkipped.count,
      summary: run.summaryFile && basename(run.summaryFile),
    },
    measurement: { sampleIntervalMs: rec.sampleIntervalMs, scenarioFixedFreezeThresholdsMs: rec.fixedThresholdsMs },
  };
}

/** What the record lacks or says went wrong, in words a reader of the pack can act on. */
function missing(run: LoadedRun, rec: RunRecord): string[] {
  const notes: string[] = [];
  if (run.summaryProblem) notes.push(`${run.summaryProblem}; every figure below is computed from the journal alone`);
  if (run.journalTruncated) notes.push('the journal\'s last line was cut short (the run stopped while writing it): that entry is lost');
  const skipped = run.journalSkipped;
  if (skipped.count > 0) {
    const where = skipped.lines.length ? ` (lines ${skipped.lines.join(', ')}${skipped.count - skipped.outOfRange > skipped.lines.length ? ', …' : ''})` : '';
    notes.push(`${skipped.count} journal line(s) could not be used and were skipped: ${skipped.count - skipped.outOfRange} not journal entries${where}, ${skipped.outOfRange} timed far outside the run`);
  }
  if (!rec.ended) {
    notes.push(`the journal has no run.end entry: the run did not end normally; measurements stop at the last viewer measurement in the journal (${iso(rec.end)})`);
  }
  if (!run.entries.some((e) => e.type === 'run.start')) notes.push('the journal has no run.start entry: scenario and versions are unknown');
  for (const f of rec.faults) {
    if (!f.reverted) notes.push(`fault ${f.faultId} has no fault.revert entry: its end is the scheduled one, cut at the end of the record`);
  }
  if (rec.interrupted) notes.push('the run was interrupted (Ctrl-C / SIGTERM) before its planned end');
  for (const message of rec.errors) notes.push(`the run failed: ${message}`);
  return notes;
}
