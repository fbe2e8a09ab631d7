/**
 * Scale parts, for real: synthetic viewers beside a browser viewer on an SFU
 * with two workers (the broadcast piped across them), and a run spread over
 * processes — an SFU process and two viewer shards — merged into one summary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';
import { midRunScrape, runReliably } from '../reliableRun.js';
import type { RunSummary } from '../../harness/run/summary.js';

describe('synthetic and browser viewers on a two-worker SFU', () => {
  let summary: RunSummary;
  let metrics = '';

  beforeAll(async () => {
    const scenario = parseScenario(
      `
name: e2e-scale
duration: 18s
sfu: { workers: 2 }
viewers: { browser: 1, synthetic: 30, syntheticJoinSpacing: 20ms }
faults:
  - { id: freeze, kind: video-freeze, at: 3s, duration: 3s, viewers: [browser-1, synthetic-1, synthetic-2] }
  - { id: crash, kind: worker-crash, at: 9s, worker: 1 }
`,
      'scale.yaml',
    );
    const scrape = midRunScrape(1500);
    ({ summary } = await runReliably({ scenario, scenarioFile: 'scale.yaml' }, scrape.scrape));
    metrics = scrape.text();
  }, 240_000);

  it('the harness did not flag itself (else the run was repeated once)', () => {
    expect(summary.reliability.reasons).toEqual([]);
    expect(summary.effects.suspect).toEqual([]);
  });

  it('synthetic viewers received through the udp_batch addon (kernel receive times), as the run says', () => {
    expect(summary.versions.syntheticReceive).toMatch(/^native: recvmmsg/);
  });

  it('every viewer joined and received the real media', () => {
    expect(summary.error).toBeNull();
    expect(summary.totals.joined).toBe(31);
    const publisherFps = summary.publisher!.fps;
    for (const v of summary.viewers.filter((x) => x.kind === 'synthetic')) {
      // Frozen or disconnected time shows no frames: the rest must show the publisher's.
      const playingSeconds = v.watchSeconds - v.freezes.w3c.seconds;
      expect(v.framesRendered, v.id).toBeGreaterThan(publisherFps * playingSeconds * 0.9);
      expect(v.audio.samplesReceived, v.id).toBeGreaterThan(48000 * v.watchSeconds * 0.8);
    }
  });

  it('the broadcast was piped across both workers, viewers spread over them', () => {
    const consumers = (worker: number): number =>
      Number(metrics.split('\n').find((l) => l.startsWith(`livedrill_sfu_consumers{worker="${worker}",kind="video"}`))?.split(' ')[1]);
    expect(consumers(0)).toBeGreaterThan(10);
    expect(consumers(1)).toBeGreaterThan(10);
  });

  it('a freeze is measured alike by browser and synthetic viewers (same definition)', () => {
    const freeze = summary.faults.find((f) => f.faultId === 'freeze')!;
    // The 3 s cut is one freeze of 3 s for each kind, and nothing else froze in its window.
    for (const id of ['browser-1', 'synthetic-1', 'synthetic-2']) {
      const v = freeze.viewers.find((x) => x.id === id)!;
      expect(v.freezeCount, id).toBe(1);
      expect(Math.abs(v.freezeSeconds - 3), id).toBeLessThanOrEqual(0.3);
    }
    expect(freeze.affected).toEqual(['browser-1', 'synthetic-1', 'synthetic-2']);
    expect(freeze.affectedUntargeted).toEqual([]);
    expect(freeze.overlaps).toEqual([]);
  });

  it("a worker crash cuts off only that worker's viewers, who all come back", () => {
    const crash = summary.faults.find((f) => f.faultId === 'crash')!;
    expect(crash.targets.length).toBeGreaterThan(5);
    expect(crash.targets.length).toBeLessThan(31);
    for (const v of crash.viewers) {
      expect(v.disconnects).toBe(v.targeted ? 1 : 0);
      if (v.targeted) expect(v.recoverySeconds).not.toBeNull();
    }
    expect(crash.unrecovered).toEqual([]);
  });
});

describe('a run spread over processes: livedrill sfu + 2 viewer shards, merged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'livedrill-shards-'));
  const children: ChildProcess[] = [];
  const cli = (args: string[]): ChildProcess => {
    const child = spawn(process.execPath, ['harness/cli/livedrill.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  const exited = (child: ChildProcess): Promise<number | null> => new Promise((r) => child.once('exit', r));
  let shardMetrics = '';
  let shardExits: Array<number | null> = [];
  let merged: RunSummary;

  beforeAll(async () => {
    const scenario = join(dir, 'sharded.yaml');
    writeFileSync(
      scenario,
      'name: sharded\nduration: 30s\nroom: big\nfaults:\n  - { id: freeze, kind: video-freeze, at: 14s, duration: 3s, viewers: 50% }\n',
    );
    // The SFU starts its fault clock once all 11 shard viewers are receiving; the shards end when it ends the broadcast.
    const sfu = cli(['sfu', scenario, '--port', '18181', '--out', join(dir, 'sfu'), '--expect-viewers', '11']);
    await sleep(3000);
    const shard = (k: number, browser: number) =>
      cli(['viewers', '--sfu', 'ws://127.0.0.1:18181/signaling', '--room', 'big', '--browser', String(browser), '--synthetic', '5',
        '--shard', `${k}/2`, '--out', join(dir, `shard-${k}`), '--metrics-port', String(19460 + k)]);
    const shards = [shard(1, 1), shard(2, 0)];
    // Read shard 1's metrics once all its viewers are watching, browser and synthetic (bounded: 20 s): a synthetic
    // viewer's first frame may come after the browser's (0.4 s later once on a fresh-clone CI run).
    const watching = (text: string): boolean =>
      /livedrill_viewers_connected\{kind="browser",shard="1\/2"\} 1\n/.test(text) && /livedrill_viewers_connected\{kind="synthetic",shard="1\/2"\} 5\n/.test(text);
    for (let i = 0; i < 40 && !watching(shardMetrics); i++) {
      await sleep(500);
      shardMetrics = await fetch('http://127.0.0.1:19461/metrics').then((r) => r.text(), () => '');
    }
    shardExits = await Promise.all([exited(sfu), ...shards.map(exited)]);
    const merge = spawnSync(process.execPath, ['harness/cli/livedrill.js', 'merge', join(dir, 'sfu'), join(dir, 'shard-1'), join(dir, 'shard-2'), '--out', join(dir, 'merged')], { encoding: 'utf8' });
    expect(merge.stderr).toBe('');
    merged = JSON.parse(readFileSync(join(dir, 'merged', 'summary.json'), 'utf8'));
    const report = spawnSync(process.execPath, ['harness/cli/livedrill.js', 'report', join(dir, 'merged')], { encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(0);
  }, 120_000);

  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('the shards ended with the broadcast, each passing', () => {
    expect(shardExits).toEqual([0, 0, 0]);
    for (const k of [1, 2]) {
      const journal = readFileSync(join(dir, `shard-${k}`, 'journal.jsonl'), 'utf8');
      expect(journal).toContain('"viewer.broadcastEnded"');
    }
  });

  it("each shard labels its metrics and journal lines with its identity", () => {
    expect(shardMetrics).toMatch(/livedrill_viewers_connected\{kind="browser",shard="1\/2"\} 1/);
    expect(shardMetrics).toMatch(/livedrill_viewers_connected\{kind="synthetic",shard="1\/2"\} 5/);
    const lines = readFileSync(join(dir, 'shard-2', 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.shard === '2/2')).toBe(true);
  });

  it("each shard set its clock against the SFU host's (one machine: no offset beyond the uncertainty), and its synthetic viewers timed the network path on it", () => {
    expect(merged.clocks.map((c) => c.shard).sort()).toEqual(['1/2', '2/2']);
    for (const c of merged.clocks) {
      console.log(`shard ${c.shard} clock: offset ${c.offsetMs.toFixed(2)} ms ± ${c.uncertaintyMs.toFixed(2)} (rtt ${c.rttMs.toFixed(2)})`);
      expect(c.uncertaintyMs, c.shard).toBeLessThan(10);
      // The SFU answers in whole milliseconds.
      expect(Math.abs(c.offsetMs), c.shard).toBeLessThanOrEqual(c.uncertaintyMs + 1);
    }
    expect(readFileSync(join(dir, 'shard-1', 'journal.jsonl'), 'utf8')).toContain('"run.clock"');
    for (const v of merged.viewers.filter((x) => x.kind === 'synthetic')) {
      expect(v.pathLatency!.count, v.id).toBeGreaterThan(100);
      expect(v.pathLatency!.p50, v.id).toBeGreaterThan(-0.005);
      expect(v.pathLatency!.p50, v.id).toBeLessThan(0.01);
    }
  });

  it('the merged summary holds both shards, both viewer kinds, and the fault measured across them', () => {
    expect(merged.viewers.map((v) => v.id).sort()).toEqual(
      ['s1-browser-1', ...[1, 2, 3, 4, 5].flatMap((i) => [`s1-synthetic-${i}`, `s2-synthetic-${i}`])].sort(),
    );
    const freeze = merged.faults.find((f) => f.faultId === 'freeze')!;
    expect(freeze.targets).toHaveLength(6); // 50% of the 11 viewers the SFU saw, rounded
    const targeted = freeze.viewers.filter((v) => v.targeted);
    expect(targeted).toHaveLength(6);
    for (const v of targeted) expect(Math.abs(v.freezeSeconds - 3)).toBeLessThanOrEqual(0.4);
    // The evidence pack of the merged run sees every viewer of both kinds, and the same fault.
    const evidence = JSON.parse(readFileSync(join(dir, 'merged', 'evidence.json'), 'utf8'));
    expect(evidence.viewers).toHaveLength(11);
    expect(evidence.viewers.filter((v: { firstFrameAt: number | null }) => v.firstFrameAt !== null)).toHaveLength(11);
    expect(evidence.faults[0].targets).toEqual(freeze.targets);
    expect(freeze.affected.sort()).toEqual([...freeze.targets].sort());
    expect(freeze.affectedUntargeted).toEqual([]);
    expect(merged.pass).toBe(true);
    // The shards' receive path (the compiled CLI loads the addon from the source tree).
    expect(merged.versions.syntheticReceive).toMatch(/^native: recvmmsg/);
    // No viewer shows a freeze after the broadcast ended: the shards stopped with it.
    for (const v of merged.viewers) expect(v.freezes.w3c.count, v.id).toBe(freeze.targets.includes(v.id) ? 1 : 0);
    console.log(`sharded run: ${merged.reliability.reliable ? 'reliable' : `UNRELIABLE (${merged.reliability.reasons.join('; ')})`}`);
  });
});
