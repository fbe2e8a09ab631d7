import { PrometheusOutput } from '../harness/outputs/PrometheusOutput.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Run } from '../harness/run/Run.js';
import type { RunOptions } from '../harness/run/RunOptions.js';
import { expect } from 'vitest';
import type { RunSummary } from '../harness/run/summary.js';

export interface ReliableRun {
  summary: RunSummary;
  outDir: string;
  attempts: number;
}

/**
 * Runs a scenario for an end-to-end test. A run the harness judged unreliable
 * (it saturated the machine, or a freeze began in a flagged second) proves
 * nothing either way: it is run once more, and the test's output says so.
 * The caller asserts the last run's verdict, so a second unreliable run fails
 * the test with its reasons instead of passing on looser checks.
 */
export async function runReliably(
  options: Omit<RunOptions, 'outDir'>,
  prepare: (run: Run) => void = () => {},
  attempts = 2,
): Promise<ReliableRun> {
  for (let attempt = 1; ; attempt++) {
    const outDir = mkdtempSync(join(tmpdir(), `livedrill-${options.scenario.name}-`));
    const run = new Run({ outputs: [new PrometheusOutput()], ...options, outDir });
    prepare(run);
    const summary = await run.execute(new AbortController().signal);
    const { reliable, reasons } = summary.reliability;
    console.log(`${options.scenario.name}: run ${attempt} was ${reliable ? 'reliable' : `UNRELIABLE (${reasons.join('; ')})`}`);
    if (reliable || attempt >= attempts) return { summary, outDir, attempts: attempt };
  }
}

/**
 * Scrapes the run's /metrics once, `afterMs` into the steady broadcast, as
 * Prometheus would: `scrape(run)` in a runReliably `prepare`, then `text()`.
 */
export function midRunScrape(afterMs: number): { scrape: (run: Run) => void; text: () => string } {
  let metrics = '';
  return {
    scrape: (run) => {
      let url = '';
      metrics = '';
      run.observer.on('ready', (urls) => (url = urls.metrics));
      run.observer.on('progress', (p) => {
        if (p.elapsedMs > afterMs && metrics === '') {
          metrics = 'pending';
          void fetch(url).then(async (res) => (metrics = await res.text()));
        }
      });
    },
    text: () => metrics,
  };
}

/**
 * Our freeze rule is libwebrtc's: on every browser viewer that never rejoined
 * (a rejoin starts a new receive stream, and Chromium's counters with it), our
 * count equals Chromium's own getStats freezeCount + pauseCount (a gap of 5 s
 * without packets is a pause to libwebrtc, a freeze to a viewer), and the
 * frozen time its totalFreezesDuration + totalPausesDuration (frame timestamps
 * differ by a few ms between the two).
 */
export function expectFreezesAsChromiumCounts(summary: RunSummary): void {
  const viewers = summary.viewers.filter((v) => v.kind === 'browser' && v.disconnects === 0);
  expect(viewers.length).toBeGreaterThan(0);
  for (const v of viewers) {
    const { browserFreezeCount, browserPauseCount, browserFreezeSeconds, browserPauseSeconds } = v.video;
    expect(v.freezes.w3c.count, `${v.id}: ours vs Chromium's freezeCount + pauseCount`).toBe(browserFreezeCount + browserPauseCount);
    expect(Math.abs(v.freezes.w3c.seconds - browserFreezeSeconds - browserPauseSeconds), `${v.id}: frozen seconds`).toBeLessThan(0.1);
  }
}

