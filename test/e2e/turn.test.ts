/**
 * The real coturn and real Chromium: a page whose two RTCPeerConnections
 * may only use TURN, through a UdpNat in front of coturn as an app page
 * would be, sends a canvas to itself; the relay's blackhole stops that page
 * alone. And coturn dies with the process that started it, even by SIGKILL.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../harness/browser/chromium.js';
import { NO_IMPAIRMENT } from '../../harness/network/Impairment.js';
import { TurnServer, type TurnIceServer } from '../../harness/network/TurnServer.js';
import { UdpNat } from '../../harness/network/UdpNat.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A sender and a receiver in one page, relay candidates only, a changing canvas as the camera. */
const PAGE = `<!doctype html><title>turn loop</title><script>
window.startLoop = async (iceServer) => {
  const config = { iceServers: [iceServer], iceTransportPolicy: 'relay' };
  const sender = new RTCPeerConnection(config), receiver = new RTCPeerConnection(config);
  const candidateErrors = [];
  for (const [pc, other] of [[sender, receiver], [receiver, sender]]) {
    pc.onicecandidate = (e) => e.candidate && other.addIceCandidate(e.candidate);
    pc.onicecandidateerror = (e) => candidateErrors.push(e.errorCode);
  }
  const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
  const context = canvas.getContext('2d');
  let n = 0;
  setInterval(() => { context.fillStyle = 'hsl(' + (n++ * 10) % 360 + ',80%,50%)'; context.fillRect(0, 0, 160, 120); }, 33);
  const stream = canvas.captureStream(30);
  sender.addTrack(stream.getVideoTracks()[0], stream);
  await sender.setLocalDescription();
  await receiver.setRemoteDescription(sender.localDescription);
  await receiver.setLocalDescription();
  await sender.setRemoteDescription(receiver.localDescription);
  window.loop = { receiver, candidateErrors };
};
window.loopStats = async () => {
  const stats = await window.loop.receiver.getStats();
  const out = { state: window.loop.receiver.connectionState, framesDecoded: 0, candidateErrors: window.loop.candidateErrors };
  for (const report of stats.values()) {
    if (report.type === 'inbound-rtp' && report.kind === 'video') out.framesDecoded = report.framesDecoded ?? 0;
    if (report.type === 'transport' && report.selectedCandidatePairId) {
      const pair = stats.get(report.selectedCandidatePairId);
      out.local = stats.get(pair.localCandidateId);
      out.remote = stats.get(pair.remoteCandidateId);
    }
  }
  return out;
};
</script>`;

interface LoopStats {
  state: string;
  framesDecoded: number;
  candidateErrors: number[];
  local?: { candidateType: string; port: number };
  remote?: { candidateType: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await sleep(200);
  }
}

/** Is this pid gone (or a zombie no one has reaped yet)? */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

function turnserverChildren(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-x', 'turnserver'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when none matches
  }
}

describe('TURN through coturn', { timeout: 30_000 }, () => {
  let turn: TurnServer;
  let browser: Browser;
  let origin: string;
  const pageServer = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  const nats: UdpNat[] = [];

  beforeAll(async () => {
    turn = await TurnServer.start();
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const nat of nats) nat.close();
    await turn?.close();
    pageServer.close();
  });

  async function openLoop(iceServer: TurnIceServer): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.evaluate(`startLoop(${JSON.stringify(iceServer)})`);
    return page;
  }

  async function openNat(): Promise<UdpNat> {
    const nat = await UdpNat.open({ ip: turn.ip, port: turn.port });
    nats.push(nat);
    return nat;
  }

  const stats = (page: Page) => page.evaluate('loopStats()') as Promise<LoopStats>;
  const playing = (page: Page, atLeast: number, timeoutMs = 10_000) => waitFor('frames decoded', () => stats(page), (s) => s.framesDecoded >= atLeast, timeoutMs);

  it('starts on loopback with a fresh password, and says its version', async () => {
    expect(turn.version).toMatch(/^Coturn-\d+\.\d+/);
    const ice = turn.iceServer();
    expect(ice).toEqual({ urls: `turn:127.0.0.1:${turn.port}?transport=udp`, username: 'livedrill', credential: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(turn.iceServer({ port: 4242 }).urls).toBe('turn:127.0.0.1:4242?transport=udp');
  });

  it("a page's two connections relay through its UdpNat and coturn, and frames arrive", async () => {
    const nat = await openNat();
    const page = await openLoop(turn.iceServer({ port: nat.port }));
    const s = await playing(page, 30);
    expect(s.local?.candidateType).toBe('relay');
    expect(s.remote?.candidateType).toBe('relay');
    // Coturn's allocation (its relay port range), reached only through the page's NAT: coturn saw the NAT as the client.
    expect(s.local?.port).toBeGreaterThanOrEqual(61000);
    expect(nat.clients).toBeGreaterThanOrEqual(2);
    expect(nat.counters.up.forwarded).toBeGreaterThan(30);
    expect(nat.counters.down.forwarded).toBeGreaterThan(30);
    await page.close();
  });

  it('with a wrong password, coturn refuses the allocation and nothing connects', async () => {
    const nat = await openNat();
    const page = await openLoop({ ...turn.iceServer({ port: nat.port }), credential: 'wrong' });
    await waitFor('a 401 from TURN', () => stats(page), (s) => s.candidateErrors.includes(401), 5000);
    await sleep(2000);
    const s = await stats(page);
    expect(s.state).not.toBe('connected');
    expect(s.framesDecoded).toBe(0);
    await page.close();
  });

  it("a blackhole on one page's relay stops that page's media only; clearing it resumes", async () => {
    const [natA, natB] = [await openNat(), await openNat()];
    const [pageA, pageB] = [await openLoop(turn.iceServer({ port: natA.port })), await openLoop(turn.iceServer({ port: natB.port }))];
    await Promise.all([playing(pageA, 30), playing(pageB, 30)]);

    const blackhole = { ...NO_IMPAIRMENT, blackhole: true };
    natA.set('up', blackhole);
    natA.set('down', blackhole);
    await sleep(500); // frames already in flight
    const [a0, b0] = [(await stats(pageA)).framesDecoded, (await stats(pageB)).framesDecoded];
    await sleep(2000);
    const [a1, b1] = [(await stats(pageA)).framesDecoded, (await stats(pageB)).framesDecoded];
    expect(a1 - a0).toBe(0);
    expect(b1 - b0).toBeGreaterThan(30); // 30 fps for 2 s on the other page
    expect(natA.counters.up.dropped.blackhole).toBeGreaterThan(0);

    natA.set('up', NO_IMPAIRMENT);
    natA.set('down', NO_IMPAIRMENT);
    await playing(pageA, a1 + 30, 10_000);
    await Promise.all([pageA.close(), pageB.close()]);
  });

  it('close() stops coturn; a SIGKILLed livedrill takes its coturn with it', async () => {
    const others = new Set(turnserverChildren(process.pid));
    const own = await TurnServer.start();
    const [pid] = turnserverChildren(process.pid).filter((p) => !others.has(p));
    expect(pid).toBeGreaterThan(0);
    await own.close();
    expect(gone(pid)).toBe(true);

    const script = `import { TurnServer } from './harness/network/TurnServer.ts';
      const turn = await TurnServer.start();
      console.log('ready ' + turn.port);
      setInterval(() => {}, 1000);`;
    // Its own TMPDIR: a SIGKILLed process leaves coturn's directory behind, and this test takes it away.
    const tmp = mkdtempSync(join(tmpdir(), 'livedrill-turn-test-'));
    onTestFinished(() => rmSync(tmp, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before coturn was ready`)));
    });
    const [orphan] = turnserverChildren(child.pid!);
    expect(orphan).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await waitFor('coturn gone', async () => gone(orphan), (isGone) => isGone, 3000);
  });
});
