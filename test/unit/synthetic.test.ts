import { describe, expect, it } from 'vitest';
import { isRtcp, isVp8KeyframeStart, payloadOffset } from '../../harness/synthetic/rtp.js';
import { AudioStream, VideoStream } from '../../harness/synthetic/streams.js';

/** An RTP packet: version 2, marker, payload type 101, seq, ts, ssrc, optional one-byte header extension. */
function rtp(opts: { seq: number; marker?: boolean; payload: number[]; extension?: boolean; ts?: number }): Buffer {
  const ext = opts.extension ? [0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00] : [];
  const b = Buffer.alloc(12 + ext.length + opts.payload.length);
  b[0] = 0x80 | (opts.extension ? 0x10 : 0);
  b[1] = (opts.marker ? 0x80 : 0) | 101;
  b.writeUInt16BE(opts.seq & 0xffff, 2);
  b.writeUInt32BE(opts.ts ?? 0, 4);
  b.writeUInt32BE(1234, 8);
  Buffer.from(ext).copy(b, 12);
  Buffer.from(opts.payload).copy(b, 12 + ext.length);
  return b;
}

// VP8 descriptor with X=1, I=1 (15-bit picture id), S=1, PID=0; then the payload header byte.
const vp8 = (keyframe: boolean, start = true): number[] => [0x80 | (start ? 0x10 : 0), 0x80, 0x80, 0x01, keyframe ? 0x10 : 0x11, 0, 0];

describe('RTP parsing', () => {
  it('finds the payload past header extensions and tells RTCP apart', () => {
    expect(payloadOffset(rtp({ seq: 1, payload: [1, 2, 3], extension: true }))).toBe(20);
    expect(payloadOffset(rtp({ seq: 1, payload: [1, 2, 3] }))).toBe(12);
    const sr = Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(isRtcp(sr)).toBe(true);
  });

  it('recognises the start of a VP8 keyframe only', () => {
    expect(isVp8KeyframeStart(rtp({ seq: 1, payload: vp8(true), extension: true }))).toBe(true);
    expect(isVp8KeyframeStart(rtp({ seq: 1, payload: vp8(false) }))).toBe(false);
    expect(isVp8KeyframeStart(rtp({ seq: 1, payload: vp8(true, false) }))).toBe(false);
  });
});

describe('synthetic video stream', () => {
  it('shows frames from the first keyframe on, at each marker, and skips a frame with a hole', () => {
    const shown: number[] = [];
    const v = new VideoStream((t) => shown.push(t));
    v.onPacket(rtp({ seq: 10, marker: true, payload: vp8(false) }), 1); // delta before any keyframe: not shown
    v.onPacket(rtp({ seq: 11, payload: vp8(true) }), 2);
    v.onPacket(rtp({ seq: 12, marker: true, payload: [0] }), 3); // keyframe complete
    v.onPacket(rtp({ seq: 13, marker: true, payload: vp8(false) }), 4);
    v.onPacket(rtp({ seq: 15, marker: true, payload: vp8(false) }), 5); // 14 lost: broken frame
    v.onPacket(rtp({ seq: 16, marker: true, payload: vp8(false) }), 6);
    expect(shown).toEqual([3, 4, 6]);
    expect(v.seq.received).toBe(6);
    expect(v.seq.lost).toBe(1);
  });

  it('counts sequence numbers across the 16-bit wrap', () => {
    const v = new VideoStream(() => {});
    for (const seq of [65534, 65535, 0, 2]) v.onPacket(rtp({ seq, payload: [0] }), 0);
    expect(v.seq.received).toBe(4);
    expect(v.seq.lost).toBe(1);
  });
});

describe('synthetic audio stream', () => {
  it('counts 960 samples per 20 ms packet and conceals losses and stalls', () => {
    const a = new AudioStream();
    let t = 0;
    for (let seq = 0; seq < 50; seq++) a.onPacket(rtp({ seq, payload: [0] }), (t += 20));
    expect(a.samplesReceived).toBe(50 * 960);
    expect(a.concealedSamples).toBe(0);
    a.onPacket(rtp({ seq: 52, payload: [0] }), (t += 20)); // two packets lost
    expect(a.concealedSamples).toBe(2 * 960);
    a.onPacket(rtp({ seq: 53, payload: [0] }), (t += 1020)); // a one-second stall
    expect(a.concealedSamples).toBe(2 * 960 + 48000);
    // A blackhole: 50 packets lost over one second of silence is one second, not two.
    a.onPacket(rtp({ seq: 104, payload: [0] }), (t += 1020));
    expect(a.concealedSamples).toBe(2 * 960 + 2 * 48000);
  });

  it('books a stall while it lasts: a drop still open at a sample or at the end counts, and once', () => {
    const a = new AudioStream();
    let t = 0;
    for (let seq = 0; seq < 10; seq++) a.onPacket(rtp({ seq, payload: [0] }), (t += 20));
    a.settle(t + 40); // within the jitter allowance: nothing yet
    expect(a.concealedSamples).toBe(0);
    a.settle(t + 520); // the drop is open: 0.5 s concealed so far
    expect(a.concealedSamples).toBe(24000);
    expect(a.concealmentEvents).toBe(1);
    a.settle(t + 1020);
    expect(a.concealedSamples).toBe(48000);
    // Audio comes back 1.52 s after the last packet: 1.5 s concealed in all, one event.
    a.onPacket(rtp({ seq: 10, payload: [0] }), t + 1520);
    expect(a.concealedSamples).toBe(72000);
    expect(a.concealmentEvents).toBe(1);
  });
});

