/**
 * Glass-to-glass latency and frame-exact measurement on a real broadcast (one
 * SFU, the publisher's stamped source, four Chromium viewers, and two
 * synthetic viewers timing the network path from the SFU's sender reports),
 * set against the ground truth of the faults: a network delay on one
 * browser's and one synthetic viewer's path, a video freeze of known length,
 * a bitrate collapse the stamp must survive.
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';
import { midRunScrape, runReliably } from '../reliableRun.js';
import { readJournal } from '../../harness/journal/Journal.js';
import { JournalReplay } from '../../harness/journal/replay.js';
import type { JournalEntry } from '../../harness/journal/entries.js';
import type { StampBatch } from '../../harness/page/reports.js';
import type { RunSummary } from '../../harness/run/summary.js';
import type { FaultImpact } from '../../harness/run/impact.js';
import { loadRun } from '../../harness/run/runDir.js';
import { buildEvidence } from '../../harness/report/evidence.js';
import { median } from '../../common/stats.js';

const FPS = 30;
const DELAY_MS = 200;
const SCENARIO = `
name: e2e-latency
duration: 64s
publisher: { video: { codec: VP8, fps: ${FPS}, maxBitrate: 500kbps }, audio: true, source: stamped }
viewers: { browser: 4, synthetic: 2, joinSpacing: 200ms }
faults:
  - { id: freeze, kind: video-freeze, at: 24s, duration: 3s, viewers: [browser-1, browser-2] }
  - { id: delay, kind: network, at: 34s, duration: 4s, viewers: [browser-4, synthetic-1], direction: down, delay: ${DELAY_MS}ms }
  - { id: collapse, kind: bitrate-collapse, at: 42s, duration: 8s, bitrate: 100kbps }
  - { id: audio-delay, kind: network, at: 56s, duration: 5s, viewers: [browser-3], direction: down, media: audio, delay: ${DELAY_MS}ms }
thresholds:
  latency_seconds: ["max < 1"]
  path_latency_seconds: ["max < 0.5"]
`;
const BROWSERS = ['browser-1', 'browser-2', 'browser-3', 'browser-4'];

describe('latency and frame-exact measurement from the stamped source, against ground truth', () => {
  let summary: RunSummary;
  let outDir: string;
  let journal: JournalEntry[];
  let metrics = '';
  const fault = (id: string): FaultImpact => summary.faults.find((f) => f.faultId === id)!;
  const impactOn = (id: string, viewerId: string) => fault(id).viewers.find((v) => v.id === viewerId)!;
  /** One viewer's stamp batches journaled in (from, to]. */
  const batches = (viewerId: string, from: number, to: number): StampBatch[] =>
    journal.flatMap((e) => (e.type === 'viewer.viewerSample' && e.viewerId === viewerId && e.t > from && e.t <= to && e.stamps ? [e.stamps as StampBatch] : []));

  beforeAll(async () => {
    const scrape = midRunScrape(15_000);
    ({ summary, outDir } = await runReliably({ scenario: parseScenario(SCENARIO, 'latency.yaml'), scenarioFile: 'latency.yaml' }, scrape.scrape));
    metrics = scrape.text();
    journal = readJournal(join(outDir, 'journal.jsonl'));
    for (const v of summary.viewers) console.log(v.id, JSON.stringify(v.latency), JSON.stringify(v.stamps));
    for (const f of summary.faults) {
      for (const v of f.viewers) console.log(f.faultId, v.id, JSON.stringify(v.latencySeconds), JSON.stringify(v.receiveLatencySeconds), JSON.stringify(v.audioLatencySeconds), JSON.stringify(v.avOffsetSeconds), v.framesNeverShown);
    }
  }, 300_000);

  it('the harness did not flag itself (else the run was repeated once)', () => {
    expect(summary.error).toBeNull();
    expect(summary.reliability.reasons).toEqual([]);
  });

  it('every viewer read the stamps and heard the markers: latency, audio latency and A/V offset in summary.json', () => {
    for (const id of BROWSERS) {
      const v = summary.viewers.find((x) => x.id === id)!;
      expect(v.latency!.video!.count, id).toBeGreaterThan(FPS * 40);
      // One machine: a few frames of latency, not seconds.
      expect(v.latency!.video!.p50, id).toBeGreaterThan(0);
      expect(v.latency!.video!.p50, id).toBeLessThan(0.2);
      expect(v.latency!.audio!.count, id).toBeGreaterThan(40);
      expect(v.stamps!.read / (v.stamps!.read + v.stamps!.unreadable), id).toBeGreaterThanOrEqual(0.99);
      expect(v.stamps!.outOfOrder, id).toBe(0);
    }
    expect(summary.thresholds).toEqual([
      expect.objectContaining({ metric: 'latency_seconds', pass: true }),
      expect.objectContaining({ metric: 'path_latency_seconds', pass: true }),
    ]);
    // The synthetic viewers' p95s, browsers left out (they time no path): the delayed one's is the max.
    const pathP95 = summary.viewers.flatMap((v) => (v.pathLatency ? [v.pathLatency.p95] : []));
    expect(pathP95).toHaveLength(2);
    expect(summary.thresholds[1].measured).toBe(Math.max(...pathP95));
  });

  it(`network delay of ${DELAY_MS} ms on one viewer's downstream: its frames arrive ${DELAY_MS} ± 30 ms later, no one else's move`, () => {
    const rise = (latency: { before: number | null; during: number | null }): number => latency.during! - latency.before!;
    const target = impactOn('delay', 'browser-4');
    expect(rise(target.receiveLatencySeconds)).toBeGreaterThan((DELAY_MS - 30) / 1000);
    expect(rise(target.receiveLatencySeconds)).toBeLessThan((DELAY_MS + 30) / 1000);
    // Glass to glass it rises too, but lip sync was holding the picture back to match the sound, and that hold
    // absorbs part of the step until lip sync catches up (the definitions say so): never more than the delay.
    expect(rise(target.latencySeconds)).toBeGreaterThan(DELAY_MS / 2 / 1000);
    expect(rise(target.latencySeconds)).toBeLessThan((DELAY_MS + 30) / 1000);
    // Once the delay is gone the frames arrive on time again; what the receiver's buffers keep is reported.
    console.log(`delayed browser-4 after the fault: received ${JSON.stringify(target.receiveLatencySeconds)}, glass-to-glass ${JSON.stringify(target.latencySeconds)}`);
    expect(Math.abs(target.receiveLatencySeconds.after! - target.receiveLatencySeconds.before!)).toBeLessThan(0.03);
    for (const id of ['browser-1', 'browser-2', 'browser-3']) {
      const other = impactOn('delay', id);
      expect(Math.abs(rise(other.receiveLatencySeconds)), id).toBeLessThan(0.03);
      // Lip sync moves any viewer's picture by a display refresh or two (16.7 ms each) now and then, fault or not.
      expect(Math.abs(rise(other.latencySeconds)), id).toBeLessThan(0.05);
    }
  });

  // Ground truth: browser-3's audio packets arrive DELAY_MS late, its video packets on time. Measured (2026-11-30):
  // audio +179 ms and A/V +145 ms over the fault (medians), video received +0.3 ms. WebRTC answers as it does on a
  // real network: lip sync holds the picture back a refresh (16.7 ms) at a time, and the audio jitter buffer, taking
  // the step for jitter, raises its target delay (the audio peaked at +373 ms within the 5 s).
  it(`audio-only delay of ${DELAY_MS} ms on one viewer's downstream: its sound falls behind its picture, its video arrives on time, no one else moves`, () => {
    const rise = (latency: { before: number | null; during: number | null }): number => latency.during! - latency.before!;
    const target = impactOn('audio-delay', 'browser-3');
    console.log(`audio-only delay on browser-3: audio +${rise(target.audioLatencySeconds).toFixed(3)} s, A/V +${rise(target.avOffsetSeconds).toFixed(3)} s, video received +${rise(target.receiveLatencySeconds).toFixed(4)} s`);
    // Heard no earlier than it arrives, less what the jitter buffer held before the step; more as the buffer grows.
    expect(rise(target.audioLatencySeconds)).toBeGreaterThan((DELAY_MS - 60) / 1000);
    expect(rise(target.audioLatencySeconds)).toBeLessThan((DELAY_MS + 300) / 1000);
    expect(rise(target.avOffsetSeconds)).toBeGreaterThan(DELAY_MS / 2 / 1000);
    expect(rise(target.avOffsetSeconds)).toBeLessThan((DELAY_MS + 300) / 1000);
    expect(Math.abs(rise(target.receiveLatencySeconds))).toBeLessThan(0.03);
    for (const id of ['browser-1', 'browser-2', 'browser-4']) expect(Math.abs(rise(impactOn('audio-delay', id).receiveLatencySeconds)), id).toBeLessThan(0.03);
    // Not browser-4: 20 s after its own delay its buffers are still giving back what they took on (−131 ms of
    // audio over these 5 s once; see `after` in the delay test's print).
    for (const id of ['browser-1', 'browser-2']) expect(Math.abs(rise(impactOn('audio-delay', id).audioLatencySeconds)), id).toBeLessThan(0.03);
  });

  it(`synthetic viewers: the network path SFU → viewer takes a millisecond or two, and the ${DELAY_MS} ms delay adds ${DELAY_MS} ± 10 ms to the delayed one's alone`, () => {
    for (const id of ['synthetic-1', 'synthetic-2']) {
      const v = summary.viewers.find((x) => x.id === id)!;
      console.log(id, JSON.stringify(v.pathLatency), JSON.stringify(impactOn('delay', id).pathLatencySeconds));
      expect(v.latency, id).toBeNull(); // not glass-to-glass: nothing of the stamps
      expect(v.pathLatency!.count, id).toBeGreaterThan(FPS * 40);
      expect(v.pathLatency!.p50, id).toBeGreaterThanOrEqual(0);
      expect(v.pathLatency!.p50, id).toBeLessThan(0.01);
    }
    const rise = (id: string): number => impactOn('delay', id).pathLatencySeconds.during! - impactOn('delay', id).pathLatencySeconds.before!;
    expect(rise('synthetic-1')).toBeGreaterThan((DELAY_MS - 10) / 1000);
    expect(rise('synthetic-1')).toBeLessThan((DELAY_MS + 10) / 1000);
    expect(Math.abs(rise('synthetic-2'))).toBeLessThan(0.005);
    for (const id of BROWSERS) expect(summary.viewers.find((x) => x.id === id)!.pathLatency, id).toBeNull();
  });

  it(`video freeze of T s: T × ${FPS} ± 1 frames never shown on the targeted viewers`, () => {
    const f = fault('freeze');
    const expected = ((f.end - f.start) / 1000) * FPS;
    for (const id of ['browser-1', 'browser-2']) expect(Math.abs(impactOn('freeze', id).framesNeverShown! - expected), id).toBeLessThanOrEqual(1);
    // The others only lose what they lose anyway (a frame now and then that falls between two display refreshes).
    for (const id of ['browser-3', 'browser-4']) expect(impactOn('freeze', id).framesNeverShown!, id).toBeLessThan(expected / 5);
  });

  // A stale read (the page read the picture after a newer frame replaced it) is the busy page's, not the
  // stamp's: it counts with the frames the page presented without a callback, below.
  it('bitrate collapse: the stamp is read on at least 99 % of the frames rendered meanwhile', () => {
    const f = fault('collapse');
    expect(f.publisherBitrateBps.during!).toBeLessThan(180_000);
    for (const id of BROWSERS) {
      const during = batches(id, f.start, f.end);
      const read = during.reduce((a, b) => a + b.read, 0);
      const seen = read + during.reduce((a, b) => a + b.unreadable, 0);
      const rendered = journal
        .filter((e) => e.type === 'viewer.viewerSample' && e.viewerId === id && e.t > f.start && e.t <= f.end)
        .reduce((a, e) => a + (e.frames as number[]).length, 0);
      const stale = during.reduce((a, b) => a + (b.stale ?? 0), 0);
      console.log(`${id} during the collapse: ${read} stamps read of ${seen} frames seen (${stale} more read too late), ${rendered} rendered`);
      expect(read / seen, id).toBeGreaterThanOrEqual(0.99);
      // Frames the busy page presented without a callback or read too late: few, or the run is flagged.
      expect(seen / rendered, id).toBeGreaterThanOrEqual(0.9);
    }
  });

  // Measured on this machine (2026-11-30, markers heard as the page's audio output takes them): right after
  // the join the sound trails the picture by 30 to 50 ms, and WebRTC's lip sync walks it down one screen
  // refresh (16.7 ms) at a time; the medians over this window were +10 to +19 ms.
  const AV_LIMIT_MS = 40;

  it(`healthy broadcast: the A/V offset is within ± ${AV_LIMIT_MS} ms on every viewer`, () => {
    const steady = journal.find((e) => e.type === 'run.steady')!.t;
    const firstFault = fault('freeze').start;
    // Past the first seconds, while WebRTC's lip sync settles after the join.
    const offsets = BROWSERS.map((id) => batches(id, steady + 8000, firstFault).flatMap((b) => b.avOffsetMs));
    BROWSERS.forEach((id, i) => console.log(`${id} healthy A/V offsets (ms): ${offsets[i].join(' ')}`));
    BROWSERS.forEach((id, i) => {
      expect(offsets[i].length, id).toBeGreaterThanOrEqual(10);
      expect(Math.abs(median(offsets[i])), id).toBeLessThanOrEqual(AV_LIMIT_MS);
    });
  });

  it('the replay and the evidence pack see the same latency as the run', () => {
    const rec = JournalReplay.of(journal).record(summary);
    for (const v of summary.viewers) {
      const replayed = rec.viewers.find((r) => r.id === v.id)!;
      expect(replayed.latency, v.id).toEqual(v.latency);
      expect(replayed.pathLatency, v.id).toEqual(v.pathLatency);
    }
    const evidence = buildEvidence(loadRun(outDir));
    expect(evidence.viewers.map((v) => v.stamps?.neverShown)).toEqual(summary.viewers.map((v) => v.stamps?.neverShown));
    const series = evidence.charts.latency;
    expect(series.video.filter((ms) => ms !== null).length).toBeGreaterThan(30);
    // The delayed viewer is the worst one during the delay.
    const during = series.t.flatMap((t, i) => (t > fault('delay').start + 1000 && t <= fault('delay').end ? [series.worstVideo[i]!] : []));
    expect(Math.min(...during)).toBeGreaterThan(DELAY_MS);
  });

  it('/metrics has the latency histograms (valid exposition format)', () => {
    execFileSync('promtool', ['check', 'metrics'], { input: metrics });
    const value = (series: string): number => Number(metrics.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
    expect(value('livedrill_viewer_latency_seconds_count{kind="browser",media="video"}')).toBeGreaterThan(4 * FPS * 5);
    expect(value('livedrill_viewer_latency_seconds_count{kind="browser",media="audio"}')).toBeGreaterThan(4 * 5);
    expect(value('livedrill_viewer_av_offset_seconds_count{kind="browser"}')).toBeGreaterThan(4 * 5);
    expect(value('livedrill_viewer_network_path_latency_seconds_count{kind="synthetic"}')).toBeGreaterThan(2 * FPS * 5);
    expect(value('livedrill_viewer_network_path_latency_seconds_count{kind="browser"}')).toBe(0);
  });
});
