/**
 * What a viewer makes of the stamps it reads (latency, frames never shown,
 * repeated, out of order), of the audio markers it hears (audio latency, A/V
 * offset), and the run's latency statistics over all of it.
 */
import { describe, expect, it } from 'vitest';
import { StampTracker } from '../../harness/page/StampTracker.js';
import { AUDIO_MARKER, markerEmittedAt } from '../../harness/page/audioMarkers.js';
import type { Stamp } from '../../harness/page/stamp.js';
import { LatencyStats } from '../../harness/probes/latency.js';
import { percentile } from '../../common/stats.js';

const T = Date.parse('2026-11-29T12:00:00Z');
const FRAME_MS = 1000 / 30;
/** Frame n of the source, captured at its place in a 30 fps stream. */
const captured = (n: number): number => T + n * FRAME_MS;
const stamp = (n: number): Stamp => ({ frame: n, captureMs: Math.round(captured(n)) % 2 ** 32 });

/** Shows source frames in order, each `latencyMs` after its capture; `presented` counts every presentation, as the video element does. */
function show(tracker: StampTracker, frames: Array<number | null>, latencyMs = 40): void {
  let presented = 0;
  let last = 0;
  for (const n of frames) {
    presented++;
    if (n !== null) last = n;
    tracker.onFrame(n === null ? null : stamp(n), captured(last) + latencyMs, presented);
  }
}

describe('stamp tracker', () => {
  it('gives each newly shown frame its capture → presentation latency, and capture → received where the browser says', () => {
    const tracker = new StampTracker();
    show(tracker, [0, 1, 2, 3], 52.34);
    tracker.onFrame(stamp(4), captured(4) + 52.34, 5, captured(4) + 21.5);
    const batch = tracker.take()!;
    expect(batch.read).toBe(5);
    for (const ms of batch.videoLatencyMs) expect(Math.abs(ms - 52.34)).toBeLessThanOrEqual(0.6);
    expect(batch.receiveLatencyMs).toHaveLength(1);
    expect(Math.abs(batch.receiveLatencyMs[0] - 21.5)).toBeLessThanOrEqual(0.6);
    expect(batch).toMatchObject({ unreadable: 0, neverShown: 0, repeated: 0, outOfOrder: 0 });
    expect(tracker.take()).toBeUndefined();
  });

  it('counts source frames never shown: a cut of 90 frames is 90 frames, whatever the gap in time', () => {
    const tracker = new StampTracker();
    show(tracker, [0, 1, 2, 93, 94]);
    const batch = tracker.take()!;
    expect(batch).toMatchObject({ read: 5, neverShown: 90 });
    // The gap, with the capture time of the frame shown after it: what attributes it to a fault.
    expect(batch.neverShownGaps).toEqual([[Math.round(captured(93)), 90]]);
  });

  it('frames presented but not read (a missed callback, an unreadable stamp) were shown, not skipped', () => {
    const tracker = new StampTracker();
    tracker.onFrame(stamp(0), captured(0) + 40, 1);
    // presentedFrames jumps by 3: two frames were presented while the page was busy.
    tracker.onFrame(stamp(3), captured(3) + 40, 4);
    tracker.onFrame(null, captured(4) + 40, 5);
    tracker.onFrame(stamp(5), captured(5) + 40, 6);
    expect(tracker.take()).toMatchObject({ read: 3, unreadable: 1, stale: 0, neverShown: 0, repeated: 0 });
  });

  it('counts a frame presented again as repeated, an older one as out of order, and neither as a new latency', () => {
    const tracker = new StampTracker();
    show(tracker, [0, 1, 1, 2, 1, 3]);
    const batch = tracker.take()!;
    expect(batch).toMatchObject({ read: 6, repeated: 1, outOfOrder: 1, neverShown: 0 });
    expect(batch.videoLatencyMs).toHaveLength(4);
  });

  it('a stamp read after a newer frame replaced the presented one is stale (not unreadable), not a skip and a repeat', () => {
    const tracker = new StampTracker();
    // RTP timestamps follow capture at 90 kHz from some random base.
    const rtp = (n: number): number => (4_294_000_000 + Math.round(captured(n) - T) * 90) % 2 ** 32;
    const frame = (read: number, presented: number): void => tracker.onFrame(stamp(read), captured(presented) + 40, presented + 1, undefined, rtp(presented));
    frame(0, 0);
    frame(1, 1);
    frame(3, 2); // the page read frame 3 while frame 2 was the one presented
    frame(3, 3);
    frame(4, 4);
    expect(tracker.take()).toMatchObject({ read: 4, unreadable: 0, stale: 1, neverShown: 0, repeated: 0 });
    // A republished stream starts another RTP timeline: read on, from the new one.
    tracker.onFrame(stamp(5), captured(5) + 40, 6, undefined, 12_345);
    tracker.onFrame(stamp(6), captured(6) + 40, 7, undefined, 12_345 + 3000);
    expect(tracker.take()).toMatchObject({ read: 2, unreadable: 0, stale: 0 });
  });

  it('a new video element (a rejoin) starts presentedFrames again: the frames missed meanwhile were never shown', () => {
    const tracker = new StampTracker();
    show(tracker, [0, 1, 2]);
    tracker.onFrame(stamp(60), captured(60) + 40, 1);
    expect(tracker.take()).toMatchObject({ neverShown: 57 });
  });

  it('times audio markers against the period, and sets them against the picture for the A/V offset', () => {
    const tracker = new StampTracker();
    show(tracker, Array.from({ length: 30 }, (_, n) => n), 60);
    const second = Math.ceil(captured(29) / 1000) * 1000;
    tracker.onMarker(second + 140);
    const batch = tracker.take()!;
    expect(batch.audioLatencyMs).toEqual([140]);
    expect(batch.avOffsetMs).toEqual([80]);
  });

  it('sets audio against no picture while the picture stands still (a freeze): no A/V offset then', () => {
    const tracker = new StampTracker();
    show(tracker, [0, 1, 2], 60);
    tracker.onMarker(captured(2) + 60 + 1500);
    expect(tracker.take()).toMatchObject({ avOffsetMs: [] });
  });
});

describe('audio marker timing', () => {
  it('takes the nearest period to what the picture\'s latency predicts, so audio up to half a period off the picture is told apart', () => {
    const P = AUDIO_MARKER.periodMs;
    expect(markerEmittedAt(5 * P + 300, 100)).toBe(5 * P);
    // Audio 450 ms behind a picture 600 ms late: heard 1050 ms after its emission.
    expect(markerEmittedAt(5 * P + 1050, 600)).toBe(5 * P);
    // Without a picture, audio under one period late.
    expect(markerEmittedAt(5 * P + 900)).toBe(5 * P);
  });
});

describe('latency statistics', () => {
  it('match nearest-rank percentiles of the values, to the millisecond', () => {
    const values = Array.from({ length: 1001 }, (_, i) => 20 + ((i * 7919) % 1000) / 7.3);
    const stats = new LatencyStats();
    stats.addAll(values);
    for (const p of [1, 50, 95, 99, 100]) expect(Math.abs(stats.percentileMs(p) - percentile(values, p))).toBeLessThanOrEqual(0.5);
    expect(stats.summary()).toMatchObject({ count: 1001, min: Math.min(...values) / 1000, max: Math.max(...values) / 1000 });
  });

  it('keep signed values (A/V offsets), ignore what is not a number, and say nothing without values', () => {
    const stats = new LatencyStats();
    expect(stats.summary()).toBeNull();
    expect(stats.percentileMs(50)).toBeNaN();
    stats.addAll([-30, -10, Number.NaN, 5, 12]);
    expect(stats.summary()).toEqual({ count: 4, min: -0.03, p50: -0.01, p95: 0.012, max: 0.012 });
  });
});
