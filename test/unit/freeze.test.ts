import { describe, expect, it } from 'vitest';
import { FreezeDetector, w3cFreezeThresholdMs } from '../../harness/probes/freeze.js';

/** Feeds frames at a steady interval from `from`, returning the time of the last one. */
function steady(d: FreezeDetector, from: number, count: number, intervalMs: number): number {
  let t = from;
  for (let i = 0; i < count; i++) {
    t = from + i * intervalMs;
    d.onFrame(t);
  }
  return t;
}

describe('W3C freeze rule', () => {
  it('uses max(3 x avg, avg + 150 ms)', () => {
    expect(w3cFreezeThresholdMs(33.3)).toBeCloseTo(183.3);
    expect(w3cFreezeThresholdMs(100)).toBe(300);
  });

  it('counts a gap over the threshold as one freeze of that length', () => {
    const d = new FreezeDetector([]);
    const last = steady(d, 0, 60, 1000 / 30);
    const freeze = d.onFrame(last + 3000);
    expect(freeze).toMatchObject({ w3c: true, ongoing: false });
    expect(d.w3c.count).toBe(1);
    expect(d.w3c.seconds).toBeCloseTo(3, 5);
  });

  it('does not count a gap under the threshold', () => {
    const d = new FreezeDetector([]);
    const last = steady(d, 0, 60, 1000 / 30);
    expect(d.onFrame(last + 180)).toBeUndefined();
    expect(d.w3c.count).toBe(0);
  });

  it('needs 5 known gaps before the W3C rule applies, fixed thresholds apply at once', () => {
    const d = new FreezeDetector([500]);
    d.onFrame(0);
    d.onFrame(33);
    const freeze = d.onFrame(1033);
    expect(freeze).toMatchObject({ w3c: false, fixed: [500] });
    expect(d.w3c.count).toBe(0);
    expect(d.fixed.get(500)).toEqual({ count: 1, seconds: 1 });
  });

  it('reports each fixed threshold a gap exceeds', () => {
    const d = new FreezeDetector([200, 500, 1000]);
    const last = steady(d, 0, 30, 33);
    expect(d.onFrame(last + 600)?.fixed).toEqual([200, 500]);
  });

  it('counts a gap still open when measurement ends, marked ongoing', () => {
    const d = new FreezeDetector([500]);
    const last = steady(d, 0, 30, 33);
    expect(d.frozenAt(last + 100)).toBe(false);
    expect(d.frozenAt(last + 2000)).toBe(true);
    expect(d.finish(last + 2000)).toMatchObject({ w3c: true, ongoing: true, fixed: [500] });
    expect(d.w3c.seconds).toBeCloseTo(2, 5);
  });
});
