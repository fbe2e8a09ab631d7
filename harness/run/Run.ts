import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import type { Browser } from 'puppeteer-core';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { SfuServer } from '../../server/http/SfuServer.js';
import { measureClockOffset, type ClockOffset } from './clockOffset.js';
import { monotonicToEpochMs } from '../synthetic/PathLatency.js';
import { faultDuration } from '../scenario/faults.js';
import { PageServer } from '../browser/PageServer.js';
import { launchChromium } from '../browser/chromium.js';
import { BrowserPublisher } from '../browser/BrowserPublisher.js';
import { BrowserViewer } from '../browser/BrowserViewer.js';
import { livedrillPage, type PageOpener } from '../browser/MeasuredPage.js';
import { AppUnderTest, type ProbeSettings } from './AppUnderTest.js';
import { SyntheticViewer } from '../synthetic/SyntheticViewer.js';
import { RtpReceiver } from '../synthetic/RtpReceiver.js';
import type { Viewer, ViewerMeasurement } from '../probes/Viewer.js';
import type { PageConfig, PageReport } from '../page/reports.js';
import { SelfWatch, judgeReliability, noiseSpans } from '../probes/SelfWatch.js';
import { AUDIO_SAMPLE_RATE, HOST_PUBLISHER_ID } from '../scenario/definitions.js';
import { MetricsServer } from '../../common/MetricsServer.js';
import { FaultScheduler } from '../faults/FaultScheduler.js';
import type { RunOptions, RunRole } from './RunOptions.js';
import type { RunEvents, RunProgress } from './lifecycle.js';
import { NetworkRelay } from '../network/NetworkRelay.js';
import { networkFaultReach } from '../faults/targets.js';
import { Journal } from '../journal/Journal.js';
import { JOURNAL_VERSION } from '../journal/entries.js';
import { JournalReplay } from '../journal/replay.js';
import { groundTruth, toTimeline } from '../journal/records.js';
import { LEAD_MS, measureImpact, SETTLE_MS } from './impact.js';
import { buildSummary, writeSummary, type RunSummary } from './summary.js';
import { summarizeViewer } from './viewerSummary.js';
import { softwareVersions } from './versions.js';

const VIEWERS_PER_SOCKET = 100;
/**
 * The steady broadcast starts once every viewer has played this long without
 * a freeze: the seconds right after a join (frame rate still climbing, the
 * first keyframes) would otherwise pollute the "before" of an early fault.
 */
const SETTLED_MS = 3000;
/** How long to wait for that; past it the run goes on and journals who had not settled. */
const SETTLE_TIMEOUT_MS = 120_000;

/**
 * One execution of a scenario: start the SFU, publisher and viewers ->
 * broadcast for `duration` while the faults strike on schedule -> measure ->
 * journal -> summary. `execute()` always reverts faults, stops what it
 * started and writes the summary, also when interrupted or failing.
 */
export class Run {
  readonly observer = new TypedEmitter<RunEvents>();
  readonly registry = new Registry();
  readonly id: string;
  readonly journal: Journal;
  readonly viewers: Viewer[] = [];
  readonly #selfWatch = new SelfWatch();
  /** The run's figures come from its own journal, replayed as it is written: the same code merge and report use. */
  readonly #replay: JournalReplay;
  /** The stretches (epoch ms) whose viewer samples impact analysis will read: memory stays flat over a long run. */
  #sampleWindows: Array<[number, number]> = [];
  readonly #faults: FaultScheduler;
  readonly #network: NetworkRelay | undefined;
  #server: SfuServer | undefined;
  /** A viewer shard of livedrill's own SFU: its clock against the SFU host's. */
  #clock: ClockOffset | undefined;
  #app: AppUnderTest | undefined;
  /** The app's SDK version, as its pages reported it. */
  #appSdkVersion: string | undefined;
  #pages: PageServer | undefined;
  readonly #rtpReceivers: RtpReceiver[] = [];
  #metrics: MetricsServer | undefined;
  readonly #browsers: Browser[] = [];
  readonly #publishers: BrowserPublisher[] = [];
  #browserVersion: string | undefined;
  #lastProgress = { t: 0, frames: 0 };
  #framesDroppedSeen = 0;
  #harnessFramesDropped = 0;
  /** A viewer shard ends when the SFU says the broadcast is over. */
  #endBroadcast!: () => void;
  readonly #broadcastEnded = new Promise<void>((resolve) => (this.#endBroadcast = resolve));
  /** When every viewer had been started: the broadcast's `duration` and fault times count from here. */
  #steadyFrom: number | undefined;

  constructor(readonly options: RunOptions) {
    this.id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${options.scenario.name}`;
    mkdirSync(options.outDir, { recursive: true });
    const shard = this.#shardName;
    this.journal = new Journal(join(options.outDir, 'journal.jsonl'), shard ? { shard } : {});
    if (shard) this.registry.setDefaultLabels({ shard });
    this.#replay = new JournalReplay({
      keepSample: (t) => this.#sampleWindows.some(([from, to]) => t >= from && t <= to),
      selfSamples: false,
    });
    this.journal.observer.on('entry', (entry) => this.#replay.add(entry));
    this.#faults = new FaultScheduler(options.scenario.faults);
    this.#journalFaults();
    // The relay costs a hop on every packet: only the paths a network fault can reach get it.
    // An app's pages all have one: it is their way to the TURN server.
    if (options.scenario.app) {
      this.#network = new NetworkRelay(() => true);
    } else if (options.scenario.faults.some((f) => f.kind === 'network')) {
      this.#network = new NetworkRelay(networkFaultReach(options.scenario.faults, this.#expectedViewerIds()), options.scenario.sfu.listenIp);
    }
    this.#selfWatch.observer.on('sample', (s) => this.observer.emit('selfSample', s));
    for (const output of options.outputs ?? []) output.attach(this);
  }

  /** Each output finishes on its own: one that fails is journaled, the others and the run go on. */
  async #endOutputs(summary: RunSummary): Promise<void> {
    for (const output of this.options.outputs ?? []) {
      try {
        await output.end?.(summary);
      } catch (error) {
        this.journal.write('output.error', { output: output.name, message: (error as Error).message });
      }
    }
  }

  /** The faults' ground truth goes to the journal as it happens: `t` is the start of an inject, the actual end of a revert. */
  #journalFaults(): void {
    const o = this.#faults.observer;
    o.on('inject', (f) => {
      this.journal.write('fault.inject', { ...f, injectedAt: Date.now() }, f.start);
      this.observer.emit('faultInjected', f);
    });
    o.on('revert', (f, end, reason, error, outcome) => {
      this.journal.write('fault.revert', { faultId: f.faultId, kind: f.kind, end, reason, ...(error ? { error } : { revertedAt: Date.now() }), ...outcome }, end);
      this.observer.emit('faultReverted', f);
    });
    o.on('error', (faultId, kind, message) => this.journal.write('fault.error', { faultId, kind, message }));
  }

  /** The viewers this process will start, in join order (as fault targets resolve); null when they are remote shards'. */
  #expectedViewerIds(): string[] | null {
    if (this.#role === 'sfu') return null;
    const { browser, synthetic } = this.options.scenario.viewers;
    return [
      ...Array.from({ length: browser }, (_, i) => this.#viewerId('browser', i + 1)),
      ...Array.from({ length: synthetic }, (_, i) => this.#viewerId('synthetic', i + 1)),
    ];
  }

  /** "index/count" for a viewer shard, as on its journal lines and metrics. */
  get #shardName(): string | undefined {
    return this.options.shard ? `${this.options.shard.index}/${this.options.shard.count}` : undefined;
  }

  /** Shards name their viewers apart, so merged results never mix two viewers up. */
  #viewerId(kind: Viewer['kind'], n: number): string {
    return `${this.options.shard ? `s${this.options.shard.index}-` : ''}${kind}-${n}`;
  }

  get #role(): RunRole {
    return this.options.role ?? 'all';
  }

  get summaryFile(): string {
    return join(this.options.outDir, 'summary.json');
  }

  async execute(signal: AbortSignal): Promise<RunSummary> {
    const { scenario } = this.options;
    const startedAt = Date.now();
    let error: string | null = null;
    this.journal.write('run.start', {
      journalVersion: JOURNAL_VERSION,
      runId: this.id,
      role: this.#role,
      scenarioFile: this.options.scenarioFile,
      scenario: this.options.hideFaults ? { ...scenario, faults: [] } : scenario,
      ...(this.options.hideFaults ? { faultsHidden: true } : {}),
      versions: { ...softwareVersions(), ...(scenario.app ? { app: scenario.app.name } : {}) },
    });
    // The harness's own sockets (synthetic viewers, the network relay) and its viewer browsers':
    // packets the kernel drops there are the load generator's losses, not the system's.
    this.#selfWatch.watch('harness', () => [process.pid], false, true);
    this.#selfWatch.watchDroppedFrames(() => this.#unexplainedDroppedFrames());
    this.#selfWatch.observer.on('sample', (s) => this.journal.write('self.sample', { ...s }, s.t));
    this.#selfWatch.start();
    let endedAt = startedAt;
    try {
      await this.#start(signal);
      const steadyFrom = this.#steadyFrom!;
      // Faults act on the SFU (the process that runs it schedules them) or on the app's pages
      // (the run with its publisher schedules them; viewer shards of an app only watch).
      if (this.#server || (this.#app && this.#role === 'all')) this.#faults.start(this.#faultContext(), steadyFrom);
      const progress = setInterval(() => this.observer.emit('progress', this.#progress(steadyFrom)), 1000);
      try {
        const waited = new AbortController();
        const wait = sleep(Math.max(0, steadyFrom + scenario.duration - Date.now()), undefined, {
          signal: AbortSignal.any([signal, waited.signal]),
        });
        try {
          await Promise.race([
            wait,
            this.#faults.failed,
            ...(this.options.stopWhen ? [this.options.stopWhen] : []),
            ...(this.#role === 'viewers' ? [this.#broadcastEnded] : []),
          ]);
        } finally {
          waited.abort(); // no timer left behind when the run ends early
          wait.catch(() => {});
          signal.throwIfAborted();
        }
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
      // Viewer shards on other machines end with the broadcast, not on a clock of their own.
      if (this.#role === 'sfu') this.#server?.signaling.endBroadcast(scenario.room);
      await this.#faults.stop(signal.aborted ? 'interrupted' : 'run-ended');
      await this.#stop(endedAt);
    }
    const viewers = this.#replay.viewers(endedAt, true);
    const impact = measureImpact(
      groundTruth(this.#replay.faults(endedAt)),
      viewers.map(toTimeline),
      this.#replay.publisherSamples,
      endedAt,
      noiseSpans(this.#selfWatch.samples),
    );
    const summary = buildSummary({
      runId: this.id,
      scenario,
      scenarioFile: this.options.scenarioFile,
      startedAt,
      endedAt,
      interrupted: signal.aborted,
      error,
      versions: { ...softwareVersions(this.#browserVersion), ...this.#app?.versions(this.#appSdkVersion) },
      publisher: this.#replay.publisherSummary(this.#steadyFrom),
      viewers: this.viewers.map((v) => summarizeViewer(v.id, v.kind, v.qoe, endedAt)),
      faults: impact.faults,
      effects: { unexplained: impact.unexplained, suspect: impact.suspect },
      network: this.#networkCounters(),
      relay: this.#network?.cost() ?? null,
      reliability: judgeReliability(this.#selfWatch.samples, this.#steadyFrom ?? endedAt, viewers.flatMap((v) => v.freezes)),
      clocks: this.#clock ? [{ shard: this.#shardName ?? 'viewers', offsetMs: this.#clock.offsetMs, uncertaintyMs: this.#clock.uncertaintyMs, rttMs: this.#clock.rttMs }] : [],
    });
    writeSummary(this.summaryFile, summary);
    this.observer.emit('summary', summary);
    await this.#endOutputs(summary);
    this.journal.write('run.end', { pass: summary.pass, interrupted: summary.interrupted, error });
    this.journal.close();
    return summary;
  }

  async #start(signal: AbortSignal): Promise<void> {
    const role = this.#role;
    const { scenario } = this.options;
    // An app brings its own servers: every role opens its pages, and a viewer shard starts no app server.
    const signalingUrl = scenario.app ? await this.#startApp() : role === 'viewers' ? this.options.signalingUrl! : await this.#startSfu();
    signal.throwIfAborted();
    if (role === 'viewers' && !scenario.app) {
      this.#metrics = await MetricsServer.start(this.registry, this.options.metricsPort ?? 0, this.options.host);
      this.observer.emit('ready', { signaling: signalingUrl, metrics: this.#metrics.url });
      try {
        this.#clock = await measureClockOffset(signalingUrl);
        const { offsetMs, uncertaintyMs, rttMs, samples } = this.#clock;
        this.journal.write('run.clock', { offsetMs, uncertaintyMs, rttMs, samples });
      } catch (error) {
        // The run goes on: its latencies stay on this machine's clock, and it says so.
        this.journal.write('run.clock', { error: (error as Error).message });
      }
    }
    const session = this.#sessionSettings(signalingUrl);
    // livedrill's own pages are served only when they are the ones opened.
    if (!scenario.app) this.#pages = await PageServer.start();
    // Browsers start before anything publishes: a browser's start-up burst saturates
    // the cores and would dent the publisher's bandwidth estimate for seconds.
    const video = scenario.publisher.video;
    const publisherBrowser = role !== 'viewers' ? await this.#launchBrowser('publisher-browser', video ? video.fps : undefined) : undefined;
    const viewerBrowser = role !== 'sfu' && scenario.viewers.browser > 0 ? await this.#launchBrowser('viewer-browser') : undefined;
    if (publisherBrowser) await this.#startPublishers(publisherBrowser, session, signal);
    if (role !== 'sfu') await this.#startViewers(viewerBrowser, session, signal);
    await this.#settle(signal);
    this.#steadyFrom = Date.now();
    // Fault times are known now: impact analysis reads viewer samples only around them.
    const steady = this.#steadyFrom;
    // From as long before a fault as it lasts: its latency is set against the one just before it.
    this.#sampleWindows = this.options.scenario.faults.map((f) => [
      steady + f.at - Math.max(LEAD_MS, faultDuration(f)),
      steady + f.at + faultDuration(f) + SETTLE_MS + 5000,
    ]);
    this.journal.write('run.steady', {});
    this.observer.emit('phase', 'broadcasting');
  }

  /**
   * Waits until every viewer has played smoothly for SETTLED_MS. The SFU of a
   * run spread over machines sees no frames: it waits for the expected number
   * of shard viewers to be receiving (a resumed consumer), then SETTLED_MS.
   */
  async #settle(signal: AbortSignal): Promise<void> {
    this.observer.emit('phase', 'settling');
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    const expected = this.options.expectViewers ?? 0;
    let receivingSince: number | undefined;
    for (;;) {
      const now = Date.now();
      let unsettled: string[];
      if (this.#role === 'sfu') {
        const receiving = this.#receivingViewers();
        receivingSince = receiving >= expected ? (receivingSince ?? now) : undefined;
        unsettled = receivingSince !== undefined && now - receivingSince >= SETTLED_MS ? [] : [`${receiving} of ${expected} expected viewers receiving`];
      } else {
        unsettled = this.viewers.filter((v) => v.qoe.gaveUpAt === undefined && !v.qoe.smoothSince(now - SETTLED_MS, now)).map((v) => v.id);
      }
      if (unsettled.length === 0) return;
      if (now >= deadline) {
        this.journal.write('run.unsettled', { waitedMs: SETTLE_TIMEOUT_MS, unsettled: unsettled.slice(0, 100) });
        return;
      }
      await sleep(250, undefined, { signal });
    }
  }

  #receivingViewers(): number {
    const room = this.#server?.sfu.rooms.get(this.options.scenario.room);
    return [...(room?.peers.values() ?? [])].filter((p) => p.role === 'viewer' && [...p.consumers.values()].some((c) => !c.paused)).length;
  }

  /** Starts the SFU (signaling and /metrics on one port); returns its signaling URL. */
  async #startSfu(): Promise<string> {
    const { scenario } = this.options;
    this.observer.emit('phase', 'starting SFU');
    this.#server = await SfuServer.start({
      sfu: { workers: scenario.sfu.workers, listen: { ip: scenario.sfu.listenIp, announcedIp: scenario.sfu.announcedIp } },
      signaling: { mediaPath: this.#network?.mediaPath, plainPath: this.#network?.plainPath },
      registry: this.registry,
      host: this.options.host,
      port: this.options.port,
      token: this.options.token,
    });
    const server = this.#server;
    this.#selfWatch.watch('sfu', () => server.sfu.workers.map((w) => w.worker.pid));
    server.sfu.observer.on('workerdied', (index, pid, e) => this.journal.write('sfu.workerDied', { index, pid, message: e.message }));
    server.sfu.observer.on('workerreplaced', (index, pid) => this.journal.write('sfu.workerReplaced', { index, pid }));
    const urls = { signaling: server.signalingUrl, metrics: server.metricsUrl };
    this.journal.write('sfu.ready', { ...urls, workers: server.sfu.workers.map((w) => w.worker.pid) });
    this.observer.emit('ready', urls);
    return server.signalingUrl;
  }

  /** Starts the app under test (its server, unless a viewer shard; TURN) and this run's /metrics; returns the app's publisher page. */
  async #startApp(): Promise<string> {
    const { scenario, scenarioFile } = this.options;
    const shard = this.#role === 'viewers';
    this.observer.emit('phase', 'starting the app under test');
    this.#app = await AppUnderTest.start(scenario.app!, { scenarioFile, room: scenario.room, relay: this.#network!, startServer: !shard });
    this.#metrics = await MetricsServer.start(this.registry, (shard ? this.options.metricsPort : this.options.port) ?? 0, this.options.host);
    const urls = { signaling: this.#app.url('publisher', HOST_PUBLISHER_ID, 0), metrics: this.#metrics.url };
    this.journal.write('app.ready', { name: scenario.app!.name, publisherPage: urls.signaling, viewerPage: this.#app.url('viewer', this.#viewerId('browser', 1), 1), metrics: urls.metrics });
    this.observer.emit('ready', urls);
    return urls.signaling;
  }

  /** A page: the app's (with the probe) when the scenario has one, else livedrill's own. */
  async #openerFor(cfg: PageConfig, index: number, probe: ProbeSettings): Promise<PageOpener> {
    return this.#app ? this.#app.page(cfg.role, cfg.peerId, index, probe) : livedrillPage(this.#pages!, cfg);
  }

  #sessionSettings(signalingUrl: string): Omit<PageConfig, 'role' | 'peerId' | 'media'> {
    const { scenario } = this.options;
    return {
      signalingUrl,
      room: scenario.room,
      sampleIntervalMs: scenario.measurement.sampleInterval,
      ...(this.#clock ? { clockOffsetMs: this.#clock.offsetMs } : {}),
      reconnect: {
        initialDelayMs: scenario.reconnect.initialDelay,
        maxDelayMs: scenario.reconnect.maxDelay,
        factor: scenario.reconnect.factor,
        maxAttempts: scenario.reconnect.maxAttempts,
        disconnectGraceMs: scenario.reconnect.disconnectGrace,
      },
    };
  }

  /** The publishers get their own browser, so viewer load cannot starve the encoder. */
  async #startPublishers(publisherBrowser: Browser, page: Omit<PageConfig, 'role' | 'peerId' | 'media'>, signal: AbortSignal): Promise<void> {
    const { scenario } = this.options;
    this.observer.emit('phase', 'starting publisher');
    const video = scenario.publisher.video;
    const { count } = scenario.publisher;
    for (let i = 1; i <= count; i++) {
      const id = count === 1 ? HOST_PUBLISHER_ID : `${HOST_PUBLISHER_ID}-${i}`;
      const media = { video: video || null, audio: scenario.publisher.audio, source: scenario.publisher.source };
      const stampedSource = media.source === 'stamped' ? { video: media.video, audio: media.audio } : undefined;
      const opener = await this.#openerFor({ ...page, media, role: 'publisher', peerId: id }, 0, { sampleIntervalMs: page.sampleIntervalMs, readStamps: false, stampedSource });
      const publisher = new BrowserPublisher(id, opener);
      publisher.observer.on('report', (r) => this.#onPublisherReport(publisher, r));
      this.#publishers.push(publisher);
      await publisher.open(publisherBrowser);
      signal.throwIfAborted();
    }
  }

  async #startViewers(viewerBrowser: Browser | undefined, page: Omit<PageConfig, 'role' | 'peerId' | 'media'>, signal: AbortSignal): Promise<void> {
    const { scenario } = this.options;
    const audioOnly = !scenario.publisher.video;
    // The SFU's sender reports carry its host's monotonic clock: this host's, or a shard's measured against it.
    const sfuMonotonicToEpochMs = this.#clock ? () => this.#clock!.sfuMonotonicToEpochMs : this.#server ? monotonicToEpochMs : undefined;
    const measurement: ViewerMeasurement = { fixedFreezeThresholdsMs: scenario.measurement.fixedFreezeThresholds, audioOnly, readsStamps: false };
    if (viewerBrowser) {
      this.observer.emit('phase', 'opening viewer pages');
      const readsStamps = scenario.publisher.source === 'stamped' && scenario.measurement.stamps;
      const viewers: BrowserViewer[] = [];
      for (let i = 1; i <= scenario.viewers.browser; i++) {
        const id = this.#viewerId('browser', i);
        const opener = await this.#openerFor({ ...page, role: 'viewer', peerId: id, readStamps: readsStamps }, i, { sampleIntervalMs: page.sampleIntervalMs, readStamps: readsStamps });
        viewers.push(new BrowserViewer(id, { ...measurement, readsStamps }, opener, scenario.app?.joinTimeout));
      }
      // Pages load before anyone joins: opening a page costs a burst of CPU that would stall the others' video.
      for (const viewer of viewers) {
        this.#attachViewer(viewer);
        await viewer.open(viewerBrowser);
        signal.throwIfAborted();
      }
      this.observer.emit('phase', 'joining viewers');
      for (const viewer of viewers) {
        await viewer.join();
        if (scenario.viewers.joinSpacing > 0) await sleep(scenario.viewers.joinSpacing, undefined, { signal });
      }
    }
    if (scenario.viewers.synthetic > 0) {
      this.observer.emit('phase', 'joining synthetic viewers');
      // The SFU sends to this socket: it must be reachable from the SFU.
      // One socket per 100 viewers: each has its own kernel receive buffer, so a brief
      // scheduling hiccup at tens of thousands of packets per second overflows none.
      const sockets = Math.ceil(scenario.viewers.synthetic / VIEWERS_PER_SOCKET);
      for (let i = 0; i < sockets; i++) this.#rtpReceivers.push(await RtpReceiver.open(this.options.receiveIp ?? scenario.sfu.listenIp));
      const session = { ...page, sampleIntervalMs: scenario.measurement.syntheticSampleInterval };
      for (let i = 1; i <= scenario.viewers.synthetic; i++) {
        const receiver = this.#rtpReceivers[i % sockets];
        const viewer = new SyntheticViewer(this.#viewerId('synthetic', i), { ...measurement, sfuMonotonicToEpochMs, session }, receiver);
        this.#attachViewer(viewer);
        await viewer.join();
        if (scenario.viewers.syntheticJoinSpacing > 0) await sleep(scenario.viewers.syntheticJoinSpacing, undefined, { signal });
      }
    }
  }

  #faultContext() {
    return {
      sfu: this.#server?.faults,
      appSignaling: this.#app?.signaling,
      room: this.options.scenario.room,
      // Viewers of remote shards are known only as the room's peers.
      viewerIds: () => (this.#role === 'sfu' ? this.#roomViewerIds() : this.viewers.map((v) => v.id)),
      publisher: this.#publishers[0],
      publisherId: this.#publishers[0].id,
      network: this.#network,
    };
  }

  #roomViewerIds(): string[] {
    const room = this.#server?.sfu.rooms.get(this.options.scenario.room);
    const ids = [...(room?.peers.values() ?? [])].filter((p) => p.role === 'viewer').map((p) => p.id);
    return ids.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  async #launchBrowser(group: string, fakeCameraFps?: number): Promise<Browser> {
    const browser = await launchChromium({ fakeCameraFps });
    this.#browsers.push(browser);
    this.#browserVersion ??= await browser.version();
    const pid = browser.process()?.pid;
    if (pid !== undefined) this.#selfWatch.watch(group, () => [pid], true, group === 'viewer-browser');
    return browser;
  }

  #attachViewer(viewer: Viewer): void {
    this.viewers.push(viewer);
    const viewerId = viewer.id;
    this.journal.write('viewer.start', { viewerId, kind: viewer.kind });
    viewer.observer.on('report', (_id, report) => {
      if (report.type === 'broadcastEnded') this.#endBroadcast();
      if (report.type === 'sdkVersion') this.#appSdkVersion = report.version;
      this.#journalReport(`viewer.${report.type}`, { viewerId }, report);
    });
    const o = viewer.qoe.observer;
    o.on('freeze', (f) => this.journal.write('viewer.freeze', { viewerId, ...f, seconds: (f.end - f.start) / 1000 }, f.end));
    o.on('joined', (joinSeconds) => this.journal.write('viewer.joinTime', { viewerId, joinSeconds, firstMediaAt: viewer.qoe.firstMediaAt }));
    o.on('disconnected', (t) => this.journal.write('viewer.disconnected', { viewerId }, t));
    o.on('recovered', (t, downSeconds) => this.journal.write('viewer.recovered', { viewerId, downSeconds }, t));
    this.observer.emit('viewer', viewer);
  }

  /**
   * Frames the viewer browsers dropped that no fault explains: while a fault
   * lasts and settles, drops are its impact (a connection coming back
   * delivers a burst too late to show; an app's publisher rebuilding one
   * viewer's connection can stall the others'), never the harness's own loss.
   * The harness still flags itself then by its CPU and event loop.
   * Cumulative, for SelfWatch.
   */
  #unexplainedDroppedFrames(): number {
    const now = Date.now();
    const dropped = this.viewers.reduce((a, v) => a + (v.kind === 'browser' ? v.qoe.totals.framesDropped : 0), 0);
    const faulted = this.#replay.faults(now).some((f) => f.start <= now && now <= f.end + SETTLE_MS);
    if (!faulted) this.#harnessFramesDropped += dropped - this.#framesDroppedSeen;
    this.#framesDroppedSeen = dropped;
    return this.#harnessFramesDropped;
  }

  #onPublisherReport(publisher: BrowserPublisher, report: PageReport): void {
    const host = publisher === this.#publishers[0];
    if (report.type === 'sdkVersion') this.#appSdkVersion = report.version;
    this.#journalReport(`publisher.${report.type}`, host ? {} : { publisherId: publisher.id }, report);
    if (!host) return;
    this.observer.emit('publisherReport', report);
  }

  #journalReport(type: string, extra: Record<string, unknown>, report: PageReport): void {
    const { type: _omit, t, ...fields } = report;
    this.journal.write(type, { ...extra, ...fields }, t);
  }

  #networkCounters() {
    const network = this.#network;
    if (!network) return null;
    return Object.fromEntries([...this.#publishers, ...this.viewers].map(({ id }) => [id, network.counters(id)]));
  }

  #progress(steadyFrom: number): RunProgress {
    const now = Date.now();
    const frames = this.viewers.reduce((a, v) => a + v.qoe.totals.framesRendered, 0);
    const connected = this.viewers.filter((v) => v.qoe.connected).length;
    const seconds = (now - this.#lastProgress.t) / 1000;
    const fps = this.#lastProgress.t > 0 && connected > 0 ? (frames - this.#lastProgress.frames) / seconds / connected : 0;
    this.#lastProgress = { t: now, frames };
    return {
      elapsedMs: now - steadyFrom,
      durationMs: this.options.scenario.duration,
      viewers: this.viewers.length,
      joined: this.viewers.filter((v) => v.qoe.firstMediaAt !== undefined).length,
      connected,
      frozen: this.viewers.filter((v) => v.qoe.frozenNow(now)).length,
      fps,
      freezes: this.viewers.reduce((a, v) => a + v.qoe.freezes.w3c.count, 0),
      freezeSeconds: this.viewers.reduce((a, v) => a + v.qoe.freezes.w3c.seconds, 0),
      audioConcealedSeconds: this.viewers.reduce((a, v) => a + v.qoe.totals.audioConcealedSamples, 0) / AUDIO_SAMPLE_RATE,
      activeFaults: this.#faults.activeCount,
      latencyMs: worstLatency(this.viewers.filter((v) => v.qoe.connected).map((v) => v.qoe.latestLatencyMs)),
      self: this.#selfWatch.samples.at(-1),
    };
  }

  /** Stops everything that was started, children first; each step runs even if another fails. */
  async #stop(endedAt: number): Promise<void> {
    this.#selfWatch.stop();
    await Promise.allSettled(this.viewers.map((v) => v.close(endedAt)));
    await Promise.allSettled(this.#publishers.map((p) => p.close()));
    await Promise.allSettled(this.#browsers.map((b) => b.close()));
    await this.#app?.close();
    await this.#pages?.close().catch(() => {});
    await this.#server?.close().catch(() => {});
    await this.#metrics?.close().catch(() => {});
    for (const receiver of this.#rtpReceivers) receiver.close();
    this.#network?.close();
  }
}

/** The highest of each latency among viewers; null where none has one. */
function worstLatency(latest: ReadonlyArray<RunProgress['latencyMs']>): RunProgress['latencyMs'] {
  const worst = (key: keyof RunProgress['latencyMs']): number | null => {
    const values = latest.flatMap((l) => (l[key] === null ? [] : [l[key]!]));
    return values.length > 0 ? Math.max(...values) : null;
  };
  return { video: worst('video'), path: worst('path') };
}
