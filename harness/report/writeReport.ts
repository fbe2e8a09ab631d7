/**
 * Writes the evidence pack for a run: report.md, report.html, evidence.json,
 * and raw/ with the run's own files (journal.jsonl, summary.json) and a
 * README describing their formats, so the pack is self-contained whatever
 * directory it is sent from.
 */
import { copyFileSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildEvidence, type Evidence } from './evidence.js';
import { loadSlaProfiles } from './slaProfiles.js';
import { JOURNAL_FILE, SUMMARY_FILE, loadRun } from '../run/runDir.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { rawReadme } from './rawReadme.js';

export interface ReportOptions {
  /** SLA profile files to judge vendor tickets with, besides the one the drill recorded. */
  slaProfiles?: string[];
  /** Instant unanswered vendor tickets are judged at (default: the end of the record). */
  now?: number;
}

export interface WrittenReport {
  outDir: string;
  markdown: string;
  html: string;
  evidence: string;
  raw: string[];
  /** The evidence written, for callers that want figures without reading the file back. */
  content: Evidence;
}

export async function writeReport(runDir: string, outDir: string = runDir, options: ReportOptions = {}): Promise<WrittenReport> {
  const run = loadRun(runDir);
  const sla = await loadSlaProfiles(run, options.slaProfiles ?? []);
  const evidence = buildEvidence(run, { ...sla, now: options.now });

  const out = resolve(outDir);
  const rawDir = join(out, 'raw');
  mkdirSync(rawDir, { recursive: true });
  const raw: string[] = [];
  for (const name of [JOURNAL_FILE, SUMMARY_FILE]) {
    const source = join(run.dir, name);
    if (!existsSync(source)) continue;
    const target = join(rawDir, name);
    // Reporting on a pack's own raw/ directory: the file is already where it belongs.
    if (!(existsSync(target) && realpathSync(target) === realpathSync(source))) copyFileSync(source, target);
    raw.push(target);
  }
  const readme = join(rawDir, 'README.txt');
  writeFileSync(readme, rawReadme(evidence));
  raw.push(readme);

  const rawNames = raw.map((f) => f.slice(rawDir.length + 1));
  const paths = {
    evidence: join(out, 'evidence.json'),
    markdown: join(out, 'report.md'),
    html: join(out, 'report.html'),
  };
  writeFileSync(paths.evidence, `${JSON.stringify(evidence, null, 2)}\n`);
  writeFileSync(paths.markdown, renderMarkdown(evidence, { raw: rawNames }));
  writeFileSync(paths.html, renderHtml(evidence, { raw: rawNames }));
  return { outDir: out, ...paths, raw, content: evidence };
}
