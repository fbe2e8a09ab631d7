/**
 * The harness judging itself: saturation, and media it lost by itself
 * (kernel drops at its sockets, read for real from /proc; frames its browsers dropped).
 */
import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { judgeReliability, noiseSpans, SelfWatch, type SelfSample } from '../../harness/probes/SelfWatch.js';

const T0 = 1_000_000;
const sample = (s: number, extra: Partial<SelfSample> = {}): SelfSample => ({
  t: T0 + s * 1000,
  machineBusy: 0.4,
  cores: {},
  rssBytes: {},
  eventLoopLagP99Ms: 5,
  eventLoopLagMaxMs: 10,
  harnessDrops: { kernelUdp: 0, browserFrames: 0 },
  ...extra,
});

describe('reliability', () => {
  it('a quiet run is reliable', () => {
    const r = judgeReliability(Array.from({ length: 20 }, (_, i) => sample(i + 1)), T0, []);
    expect(r).toMatchObject({ reliable: true, reasons: [], kernelUdpDrops: 0, browserFramesDropped: 0 });
  });

  it('kernel drops at the harness sockets make it unreliable, and flag that second', () => {
    const samples = Array.from({ length: 20 }, (_, i) => sample(i + 1, i === 9 ? { harnessDrops: { kernelUdp: 420, browserFrames: 0 } } : {}));
    const r = judgeReliability(samples, T0, [{ start: T0 + 9500, end: T0 + 9900 }]);
    expect(r.reliable).toBe(false);
    expect(r.kernelUdpDrops).toBe(420);
    expect(r.reasons.join(' ')).toMatch(/kernel dropped 420 packet/);
    expect(r.suspectFreezes).toBe(1);
    expect(noiseSpans(samples)).toEqual([{ from: T0 + 9000, to: T0 + 10_000 }]);
  });

  it('a browser dropping a frame now and then is deadline noise; three in a second is the harness', () => {
    const one = Array.from({ length: 10 }, (_, i) => sample(i + 1, { harnessDrops: { kernelUdp: 0, browserFrames: 1 } }));
    expect(judgeReliability(one, T0, []).reliable).toBe(true);
    const three = [...one, sample(11, { harnessDrops: { kernelUdp: 0, browserFrames: 3 } })];
    expect(judgeReliability(three, T0, []).reasons.join(' ')).toMatch(/browsers dropped 13 frame/);
  });

  it('reads the kernel drops at its own UDP sockets from /proc', async () => {
    const watch = new SelfWatch(200);
    watch.watch('harness', () => [process.pid], false, true);
    const receiver = dgram.createSocket({ type: 'udp4', recvBufferSize: 4096 });
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    const sender = dgram.createSocket('udp4');
    watch.start();
    await sleep(300); // a first sample: the socket is known before it drops anything
    const { port } = receiver.address();
    // 300 packets of 1 KB at a 4 KB buffer nobody reads in between: most are dropped.
    await Promise.all(Array.from({ length: 300 }, () => new Promise<void>((r) => sender.send(Buffer.alloc(1000), port, '127.0.0.1', () => r()))));
    await sleep(500);
    watch.stop();
    receiver.close();
    sender.close();
    const dropped = watch.samples.reduce((a, s) => a + (s.harnessDrops?.kernelUdp ?? 0), 0);
    expect(dropped).toBeGreaterThan(100);
  });
});
