/**
 * Reads a run directory as the run left it: `journal.jsonl` (always written,
 * line by line) and `summary.json` (written at the end, so missing when the
 * run crashed or was killed). What could not be read is said, not guessed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJournal, RunDirError, type JournalEntry } from '../run/Journal.js';
import type { RunSummary } from '../run/summary.js';

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
  /** Why summary.json could not be used, when it could not. */
  summaryProblem: string | null;
}


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
  let entries: JournalEntry[];
  try {
    entries = readJournal(journalFile);
  } catch (error) {
    const message = (error as Error).message;
    throw new RunDirError(message.startsWith(journalFile) ? message : `${journalFile}: ${message}`);
  }
  if (entries.length === 0) throw new RunDirError(`${journalFile}: the journal is empty: nothing to report`);

  const summaryPath = join(dir, SUMMARY_FILE);
  let summary: RunSummary | null = null;
  let summaryProblem: string | null = null;
  if (!existsSync(summaryPath)) {
    summaryProblem = `${SUMMARY_FILE} is missing (the run did not finish: it crashed or was killed before writing its summary)`;
  } else {
    try {
      summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
      if (typeof summary !== 'object' || summary === null || !Array.isArray(summary.viewers)) {
        summary = null;
        summaryProblem = `${SUMMARY_FILE} is not a livedrill run summary`;
      }
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
    journalTruncated: lastLineCut(journalFile),
    summaryProblem,
  };
}

/** Whether the journal ends with a partial line (readJournal skips it). */
function lastLineCut(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  if (text.endsWith('\n') || text.length === 0) return false;
  const last = text.slice(text.lastIndexOf('\n') + 1);
  if (last.trim() === '') return false;
  try {
    JSON.parse(last);
    return false;
  } catch {
    return true;
  }
}
