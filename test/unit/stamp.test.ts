/**
 * The stamp on every frame of the stamped source: what is drawn is read back
 * (through the wraps of its frame number and time), a read with any error of
 * up to three blocks is refused, and blocks greyed by a codec still read.
 */
import { describe, expect, it } from 'vitest';
import { captureTimeNear, decodeStamp, encodeStamp, frameStep, STAMP_BITS, STAMP_LAYOUT } from '../../harness/page/stamp.js';

/** Luma of each block as a viewer samples it: black 0, white 255, plus what the codec did to it. */
const luma = (bits: Uint8Array, noise: (i: number) => number = () => 0): number[] => [...bits].map((b, i) => Math.min(255, Math.max(0, (b ? 255 : 0) + noise(i))));

const T = Date.parse('2026-11-29T12:00:00.250Z');

describe('frame stamp', () => {
  it('fills the layout exactly: frame number, capture time and CRC in one block each', () => {
    expect(STAMP_BITS).toBe(STAMP_LAYOUT.columns * STAMP_LAYOUT.rows);
    expect(encodeStamp(0, T)).toHaveLength(STAMP_BITS);
  });

  it('reads back the frame number and the capture time, to the millisecond', () => {
    for (const [frame, at] of [[0, T], [1, T + 33.4], [123_456, T + 86_400_000], [2 ** 24 - 1, 0]]) {
      const stamp = decodeStamp(luma(encodeStamp(frame, at)))!;
      expect(stamp.frame).toBe(frame % 2 ** 24);
      expect(captureTimeNear(stamp.captureMs, at + 120)).toBe(Math.round(at));
    }
  });

  it('frame numbers wrap at 2^24 and time at 2^32 ms: steps and capture times stay right across the wraps', () => {
    expect(decodeStamp(luma(encodeStamp(2 ** 24 + 5, T)))!.frame).toBe(5);
    expect(frameStep(2 ** 24 - 2, 3)).toBe(5);
    expect(frameStep(3, 2 ** 24 - 2)).toBe(-5);
    expect(frameStep(10, 10)).toBe(0);
    const wrapAt = 2 ** 32 * Math.ceil(T / 2 ** 32);
    const stamp = decodeStamp(luma(encodeStamp(0, wrapAt - 10)))!;
    expect(captureTimeNear(stamp.captureMs, wrapAt + 40)).toBe(wrapAt - 10);
    // A reading clock a little behind the capture's (another process's time origin) gives a small negative latency, not 49 days.
    expect(captureTimeNear(stamp.captureMs, wrapAt - 12)).toBe(wrapAt - 10);
  });

  it('refuses every read with one, two or three wrong blocks (CRC-16)', () => {
    const bits = encodeStamp(4242, T);
    const flipped = (...at: number[]): number[] => luma(bits.map((b, i) => (at.includes(i) ? 1 - b : b)));
    for (let i = 0; i < STAMP_BITS; i++) {
      expect(decodeStamp(flipped(i)), `block ${i}`).toBeNull();
      for (let j = i + 1; j < STAMP_BITS; j++) expect(decodeStamp(flipped(i, j)), `blocks ${i}, ${j}`).toBeNull();
    }
    for (let i = 0; i < STAMP_BITS; i += 5) {
      for (let j = i + 1; j < STAMP_BITS; j += 3) {
        for (let k = j + 1; k < STAMP_BITS; k += 7) expect(decodeStamp(flipped(i, j, k)), `blocks ${i}, ${j}, ${k}`).toBeNull();
      }
    }
  });

  it('refuses what is no stamp: a flat picture, noise, a read of the wrong size', () => {
    expect(decodeStamp(new Array(STAMP_BITS).fill(128))).toBeNull();
    expect(decodeStamp(new Array(STAMP_BITS).fill(0))).toBeNull();
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let accepted = 0;
    for (let n = 0; n < 10_000; n++) if (decodeStamp(Array.from({ length: STAMP_BITS }, () => random() * 255))) accepted++;
    // A random read passes a 16-bit check once in 65,536.
    expect(accepted).toBeLessThanOrEqual(2);
    expect(decodeStamp(luma(encodeStamp(1, T)).slice(1))).toBeNull();
  });

  it('reads blocks a lossy codec greyed and smeared, as long as each stays on its side of mid-grey', () => {
    const bits = encodeStamp(777, T);
    const stamp = decodeStamp(luma(bits, (i) => (bits[i] ? -100 : 100) + ((i * 37) % 23) - 11));
    expect(stamp).toEqual({ frame: 777, captureMs: Math.round(T) % 2 ** 32 });
  });
});
