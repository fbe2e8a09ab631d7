/** `livedrill report <run-dir> [--out DIR] [--sla FILE...]`: writes the evidence pack and prints its paths. */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { writeReport } from './writeReport.js';
import { RunDirError } from '../journal/Journal.js';

export function reportCommand(program: Command): Command {
  return program
    .command('report')
    .description('write the evidence pack of a run (report.md, report.html, evidence.json, raw/) for a vendor escalation')
    .argument('<run-dir>', 'run directory holding journal.jsonl (and summary.json when the run finished)')
    .option('--out <dir>', 'where to write the pack (default: the run directory)')
    .option('--sla <files...>', 'vendor SLA profile(s) to judge ticket response times with (default: the one the drill recorded)')
    .action(async (runDir: string, opts: { out?: string; sla?: string[] }) => {
      try {
        const written = await writeReport(runDir, opts.out ?? runDir, { slaProfiles: opts.sla });
        const show = (p: string): string => {
          const r = relative(process.cwd(), p);
          return r.startsWith('..') ? p : r;
        };
        const ev = written.content;
        if (ev.run.status === 'incomplete') console.log(`INCOMPLETE RUN: ${ev.run.missing.join('; ')}`);
        console.log(ev.reliability.statement);
        console.log(`wrote ${show(written.html)}`);
        console.log(`wrote ${show(written.markdown)}`);
        console.log(`wrote ${show(written.evidence)}`);
        for (const f of written.raw) console.log(`wrote ${show(f)}`);
      } catch (error) {
        if (!(error instanceof RunDirError)) throw error;
        console.error(error.message);
        process.exitCode = 2;
      }
    });
}
