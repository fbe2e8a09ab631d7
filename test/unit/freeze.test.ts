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

describe('freeze rule (libwebrtc video_quality_observer2.cc)', () => {
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

  it('adds the current gap to the average before comparing (a 185 ms gap after 33 ms frames is no freeze, 190 ms is)', () => {
    // Compared with the previous gaps only, 185 >= max(3 x 33, 33 + 150) would be a freeze.
    const d = new FreezeDetector([]);
    let last = steady(d, 0, 31, 33);
    expect(d.onFrame(last + 185)).toBeUndefined();
    const e = new FreezeDetector([]);
    last = steady(e, 0, 31, 33);
    // avg = floor((29 x 33 + 190) / 30) = 38, threshold 188.
    expect(e.onFrame(last + 190)).toMatchObject({ w3c: true });
  });

  it('counts a long freeze once: the gaps just after it are judged against an average that holds it', () => {
    const d = new FreezeDetector([]);
    let t = steady(d, 0, 31, 33);
    t += 3000;
    expect(d.onFrame(t)).toMatchObject({ w3c: true });
    // Compared with the previous 30 gaps only (avg 131.9 ms), this 400 ms gap would be a second freeze.
    expect(d.onFrame(t + 400)).toBeUndefined();
    expect(d.w3c.count).toBe(1);
  });

  it('applies the rule from the 5th gap on, the current one included', () => {
    const d = new FreezeDetector([]);
    steady(d, 0, 4, 33); // 3 gaps
    expect(d.onFrame(99 + 1000)).toBeUndefined(); // 4th gap
    const e = new FreezeDetector([]);
    steady(e, 0, 5, 33); // 4 gaps
    expect(e.onFrame(132 + 1000)).toMatchObject({ w3c: true }); // 5th gap: avg floor(1132 / 5) = 226, threshold 678
  });

  it('times gaps in whole milliseconds', () => {
    // Fractional frame times: libwebrtc's gap is the difference of whole-millisecond timestamps.
    const d = new FreezeDetector([]);
    const last = steady(d, 0.9, 31, 33);
    // floor(last + 190.2) - floor(last) = 190 (threshold 188): a freeze; its length keeps the real gap.
    expect(d.onFrame(last + 190.2)).toMatchObject({ w3c: true });
    expect(d.w3c.seconds).toBeCloseTo(0.1902, 6);
  });

  it('a gap of 5 s or more is a freeze for the viewer and a pause for libwebrtc, kept out of the window', () => {
    const d = new FreezeDetector([]);
    let t = steady(d, 0, 31, 33);
    t += 16_000;
    expect(d.onFrame(t)).toMatchObject({ w3c: true, pause: true });
    // The window still holds 33 ms gaps only: a 190 ms stutter right after is a freeze, as in libwebrtc.
    expect(d.onFrame(t + 190)).toMatchObject({ w3c: true });
    expect(d.w3c.count).toBe(2);
  });
});

