/**
 * What a Run needs beyond the operator's choices, for each way of running
 * one: a whole run, the SFU of a run spread over machines, one viewer shard.
 * Where it writes by default, the signaling token beyond loopback, and the
 * scenario a shard or an SFU-only process runs.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isLoopbackHost } from '../../server/http/SfuServer.js';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import { applyOverrides } from '../scenario/overrides.js';
import { scenarioSchema } from '../scenario/schema.js';
import type { RunOptions } from './RunOptions.js';

/** runs/<time>-<name>: a new directory per run, in the order they ran. */
export function defaultRunDir(name: string): string {
  return join('runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}`);
}

/** Beyond loopback the SFU needs a token: the operator's, or a fresh one (the printed signaling URL carries it). */
function signalingToken(host: string, token: string | undefined): string | undefined {
  if (token || isLoopbackHost(host)) return token;
  return randomBytes(18).toString('base64url');
}

/** The signaling URL with the token, unless it carries one already. */
function withToken(url: URL, token: string | undefined): string {
  const withIt = new URL(url);
  if (token && !withIt.searchParams.has('token')) withIt.searchParams.set('token', token);
  return withIt.toString();
}

interface Listening {
  out?: string;
  host: string;
  port: number;
  token?: string;
}

/** Everything in this process: SFU, publisher, viewers, faults. */
export async function wholeRun(file: string, options: Listening): Promise<RunOptions> {
  const scenario = await loadScenario(file);
  const { out, host, port, token } = options;
  return { scenario, scenarioFile: file, outDir: out ?? defaultRunDir(scenario.name), host, port, token: signalingToken(host, token) };
}

/** The SFU, the publisher and the faults; the viewers are shards on other machines. */
export async function sfuRun(file: string, options: Listening & { announcedIp?: string; expectViewers: number }): Promise<RunOptions> {
  const { out, host, port, token, announcedIp, expectViewers } = options;
  const scenario = await loadScenario(file);
  // Media listens where signaling does, announced as the operator says.
  const sfuScenario = applyOverrides(scenario, { sfu: { listenIp: host, announcedIp }, viewers: { browser: 0, synthetic: 0 } }, '(command line)');
  return {
    scenario: sfuScenario,
    scenarioFile: file,
    outDir: out ?? `${defaultRunDir(scenario.name)}-sfu`,
    role: 'sfu',
    host,
    port,
    token: signalingToken(host, token),
    expectViewers,
  };
}

export interface ShardOptions {
  /** The SFU's signaling URL, ws://HOST:PORT/signaling[?token=…]; none for an app under test (it has its own). */
  sfu?: URL;
  scenario?: string;
  room?: string;
  browser: number;
  synthetic: number;
  shard: { index: number; count: number };
  duration?: string;
  out?: string;
  metricsPort: number;
  host: string;
  receiveIp?: string;
  token?: string;
}

/**
 * One shard of viewers against a remote SFU, or on an app's own pages (the
 * scenario's `app:`); the scenario, when given, brings measurement settings
 * and thresholds.
 */
export async function shardRun(options: ShardOptions): Promise<RunOptions> {
  const { shard } = options;
  const base = options.scenario ? await loadScenario(options.scenario) : scenarioSchema.parse({ name: 'shard', duration: '6h' });
  if (!base.app && !options.sfu) throw new ScenarioError("viewers: --sfu is required (the SFU's signaling URL), unless the scenario has an app under test");
  if (base.app?.viewerPage.includes('{port}')) {
    throw new ScenarioError(`${options.scenario}: app.viewerPage: a viewer shard does not start the app (app.start), so {port} means nothing: give the app's address`);
  }
  const scenario = applyOverrides(
    base,
    { duration: options.duration ?? '6h', room: options.room, viewers: { browser: options.browser, synthetic: options.synthetic } },
    '(command line)',
  );
  return {
    scenario,
    scenarioFile: options.scenario ?? '(command line)',
    outDir: options.out ?? defaultRunDir(`shard-${shard.index}-of-${shard.count}`),
    role: 'viewers',
    signalingUrl: options.sfu && withToken(options.sfu, options.token),
    shard,
    metricsPort: options.metricsPort,
    host: options.host,
    receiveIp: options.receiveIp,
  };
}
