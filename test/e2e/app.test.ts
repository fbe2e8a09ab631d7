/**
 * Any app under test: scenarios/app-fixture.yaml, the fixture app
 * (test/fixtures/app, its own WebRTC client and signaling, peer to peer, no
 * code shared with harness/page) run by `livedrill run` with the probe
 * injected, every client-side fault kind once, measured against the ground truth the scheduler recorded, as the
 * built-in viewers are in faults.test.ts. The run is in a network namespace
 * of its own whose only way off loopback is a veth interface: its packet
 * count shows that nothing left loopback.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../harness/journal/Journal.js';
import { AppServer } from '../../harness/run/AppServer.js';
import { Run } from '../../harness/run/Run.js';
import { parseScenario } from '../../harness/scenario/load.js';
import type { FaultImpact } from '../../harness/run/impact.js';
import type { RunSummary } from '../../harness/run/summary.js';
import { until } from '../until.js';
import { audioDroppedShare } from '../../harness/network/ImpairedPath.js';

const SCENARIO = resolve('scenarios/app-fixture.yaml');

/** A namespace with loopback and one veth whose other end goes nowhere: every packet off loopback is counted there. */
const NAMESPACE = `
set -e
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip link add out0 type veth peer name out1
ip addr add 10.199.0.1/24 dev out0
ip link set out1 up
ip link set out0 up
ip route add default dev out0
tx() { ip -s -j link show out0 | node -e 'let d="";process.stdin.on("data",(c)=>(d+=c)).on("end",()=>console.log(JSON.parse(d)[0].stats64.tx.packets))'; }
echo "before $(tx)" > "$OUT/offLoopback.txt"
node harness/cli/livedrill.js run "$SCENARIO" --out "$OUT" > "$OUT/cli.log" 2>&1 || true
echo "after $(tx)" >> "$OUT/offLoopback.txt"
`;

function runInNamespace(): { summary: RunSummary; outDir: string; offLoopback: number } {
  const outDir = join(mkdtempSync(join(tmpdir(), 'livedrill-e2e-app-')), 'run');
  const result = spawnSync('unshare', ['--net', '--', 'sh', '-c', `mkdir -p "$OUT"\n${NAMESPACE}`], {
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, OUT: outDir, SCENARIO },
  });
  if (result.status !== 0) throw new Error(`the namespace run failed (${result.status}): ${result.stderr}`);
  const counts = Object.fromEntries(readFileSync(join(outDir, 'offLoopback.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
  return { summary: JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as RunSummary, outDir, offLoopback: counts.after - counts.before };
}

describe("an app's own pages under test (the fixture app), every client-side fault against ground truth", () => {
  let summary: RunSummary;
  let outDir: string;
  let offLoopback: number;
  const fault = (id: string): FaultImpact => summary.faults.find((f) => f.faultId === id)!;
  const viewer = (f: FaultImpact, id: string) => f.viewers.find((v) => v.id === id)!;
  const others = (...ids: string[]) => ['browser-1', 'browser-2', 'browser-3'].filter((id) => !ids.includes(id));

  beforeAll(() => {
    // A run the harness judged unreliable proves nothing either way: once more (as runReliably).
    for (let attempt = 1; attempt <= 2; attempt++) {
      ({ summary, outDir, offLoopback } = runInNamespace());
      console.log(`e2e-app: run ${attempt} was ${summary.reliability.reliable ? 'reliable' : `UNRELIABLE (${summary.reliability.reasons.join('; ')})`}`);
      if (summary.reliability.reliable) break;
    }
  }, 500_000);

  it('ran the app, said which app and SDK version, and sent nothing off loopback', () => {
    expect(summary.error).toBeNull();
    expect(summary.reliability.reasons).toEqual([]);
    expect(summary.versions).toMatchObject({ app: 'fixture-app', appSdk: '1.0.0' });
    expect(summary.versions.turn).toMatch(/^Coturn-/);
    expect(summary.viewers.map((v) => v.joinSeconds! > 0 && v.joinSeconds! < 10)).toEqual([true, true, true]);
    expect(offLoopback).toBe(0);
  });

  it('injected and reverted every fault; every effect explained by one', () => {
    expect(summary.faults.map((f) => f.faultId)).toEqual(['delay', 'loss', 'freeze', 'collapse', 'signaling', 'audio-delay', 'audio', 'slow', 'disconnect']);
    const journal = readJournal(join(outDir, 'journal.jsonl'));
    for (const f of summary.faults) {
      expect(journal.filter((e) => e.type === 'fault.inject' && e.faultId === f.faultId)).toHaveLength(1);
      expect(journal.filter((e) => e.type === 'fault.revert' && e.faultId === f.faultId && !('error' in e))).toHaveLength(1);
    }
    expect(summary.effects.unexplained).toEqual([]);
    for (const f of summary.faults) expect(f.affectedUntargeted, f.faultId).toEqual([]);
  });

  it('network delay: 200 ms on one viewer\'s downstream raises its latency by 200 ± 30 ms, no one else\'s', () => {
    const f = fault('delay');
    const rise = (id: string, of: 'latencySeconds' | 'receiveLatencySeconds') => viewer(f, id)[of]!.during! - viewer(f, id)[of]!.before!;
    console.log(`delayed viewer: received +${rise('browser-2', 'receiveLatencySeconds').toFixed(3)} s, glass-to-glass +${rise('browser-2', 'latencySeconds').toFixed(3)} s`);
    expect(Math.abs(rise('browser-2', 'receiveLatencySeconds') - 0.2)).toBeLessThanOrEqual(0.03);
    // Glass to glass the receiver's jitter buffer and lip sync react to the step (README, Definitions): measured from
    // −50 to +49 ms off the delay on fresh clones (166 or 233 ms for 200 once); a broken measurement is off by far more.
    expect(rise('browser-2', 'latencySeconds')).toBeGreaterThan(0.1);
    expect(rise('browser-2', 'latencySeconds')).toBeLessThan(0.26);
    for (const id of others('browser-2')) {
      expect(Math.abs(rise(id, 'receiveLatencySeconds')), id).toBeLessThan(0.03);
      // Lip sync moves any viewer's picture by a display refresh or two (16.7 ms each) now and then, fault or not (as in latency.test.ts).
      expect(Math.abs(rise(id, 'latencySeconds')), id).toBeLessThan(0.05);
    }
  });

  // The relay in front of the page's TURN server looks inside TURN's framing and sorts packets by the SSRCs
  // and payload types the probe read from getStats. The ground truth is checked where it is exact: the video
  // arrives on time, the sound is heard no earlier than the delay allows (less what the jitter buffer held).
  // The receiver answers the step (latency.test.ts): the audio jitter buffer grows, and lip sync holds the
  // picture back (Chromium moves it up to 80 ms a second), so the A/V offset only has to show the sound behind
  // (+81 ms over the 5 s once, with the sound +183 ms). The others' sound is not held still: their jitter
  // buffers are still giving back the earlier delay and loss; each page's path is a relay of its own.
  // Before the audio drop: after one, this app's lip sync goes wrong for all (README, Your own app).
  it("network delay on the audio alone: 200 ms on one viewer's downstream; its sound falls behind its picture, its video arrives on time, no one else's does", () => {
    const f = fault('audio-delay');
    const rise = (id: string, of: 'audioLatencySeconds' | 'avOffsetSeconds' | 'receiveLatencySeconds' | 'latencySeconds') => viewer(f, id)[of]!.during! - viewer(f, id)[of]!.before!;
    console.log(
      `audio-only delay on browser-1: audio +${rise('browser-1', 'audioLatencySeconds').toFixed(3)} s, A/V +${rise('browser-1', 'avOffsetSeconds').toFixed(3)} s, glass-to-glass +${rise('browser-1', 'latencySeconds').toFixed(3)} s, video received +${rise('browser-1', 'receiveLatencySeconds').toFixed(4)} s; others' audio ${others('browser-1').map((id) => rise(id, 'audioLatencySeconds').toFixed(3)).join(', ')} s`,
    );
    expect(rise('browser-1', 'audioLatencySeconds')).toBeGreaterThan(0.14);
    expect(rise('browser-1', 'audioLatencySeconds')).toBeLessThan(0.5);
    expect(rise('browser-1', 'avOffsetSeconds')).toBeGreaterThan(0.02);
    expect(rise('browser-1', 'avOffsetSeconds')).toBeLessThan(0.5);
    expect(Math.abs(rise('browser-1', 'receiveLatencySeconds'))).toBeLessThan(0.03);
    for (const id of others('browser-1')) expect(Math.abs(rise(id, 'receiveLatencySeconds')), id).toBeLessThan(0.03);
  });

  it('network loss: 10% on one viewer path, dropped by its relay and seen in that viewer only', () => {
    const f = fault('loss');
    expect(summary.network!['browser-3'].down.dropped.loss).toBeGreaterThan(30);
    expect(viewer(f, 'browser-3').packetLossRatio).toBeGreaterThan(0.05);
    expect(viewer(f, 'browser-3').packetLossRatio).toBeLessThan(0.15);
    // The app's audio, which nothing retransmits, against the audio its relay dropped (told apart inside TURN).
    const audioInjected = audioDroppedShare(f.relayed!['browser-3'].down)!;
    console.log(`app loss: relay dropped ${(audioInjected * 100).toFixed(2)} % of the audio, the viewer lost ${(viewer(f, 'browser-3').audioPacketLossRatio! * 100).toFixed(2)} % of it`);
    expect(audioInjected).toBeGreaterThan(0.04);
    // The viewer's window is its stats samples within the fault, up to one sample interval (0.5 s of these 6 s)
    // off the relay's inject-to-revert count: the packets at the edges differ (0.99 points once). The accuracy
    // bench judges ±1.5 points on faults of 10 s and more.
    expect(Math.abs(viewer(f, 'browser-3').audioPacketLossRatio! - audioInjected)).toBeLessThan(0.025);
    for (const id of others('browser-3')) expect(viewer(f, id).packetLossRatio ?? 0).toBeLessThan(0.01);
    // Every page's media goes through its own relay to TURN.
    expect(summary.relay!.relayedPeers).toBe(4);
  });

  it('video-freeze at the source: 3 s on every viewer, and 3 s of frames never shown', () => {
    const f = fault('freeze');
    const expected = ((f.end - f.start) / 1000) * 30;
    for (const v of f.viewers) {
      expect(v.freezeCount, v.id).toBe(1);
      expect(Math.abs(v.freezeSeconds - 3), v.id).toBeLessThanOrEqual(0.3);
      // ± 3, not the built-in viewers' ± 1: the camera stops and starts again through DevTools calls into the page, each
      // taking effect up to about 50 ms (1.5 frames) after livedrill's clock on a busy machine (2.27 frames off once in CI).
      console.log(`${v.id}: ${v.framesNeverShown} frames never shown, ${expected.toFixed(2)} expected`);
      expect(Math.abs(v.framesNeverShown! - expected), v.id).toBeLessThanOrEqual(3);
    }
  });

  it('bitrate-collapse: the publisher sent at about the cap during the fault', () => {
    const { before, during } = fault('collapse').publisherBitrateBps;
    expect(before!).toBeGreaterThan(300_000);
    expect(during!).toBeLessThan(180_000);
  });

  it("signaling-outage: media kept flowing; the app's signaling was down at least as long as the outage", () => {
    const f = fault('signaling');
    for (const v of f.viewers) {
      expect(v.freezeCount, v.id).toBe(0);
      expect(v.disconnects, v.id).toBe(0);
      // The fixture retries at 0.5, 1, 2, 4, 4 s: back within one 4 s step after the outage.
      expect(v.signalingDownSeconds!, v.id).toBeGreaterThanOrEqual(4);
      expect(v.signalingDownSeconds!, v.id).toBeLessThan(4 + 4 + 1.5);
    }
  });

  it('signaling-delay: slowed signaling broke nothing on the target', () => {
    const f = fault('slow');
    expect(f.targets).toEqual(['browser-1']);
    expect(viewer(f, 'browser-1')).toMatchObject({ freezeCount: 0, disconnects: 0, signalingDownSeconds: null });
  });

  // The app's senders lose their microphone and get it back with RTP timestamps that carry on where they stopped: the
  // receivers' jitter buffers meet a jump as long as the drop, and conceal from 0.5 s less to 0.3 s more than the cut
  // (README, "Your own app"; the accuracy runs on fresh clones measured −0.48 to +0.26 s).
  it('audio-drop at the source: concealment on every viewer for about the length of the drop', () => {
    for (const v of fault('audio').viewers) {
      console.log(`${v.id}: ${v.audioConcealedSeconds.toFixed(3)} s concealed for a 2 s drop`);
      expect(v.audioConcealedSeconds, v.id).toBeGreaterThanOrEqual(2 - 0.5);
      expect(v.audioConcealedSeconds, v.id).toBeLessThanOrEqual(2 + 0.3);
    }
  });

  it('mass-disconnect: both paths of the target cut for 8 s; the app noticed, rebuilt its connection and recovered', () => {
    const f = fault('disconnect');
    const target = viewer(f, 'browser-1');
    expect(target.disconnects).toBeGreaterThanOrEqual(1);
    expect(target.freezeSeconds).toBeGreaterThanOrEqual(8);
    expect(target.recoverySeconds).not.toBeNull();
    expect(f.unrecovered).toEqual([]);
    for (const id of others('browser-1')) expect(viewer(f, id)).toMatchObject({ freezeSeconds: 0, disconnects: 0 });
  });
});

describe('an app page that never shows video', () => {
  it('is reported not joined, with its console errors, and the run goes on', async () => {
    const scenario = parseScenario(
      `
name: e2e-app-not-joined
duration: 3s
app:
  name: fixture-app
  start: node ${resolve('test/fixtures/app/server.mjs')}
  publisherPage: http://127.0.0.1:{port}/publisher.html?room={room}
  viewerPage: http://127.0.0.1:{port}/no-such-page.html?user={peerId}
  joinTimeout: 2s
viewers: { browser: 1 }
`,
      'not-joined.yaml',
    );
    const outDir = mkdtempSync(join(tmpdir(), 'livedrill-e2e-app-not-joined-'));
    const summary = await new Run({ scenario, scenarioFile: 'not-joined.yaml', outDir }).execute(new AbortController().signal);
    expect(summary.error).toBeNull();
    expect(summary.viewers[0]).toMatchObject({ id: 'browser-1', joinSeconds: null });
    const notJoined = readJournal(join(outDir, 'journal.jsonl')).find((e) => e.type === 'viewer.notJoined')!;
    expect(notJoined).toMatchObject({ viewerId: 'browser-1', waitedMs: expect.any(Number) });
    // Node's timers count from the event loop's cached clock, read at the start of the loop's turn: a 2 s
    // timeout can end a millisecond or so short of 2 s of Date.now() (1999 once on a fresh-clone CI run).
    expect(notJoined.waitedMs).toBeGreaterThanOrEqual(1950);
    expect(notJoined.waitedMs).toBeLessThan(5000);
    expect((notJoined.consoleErrors as string[]).join('\n')).toContain('404');
  }, 120_000);
});

describe("a viewer shard on an app's pages", () => {
  it("opens the app's viewer pages beside the run with its publisher, and measures them the same way", async () => {
    const server = await AppServer.start(`node ${resolve('test/fixtures/app/server.mjs')}`, process.cwd());
    try {
      const text = (duration: string) => `
name: e2e-app-shard
duration: ${duration}
app:
  name: fixture-app
  publisherPage: http://127.0.0.1:${server.port}/publisher.html?room={room}
  viewerPage: http://127.0.0.1:${server.port}/viewer.html?room={room}&user={peerId}
viewers: { browser: 1 }
`;
      const dir = mkdtempSync(join(tmpdir(), 'livedrill-e2e-app-shard-'));
      const whole = new Run({ scenario: parseScenario(text('16s'), 'whole.yaml'), scenarioFile: 'whole.yaml', outDir: join(dir, 'whole') });
      const ran = whole.execute(new AbortController().signal);
      await new Promise<void>((ready) => whole.observer.on('phase', (phase) => phase === 'broadcasting' && ready()));
      const shard = new Run({
        scenario: parseScenario(text('5s'), 'shard.yaml'),
        scenarioFile: 'shard.yaml',
        outDir: join(dir, 'shard'),
        role: 'viewers',
        shard: { index: 1, count: 1 },
      });
      const shardSummary = await shard.execute(new AbortController().signal);
      const summary = await ran;
      expect(summary.viewers.map((v) => v.id)).toEqual(['browser-1']);
      expect(shardSummary.error).toBeNull();
      expect(shardSummary.viewers.map((v) => v.id)).toEqual(['s1-browser-1']);
      expect(shardSummary.viewers[0].joinSeconds).toBeGreaterThan(0);
      expect(shardSummary.viewers[0].fps).toBeGreaterThan(20);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe("the app's server (app.start)", () => {
  it('goes with livedrill, even a SIGKILLed one, with everything its command started', async () => {
    const script = `import { AppServer } from './harness/run/AppServer.ts';
      const server = await AppServer.start('node ${resolve('test/fixtures/app/server.mjs')}', process.cwd());
      console.log('ready ' + server.port);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /ready (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before the app server was ready`)));
    });
    // The command's own process (node, a child of the shell) serves the port.
    expect((await fetch(`http://127.0.0.1:${port}/viewer.html`)).status).toBe(200);
    child.kill('SIGKILL');
    await until('the app server gone', async () => ((await fetch(`http://127.0.0.1:${port}/`).then(() => false, () => true)) ? true : undefined), 5000);
  });
});
