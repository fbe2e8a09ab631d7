/**
 * The whole chain, for real: a short livedrill run with an injected video
 * freeze, scraped by a real Prometheus with the shipped config and rules.
 * The freeze-ratio alert must go pending or firing during the fault, and
 * what Prometheus recorded must match livedrill's own summary.
 */
import { PrometheusOutput } from '../../harness/outputs/PrometheusOutput.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';
import { Run } from '../../harness/run/Run.js';
import type { RunSummary } from '../../harness/run/summary.js';
import { freePort, startPrometheus, type Json, type LivePrometheus } from './livePrometheus.js';
import { expectFreezesAsChromiumCounts } from '../reliableRun.js';

describe('Prometheus scraping a run with an injected video freeze', () => {
  let prometheus: LivePrometheus;
  let summary: RunSummary;
  const alertStates = new Set<string>();
  let faultWindow: [number, number] = [0, 0];
  let alertSeenAt = 0;
  let firingSeenAt = 0;

  beforeAll(async () => {
    const port = await freePort();
    // Scrape and evaluate every second: the run is short.
    prometheus = await startPrometheus(`127.0.0.1:${port}`, (config) => {
      config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
      for (const job of config.scrape_configs) Object.assign(job, { scrape_interval: '1s', scrape_timeout: '1s' });
    });
    const scenario = parseScenario(
      'name: prom-e2e\nduration: 28s\nviewers: { browser: 2 }\nfaults:\n  - { id: freeze, kind: video-freeze, at: 6s, duration: 16s }\n',
      'prom.yaml',
    );
    const run = new Run({ scenario, scenarioFile: 'prom.yaml', outDir: mkdtempSync(join(tmpdir(), 'livedrill-prom-run-')), port, outputs: [new PrometheusOutput()] });
    const poll = setInterval(() => {
      void prometheus.api('/api/v1/alerts').then((r: Json) => {
        for (const a of r.data.alerts as Json[]) {
          if (a.labels.alertname !== 'LivedrillVideoFreezeRatioHigh') continue;
          alertStates.add(a.state);
          alertSeenAt ||= Date.now();
          if (a.state === 'firing') firingSeenAt ||= Date.now();
        }
      }, () => {});
    }, 500);
    try {
      summary = await run.execute(new AbortController().signal);
    } finally {
      clearInterval(poll);
    }
    const f = summary.faults[0];
    faultWindow = [f.start, f.end];
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  it("the run's freezes are Chromium's own count", () => {
    expectFreezesAsChromiumCounts(summary);
  });

  it('the freeze-ratio alert went pending, then firing, while the video was frozen', () => {
    expect(summary.faults[0].affected.sort()).toEqual(['browser-1', 'browser-2']);
    expect(alertStates).toContain('pending');
    expect(alertStates).toContain('firing');
    expect(alertSeenAt).toBeGreaterThan(faultWindow[0]);
    // Rule group every 5 s, `for: 5s`, scrape 1 s: firing within about 11 s of a 16 s freeze.
    expect(firingSeenAt).toBeGreaterThan(alertSeenAt);
    expect(firingSeenAt).toBeLessThan(faultWindow[1]);
  });

  it("Prometheus's figures match livedrill's summary", async () => {
    const value = async (expr: string): Promise<number> => {
      const r = await prometheus.api('/api/v1/query', { query: expr });
      expect(r.status, expr).toBe('success');
      return r.data.result.reduce((a: number, s: Json) => a + Number(s.value[1]), 0);
    };
    // The last scrape was taken before the run wrote its summary (at most 1 s earlier).
    expect(await value('max_over_time(livedrill_viewers[2m])')).toBe(2);
    expect(await value('max_over_time(livedrill_viewers_frozen[2m])')).toBe(2);
    expect(await value('sum(max_over_time(livedrill_viewer_freezes_total[2m]))')).toBe(summary.totals.freezeCount);
    const frozenSeconds = await value('sum(max_over_time(livedrill_viewer_freeze_seconds_total[2m]))');
    expect(Math.abs(frozenSeconds - summary.totals.freezeSeconds)).toBeLessThan(0.5);
    const frames = await value('sum(max_over_time(livedrill_viewer_frames_rendered_total[2m]))');
    const summed = summary.viewers.reduce((a, v) => a + v.framesRendered, 0);
    expect(frames).toBeGreaterThan(summed - 2 * 30 * 1.5);
    expect(frames).toBeLessThanOrEqual(summed);
    expect(await value('max_over_time(livedrill_faults_injected_total{kind="video-freeze"}[2m])')).toBe(1);
  });
});
