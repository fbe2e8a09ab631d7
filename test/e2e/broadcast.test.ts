/**
 * The walking skeleton, all real: mediasoup SFU, Chromium publisher with a
 * fake camera, two Chromium viewers. Every assertion is on measured media.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';
import { expectFreezesAsChromiumCounts, midRunScrape, runReliably } from '../reliableRun.js';
import { readJournal } from '../../harness/journal/Journal.js';
import type { RunSummary } from '../../harness/run/summary.js';

const SCENARIO = `
name: e2e-broadcast
duration: 12s
publisher: { video: { codec: VP8, fps: 30, maxBitrate: 500kbps }, audio: true }
viewers: { browser: 2, joinSpacing: 200ms }
thresholds:
  fps: ["min > 20"]
  join_seconds: ["max < 10"]
`;

describe('a real broadcast: SFU + Chromium publisher + 2 Chromium viewers', () => {
  let summary: RunSummary;
  let outDir: string;
  let metrics = '';

  beforeAll(async () => {
    const scrape = midRunScrape(8000);
    ({ summary, outDir } = await runReliably({ scenario: parseScenario(SCENARIO, 'e2e.yaml'), scenarioFile: 'e2e.yaml' }, scrape.scrape));
    metrics = scrape.text();
  });

  it('the publisher encoded at the fake camera rate', () => {
    expect(summary.error).toBeNull();
    expect(summary.publisher?.fps).toBeGreaterThan(25);
  });

  it('each viewer rendered and decoded video at close to the publisher frame rate', () => {
    const publisherFps = summary.publisher!.fps;
    expect(summary.viewers).toHaveLength(2);
    for (const v of summary.viewers) {
      expect(v.watchSeconds).toBeGreaterThan(6);
      expect(v.fps).toBeGreaterThan(publisherFps * 0.85);
      expect(v.fps).toBeLessThan(publisherFps * 1.1);
      // The frame timeline (requestVideoFrameCallback) agrees with the decoder's own count.
      expect(Math.abs(v.framesRendered - v.framesDecoded)).toBeLessThan(v.framesDecoded * 0.1);
      expect(v.framesDecoded).toBeGreaterThan(publisherFps * 0.85 * v.watchSeconds);
    }
  });

  it('the harness did not flag itself (else the run was repeated once)', () => {
    expect(summary.reliability.reasons).toEqual([]);
  });

  it('no viewer froze, by the W3C rule or over 500 ms', () => {
    const freezes = readJournal(join(outDir, 'journal.jsonl')).filter((e) => e.type === 'viewer.freeze');
    expect(freezes).toEqual([]);
    expect(summary.effects).toEqual({ unexplained: [], suspect: [] });
  });

  it("our freeze count equals Chromium's own (getStats freezeCount) on every viewer", () => {
    expectFreezesAsChromiumCounts(summary);
  });

  it('each viewer received and played audio for its whole watch time', () => {
    for (const v of summary.viewers) {
      expect(v.audio.samplesReceived).toBeGreaterThan(48000 * v.watchSeconds * 0.8);
      expect(v.audio.concealedRatio).toBeLessThan(0.05);
    }
  });

  it('each viewer has a join time (join request to first frame)', () => {
    for (const v of summary.viewers) {
      expect(v.joinSeconds).toBeGreaterThan(0);
      expect(v.joinSeconds).toBeLessThan(10);
    }
    expect(summary.thresholds.every((t) => t.pass)).toBe(true);
    expect(summary.pass).toBe(true);
  });

  it('/metrics is valid exposition format (promtool) with the SFU and viewer figures', () => {
    expect(metrics).toContain('# TYPE');
    execFileSync('promtool', ['check', 'metrics'], { input: metrics });
    const value = (series: string): number => {
      const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
      expect(line, series).toBeDefined();
      return Number(line!.split(' ')[1]);
    };
    expect(value('livedrill_viewers_connected{kind="browser"}')).toBe(2);
    expect(value('livedrill_viewer_frames_rendered_total{kind="browser"}')).toBeGreaterThan(2 * 25 * 4);
    expect(value('livedrill_viewer_audio_samples_received_total{kind="browser"}')).toBeGreaterThan(2 * 48000 * 4);
    expect(value('livedrill_viewer_join_duration_seconds_count{kind="browser"}')).toBe(2);
    expect(value('livedrill_sfu_consumers{worker="0",kind="video"}')).toBe(2);
    expect(value('livedrill_sfu_producers{worker="0",kind="audio"}')).toBe(1);
    expect(value('livedrill_sfu_sent_bytes_total{worker="0"}')).toBeGreaterThan(100_000);
  });

  it('the journal holds every sample and the summary on disk matches', () => {
    const entries = readJournal(join(outDir, 'journal.jsonl'));
    expect(entries[0].type).toBe('run.start');
    expect(entries.at(-1)?.type).toBe('run.end');
    const samples = entries.filter((e) => e.type === 'viewer.viewerSample');
    // Two viewers, one sample each 500 ms, for about 10 s.
    expect(samples.length).toBeGreaterThan(30);
    const frames = samples.reduce((n, e) => n + (e.frames as number[]).length, 0);
    expect(frames).toBe(summary.viewers.reduce((n, v) => n + v.framesRendered, 0));
    expect(JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8'))).toEqual(summary);
  });
});
