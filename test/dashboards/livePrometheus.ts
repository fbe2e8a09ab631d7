/**
 * A real Prometheus server on loopback for tests: the shipped scrape job and
 * rules, pointed at a livedrill /metrics endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const promDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboards/prometheus');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface LivePrometheus {
  base: string;
  api(pathAndQuery: string, form?: Record<string, string>): Promise<Json>;
  /** Polls `probe` until it returns a value (not undefined) or the time is up. */
  until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts Prometheus with dashboards/prometheus/prometheus.yml, its livedrill job scraping `target`. */
export async function startPrometheus(target: string, tweak: (config: Json) => void = () => {}): Promise<LivePrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'livedrill-prometheus-'));
  const config = parse(readFileSync(path.join(promDir, 'prometheus.yml'), 'utf8'));
  const job = config.scrape_configs.find((j: Json) => j.job_name === 'livedrill');
  if (!job) throw new Error('dashboards/prometheus/prometheus.yml has no livedrill job');
  job.static_configs = [{ targets: [target] }];
  config.rule_files = config.rule_files.map((f: string) => path.resolve(promDir, f));
  tweak(config);
  writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const prometheus: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (d) => (output += d));
  prometheus.stderr!.on('data', (d) => (output += d));

  const api = async (pathAndQuery: string, form?: Record<string, string>): Promise<Json> => {
    const res = await fetch(`${base}${pathAndQuery}`, form ? { method: 'POST', body: new URLSearchParams(form) } : undefined);
    return res.json();
  };
  const until = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}\nprometheus output:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const stop = async (): Promise<void> => {
    if (prometheus.exitCode === null) {
      const gone = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const exited = new Promise<never>((_, reject) =>
    prometheus.once('exit', (code) => reject(new Error(`prometheus exited (${code}):\n${output}`))).once('error', reject),
  );
  exited.catch(() => {});
  try {
    await Promise.race([exited, until('Prometheus to be ready', 20_000, async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined))]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, api, until, stop };
}
