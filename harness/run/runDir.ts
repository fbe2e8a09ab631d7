/**
 * Reads a run directory as the run left it: `journal.jsonl` (always written,
 * line by line) and `summary.json` (written at the end, so missing when the
 * run crashed or was killed). What could not be read is said, not guessed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJournalFile, RunDirError } from '../journal/Journal.js';
import type { JournalEntry } from '../journal/entries.js';
import { z } from 'zod';
import type { RunSummary } from './summary.js';
import { describeIssues } from '../../common/validation.js';

export interface LoadedRun {
  /** Absolute path of the run directory. */
  dir: string;
  journalFile: string;
  /** Null when the run has no (readable) summary.json. */
  summaryFile: string | null;
  entries: JournalEntry[];
  summary: RunSummary | null;
  /** The journal's last line was cut short (a crash while writing): it was skipped. */
  journalTruncated: boolean;
  /** Lines that were not journal entries, or whose time is far outside the run: skipped and counted. */
  journalSkipped: { count: number; lines: number[]; outOfRange: number };
  /** Why summary.json could not be used, when it could not. */
  summaryProblem: string | null;
}


/** What the report reads of a summary; a summary without it is set aside and the journal used instead. */
const summaryShape = z
  .object({
    runId: z.string(),
    scenario: z.object({ name: z.string() }).loose(),
    startedAt: z.string(),
    endedAt: z.string(),
    viewers: z.array(z.object({ id: z.string() }).loose()),
    faults: z.array(z.object({ faultId: z.string(), viewers: z.array(z.object({ id: z.string() }).loose()) }).loose()),
    totals: z.record(z.string(), z.number()),
    thresholds: z.array(z.object({ metric: z.string() }).loose()),
    reliability: z.object({ reliable: z.boolean(), reasons: z.array(z.string()) }).loose(),
    pass: z.boolean(),
  })
  .loose();

export const JOURNAL_FILE = 'journal.jsonl';
export const SUMMARY_FILE = 'summary.json';

export function loadRun(runDir: string): LoadedRun {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new RunDirError(`${runDir}: no such run directory`);
  if (!statSync(dir).isDirectory()) throw new RunDirError(`${runDir}: not a directory (expected a run directory holding ${JOURNAL_FILE})`);
  const journalFile = join(dir, JOURNAL_FILE);
  if (!existsSync(journalFile)) {
    throw new RunDirError(`${journalFile}: missing: ${runDir} is not a livedrill run directory (every run writes ${JOURNAL_FILE} from its start)`);
  }
  let read: ReturnType<typeof readJournalFile>;
  try {
    read = readJournalFile(journalFile);
  } catch (error) {
    throw new RunDirError(`${journalFile}: ${(error as Error).message}`);
  }
  const { entries, outOfRange } = withinRun(read.entries);
  if (entries.length === 0) throw new RunDirError(`${journalFile}: the journal has no readable entry: nothing to report`);

  const summaryPath = join(dir, SUMMARY_FILE);
  let summary: RunSummary | null = null;
  let summaryProblem: string | null = null;
  if (!existsSync(summaryPath)) {
    summaryProblem = `${SUMMARY_FILE} is missing (the run did not finish: it crashed or was killed before writing its summary)`;
  } else {
    try {
      const parsed = summaryShape.safeParse(JSON.parse(readFileSync(summaryPath, 'utf8')));
      if (parsed.success) summary = parsed.data as unknown as RunSummary;
      else summaryProblem = `${SUMMARY_FILE} is not a livedrill run summary (${describeIssues(SUMMARY_FILE, parsed.error).split('\n')[0]})`;
    } catch (error) {
      summaryProblem = `${SUMMARY_FILE} could not be read: ${(error as Error).message}`;
    }
  }
  return {
    dir,
    journalFile,
    summaryFile: summary ? summaryPath : null,
    entries,
    summary,
    journalTruncated: read.truncatedLast,
    journalSkipped: { count: read.corruptCount + outOfRange, lines: read.corruptLines, outOfRange },
    summaryProblem,
  };
}

/** Entries timed this far before the run's start, or after it, cannot be the run's (a clock gone wrong, a hostile edit). */
const BEFORE_START_MS = 3_600_000;
const AFTER_START_MS = 8 * 24 * 3_600_000;
/** A vendor's answer to a drill's ticket may come weeks later (`livedrill incident` after the drill: followUp). */
const FOLLOW_UP_AFTER_START_MS = 366 * 24 * 3_600_000;

function withinRun(all: JournalEntry[]): { entries: JournalEntry[]; outOfRange: number } {
  const start = (all.find((e) => e.type === 'run.start') ?? all[0])?.t;
  if (start === undefined) return { entries: all, outOfRange: 0 };
  const entries = all.filter((e) => e.t >= start - BEFORE_START_MS && e.t <= start + (e.followUp === true ? FOLLOW_UP_AFTER_START_MS : AFTER_START_MS));
  return { entries, outOfRange: all.length - entries.length };
}
