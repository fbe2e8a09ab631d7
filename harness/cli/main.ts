import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { loadScenario, parseScenario, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { Run } from '../run/Run.js';
import { mergeRuns } from '../run/merge.js';
import { RunDirError } from '../run/Journal.js';
import { reportCommand } from '../report/cli.js';
import { writeSummary } from '../run/summary.js';
import { executeInForeground } from './execute.js';
import { isLoopbackHost } from '../../server/http/SfuServer.js';
import { formatSummary } from './format.js';
import { registerDrillCommands } from './drillCommands.js';
import { registerVendorsCommand } from './vendorsCommand.js';
import { loadDrill } from '../drill/load.js';

const program = new Command()
  .name('livedrill')
  .description('Live-streaming stability testbed: real SFU, real browsers, scheduled faults, measured impact.');

const defaultOut = (name: string): string => join('runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}`);
const hostOption = () => new Option('--host <address>', 'address for signaling and /metrics').default('127.0.0.1');
const portOption = () => new Option('--port <port>', 'port for signaling and /metrics (0: any free port)').default(0).argParser(Number);
const tokenOption = () =>
  new Option('--token <secret>', 'signaling token clients must present; generated when listening beyond loopback').env('LIVEDRILL_TOKEN');

/** The signaling URL with the token, unless it carries one already. */
function withToken(url: string, token: string | undefined): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ScenarioError(`viewers: --sfu: expected a URL like ws://HOST:PORT/signaling, got "${url}"`);
  }
  if (token && !parsed.searchParams.has('token')) parsed.searchParams.set('token', token);
  return parsed.toString();
}

/** Beyond loopback the SFU needs a token: the operator's, or a fresh one (the printed signaling URL carries it). */
function signalingToken(host: string, token: string | undefined): string | undefined {
  if (token || isLoopbackHost(host)) return token;
  return randomBytes(18).toString('base64url');
}

program
  .command('run')
  .description('run a scenario and write journal.jsonl and summary.json')
  .argument('<scenario>', 'scenario YAML file')
  .option('--out <dir>', 'output directory (default: runs/<time>-<scenario name>)')
  .addOption(hostOption())
  .addOption(portOption())
  .addOption(tokenOption())
  .action(async (file: string, opts: { out?: string; host: string; port: number; token?: string }) => {
    const scenario = await loadScenario(file);
    const token = signalingToken(opts.host, opts.token);
    const run = new Run({ scenario, scenarioFile: file, outDir: opts.out ?? defaultOut(scenario.name), host: opts.host, port: opts.port, token });
    await executeInForeground(run);
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
  .action(async (file: string, opts: { out?: string; host: string; port: number; announcedIp?: string; token?: string; expectViewers: number }) => {
    if (!Number.isInteger(opts.expectViewers) || opts.expectViewers < 0) {
      throw new ScenarioError(`sfu: --expect-viewers: expected a whole number >= 0, got "${opts.expectViewers}"`);
    }
    const scenario = await loadScenario(file);
    if (opts.host === '0.0.0.0' && !opts.announcedIp) {
      throw new ScenarioError('sfu: --announced-ip: required with --host 0.0.0.0 (the address viewers send media to)');
    }
    // Media listens where signaling does, announced as the operator says.
    const sfuScenario: Scenario = {
      ...scenario,
      sfu: { ...scenario.sfu, listenIp: opts.host, announcedIp: opts.announcedIp ?? scenario.sfu.announcedIp },
      viewers: { ...scenario.viewers, browser: 0, synthetic: 0 },
    };
    const run = new Run({
      scenario: sfuScenario,
      scenarioFile: file,
      outDir: opts.out ?? `${defaultOut(scenario.name)}-sfu`,
      role: 'sfu',
      host: opts.host,
      port: opts.port,
      token: signalingToken(opts.host, opts.token),
      expectViewers: opts.expectViewers,
    });
    await executeInForeground(run);
  });

program
  .command('viewers')
  .description('run one shard of viewers against a remote SFU (started with `livedrill sfu`)')
  .requiredOption('--sfu <url>', 'the SFU signaling URL as `livedrill sfu` prints it, ws://HOST:PORT/signaling[?token=…]')
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
  .action(async (opts: {
    sfu: string; scenario?: string; room?: string; browser: number; synthetic: number; shard: string;
    duration?: string; out?: string; metricsPort: number; host: string; receiveIp?: string; token?: string;
  }) => {
    const match = /^(\d+)\/(\d+)$/.exec(opts.shard);
    if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2])) {
      throw new ScenarioError(`viewers: --shard: expected K/S with 1 <= K <= S, got "${opts.shard}"`);
    }
    const base = opts.scenario ? await loadScenario(opts.scenario) : parseScenario('name: shard\nduration: 6h\n', '(defaults)');
    const overrides = parseScenario(
      `name: ${base.name}\nduration: ${opts.duration ?? '6h'}\nviewers: { browser: ${opts.browser}, synthetic: ${opts.synthetic} }\n`,
      '(command line)',
    );
    const scenario: Scenario = {
      ...base,
      duration: overrides.duration,
      room: opts.room ?? base.room,
      viewers: { ...base.viewers, browser: overrides.viewers.browser, synthetic: overrides.viewers.synthetic },
    };
    const shard = { index: Number(match[1]), count: Number(match[2]) };
    const run = new Run({
      scenario,
      scenarioFile: opts.scenario ?? '(command line)',
      outDir: opts.out ?? defaultOut(`shard-${shard.index}-of-${shard.count}`),
      role: 'viewers',
      signalingUrl: withToken(opts.sfu, opts.token),
      shard,
      metricsPort: opts.metricsPort,
      host: opts.host,
      receiveIp: opts.receiveIp,
    });
    await executeInForeground(run);
  });

program
  .command('merge')
  .description('combine an SFU run directory and its viewer shards into one summary (same thresholds)')
  .argument('<dirs...>', 'run directories: the SFU\'s and every shard\'s')
  .option('--out <dir>', 'where the merged journal.jsonl and summary.json go (default: the SFU run directory + "-merged")')
  .action(async (dirs: string[], opts: { out?: string }) => {
    const { summary, entries } = mergeRuns(dirs);
    const out = opts.out ?? `${dirs[0].replace(/\/$/, '')}-merged`;
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'journal.jsonl'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const file = join(out, 'summary.json');
    writeSummary(file, summary);
    console.log(formatSummary(summary, file));
    process.exitCode = summary.pass ? 0 : 1;
  });

program
  .command('validate')
  .description('check scenario files as `run` and `drill` would, without running them')
  .argument('<scenarios...>', 'scenario YAML files')
  .action(async (files: string[]) => {
    // Every file is checked and every problem said; the exit code is 2 if any file has one.
    for (const file of files) {
      try {
        const scenario = await loadScenario(file);
        // A drill is checked as `livedrill drill` checks it: against its scenario, with its SLA profile.
        if (scenario.drill) await loadDrill(file);
        console.log(`${file}: ok`);
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        console.error(error.message);
        process.exitCode = 2;
      }
    }
  });

registerDrillCommands(program);
registerVendorsCommand(program);
reportCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ScenarioError || error instanceof RunDirError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    // A fault of livedrill's own: say it plainly; the stack is for whoever debugs it.
    console.error(`livedrill: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.LIVEDRILL_DEBUG) console.error(error);
    else console.error('(set LIVEDRILL_DEBUG=1 to see where it came from)');
    process.exitCode = 1;
  }
}
