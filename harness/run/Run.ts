import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import type { Browser } from 'puppeteer-core';
import { TypedEmitter } from '../../server/common/TypedEmitter.js';
import { SfuServer } from '../../server/http/SfuServer.js';
import type { Scenario } from '../scenario/schema.js';
import { PageServer } from '../browser/PageServer.js';
import { launchChromium } from '../browser/chromium.js';
import { BrowserPublisher } from '../browser/BrowserPublisher.js';
import { BrowserViewer } from '../browser/BrowserViewer.js';
import type { PageConfig, PageReport } from '../page/reports.js';
import { SelfWatch, judgeReliability, type SelfSample } from '../probes/SelfWatch.js';
import { AUDIO_SAMPLE_RATE } from '../probes/ViewerQoe.js';
import type { Freeze } from '../probes/freeze.js';
import { ViewerMetrics } from '../collectors/viewerMetrics.js';
import { registerSelfMetrics } from '../collectors/selfMetrics.js';
import { Journal } from './Journal.js';
import { buildSummary, writeSummary, type PublisherSummary, type RunSummary } from './summary.js';
import { summarizeViewer } from './viewerSummary.js';
import { softwareVersions } from './versions.js';

export interface RunOptions {
  scenario: Scenario;
  scenarioFile: string;
  outDir: string;
  /** Where /metrics and signaling listen; loopback unless told otherwise. */
  host?: string;
  port?: number;
}

export interface RunProgress {
  elapsedMs: number;
  durationMs: number;
  viewers: number;
  joined: number;
  connected: number;
  /** Frames rendered per connected viewer per second, over the last progress interval. */
  fps: number;
  freezes: number;
  freezeSeconds: number;
  audioConcealedSeconds: number;
  self?: SelfSample;
}

export type RunEvents = {
  phase: [phase: string];
  ready: [urls: { signaling: string; metrics: string }];
  progress: [progress: RunProgress];
};

/**
 * One execution of a scenario: scenario -> start the SFU, publisher and
 * viewers -> measure -> journal -> summary. `execute()` always stops what it
 * started and writes the summary, also when interrupted or failing.
 */
export class Run {
  readonly observer = new TypedEmitter<RunEvents>();
  readonly registry = new Registry();
  readonly id: string;
  readonly journal: Journal;
  readonly viewers: BrowserViewer[] = [];
  readonly #selfWatch = new SelfWatch();
  readonly #viewerMetrics = new ViewerMetrics(this.registry);
  #server: SfuServer | undefined;
  #pages: PageServer | undefined;
  readonly #browsers: Browser[] = [];
  #publisher: BrowserPublisher | undefined;
  #publisherFirst: { t: number; frames: number } | undefined;
  #publisherLast: { t: number; frames: number; bytes: number; pli: number; fir: number } | undefined;
  #browserVersion: string | undefined;
  #lastProgress = { t: 0, frames: 0 };
  /** When every viewer had been started: machine load before that is start-up cost. */
  #steadyFrom: number | undefined;
  readonly #freezes: Freeze[] = [];

  constructor(readonly options: RunOptions) {
    this.id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${options.scenario.name}`;
    mkdirSync(options.outDir, { recursive: true });
    this.journal = new Journal(join(options.outDir, 'journal.jsonl'));
    registerSelfMetrics(this.registry, this.#selfWatch);
  }

  get summaryFile(): string {
    return join(this.options.outDir, 'summary.json');
  }

  async execute(signal: AbortSignal): Promise<RunSummary> {
    const { scenario } = this.options;
    const startedAt = Date.now();
    let error: string | null = null;
    this.journal.write('run.start', { runId: this.id, scenarioFile: this.options.scenarioFile, scenario, versions: softwareVersions() });
    this.#selfWatch.watch('harness', () => [process.pid], false);
    this.#selfWatch.observer.on('sample', (s) => this.journal.write('self.sample', { ...s }, s.t));
    this.#selfWatch.start();
    let endedAt = startedAt;
    try {
      await this.#start(signal);
      const progress = setInterval(() => this.observer.emit('progress', this.#progress(startedAt)), 1000);
      try {
        await sleep(Math.max(0, startedAt + scenario.duration - Date.now()), undefined, { signal });
      } finally {
        clearInterval(progress);
      }
    } catch (caught) {
      if (!signal.aborted) {
        error = caught instanceof Error ? caught.message : String(caught);
        this.journal.write('run.error', { message: error });
      }
    } finally {
      endedAt = Date.now();
      this.observer.emit('phase', 'stopping');
      await this.#stop(endedAt);
    }
    const summary = buildSummary({
      runId: this.id,
      scenario,
      scenarioFile: this.options.scenarioFile,
      startedAt,
      endedAt,
      interrupted: signal.aborted,
      error,
      versions: softwareVersions(this.#browserVersion),
      publisher: this.#publisherSummary(),
      viewers: this.viewers.map((v) => summarizeViewer(v.id, v.kind, v.qoe, endedAt)),
      reliability: judgeReliability(this.#selfWatch.samples, this.#steadyFrom ?? endedAt, this.#freezes),
    });
    writeSummary(this.summaryFile, summary);
    this.journal.write('run.end', { pass: summary.pass, interrupted: summary.interrupted, error });
    this.journal.close();
    return summary;
  }

  async #start(signal: AbortSignal): Promise<void> {
    const { scenario } = this.options;
    this.observer.emit('phase', 'starting SFU');
    this.#server = await SfuServer.start({
      sfu: { workers: scenario.sfu.workers, listen: { ip: scenario.sfu.listenIp, announcedIp: scenario.sfu.announcedIp } },
      registry: this.registry,
      host: this.options.host,
      port: this.options.port,
    });
    const server = this.#server;
    this.#selfWatch.watch('sfu', () => server.sfu.workers.map((w) => w.worker.pid));
    server.sfu.observer.on('workerdied', (index, pid, e) => this.journal.write('sfu.workerDied', { index, pid, message: e.message }));
    server.sfu.observer.on('workerreplaced', (index, pid) => this.journal.write('sfu.workerReplaced', { index, pid }));
    const urls = { signaling: server.signalingUrl, metrics: server.metricsUrl };
    this.journal.write('sfu.ready', { ...urls, workers: server.sfu.workers.map((w) => w.worker.pid) });
    this.observer.emit('ready', urls);
    signal.throwIfAborted();

    this.#pages = await PageServer.start();
    const page: Omit<PageConfig, 'role' | 'peerId' | 'media'> = {
      signalingUrl: server.signalingUrl,
      room: scenario.room,
      sampleIntervalMs: scenario.measurement.sampleInterval,
      reconnect: {
        initialDelayMs: scenario.reconnect.initialDelay,
        maxDelayMs: scenario.reconnect.maxDelay,
        factor: scenario.reconnect.factor,
        maxAttempts: scenario.reconnect.maxAttempts,
        disconnectGraceMs: scenario.reconnect.disconnectGrace,
      },
    };

    // The publisher gets its own browser, so viewer load cannot starve the encoder.
    this.observer.emit('phase', 'starting publisher');
    const video = scenario.publisher.video;
    const publisherBrowser = await this.#launchBrowser('publisher-browser', video ? video.fps : undefined);
    this.#publisher = new BrowserPublisher('publisher', {
      ...page,
      media: { video: video || null, audio: scenario.publisher.audio },
    });
    this.#publisher.observer.on('report', (r) => this.#onPublisherReport(r));
    await this.#publisher.open(publisherBrowser, this.#pages);
    signal.throwIfAborted();

    if (scenario.viewers.browser > 0) {
      this.observer.emit('phase', 'opening viewer pages');
      const viewerBrowser = await this.#launchBrowser('viewer-browser');
      const viewers = Array.from(
        { length: scenario.viewers.browser },
        (_, i) => new BrowserViewer(`browser-${i + 1}`, { fixedFreezeThresholdsMs: scenario.measurement.fixedFreezeThresholds, page }),
      );
      // Pages load before anyone joins: opening a page costs a burst of CPU that would stall the others' video.
      for (const viewer of viewers) {
        this.#attachViewer(viewer);
        await viewer.open(viewerBrowser, this.#pages);
        signal.throwIfAborted();
      }
      this.observer.emit('phase', 'joining viewers');
      for (const viewer of viewers) {
        await viewer.join();
        if (scenario.viewers.joinSpacing > 0) await sleep(scenario.viewers.joinSpacing, undefined, { signal });
      }
    }
    this.#steadyFrom = Date.now();
    this.observer.emit('phase', 'broadcasting');
  }

  async #launchBrowser(group: string, fakeCameraFps?: number): Promise<Browser> {
    const browser = await launchChromium({ fakeCameraFps });
    this.#browsers.push(browser);
    this.#browserVersion ??= await browser.version();
    const pid = browser.process()?.pid;
    if (pid !== undefined) this.#selfWatch.watch(group, () => [pid]);
    return browser;
  }

  #attachViewer(viewer: BrowserViewer): void {
    this.viewers.push(viewer);
    this.#viewerMetrics.attach(viewer);
    viewer.observer.on('report', (viewerId, report) => this.#journalReport(`viewer.${report.type}`, { viewerId }, report));
    viewer.qoe.observer.on('freeze', (f) => {
      this.#freezes.push(f);
      this.journal.write('viewer.freeze', { viewerId: viewer.id, ...f, seconds: (f.end - f.start) / 1000 }, f.end);
    });
    viewer.qoe.observer.on('joined', (joinSeconds) => this.journal.write('viewer.joinTime', { viewerId: viewer.id, joinSeconds }));
    viewer.qoe.observer.on('recovered', (t, downSeconds) =>
      this.journal.write('viewer.recovered', { viewerId: viewer.id, downSeconds }, t),
    );
  }

  #onPublisherReport(report: PageReport): void {
    this.#journalReport(`publisher.${report.type}`, {}, report);
    this.#viewerMetrics.onPublisherReport(report);
    if (report.type === 'publisherSample' && report.video) {
      const v = report.video;
      this.#publisherFirst ??= { t: report.t, frames: v.framesEncoded };
      this.#publisherLast = { t: report.t, frames: v.framesEncoded, bytes: v.bytesSent + (report.audio?.bytesSent ?? 0), pli: v.pliCount, fir: v.firCount };
    }
  }

  #journalReport(type: string, extra: Record<string, unknown>, report: PageReport): void {
    const { type: _omit, t, ...fields } = report;
    this.journal.write(type, { ...extra, ...fields }, t);
  }

  #publisherSummary(): PublisherSummary | null {
    const first = this.#publisherFirst;
    const last = this.#publisherLast;
    if (!first || !last) return null;
    const seconds = (last.t - first.t) / 1000;
    return {
      framesEncoded: last.frames,
      fps: seconds > 0 ? (last.frames - first.frames) / seconds : 0,
      bytesSent: last.bytes,
      pliCount: last.pli,
      firCount: last.fir,
    };
  }

  #progress(startedAt: number): RunProgress {
    const now = Date.now();
    const frames = this.viewers.reduce((a, v) => a + v.qoe.totals.framesRendered, 0);
    const connected = this.viewers.filter((v) => v.qoe.firstFrameAt !== undefined && v.qoe.disconnectedAt === undefined).length;
    const seconds = (now - this.#lastProgress.t) / 1000;
    const fps = this.#lastProgress.t > 0 && connected > 0 ? (frames - this.#lastProgress.frames) / seconds / connected : 0;
    this.#lastProgress = { t: now, frames };
    return {
      elapsedMs: now - startedAt,
      durationMs: this.options.scenario.duration,
      viewers: this.viewers.length,
      joined: this.viewers.filter((v) => v.qoe.firstFrameAt !== undefined).length,
      connected,
      fps,
      freezes: this.viewers.reduce((a, v) => a + v.qoe.freezes.w3c.count, 0),
      freezeSeconds: this.viewers.reduce((a, v) => a + v.qoe.freezes.w3c.seconds, 0),
      audioConcealedSeconds: this.viewers.reduce((a, v) => a + v.qoe.totals.audioConcealedSamples, 0) / AUDIO_SAMPLE_RATE,
      self: this.#selfWatch.samples.at(-1),
    };
  }

  /** Stops everything that was started, children first; each step runs even if another fails. */
  async #stop(endedAt: number): Promise<void> {
    this.#selfWatch.stop();
    await Promise.allSettled(this.viewers.map((v) => v.close(endedAt)));
    await this.#publisher?.close().catch(() => {});
    await Promise.allSettled(this.#browsers.map((b) => b.close()));
    await this.#pages?.close().catch(() => {});
    await this.#server?.close().catch(() => {});
  }
}
