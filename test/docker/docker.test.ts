/**
 * docker/: the image, the compose file, its Prometheus config and the
 * Kubernetes manifests. No container engine or cluster is needed: the files
 * are parsed and cross-checked against each other, against the CLI's commands
 * and flags, against the repository (mounted paths, scenarios, dashboards'
 * provisioning) and, where promtool is installed, by promtool itself. The
 * Job's shell command is run by a real `sh` with a stand-in `node`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadScenario } from '../../harness/scenario/load.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dockerDir = path.join(root, 'docker');
const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');

// ---------------------------------------------------------------------------
// The CLI as docker/ may call it: commands, how many positionals, which flags (each takes a value).
const CLI: Record<string, { positionals: [number, number]; flags: string[]; required?: string[] }> = {
  run: { positionals: [1, 1], flags: ['--out', '--host', '--port'] },
  sfu: { positionals: [1, 1], flags: ['--host', '--port', '--announced-ip', '--out', '--token', '--expect-viewers'] },
  viewers: {
    positionals: [0, 0],
    flags: ['--sfu', '--room', '--browser', '--synthetic', '--shard', '--out', '--metrics-port', '--token'],
    required: ['--sfu', '--room', '--shard'],
  },
  merge: { positionals: [1, Infinity], flags: [] },
};
const INT_FLAGS = new Set(['--port', '--metrics-port', '--browser', '--synthetic']);

interface Invocation {
  command: string;
  flags: Map<string, string>;
  positionals: string[];
}

/** Parses the arguments after `livedrill.js`; throws on anything the CLI would not accept. */
function parseCli(args: string[]): Invocation {
  const [command, ...rest] = args;
  const spec = CLI[command ?? ''];
  if (!spec) throw new Error(`unknown livedrill command ${JSON.stringify(command)} in ${JSON.stringify(args)}`);
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    if (!spec.flags.includes(arg)) throw new Error(`livedrill ${command}: unknown flag ${arg}`);
    if (flags.has(arg)) throw new Error(`livedrill ${command}: ${arg} given twice`);
    const value = rest[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`livedrill ${command}: ${arg} has no value`);
    if (INT_FLAGS.has(arg) && !/^\d+$/.test(value)) throw new Error(`livedrill ${command}: ${arg} ${value} is not a number`);
    flags.set(arg, value);
  }
  const [min, max] = spec.positionals;
  if (positionals.length < min || positionals.length > max) {
    throw new Error(`livedrill ${command}: ${positionals.length} positional arguments (${positionals.join(' ')}), expected ${min}..${max}`);
  }
  for (const flag of spec.required ?? []) if (!flags.has(flag)) throw new Error(`livedrill ${command}: ${flag} is required`);
  const shard = flags.get('--shard');
  if (shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`livedrill ${command}: bad --shard ${shard} (K/S, 1 <= K <= S)`);
  }
  const sfu = flags.get('--sfu');
  if (sfu !== undefined && !/^wss?:\/\/[^/:]+:\d+\/signaling$/.test(sfu)) throw new Error(`livedrill ${command}: bad --sfu ${sfu}`);
  const ip = flags.get('--announced-ip');
  if (ip !== undefined && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip)) throw new Error(`livedrill ${command}: bad --announced-ip ${ip}`);
  return { command: command!, flags, positionals };
}

const shardOf = (inv: Invocation): [number, number] => inv.flags.get('--shard')!.split('/').map(Number) as [number, number];
const sfuUrl = (inv: Invocation): URL => new URL(inv.flags.get('--sfu')!);
const ipInSubnet = (ip: string, cidr: string): boolean => {
  const toInt = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const block = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / block) === Math.floor(toInt(base!) / block);
};
/** Compose sizes ("1gb", "512m", bytes) in MiB. */
const mib = (size: string | number): number => {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(String(size));
  if (!m) throw new Error(`bad size ${size}`);
  return (Number(m[1]) * { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']) / 2 ** 20;
};

// ---------------------------------------------------------------------------
// Dockerfile: instructions with continuation lines joined.
const dockerfileText = read('docker/Dockerfile');
const instructions = dockerfileText
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(l)!;
    return { op: op!.toUpperCase(), args: args! };
  });
const execForm = (op: string): string[] => {
  const found = instructions.filter((i) => i.op === op);
  if (found.length !== 1) throw new Error(`docker/Dockerfile: ${found.length} ${op} instructions, expected 1`);
  return JSON.parse(found[0]!.args) as string[];
};
const entrypoint = execForm('ENTRYPOINT');
const workdir = instructions.find((i) => i.op === 'WORKDIR')!.args;
const setupRun = instructions.findIndex((i) => i.op === 'RUN' && /\bbash harness\/setup\/setup\.sh\b/.test(i.args));
const dockerignore = read('docker/Dockerfile.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

// ---------------------------------------------------------------------------
// compose.yaml, with ${VAR:-default} interpolated to its default as Compose does when VAR is unset.
/** Compose interpolation: ${X:-default} takes its default; ${X:?message} is required (a test value stands in). */
const REQUIRED_VALUE = 'required-by-compose';
function interpolate(text: string): string {
  return text.replace(/\$(\$|\{(\w+)(?:(:?-)([^}]*)|(:?\?)[^}]*)?\})/g, (_, all: string, name?: string, dash?: string, fallback?: string, required?: string) => {
    if (all === '$') return '$';
    if (required) return REQUIRED_VALUE;
    if (dash === undefined) throw new Error(`compose variable ${name} has no default`);
    return fallback ?? '';
  });
}
const compose: Json = parse(interpolate(read('docker/compose.yaml')), { merge: true });
const services: Record<string, Json> = compose.services;
const livedrillServices = Object.entries(services).filter(([, s]) => s.image === 'livedrill:latest');
const composeInvocations = new Map(livedrillServices.map(([name, s]) => [name, parseCli(s.command)]));
const sfuInv = composeInvocations.get('sfu')!;
const composeViewers = [...composeInvocations].filter(([, inv]) => inv.command === 'viewers');

interface Mount {
  source: string; // absolute, on the host
  target: string;
}
const mountsOf = (service: Json): Mount[] =>
  (service.volumes ?? []).map((v: string | { source: string; target: string }) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    expect(source, `bind mount ${JSON.stringify(v)}`).toMatch(/^\.\.?\//);
    return { source: path.resolve(dockerDir, source!), target: target! };
  });
/** The host path a container path comes from through the service's bind mounts (undefined: from the image). */
const hostPathOf = (service: Json, containerPath: string): string | undefined => {
  const m = mountsOf(service)
    .filter((mt) => containerPath === mt.target || containerPath.startsWith(`${mt.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  return m && path.join(m.source, path.relative(m.target, containerPath));
};

const promConfigPath = path.join(dockerDir, 'prometheus.compose.yml');
const promConfig: Json = parse(readFileSync(promConfigPath, 'utf8'));
const baseProm: Json = parse(read('dashboards/prometheus/prometheus.yml'));

// ---------------------------------------------------------------------------
// k8s: `$(VAR)` in command/args is expanded by Kubernetes from the container's env;
// `$$` is a literal `$`; an unknown reference is left as it is.
function k8sExpand(text: string, env: Record<string, string>): string {
  return text.replace(/\$(\$|\(([^)]*)\))/g, (whole, inner: string, name?: string) => {
    if (inner === '$') return '$';
    return name !== undefined && name in env ? env[name]! : whole;
  });
}
const k8sDocs: Json[] = parseAllDocuments(read('docker/k8s/livedrill.yaml')).map((d) => {
  if (d.errors.length > 0) throw new Error(`docker/k8s/livedrill.yaml: ${d.errors.map((e) => e.message).join('; ')}`);
  return d.toJS();
});
const byKind = (kind: string): Json[] => k8sDocs.filter((d) => d.kind === kind);
const deployment = byKind('Deployment')[0];
const service = byKind('Service')[0];
const job = byKind('Job')[0];
const sfuPod = deployment.spec.template.spec;
const sfuContainer = sfuPod.containers[0];
const FAKE_HOST_IP = '198.51.100.7';
const sfuEnv: Record<string, string> = Object.fromEntries(
  (sfuContainer.env ?? []).map((e: Json) => [e.name, e.valueFrom?.fieldRef?.fieldPath === 'status.hostIP' ? FAKE_HOST_IP : e.value]),
);
const k8sSfuInv = parseCli(sfuContainer.args.map((a: string) => k8sExpand(String(a), sfuEnv)));

// The Job's `sh -c` script, run by a real sh with a `node` that prints what it was given.
const shimDir = mkdtempSync(path.join(tmpdir(), 'livedrill-docker-'));
writeFileSync(path.join(shimDir, 'node'), '#!/bin/sh\nprintf \'%s\\n\' "$@"\n');
chmodSync(path.join(shimDir, 'node'), 0o755);
afterAll(() => rmSync(shimDir, { recursive: true, force: true }));
function runJobPod(index: number): string[] {
  const c = job.spec.template.spec.containers[0];
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a: string) => k8sExpand(String(a), {}));
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { PATH: `${shimDir}:${process.env.PATH}`, JOB_COMPLETION_INDEX: String(index) },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '').split('\n');
}

// ===========================================================================
describe('the CLI checker used below', () => {
  it('accepts the documented command lines', () => {
    expect(parseCli(['run', 'scenarios/smoke.yaml', '--port', '9464']).command).toBe('run');
    expect(shardOf(parseCli(['viewers', '--sfu', 'ws://h:1/signaling', '--room', 'r', '--shard', '2/3']))).toEqual([2, 3]);
    expect(parseCli(['merge', 'a', 'b']).positionals).toEqual(['a', 'b']);
  });
  it('rejects unknown commands and flags, missing values and bad shards', () => {
    expect(() => parseCli(['serve', 'x'])).toThrow(/unknown livedrill command/);
    expect(() => parseCli(['sfu', 's.yaml', '--metrics-port', '1'])).toThrow(/unknown flag --metrics-port/);
    expect(() => parseCli(['sfu', 's.yaml', '--port'])).toThrow(/--port has no value/);
    expect(() => parseCli(['sfu'])).toThrow(/positional/);
    expect(() => parseCli(['viewers', '--sfu', 'ws://h:1/signaling', '--room', 'r', '--shard', '0/2'])).toThrow(/bad --shard/);
    expect(() => parseCli(['viewers', '--sfu', 'ws://h:1/signaling', '--room', 'r'])).toThrow(/--shard is required/);
    expect(() => parseCli(['merge'])).toThrow(/positional/);
  });
});

describe('docker/Dockerfile', () => {
  it('is based on node:20-bookworm-slim and installs the worker build tools after an apt-get update', () => {
    expect(instructions[0]).toEqual({ op: 'FROM', args: 'node:20-bookworm-slim' });
    const apt = instructions.find((i) => i.op === 'RUN' && /apt-get install/.test(i.args))!;
    expect(apt.args.indexOf('apt-get update')).toBeGreaterThanOrEqual(0);
    expect(apt.args.indexOf('apt-get update')).toBeLessThan(apt.args.indexOf('apt-get install'));
    for (const pkg of ['python3', 'make', 'g++']) expect(apt.args.split(/\s+/)).toContain(pkg);
  });

  it('runs harness/setup/setup.sh, with everything it reads copied in first', () => {
    expect(setupRun).toBeGreaterThan(0);
    const copiedBefore = instructions
      .slice(0, setupRun)
      .filter((i) => i.op === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    // setup.sh reads the lock file and calls scripts of the repository; so does anything they call.
    const scripts = ['harness/setup/setup.sh'];
    for (const s of scripts) {
      for (const m of read(s).matchAll(/\b((?:server|harness)\/[\w/.-]+\.sh)\b/g)) if (!scripts.includes(m[1]!)) scripts.push(m[1]!);
    }
    expect(scripts).toContain('server/mediasoup/build-worker.sh');
    for (const needed of ['package.json', 'package-lock.json', ...scripts]) expect(copiedBefore, needed).toContain(needed);
  });

  it('sets LIVEDRILL_CHROMIUM only after set-up (setup.sh installs chromium-headless-shell only when it is unset)', () => {
    const env = instructions.findIndex((i) => i.op === 'ENV' && /^LIVEDRILL_CHROMIUM[= ]\/usr\/bin\/chromium-headless-shell$/.test(i.args));
    expect(env).toBeGreaterThan(setupRun);
    expect(instructions.slice(0, setupRun).some((i) => /LIVEDRILL_CHROMIUM/.test(i.args))).toBe(false);
  });

  it('has the CLI as ENTRYPOINT and a valid default command', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(entrypoint).toEqual(['node', pkg.bin.livedrill]);
    expect(existsSync(path.join(root, entrypoint[1]!))).toBe(true);
    const inv = parseCli(execForm('CMD'));
    expect(existsSync(path.join(root, inv.positionals[0]!))).toBe(true);
  });

  it('copies only files that exist and are not excluded; the context leaves out node_modules, runs and .git', () => {
    expect(dockerignore).toEqual(expect.arrayContaining(['node_modules', 'runs', '.git']));
    for (const copy of instructions.filter((i) => i.op === 'COPY')) {
      for (const src of copy.args.split(/\s+/).slice(0, -1)) {
        expect(existsSync(path.join(root, src)), src).toBe(true);
        expect(dockerignore.some((ex) => src === ex || src.startsWith(`${ex}/`)), src).toBe(false);
      }
    }
  });
});

describe('docker/compose.yaml', () => {
  it('has the SFU, two viewer shards, Prometheus and Grafana, built from docker/Dockerfile', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['sfu', 'viewers-1', 'viewers-2', 'prometheus', 'grafana']));
    expect(livedrillServices.length).toBeGreaterThanOrEqual(3);
    for (const [name, s] of livedrillServices) {
      expect(s.entrypoint, name).toBeUndefined();
      expect(path.resolve(dockerDir, s.build.context, s.build.dockerfile), name).toBe(path.join(dockerDir, 'Dockerfile'));
      expect(mib(s.shm_size), `${name}: Chromium needs /dev/shm`).toBeGreaterThanOrEqual(512);
    }
  });

  it('calls every livedrill command with known commands and flags', () => {
    expect([...composeInvocations.values()].map((i) => i.command).sort()).toEqual(['merge', 'sfu', 'viewers', 'viewers']);
  });

  it('runs the SFU on all interfaces, announcing its static address on the compose network', async () => {
    expect(sfuInv.flags.get('--host')).toBe('0.0.0.0');
    const nets = services.sfu.networks;
    const [netName] = Object.keys(nets);
    const ip = nets[netName!].ipv4_address;
    expect(sfuInv.flags.get('--announced-ip')).toBe(ip);
    expect(ipInSubnet(ip, compose.networks[netName!].ipam.config[0].subnet)).toBe(true);
    const port = sfuInv.flags.get('--port');
    expect(services.sfu.ports).toContain(`127.0.0.1:${port}:${port}`);
    expect(services.sfu.healthcheck.test.join(' ')).toContain(`127.0.0.1:${port}/healthz`);
    const scenario = await loadScenario(hostPathOf(services.sfu, path.posix.join(workdir, sfuInv.positionals[0]!)) ?? '');
    for (const [name, inv] of composeViewers) expect(inv.flags.get('--room'), name).toBe(scenario.room);
  });

  it('publishes every port on loopback only, and enables no Prometheus admin endpoint', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of (service.ports ?? []) as string[]) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(services.prometheus.command.join(' ')).not.toContain('enable-lifecycle');
    expect(services.prometheus.command.join(' ')).not.toContain('enable-admin-api');
  });

  it('gives the SFU and every shard the signaling token, which compose refuses to start without', () => {
    expect(read('docker/compose.yaml')).toMatch(/LIVEDRILL_TOKEN: "\$\{LIVEDRILL_TOKEN:\?/);
    for (const [name, s] of livedrillServices) expect(s.environment?.LIVEDRILL_TOKEN, name).toBe(REQUIRED_VALUE);
  });

  it('has viewer shards 1/S..S/S against the SFU service, each with its own metrics port and run dir', () => {
    const shards = composeViewers.map(([, inv]) => shardOf(inv));
    expect(shards.map(([k]) => k).sort()).toEqual(shards.map((_, i) => i + 1));
    for (const [, s] of shards) expect(s).toBe(shards.length);
    for (const [name, inv] of composeViewers) {
      const url = sfuUrl(inv);
      expect(url.hostname, name).toBe('sfu');
      expect(url.port, name).toBe(sfuInv.flags.get('--port'));
      expect(inv.flags.get('--metrics-port'), name).toBeDefined();
      expect(services[name].depends_on.sfu.condition, name).toBe('service_healthy');
    }
    const outs = [...composeInvocations.values()].filter((i) => i.command !== 'merge').map((i) => i.flags.get('--out'));
    expect(new Set(outs).size).toBe(outs.length);
    expect(composeInvocations.get('merge')!.positionals.sort()).toEqual([...outs].sort());
  });

  it('mounts only paths that exist in the repository (runs/ aside: gitignored, created by Docker)', () => {
    const runs = path.join(root, 'runs');
    expect(read('.gitignore').split('\n')).toContain('runs/');
    for (const [name, s] of Object.entries(services)) {
      for (const m of mountsOf(s)) {
        if (m.source === runs) continue;
        expect(existsSync(m.source), `${name}: ${m.source}`).toBe(true);
      }
    }
    for (const [name, s] of livedrillServices) {
      for (const m of mountsOf(s)) expect(m.target.startsWith(`${workdir}/`), `${name}: ${m.target} outside ${workdir}`).toBe(true);
      expect(hostPathOf(s, `${workdir}/runs`), name).toBe(runs);
    }
  });

  it('gives Grafana the provisioning, the dashboards where the provider looks, and the Prometheus its datasource names', () => {
    const g = services.grafana;
    expect(hostPathOf(g, '/etc/grafana/provisioning')).toBe(path.join(root, 'dashboards/grafana/provisioning'));
    const provider = parse(read('dashboards/grafana/provisioning/dashboards/livedrill.yml')).providers[0];
    expect(hostPathOf(g, provider.options.path)).toBe(path.join(root, 'dashboards/grafana/dashboards'));
    const ds = new URL(parse(read('dashboards/grafana/provisioning/datasources/livedrill.yml')).datasources[0].url);
    expect(services[ds.hostname], `datasource host ${ds.hostname}`).toBeDefined();
    expect(services[ds.hostname].image).toMatch(/^prom\/prometheus:/);
    expect(ds.port).toBe('9090');
  });

  it('starts Prometheus with docker/prometheus.compose.yml, mounted so its rule_files resolve as in the repository', () => {
    const p = services.prometheus;
    const configFlag = p.command.find((a: string) => a.startsWith('--config.file='));
    const containerConfig = configFlag.slice('--config.file='.length);
    expect(hostPathOf(p, containerConfig)).toBe(promConfigPath);
    for (const glob of promConfig.rule_files) {
      const inContainer = path.posix.join(path.posix.dirname(containerConfig), path.posix.dirname(glob));
      expect(hostPathOf(p, inContainer), glob).toBe(path.resolve(dockerDir, path.dirname(glob)));
    }
  });
});

describe('docker/prometheus.compose.yml', () => {
  const scrapeJob = promConfig.scrape_configs.find((j: Json) => j.job_name === 'livedrill');
  const baseJob = baseProm.scrape_configs.find((j: Json) => j.job_name === 'livedrill');

  it('scrapes the SFU and every viewer shard of the compose file in one livedrill job', () => {
    const targets = scrapeJob.static_configs.flatMap((c: Json) => c.targets).sort();
    const expected = [
      `sfu:${sfuInv.flags.get('--port')}`,
      ...composeViewers.map(([name, inv]) => `${name}:${inv.flags.get('--metrics-port')}`),
    ].sort();
    expect(targets).toEqual(expected);
  });

  it('keeps the settings of dashboards/prometheus/prometheus.yml and loads its rules', () => {
    expect(promConfig.global).toEqual(baseProm.global);
    for (const key of ['scrape_interval', 'scrape_timeout', 'metrics_path']) expect(scrapeJob[key], key).toBe(baseJob[key]);
    expect(promConfig.rule_files).toEqual(baseProm.rule_files.map((g: string) => `../dashboards/prometheus/${g}`));
  });

  const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!hasPromtool)('passes promtool check config, rule files included', () => {
    const r = spawnSync('promtool', ['check', 'config', 'docker/prometheus.compose.yml'], { cwd: root, encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/SUCCESS: [1-9]\d* rule files found/);
  });
});

describe('docker/k8s/livedrill.yaml', () => {
  it('has a Namespace, the SFU Deployment and Service and the viewers Job, all in the namespace', () => {
    expect(k8sDocs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 Namespace', 'apps/v1 Deployment', 'v1 Service', 'batch/v1 Job']);
    const ns = byKind('Namespace')[0].metadata.name;
    for (const d of k8sDocs.slice(1)) expect(d.metadata.namespace, d.kind).toBe(ns);
    for (const d of [deployment, job]) {
      const c = d.spec.template.spec.containers[0];
      expect(c.image, d.kind).toBe('livedrill:latest');
      const shm = d.spec.template.spec.volumes.find((v: Json) => v.emptyDir?.medium === 'Memory');
      expect(c.volumeMounts.find((m: Json) => m.name === shm?.name)?.mountPath, `${d.kind}: /dev/shm for Chromium`).toBe('/dev/shm');
    }
  });

  it('runs the SFU on the host network, announcing the node IP from the downward API', async () => {
    expect(deployment.spec.selector.matchLabels).toEqual(expect.objectContaining(deployment.spec.template.metadata.labels));
    expect(sfuPod.hostNetwork).toBe(true);
    expect(sfuPod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(sfuContainer.command).toBeUndefined();
    expect(k8sSfuInv.command).toBe('sfu');
    expect(k8sSfuInv.flags.get('--announced-ip')).toBe(FAKE_HOST_IP);
    expect(k8sSfuInv.flags.get('--host')).toBe('0.0.0.0');
    const port = sfuContainer.ports.find((p: Json) => p.protocol === 'TCP');
    expect(String(port.containerPort)).toBe(k8sSfuInv.flags.get('--port'));
    expect(sfuContainer.readinessProbe.httpGet.path).toBe('/healthz');
    await loadScenario(path.join(root, k8sSfuInv.positionals[0]!));
  });

  it('exposes signaling and metrics through a Service that selects the SFU pod', () => {
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(service.spec.selector));
    const [port] = service.spec.ports;
    const target = sfuContainer.ports.find((p: Json) => p.name === port.targetPort || p.containerPort === port.targetPort);
    expect(target).toBeDefined();
    expect(String(port.port)).toBe(k8sSfuInv.flags.get('--port'));
  });

  it('runs viewer shards 1/S..S/S as an Indexed Job, each pod a valid viewers command', async () => {
    const { completionMode, completions, parallelism } = job.spec;
    expect(completionMode).toBe('Indexed');
    expect(parallelism).toBe(completions);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const scenario = await loadScenario(path.join(root, k8sSfuInv.positionals[0]!));
    const metricsPort = job.spec.template.spec.containers[0].ports.find((p: Json) => p.name === 'metrics').containerPort;
    const outs = new Set<string>();
    for (let index = 0; index < completions; index++) {
      const argv = runJobPod(index);
      expect(argv.slice(0, 1)).toEqual(entrypoint.slice(1));
      const inv = parseCli(argv.slice(1));
      expect(inv.command).toBe('viewers');
      expect(shardOf(inv)).toEqual([index + 1, completions]);
      const url = sfuUrl(inv);
      expect([service.metadata.name, `${service.metadata.name}.${service.metadata.namespace}.svc`]).toContain(url.hostname.replace(/\.cluster\.local$/, ''));
      expect(url.port).toBe(String(service.spec.ports[0].port));
      expect(inv.flags.get('--room')).toBe(scenario.room);
      expect(inv.flags.get('--metrics-port')).toBe(String(metricsPort));
      outs.add(inv.flags.get('--out') ?? '');
    }
    expect(outs.size).toBe(completions);
  });

  it('gives the SFU and the viewer shards the same token, from a Secret', () => {
    const tokenOf = (container: Json) => container.env?.find((e: Json) => e.name === 'LIVEDRILL_TOKEN')?.valueFrom?.secretKeyRef;
    expect(tokenOf(sfuContainer)).toEqual({ name: 'livedrill-token', key: 'token' });
    expect(tokenOf(job.spec.template.spec.containers[0])).toEqual(tokenOf(sfuContainer));
  });

  it('leaves the shell arithmetic to the shell ($(...) expansion does not touch $((...)))', () => {
    const script = job.spec.template.spec.containers[0].args[0];
    expect(script).toMatch(/\$\(\(JOB_COMPLETION_INDEX\+1\)\)/);
    expect(k8sExpand(script, { JOB_COMPLETION_INDEX: '9' })).toBe(script);
  });
});
