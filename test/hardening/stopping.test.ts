/**
 * How a run ends when it is told to, or cannot start: a terminal's Ctrl-C
 * (SIGINT to the whole foreground process group), a closed terminal
 * (SIGHUP), a busy port. Results are written and no process is left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../tempDirs.js';

const tempDir = useTempDirs();
const SCENARIO = 'name: stopping\nduration: 60s\nviewers: { browser: 1 }\n';

const workers = (): number => spawnSync('pgrep', ['-c', '-f', 'mediasoup-worker'], { encoding: 'utf8' }).stdout.trim() as unknown as number;

/** Starts `livedrill run` in a process group of its own, as a terminal would, and waits for the broadcast. */
async function startRun(dir: string, args: string[] = []): Promise<{ child: ChildProcess; output: () => string }> {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, SCENARIO);
  const child = spawn(process.execPath, ['harness/cli/livedrill.js', 'run', file, '--out', join(dir, 'out'), ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (let i = 0; i < 120 && !output.includes('broadcasting'); i++) await sleep(250);
  expect(output).toContain('broadcasting');
  return { child, output: () => output };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));

describe('stopping a run', () => {
  it("a terminal's Ctrl-C reaches livedrill, not its SFU workers: the run ends interrupted, no worker replaced, nothing left", async () => {
    const dir = tempDir('livedrill-sigint-');
    const { child } = await startRun(dir);
    // The SFU's workers live in a process group of their own: the terminal's signal never reaches them.
    const groups = spawnSync('ps', ['-o', 'pgid=', '-p', spawnSync('pgrep', ['-d,', '-f', 'mediasoup-worker'], { encoding: 'utf8' }).stdout.trim()], { encoding: 'utf8' });
    const workerGroups = groups.stdout.trim().split(/\s+/).map(Number);
    expect(workerGroups.length).toBeGreaterThan(0);
    expect(workerGroups).not.toContain(child.pid);
    process.kill(-child.pid!, 'SIGINT'); // the whole foreground group, as a terminal does
    expect(await exited(child)).toBe(1);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.interrupted).toBe(true);
    const journal = readFileSync(join(dir, 'out', 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('"sfu.workerDied"');
    expect(journal).not.toContain('"sfu.workerReplaced"');
    expect(Number(workers())).toBe(0);
  }, 90_000);

  it('a closed terminal (SIGHUP) ends the run like Ctrl-C: summary written, nothing left', async () => {
    const dir = tempDir('livedrill-sighup-');
    const { child } = await startRun(dir);
    process.kill(-child.pid!, 'SIGHUP');
    expect(await exited(child)).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')).interrupted).toBe(true);
    expect(Number(workers())).toBe(0);
  }, 90_000);

  it('a busy port fails at once with a clear error, and leaves no process', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = tempDir('livedrill-busy-');
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    const started = Date.now();
    const result = spawnSync(process.execPath, ['harness/cli/livedrill.js', 'run', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--port', String(port)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    blocker.close();
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(existsSync(join(dir, 'out', 'summary.json'))).toBe(true);
    expect(Number(workers())).toBe(0);
  }, 40_000);
});
