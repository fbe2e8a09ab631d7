/**
 * The synthetic viewers' receive path on loopback: the udp_batch addon
 * (recvmmsg batches, kernel receive times, kernel drop counter, a clean
 * close) and RtpReceiver on both paths, with the fallback to node:dgram.
 * Packets come from a child process, mostly while this one is blocked in
 * spawnSync: they wait in the kernel's queue as behind a stalled event loop.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ADDON_FILE, loadUdpBatch, type UdpBatchAddon, type UdpBatchSocket } from '../../harness/synthetic/BatchSocket.js';
import { chooseReceivePath, describeReceivePath, RtpReceiver, type ReceivePath } from '../../harness/synthetic/RtpReceiver.js';
import { AudioStream } from '../../harness/synthetic/streams.js';
import { SelfWatch } from '../../harness/probes/SelfWatch.js';

const loaded = loadUdpBatch();
/** Set-up builds the addon: without it these tests fail, naming why, rather than skip. */
function addon(): UdpBatchAddon {
  if (typeof loaded === 'string') throw new Error(loaded);
  return loaded;
}

const SLOT = 2048;
const SSRC = 0x1234;

/** A child process sending RTP packets (SSRC, sequence numbers 0..count-1) to a loopback port, `gapMs` apart. */
function sender(port: number, count: number, { gapMs = 0, size = 1200 } = {}): [string, string[]] {
  const script = `
    const socket = require('node:dgram').createSocket('udp4');
    const [port, count, gapMs, size] = process.argv.slice(1).map(Number);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    (async () => {
      for (let seq = 0; seq < count; seq++) {
        const packet = Buffer.alloc(size, seq & 0xff);
        packet[0] = 0x80; packet[1] = 100;
        packet.writeUInt16BE(seq, 2); packet.writeUInt32BE(seq * 960, 4); packet.writeUInt32BE(${SSRC}, 8);
        await new Promise((sent) => socket.send(packet, port, '127.0.0.1', sent));
        if (gapMs > 0 && seq < count - 1) Atomics.wait(pause, 0, 0, gapMs);
      }
      socket.close();
    })();`;
  return [process.execPath, ['-e', script, String(port), String(count), String(gapMs), String(size)]];
}

/**
 * Sends from a child process with this one blocked meanwhile, as behind a
 * stalled event loop; returns the wall-clock span it took.
 */
function sendBlocked(...args: Parameters<typeof sender>): { from: number; to: number } {
  const from = Date.now();
  const child = spawnSync(...sender(...args), { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return { from, to: Date.now() };
}

interface Received {
  batches: number[];
  seqs: number[];
  intact: boolean;
  times: number[];
}

function openSocket({ receiveBufferBytes = 16 << 20, restMs = 10 } = {}): { socket: UdpBatchSocket; got: Received } {
  const got: Received = { batches: [], seqs: [], intact: true, times: [] };
  const socket: UdpBatchSocket = new (addon().UdpBatchSocket)('127.0.0.1', 0, receiveBufferBytes, 64, SLOT, restMs, (count) => {
    got.batches.push(count);
    for (let i = 0; i < count; i++) {
      const packet = socket.packets.subarray(i * SLOT, i * SLOT + socket.lengths[i]);
      const seq = packet.readUInt16BE(2);
      got.seqs.push(seq);
      got.intact &&= packet.length === 1200 && packet[packet.length - 1] === (seq & 0xff);
      got.times.push(socket.times[i]);
    }
  });
  return { socket, got };
}

/** The kernel's drop count for a loopback UDP port, as /proc/net/udp shows it (what SelfWatch reads). */
function procDrops(port: number): number {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1]?.endsWith(suffix));
  return Number(line!.trim().split(/\s+/)[12]);
}

describe('udp_batch addon', () => {
  it('hands over every packet exactly once, in order and intact, a batch per call', async () => {
    const { socket, got } = openSocket();
    try {
      sendBlocked(socket.port, 1000);
      await sleep(100);
      expect(got.seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect(got.intact).toBe(true);
      // They were all queued when the loop came back: full batches of 64, then the rest.
      expect(got.batches.length).toBeLessThanOrEqual(Math.ceil(1000 / 64) + 1);
      expect(Math.max(...got.batches)).toBe(64);
      expect(socket.drops()).toBe(0);
      // 16 MB asked: granted in full with CAP_NET_ADMIN, else up to net.core.rmem_max (the kernel reports twice that).
      const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
      expect(socket.receiveBufferBytes).toBeGreaterThanOrEqual(2 * Math.min(16 << 20, rmemMax));
    } finally {
      socket.close();
    }
  });

  it('times each packet when the kernel received it, not when the blocked event loop read it', async () => {
    const { socket, got } = openSocket();
    try {
      const sent = sendBlocked(socket.port, 30, { gapMs: 20 });
      await sleep(50);
      expect(got.seqs).toHaveLength(30);
      // Close to the wall clock: within the span the sender ran (Date.now() has whole milliseconds).
      expect(got.times[0]).toBeGreaterThanOrEqual(sent.from - 1);
      expect(got.times[29]).toBeLessThanOrEqual(sent.to + 1);
      // Monotonic, and spread as they were sent (20 ms apart), though all were read at once.
      for (let i = 1; i < 30; i++) expect(got.times[i]).toBeGreaterThanOrEqual(got.times[i - 1]);
      expect(got.times[29] - got.times[0]).toBeGreaterThanOrEqual(29 * 20 * 0.9);
    } finally {
      socket.close();
    }
  });

  it('rests between drains: a steady trickle is read by the batch, not a wake-up per packet', async () => {
    const { socket, got } = openSocket({ restMs: 10 });
    try {
      // 100 packets 2 ms apart, sent while this process's loop runs.
      await once(spawn(...sender(socket.port, 100, { gapMs: 2 }), { stdio: 'ignore' }), 'exit');
      await sleep(50);
      expect(got.seqs).toHaveLength(100);
      expect(got.batches.length).toBeLessThan(40); // about 5 packets per 10 ms rest; 100 calls without resting
    } finally {
      socket.close();
    }
  });

  it('drain() hands over what has arrived before it returns', () => {
    const { socket, got } = openSocket();
    try {
      sendBlocked(socket.port, 200);
      expect(got.seqs).toHaveLength(0); // the loop has not run: nothing read yet
      socket.drain();
      expect(got.seqs).toEqual(Array.from({ length: 200 }, (_, i) => i));
      socket.drain(); // an empty socket: no call
      expect(got.batches.reduce((a, b) => a + b, 0)).toBe(200);
    } finally {
      socket.close();
    }
  });

  it("counts the kernel's drops as /proc/net/udp does, and SelfWatch sees them at the harness's sockets", async () => {
    const watch = new SelfWatch(100);
    watch.watch('harness', () => [process.pid], false, true);
    watch.start();
    await sleep(150); // a first sample: the socket is known before it drops anything
    const { socket, got } = openSocket({ receiveBufferBytes: 1 }); // the kernel's smallest receive buffer
    try {
      await sleep(150);
      sendBlocked(socket.port, 300);
      const drops = socket.drops();
      expect(drops).toBeGreaterThan(200);
      expect(drops).toBe(procDrops(socket.port));
      socket.drain();
      expect(got.seqs.length + drops).toBe(300);
      await sleep(250);
      expect(watch.samples.reduce((a, s) => a + (s.harnessDrops?.kernelUdp ?? 0), 0)).toBe(drops);
    } finally {
      watch.stop();
      socket.close();
    }
  });

  it('close() frees the port at once, twice is harmless, and leaves nothing that keeps the process alive', async () => {
    const { socket } = openSocket();
    const { port } = socket;
    socket.close();
    socket.close();
    expect(() => socket.drops()).toThrow(/closed/);
    const rebind = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => rebind.once('error', reject).bind(port, '127.0.0.1', resolve));
    rebind.close();

    // A process that receives one packet and closes exits by itself; one that does not close stays.
    const child = (closes: boolean) => `
      const { UdpBatchSocket } = require(${JSON.stringify(ADDON_FILE)});
      const socket = new UdpBatchSocket('127.0.0.1', 0, 1 << 20, 64, 2048, 10, () => { ${closes ? 'socket.close();' : ''} });
      const sender = require('node:dgram').createSocket('udp4');
      sender.send(Buffer.alloc(20), socket.port, '127.0.0.1', () => sender.close());`;
    const closed = spawnSync(process.execPath, ['-e', child(true)], { timeout: 10_000, encoding: 'utf8' });
    expect(closed.stderr).toBe('');
    expect(closed.status).toBe(0);
    const open = spawnSync(process.execPath, ['-e', child(false)], { timeout: 1500 });
    expect(open.signal).toBe('SIGTERM'); // still running when the timeout killed it
  });
});

describe.each<ReceivePath['kind']>(['native', 'dgram'])('RtpReceiver on the %s path', (kind) => {
  const path = (): ReceivePath => (kind === 'native' ? { kind, addon: addon() } : { kind, reason: 'test' });

  it('demultiplexes RTP by SSRC, in order, with arrival times on the wall clock; RTCP and unknown SSRCs are not delivered', async () => {
    const receiver = await RtpReceiver.open('127.0.0.1', path());
    const seqs: number[] = [];
    const arrivals: number[] = [];
    receiver.register(SSRC, { onPacket: (packet, arrival) => (seqs.push(packet.readUInt16BE(2)), arrivals.push(arrival)) });
    const socket = dgram.createSocket('udp4');
    const send = (packet: Buffer) => new Promise<void>((sent) => socket.send(packet, receiver.address.port, '127.0.0.1', () => sent()));
    try {
      const from = Date.now();
      await once(spawn(...sender(receiver.address.port, 50, { size: 100 }), { stdio: 'ignore' }), 'exit');
      const unknown = Buffer.alloc(100);
      unknown.set([0x80, 100]);
      unknown.writeUInt32BE(0x9999, 8);
      await send(unknown);
      await send(Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0])); // RTCP sender report
      for (let i = 0; i < 20 && receiver.packets < 51; i++) await sleep(10);
      receiver.drain();
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(receiver.packets).toBe(51);
      expect(receiver.unknown).toBe(1);
      for (const t of arrivals) expect(t).toBeGreaterThanOrEqual(from - 1);
      expect(Math.max(...arrivals)).toBeLessThanOrEqual(Date.now() + 1);
      expect(receiver.address.ip).toBe('127.0.0.1');
    } finally {
      socket.close();
      receiver.close();
    }
  });

  it(`${kind === 'native' ? 'does not count' : 'counts'} a stall of this process's event loop as a stall of the audio it measures`, async () => {
    const receiver = await RtpReceiver.open('127.0.0.1', path());
    const audio = new AudioStream();
    receiver.register(SSRC, audio);
    try {
      // 40 packets of 20 ms audio, 20 ms apart; once a few have arrived, this process stalls for 300 ms.
      const child = spawn(...sender(receiver.address.port, 40, { gapMs: 20, size: 100 }), { stdio: 'ignore' });
      while (audio.seq.received < 3) await sleep(5);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      await once(child, 'exit');
      await sleep(30);
      receiver.drain();
      expect(audio.seq.received).toBe(40);
      const concealedMs = audio.concealedSamples / 48;
      // Native: arrivals keep the sender's 20 ms (a scheduling hiccup of the sender aside); dgram: the stall shows.
      if (kind === 'native') expect(concealedMs).toBeLessThan(100);
      else expect(concealedMs).toBeGreaterThan(200);
    } finally {
      receiver.close();
    }
  });
});

describe('choosing the receive path', () => {
  it('uses the addon when set-up built it, and says so', () => {
    const path = chooseReceivePath({});
    expect(path.kind).toBe('native');
    expect(describeReceivePath(path)).toMatch(/^native: recvmmsg batches of up to 64, kernel receive times$/);
  });

  it('falls back to node:dgram, saying why: forced, not built, or not loadable', () => {
    const forced = chooseReceivePath({ LIVEDRILL_UDP_RECEIVE: 'dgram' });
    expect(forced).toEqual({ kind: 'dgram', reason: 'LIVEDRILL_UDP_RECEIVE=dgram' });
    expect(describeReceivePath(forced)).toMatch(/^node:dgram: .*event loop \(LIVEDRILL_UDP_RECEIVE=dgram\)$/);
    const missing = chooseReceivePath({}, '/nonexistent/udp_batch.node');
    expect(missing).toEqual({ kind: 'dgram', reason: 'the udp_batch addon is not built: /nonexistent/udp_batch.node (harness/setup/setup.sh builds it)' });
    const bogus = join(mkdtempSync(join(tmpdir(), 'udp-batch-')), 'udp_batch.node');
    writeFileSync(bogus, 'not a shared object');
    expect(loadUdpBatch(bogus)).toMatch(/^the udp_batch addon did not load: /);
  });
});
