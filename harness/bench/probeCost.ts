/**
 * What livedrill's probe costs an app's viewer page (a script, not a test),
 * on the fixture app (test/fixtures/app). Writes DIR/probe-cost.json and
 * DIR/probe-cost.md.
 *
 *   npm run probe-cost -- [--rounds 4] [--hold 40s] [--pages 2] [--repeat 2] [--out DIR]
 *
 * The reference is livedrill's own viewer page (the issue: "at most 10 %
 * CPU per viewer page compared with a built-in viewer"). A built-in viewer
 * measures itself with the same method (the frame timeline, getStats), so
 * the probe is set against what that measurement costs a built-in viewer:
 * the own page with its measurement switched off is a variant too. Both
 * broadcasts carry livedrill's stamped source at the same size, rate and
 * bitrate (640x480, 30 fps, 500 kbps: the fixture publisher's senders are
 * capped as a bitrate-collapse fault caps them), so every page decodes the
 * same load; every page is a window of a run's size.
 *
 * Part 1, side by side: in one viewer Chromium, one page of each variant at
 * once, each in a browser context (and so a renderer process) of its own;
 * the CPU each page's renderer used over the hold (/proc) is that page's.
 * Every variant sees the same machine at the same time, so the differences
 * are the variants' (a launch of its own per variant differs by more than
 * the probe costs). Rounds rotate the pages' order. The renderer is where a
 * page's scripts, its WebRTC stack and its decoding run.
 *
 * Part 2, whole browsers side by side: four viewer Chromiums at once, each
 * with `--pages` pages of one variant (livedrill's own viewer with and
 * without its measurement, the app without and with the probe); each
 * browser's CPU (every process of it) per page, `--repeat` launches.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { launchChromium } from '../browser/chromium.js';
import { Registry } from 'prom-client';
import { appPage, livedrillPage, newWindow, type MeasuredPage } from '../browser/MeasuredPage.js';
import { parseScenario } from '../scenario/load.js';
import { PageServer } from '../browser/PageServer.js';
import type { PageConfig } from '../page/reports.js';
import { SfuServer } from '../../server/http/SfuServer.js';
import { AppServer } from '../run/AppServer.js';
import { TurnServer } from '../network/TurnServer.js';
import { SignalingProxy } from '../network/SignalingProxy.js';
import { processCpuSeconds, SelfWatch } from '../probes/SelfWatch.js';
import { mean } from '../../common/stats.js';

const opts = new Command()
  .option('--rounds <n>', 'part 1: rounds of the side-by-side pages', '4')
  .option('--hold <duration>', 'how long CPU is read, once the pages play', '40s')
  .option('--pages <n>', 'part 2: viewer pages per browser', '2')
  .option('--repeat <n>', 'part 2: times each variant runs', '2')
  .option('--out <dir>', 'where results go', 'runs/probe-cost')
  .parse()
  .opts<{ rounds: string; hold: string; pages: string; repeat: string; out: string }>();

const HOLD_S = parseInt(opts.hold, 10);
const SETTLE_S = 20;
const PAGES = Number(opts.pages);
const FIXTURE = resolve('test/fixtures/app/server.mjs');
/** A run's defaults: its sample interval, its publisher's video (size, rate, bitrate), how its pages reconnect. */
const DEFAULTS = parseScenario('name: probe-cost\nduration: 1s\n', 'probe-cost.yaml');
const SAMPLE_MS = DEFAULTS.measurement.sampleInterval;
const VIDEO =
  DEFAULTS.publisher.video ||
  ((): never => {
    throw new Error('probe-cost: the default scenario has no video');
  })();
/** The stamped source at the size and rate a run's publisher uses by default. */
const STAMPED = { video: { width: VIDEO.width, height: VIDEO.height, fps: VIDEO.fps }, audio: true };
mkdirSync(opts.out, { recursive: true });

/**
 * The least any measurement of rendered frames costs, the floor of the
 * probe's method (and of livedrill's own viewer): a bare
 * requestVideoFrameCallback loop on the page's video, nothing else.
 */
const FRAME_CALLBACK_ONLY = `document.addEventListener('DOMContentLoaded', function watch() {
  const video = document.querySelector('video');
  if (!video) return setTimeout(watch, 200);
  const onFrame = () => video.requestVideoFrameCallback(onFrame);
  video.requestVideoFrameCallback(onFrame);
});`;

/**
 * livedrill's own viewer page with its measurement switched off: no frame
 * callbacks (so no frame timeline and no stamps read) and getStats answering
 * nothing. What the real page costs beyond it is what a built-in viewer pays
 * to measure itself: the yardstick the probe is set against.
 */
const MEASUREMENT_OFF = `HTMLVideoElement.prototype.requestVideoFrameCallback = () => 0;
RTCPeerConnection.prototype.getStats = async () => new Map();`;

/** A broadcast's room: the fixture app's reached directly or behind TURN, or livedrill's own. */
type Broadcast = 'direct' | 'turn' | 'own';

interface Side {
  name: string;
  /** Opens the page in a context of its own; returns it once it is joining. */
  open(browser: Browser, room: (broadcast: Broadcast) => string, index: number): Promise<{ page: Page; close(): Promise<void> }>;
}

/** A page in a window as a run's pages have (MeasuredPage), `script` run before the page's own; its reports go nowhere. */
async function openWindow(owner: Browser | BrowserContext, url: string, script?: string): Promise<Page> {
  const page = await newWindow(owner);
  await page.exposeFunction('livedrillReport', () => {});
  if (script) await page.evaluateOnNewDocument(script);
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** A plain page of the app in a context of its own, `script` run first in it. */
const plainSide = (name: string, script?: string): Side => ({
  name,
  async open(browser, room, index) {
    const context = await browser.createBrowserContext();
    const page = await openWindow(context, viewerUrl(room('direct'), index), script);
    return { page, close: () => context.close() };
  },
});

/** The app's page as a run opens it (MeasuredPage.appPage): the probe, TURN relay forced, a signaling proxy of its own. */
const probedSide = (name: string, readStamps: boolean): Side => ({
  name,
  async open(browser, room, index) {
    const proxy = await SignalingProxy.start();
    const opener = appPage({
      url: viewerUrl(room('turn'), index),
      probe: { role: 'viewer', peerId: peerId(index), sampleIntervalMs: SAMPLE_MS, readStamps, turn: fixture.turn.iceServer() },
      proxyServer: proxy.url,
      loadTimeoutMs: 30_000,
    });
    const measured: MeasuredPage = await opener(browser, () => {});
    await measured.join();
    const page = (await browser.pages()).find((p) => p.url().endsWith(`user=${peerId(index)}`))!;
    return {
      page,
      async close() {
        await measured.close();
        await proxy.close();
      },
    };
  },
});

/** livedrill's own viewer page as a run opens it (MeasuredPage.livedrillPage), `script` run first in it, in a context of its own. */
const ownSide = (name: string, readStamps: boolean, script?: string): Side => ({
  name,
  async open(browser, room, index) {
    const context = await browser.createBrowserContext();
    const page = await openWindow(context, fixture.pages.urlFor({ ...ownSession(room('own')), role: 'viewer', peerId: peerId(index), readStamps }), script);
    await page.evaluate(() => (window.livedrill as { join(): void }).join());
    return { page, close: () => context.close() };
  },
});

const SIDES: Side[] = [
  ownSide("livedrill's own viewer page", false),
  ownSide("livedrill's own viewer page + stamp reader", true),
  ownSide("livedrill's own viewer page, its measurement off (no frame callbacks, no getStats)", false, MEASUREMENT_OFF),
  plainSide('app page, no probe'),
  plainSide("app page + a bare frame-callback loop (the method's floor)", FRAME_CALLBACK_ONLY),
  probedSide('app page as livedrill opens it (probe, TURN relay forced, signaling proxy)', false),
  probedSide('app page as livedrill opens it + stamp reader', true),
];
const [own, ownStamps, ownOff, plain, frameCallback, probed, probedStamps] = SIDES;

const fixture = {
  server: undefined as unknown as AppServer,
  turn: undefined as unknown as TurnServer,
  sfu: undefined as unknown as SfuServer,
  pages: undefined as unknown as PageServer,
};
const peerId = (index: number): string => `browser-${index}`;
const viewerUrl = (room: string, index: number): string => `http://127.0.0.1:${fixture.server.port}/viewer.html?room=${room}&user=${peerId(index)}`;
/** A session of livedrill's own pages, with a scenario's defaults. */
const ownSession = (room: string): Omit<PageConfig, 'role' | 'peerId'> => ({
  signalingUrl: fixture.sfu.signalingUrl,
  room,
  sampleIntervalMs: SAMPLE_MS,
  reconnect: {
    initialDelayMs: DEFAULTS.reconnect.initialDelay,
    maxDelayMs: DEFAULTS.reconnect.maxDelay,
    factor: DEFAULTS.reconnect.factor,
    maxAttempts: DEFAULTS.reconnect.maxAttempts,
    disconnectGraceMs: DEFAULTS.reconnect.disconnectGrace,
  },
});

/**
 * The broadcasts every side can watch, in `publishers`: the fixture app's
 * publisher page (reached directly, and behind TURN as in a run) and
 * livedrill's own, each sending the stamped source at 500 kbps.
 */
async function startBroadcasts(publishers: Browser, room: (broadcast: Broadcast) => string): Promise<void> {
  for (const broadcast of ['direct', 'turn'] as const) {
    const turn = broadcast === 'turn' ? { turn: fixture.turn.iceServer() } : {};
    const publisher = await appPage({
      url: `http://127.0.0.1:${fixture.server.port}/publisher.html?room=${room(broadcast)}`,
      probe: { role: 'publisher', peerId: 'host', sampleIntervalMs: SAMPLE_MS, readStamps: false, stampedSource: STAMPED, ...turn },
      loadTimeoutMs: 30_000,
    })(publishers, () => {});
    await publisher.join();
    // The app's senders are capped as a bitrate-collapse fault caps them (senders made later too).
    await publisher.call('setMaxBitrate', VIDEO.maxBitrate);
  }
  const own = await livedrillPage(fixture.pages, {
    ...ownSession(room('own')),
    role: 'publisher',
    peerId: 'host',
    media: { video: VIDEO, audio: true, source: 'stamped' },
  })(publishers, () => {});
  await own.join();
}

/** This machine's Chromium renderer processes now. */
function renderers(): Set<number> {
  const pids = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('--type=renderer')) pids.add(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Frames each page's first video presented so far. */
const framesShown = (pages: Page[]): Promise<number[]> =>
  Promise.all(pages.map((page) => page.evaluate(() => document.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0)));

/** A page that does not play costs less for no good reason: the round is void. */
function checkPlayed(name: string, before: number, after: number): void {
  const fps = (after - before) / HOLD_S;
  if (fps < 25) throw new Error(`${name}: ${fps.toFixed(1)} fps shown, the page did not play`);
}

/** One round of part 1: every side's page at once; CPU cores of each page's renderer over the hold. */
async function sideBySide(round: number): Promise<Record<string, number>> {
  const publishers = await launchChromium();
  const viewers = await launchChromium();
  const opened: Array<{ side: Side; pid: number; page: Page; close(): Promise<void> }> = [];
  try {
    const room = (broadcast: Broadcast): string => `bench-${round}-${broadcast}`;
    await startBroadcasts(publishers, room);
    const order = [...SIDES.slice(round % SIDES.length), ...SIDES.slice(0, round % SIDES.length)];
    for (const [i, side] of order.entries()) {
      const before = renderers();
      const page = await side.open(viewers, room, i + 1);
      const fresh = [...renderers()].filter((pid) => !before.has(pid));
      if (fresh.length !== 1) throw new Error(`${side.name}: ${fresh.length} new renderer processes, not one`);
      opened.push({ side, pid: fresh[0], ...page });
    }
    await sleep(SETTLE_S * 1000);
    const pages = opened.map((o) => o.page);
    const cpuBefore = opened.map(({ pid }) => processCpuSeconds(pid));
    const framesBefore = await framesShown(pages);
    await sleep(HOLD_S * 1000);
    const cpuAfter = opened.map(({ pid }) => processCpuSeconds(pid));
    const framesAfter = await framesShown(pages);
    const cores: Record<string, number> = {};
    opened.forEach(({ side }, k) => {
      checkPlayed(side.name, framesBefore[k], framesAfter[k]);
      cores[side.name] = (cpuAfter[k] - cpuBefore[k]) / HOLD_S;
    });
    return cores;
  } finally {
    await Promise.allSettled(opened.map((o) => o.close()));
    await viewers.close();
    await publishers.close();
  }
}

/** Part 2's browsers: livedrill's own viewer pages with and without their measurement, app pages without and with the probe. */
const WHOLE: Side[] = [own, ownOff, plain, probed];

/** One launch of part 2's browsers: each browser's cores per page (every process of it, over the hold). */
async function wholeBrowsers(round: number): Promise<Record<string, number>> {
  const publishers = await launchChromium();
  const browsers: Browser[] = [];
  for (const _ of WHOLE) browsers.push(await launchChromium());
  const opened: Array<{ page: Page; close(): Promise<void> }> = [];
  const watch = new SelfWatch();
  try {
    const room = (broadcast: Broadcast): string => `whole-${round}-${broadcast}`;
    await startBroadcasts(publishers, room);
    // The pages join in turns, one of each side at a time.
    for (let i = 0; i < PAGES; i++) {
      for (const [k, side] of WHOLE.entries()) opened.push(await side.open(browsers[k], room, i + 1 + k * PAGES));
    }
    WHOLE.forEach((side, k) => watch.watch(side.name, () => [browsers[k].process()!.pid!]));
    await sleep(SETTLE_S * 1000);
    const pages = opened.map((o) => o.page);
    const framesBefore = await framesShown(pages);
    watch.start();
    await sleep(HOLD_S * 1000);
    watch.stop();
    const framesAfter = await framesShown(pages);
    pages.forEach((_, j) => checkPlayed(WHOLE[j % WHOLE.length].name, framesBefore[j], framesAfter[j]));
    // The first sample covers the time before the watch started.
    const samples = watch.samples.slice(1);
    return Object.fromEntries(WHOLE.map((side) => [side.name, mean(samples.map((s) => s.cores[side.name])) / PAGES]));
  } finally {
    watch.stop();
    await Promise.allSettled(opened.map((o) => o.close()));
    for (const browser of browsers) await browser.close();
    await publishers.close();
  }
}

const side: Record<string, number[]> = {};
const whole: Record<string, number[]> = {};
const record = (into: Record<string, number[]>, label: string, cores: Record<string, number>): void => {
  for (const [name, c] of Object.entries(cores)) (into[name] ??= []).push(c);
  console.log(`${label}: ${Object.entries(cores).map(([n, c]) => `${n}: ${c.toFixed(4)}`).join('; ')}`);
};
fixture.server = await AppServer.start(`node ${FIXTURE}`, process.cwd());
fixture.turn = await TurnServer.start();
fixture.sfu = await SfuServer.start({ sfu: { workers: 1, listen: { ip: '127.0.0.1' } }, registry: new Registry() });
fixture.pages = await PageServer.start();
try {
  for (let round = 0; round < Number(opts.rounds); round++) record(side, `round ${round + 1}`, await sideBySide(round));
  for (let round = 0; round < Number(opts.repeat); round++) record(whole, `whole browsers ${round + 1}`, await wholeBrowsers(round));
} finally {
  await fixture.pages.close();
  await fixture.sfu.close();
  await fixture.turn.close();
  await fixture.server.close();
}

/** A figure worked out round by round from the sides' cores (the same machine at the same time): its mean and range. */
interface Spread {
  mean: number;
  min: number;
  max: number;
}
const perRound = (of: Record<string, number[]>, figure: (cores: (s: Side) => number) => number): Spread => {
  const values = of[own.name].map((_, r) => figure((s) => of[s.name][r]));
  return { mean: mean(values), min: Math.min(...values), max: Math.max(...values) };
};
/** What each kind of viewer pays to measure itself, and the two set against each other. */
const measurement = (of: Record<string, number[]>) => ({
  ownViewer: perRound(of, (c) => c(own) - c(ownOff)),
  probe: perRound(of, (c) => c(probed) - c(plain)),
  probeBeyondOwnViewer: perRound(of, (c) => c(probed) - c(plain) - (c(own) - c(ownOff))),
  appPageAgainstOwnViewerPage: perRound(of, (c) => c(probed) - c(own)),
});
const ownPage = mean(side[own.name]);
const ownWhole = mean(whole[own.name]);
const verdict = {
  ownViewerPage: { renderer: ownPage, wholeBrowser: ownWhole },
  renderer: {
    ...measurement(side),
    frameCallbackFloor: perRound(side, (c) => c(frameCallback) - c(plain)),
    probeBeyondFloor: perRound(side, (c) => c(probed) - c(frameCallback)),
    stampReader: perRound(side, (c) => c(probedStamps) - c(probed)),
    ownStampReader: perRound(side, (c) => c(ownStamps) - c(own)),
  },
  wholeBrowser: measurement(whole),
};
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 1e9), kernel: release(), date: new Date().toISOString() };
writeFileSync(join(opts.out, 'probe-cost.json'), JSON.stringify({ machine, holdSeconds: HOLD_S, rounds: Number(opts.rounds), pages: PAGES, side, whole, verdict }, null, 2));
const f = (n: number): string => n.toFixed(4);
const diff = (d: Spread, of: number): string => `${f(d.mean)} cores (${f(d.min)} to ${f(d.max)}), ${((d.mean / of) * 100).toFixed(1)} %`;
const table = (of: Record<string, number[]>, sides: Side[]): string[] => [
  '| variant | cores per page |',
  '|---|---|',
  ...sides.map((s) => `| ${s.name} | ${f(mean(of[s.name]))} (${of[s.name].map(f).join(', ')}) |`),
];
const measured = (m: ReturnType<typeof measurement>, of: number, end: ';' | '.'): string[] => [
  `- **the probe beyond what livedrill's own viewer pays to measure itself** (the probe's cost on the app page, less the own viewer's measurement cost on its page): ${diff(m.probeBeyondOwnViewer, of)};`,
  `- the probe, against the same app page without it: ${diff(m.probe, of)};`,
  `- livedrill's own viewer measuring itself, against the same page with its measurement off: ${diff(m.ownViewer, of)};`,
  `- an app page as livedrill opens it, against livedrill's own viewer page: ${diff(m.appPageAgainstOwnViewerPage, of)}${end}`,
];
const r = verdict.renderer;
writeFileSync(
  join(opts.out, 'probe-cost.md'),
  [
    "# What the probe costs an app viewer page, against livedrill's own viewer page",
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, kernel ${machine.kernel}, ${machine.date.slice(0, 10)}; the fixture app (test/fixtures/app); both broadcasts livedrill's stamped source, 640x480, 30 fps, 500 kbps; CPU read over ${HOLD_S} s once the pages played (after ${SETTLE_S} s). Shares are of livedrill's own viewer page.`,
    '',
    `## Side by side: renderer CPU per page, ${opts.rounds} round(s)`,
    '',
    'One page of each variant at once in one viewer Chromium, each in a browser context (a renderer process) of its own; every page showed 25 fps or more. The mean over the rounds, every round in brackets:',
    '',
    ...table(side, SIDES),
    '',
    `Round by round (mean, range; livedrill's own viewer page: ${f(ownPage)} cores):`,
    '',
    ...measured(r, ownPage, ';'),
    `- timing every rendered frame with requestVideoFrameCallback (the method's floor, for the probe and livedrill's own viewer alike): ${diff(r.frameCallbackFloor, ownPage)}; the probe beyond that floor: ${diff(r.probeBeyondFloor, ownPage)};`,
    `- the stamp reader on an app page: ${diff(r.stampReader, ownPage)}; on livedrill's own viewer page: ${diff(r.ownStampReader, ownPage)}.`,
    '',
    `## Whole viewer browsers side by side: every process of each, ${PAGES} pages each, ${opts.repeat} launch(es)`,
    '',
    `${WHOLE.length} viewer Chromiums at once, each with ${PAGES} pages of one variant; a browser's cores over the hold per page:`,
    '',
    ...table(whole, WHOLE),
    '',
    `Launch by launch (livedrill's own viewer page: ${f(ownWhole)} cores):`,
    '',
    ...measured(verdict.wholeBrowser, ownWhole, '.'),
    '',
  ].join('\n'),
);
console.log(JSON.stringify(verdict));
