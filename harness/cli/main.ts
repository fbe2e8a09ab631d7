import { Command, Option } from 'commander';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import { Run } from '../run/Run.js';
import { sfuRun, shardRun, wholeRun } from '../run/launch.js';
import { writeMergedRun } from '../run/writeMergedRun.js';
import { reportCommand } from '../report/cli.js';
import { registerVendorsCommand } from './vendorsCommand.js';
import { loadDrill } from '../drill/load.js';
import { executeInForeground } from './execute.js';
import { exitWithError, exitWithOutcome } from './exitCodes.js';
import { formatSummary } from '../outputs/terminalFormat.js';
import { PrometheusOutput } from '../outputs/PrometheusOutput.js';
import { TerminalOutput } from '../outputs/TerminalOutput.js';
import { JUnitOutput } from '../outputs/JUnitOutput.js';
import type { RunOutput } from '../run/output.js';
import { registerDrillCommands } from './drillCommands.js';

const program = new Command()
  .name('livedrill')
  .description('Live-streaming stability testbed: real SFU, real browsers, scheduled faults, measured impact.');

const hostOption = () => new Option('--host <address>', 'address for signaling and /metrics').default('127.0.0.1');
const portOption = () => new Option('--port <port>', 'port for signaling and /metrics (0: any free port)').default(0).argParser(Number);
const junitOption = () => new Option('--junit <file>', 'also write the verdict (thresholds, run, reliability) as JUnit XML');
/** Where a command's results stream: /metrics, the terminal, and JUnit when asked. */
const outputs = (opts: { junit?: string }): RunOutput[] => [
  new PrometheusOutput(),
  new TerminalOutput(),
  ...(opts.junit ? [new JUnitOutput(opts.junit)] : []),
];
const tokenOption = () =>
  new Option('--token <secret>', 'signaling token clients must present; generated when listening beyond loopback').env('LIVEDRILL_TOKEN');

program
  .command('run')
  .description('run a scenario and write journal.jsonl and summary.json')
  .argument('<scenario>', 'scenario YAML file')
  .option('--out <dir>', 'output directory (default: runs/<time>-<scenario name>)')
  .addOption(hostOption())
  .addOption(portOption())
  .addOption(tokenOption())
  .addOption(junitOption())
  .action(async (file: string, opts: { out?: string; host: string; port: number; token?: string; junit?: string }) => {
    await executeInForeground(new Run({ ...(await wholeRun(file, opts)), outputs: outputs(opts) }));
  });

program
  .command('sfu')
  .description("run only the SFU, the publisher and the scenario's faults, for viewer shards on other machines")
  .argument('<scenario>', 'scenario YAML file (its viewers are ignored: shards bring them)')
  .option('--out <dir>', 'output directory (default: runs/<time>-<scenario name>-sfu)')
  .addOption(hostOption())
  .addOption(portOption())
  .option('--announced-ip <address>', 'address viewers reach the SFU on (needed when --host is 0.0.0.0)')
  .addOption(tokenOption())
  .addOption(
    new Option('--expect-viewers <n>', 'shard viewers that must be receiving before the broadcast (and its fault clock) starts')
      .default(0)
      .argParser(Number),
  )
  .addOption(junitOption())
  .action(async (file: string, opts: { out?: string; host: string; port: number; announcedIp?: string; token?: string; expectViewers: number; junit?: string }) => {
    if (!Number.isInteger(opts.expectViewers) || opts.expectViewers < 0) {
      throw new ScenarioError(`sfu: --expect-viewers: expected a whole number >= 0, got "${opts.expectViewers}"`);
    }
    if (opts.host === '0.0.0.0' && !opts.announcedIp) {
      throw new ScenarioError('sfu: --announced-ip: required with --host 0.0.0.0 (the address viewers send media to)');
    }
    await executeInForeground(new Run({ ...(await sfuRun(file, opts)), outputs: outputs(opts) }));
  });

program
  .command('viewers')
  .description("run one shard of viewers against a remote SFU (started with `livedrill sfu`), or on the scenario's app under test")
  .option('--sfu <url>', 'the SFU signaling URL as `livedrill sfu` prints it, ws://HOST:PORT/signaling[?token=…] (not for an app under test)')
  .option('--scenario <file>', 'scenario for measurement settings and thresholds')
  .option('--room <room>', 'room (default: the scenario\'s, or "livedrill")')
  .addOption(new Option('--browser <n>', 'browser viewers').default(0).argParser(Number))
  .addOption(new Option('--synthetic <n>', 'synthetic viewers').default(0).argParser(Number))
  .option('--shard <k/s>', 'this shard, e.g. 1/2', '1/1')
  .option('--duration <duration>', 'the longest to watch once joined; the shard ends when the SFU ends the broadcast (default: 6h)')
  .option('--out <dir>', 'output directory (default: runs/<time>-shard-K-of-S)')
  .addOption(new Option('--metrics-port <port>', "this shard's /metrics port").default(0).argParser(Number))
  .addOption(hostOption())
  .option('--receive-ip <address>', 'address synthetic viewers receive RTP on (one the SFU can reach)')
  .addOption(new Option('--token <secret>', "the SFU's signaling token, when --sfu does not carry it").env('LIVEDRILL_TOKEN'))
  .addOption(junitOption())
  .action(async (opts: {
    sfu?: string; scenario?: string; room?: string; browser: number; synthetic: number; shard: string;
    duration?: string; out?: string; metricsPort: number; host: string; receiveIp?: string; token?: string; junit?: string;
  }) => {
    const match = /^(\d+)\/(\d+)$/.exec(opts.shard);
    if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2])) {
      throw new ScenarioError(`viewers: --shard: expected K/S with 1 <= K <= S, got "${opts.shard}"`);
    }
    if (opts.sfu !== undefined && !URL.canParse(opts.sfu)) throw new ScenarioError(`viewers: --sfu: expected a URL like ws://HOST:PORT/signaling, got "${opts.sfu}"`);
    const shard = { index: Number(match[1]), count: Number(match[2]) };
    const sfu = opts.sfu === undefined ? undefined : new URL(opts.sfu);
    await executeInForeground(new Run({ ...(await shardRun({ ...opts, sfu, shard })), outputs: outputs(opts) }));
  });

program
  .command('merge')
  .description('combine an SFU run directory and its viewer shards into one summary (same thresholds)')
  .argument('<dirs...>', 'run directories: the SFU\'s and every shard\'s')
  .option('--out <dir>', 'where the merged journal.jsonl and summary.json go (default: the SFU run directory + "-merged")')
  .action((dirs: string[], opts: { out?: string }) => {
    const { summary, summaryFile } = writeMergedRun(dirs, opts.out);
    console.log(formatSummary(summary, summaryFile));
    exitWithOutcome(summary.pass);
  });

program
  .command('validate')
  .description('check scenario files as `run` and `drill` would, without running them')
  .argument('<scenarios...>', 'scenario YAML files')
  .action(async (files: string[]) => {
    // Every file is checked and every problem said; the exit code is ScenarioError's if any file has one.
    for (const file of files) {
      try {
        const scenario = await loadScenario(file);
        // A drill is checked as `livedrill drill` checks it: against its scenario, with its SLA profile.
        if (scenario.drill) await loadDrill(file);
        console.log(`${file}: ok`);
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        exitWithError(error, 'livedrill validate');
      }
    }
  });

registerDrillCommands(program);
registerVendorsCommand(program);
reportCommand(program);

// The words of the command that ran, e.g. "livedrill incident ack", for errors that do not say it.
let running = 'livedrill';
program.hook('preAction', (_, command) => {
  running = ['livedrill', command.name(), ...command.processedArgs.filter((arg) => typeof arg === 'string')].join(' ');
});

try {
  await program.parseAsync();
} catch (error) {
  exitWithError(error, running);
}
