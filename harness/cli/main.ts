import { join } from 'node:path';
import { Command, Option } from 'commander';
import logUpdate from 'log-update';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import { Run } from '../run/Run.js';
import { formatProgress, formatSummary } from './format.js';

const program = new Command()
  .name('livedrill')
  .description('Live-streaming stability testbed: real SFU, real browsers, scheduled faults, measured impact.');

program
  .command('run')
  .description('run a scenario and write journal.jsonl and summary.json')
  .argument('<scenario>', 'scenario YAML file')
  .option('--out <dir>', 'output directory (default: runs/<time>-<scenario name>)')
  .addOption(new Option('--host <address>', 'address for signaling and /metrics').default('127.0.0.1'))
  .addOption(new Option('--port <port>', 'port for signaling and /metrics (0: any free port)').default(0).argParser(Number))
  .action(async (file: string, opts: { out?: string; host: string; port: number }) => {
    const scenario = await loadScenario(file);
    const outDir = opts.out ?? join('runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${scenario.name}`);
    const run = new Run({ scenario, scenarioFile: file, outDir, host: opts.host, port: opts.port });
    const abort = new AbortController();
    const stop = (sig: string): void => {
      if (abort.signal.aborted) return;
      console.error(`\n${sig}: stopping, writing the summary…`);
      abort.abort();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));

    const live = process.stdout.isTTY;
    let lastPrinted = 0;
    run.observer.on('phase', (phase) => (live ? logUpdate(phase) : console.log(phase)));
    run.observer.on('ready', (urls) => console.log(`signaling ${urls.signaling}  metrics ${urls.metrics}`));
    run.observer.on('progress', (p) => {
      if (live) logUpdate(formatProgress(p));
      else if (p.elapsedMs - lastPrinted >= 5000) {
        lastPrinted = p.elapsedMs;
        console.log(formatProgress(p));
      }
    });
    const summary = await run.execute(abort.signal);
    if (live) logUpdate.done();
    console.log(formatSummary(summary, run.summaryFile));
    process.exitCode = summary.pass ? 0 : 1;
  });

program
  .command('validate')
  .description('check scenario files against the schema without running them')
  .argument('<scenarios...>', 'scenario YAML files')
  .action(async (files: string[]) => {
    for (const file of files) {
      await loadScenario(file);
      console.log(`${file}: ok`);
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ScenarioError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
