import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeRuns } from './merge.js';
import { writeSummary, type RunSummary } from './summary.js';

/**
 * Merges an SFU run directory and its viewer shards' into a run directory of
 * their own (journal.jsonl and summary.json, so `livedrill report` reads it
 * like any run); by default beside the SFU's, named `<its name>-merged`.
 */
export function writeMergedRun(dirs: string[], outDir = `${dirs[0].replace(/\/$/, '')}-merged`): { summary: RunSummary; summaryFile: string } {
  const { summary, entries } = mergeRuns(dirs);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'journal.jsonl'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const summaryFile = join(outDir, 'summary.json');
  writeSummary(summaryFile, summary);
  return { summary, summaryFile };
}
