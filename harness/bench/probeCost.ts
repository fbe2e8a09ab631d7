/**
 * What livedrill's probe costs an app's viewer page (a script, not a test),
 * on the fixture app (test/fixtures/app). Writes DIR/probe-cost.json and
 * DIR/probe-cost.md.
 *
 *   npm run probe-cost -- [--rounds 4] [--hold 40s] [--pages 4] [--repeat 2] [--out DIR]
 *
 * The reference is livedrill's own viewer page: the issue's "at most 10 %
 * CPU per viewer page compared with a built-in viewer". Both broadcasts
 * carry livedrill's stamped source at the same size, rate and bitrate
 * (640x480, 30 fps, 500 kbps: the fixture publisher's senders are capped as
 * a bitrate-collapse fault caps them), so every page decodes the same load.
 *
 * Part 1, side by side: in one viewer Chromium, one page of each variant at
 * once, each in a browser context (and so a renderer process) of its own;
 * the CPU each page's renderer used over the hold (/proc) is that page's.
 * Every variant sees the same machine at the same time, so the differences
 * are the variants' (a launch of its own per variant differs by more than
 * the probe costs). Rounds rotate the pages' order. The renderer is where a
 * page's scripts, its WebRTC stack and its decoding run.
 *
 * Part 2, whole browsers side by side: two viewer Chromiums at once, one
 * with `--pages` of livedrill's own viewer pages, one with as many app pages
 * as livedrill opens them, both reading the stamped source; each browser's
 * CPU (every process of it) per page, `--repeat` launches.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../browser/chromium.js';
import { Registry } from 'prom-client';
import { appPage, livedrillPage, type MeasuredPage } from '../browser/MeasuredPage.js';
import { PageServer } from '../browser/PageServer.js';
import type { PageConfig } from '../page/reports.js';
import { SfuServer } from '../../server/http/SfuServer.js';
import { AppServer } from '../run/AppServer.js';
import { TurnServer } from '../network/TurnServer.js';
import { SignalingProxy } from '../network/SignalingProxy.js';
import { processCpuSeconds, SelfWatch } from '../probes/SelfWatch.js';
import { mean, median } from '../../common/stats.js';

const opts = new Command()
  .option('--rounds <n>', 'part 1: rounds of the side-by-side pages', '4')
  .option('--hold <duration>', 'how long CPU is read, once the pages play', '40s')
  .option('--pages <n>', 'part 2: viewer pages per browser', '4')
  .option('--repeat <n>', 'part 2: times each variant runs', '2')
  .option('--out <dir>', 'where results go', 'runs/probe-cost')
  .parse()
  .opts<{ rounds: string; hold: string; pages: string; repeat: string; out: string }>();

const HOLD_S = parseInt(opts.hold, 10);
const SETTLE_S = 20;
const PAGES = Number(opts.pages);
const FIXTURE = resolve('test/fixtures/app/server.mjs');
const SAMPLE_MS = 500;
/** The stamped source at the size and rate a run's publisher uses by default. */
const STAMPED = { video: { width: 640, height: 480, fps: 30 }, audio: true };
/** A run's default publisher bitrate (scenario `publisher.video.maxBitrate`). */
const MAX_BITRATE = 500_000;
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
 * Another way to time frames, which livedrill does not use yet: every frame
 * the remote track delivers, read in a worker (MediaStreamTrackProcessor),
 * nothing on the page's main thread.
 */
const TRACK_READER_ONLY = `document.addEventListener('DOMContentLoaded', function watch() {
  const video = document.querySelector('video');
  const track = video && video.srcObject && video.srcObject.getVideoTracks()[0];
  if (!track) return setTimeout(watch, 200);
  const worker = new Worker(URL.createObjectURL(new Blob([
    'onmessage = async (e) => { const reader = e.data.getReader(); const times = []; ' +
    'for (;;) { const { value, done } = await reader.read(); if (done) break; times.push(performance.now()); value.close(); if (times.length > 1000) times.length = 0; } };',
  ], { type: 'text/javascript' })));
  const readable = new MediaStreamTrackProcessor({ track }).readable;
  worker.postMessage(readable, [readable]);
});`;

/** A broadcast's room: the fixture app's reached directly or behind TURN, or livedrill's own. */
type Broadcast = 'direct' | 'turn' | 'own';

interface Side {
  name: string;
  /** Opens the page in a context of its own; returns it once it is joining. */
  open(browser: Browser, room: (broadcast: Broadcast) => string, index: number): Promise<{ page: Page; close(): Promise<void> }>;
}

/** A plain page of the app in a context of its own, `script` run first in it. */
const plainSide = (name: string, script?: string): Side => ({
  name,
  async open(browser, room, index) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    if (script) await page.evaluateOnNewDocument(script);
    await page.goto(viewerUrl(room('direct'), index), { waitUntil: 'load' });
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

/** livedrill's own viewer page as a run opens it (MeasuredPage.livedrillPage); the renderer check below holds it to a process of its own. */
const ownSide = (name: string, readStamps: boolean): Side => ({
  name,
  async open(browser, room, index) {
    const measured = await livedrillPage(fixture.pages, { ...ownSession(room('own')), role: 'viewer', peerId: peerId(index), readStamps })(browser, () => {});
    await measured.join();
    const page = (await browser.pages()).find((p) => decodeURIComponent(p.url()).includes(`"peerId":"${peerId(index)}"`))!;
    return { page, close: () => measured.close() };
  },
});

const SIDES: Side[] = [
  ownSide("livedrill's own viewer page", false),
  ownSide("livedrill's own viewer page + stamp reader", true),
  plainSide('app page, no probe'),
  plainSide("app page + a bare frame-callback loop (the method's floor)", FRAME_CALLBACK_ONLY),
  plainSide('app page + frames read in a worker (MediaStreamTrackProcessor; not used)', TRACK_READER_ONLY),
  probedSide('app page as livedrill opens it (probe, TURN relay forced, signaling proxy)', false),
  probedSide('app page as livedrill opens it + stamp reader', true),
];

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
  reconnect: { initialDelayMs: 500, maxDelayMs: 8000, factor: 2, maxAttempts: 10, disconnectGraceMs: 2000 },
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
    await publisher.call('setMaxBitrate', MAX_BITRATE);
  }
  const own = await livedrillPage(fixture.pages, {
    ...ownSession(room('own')),
    role: 'publisher',
    peerId: 'host',
    media: { video: { codec: 'VP8', ...STAMPED.video, maxBitrate: MAX_BITRATE }, audio: true, source: 'stamped' },
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

/** Part 2's two browsers: livedrill's own viewer pages, and app pages as livedrill opens them. */
const WHOLE: Side[] = [SIDES[1], SIDES[6]];

/** One launch pair of part 2: each browser's cores per page (every process of it, the median of 1 s samples over the hold). */
async function wholeBrowsers(round: number): Promise<Record<string, number>> {
  const publishers = await launchChromium();
  const browsers = [await launchChromium(), await launchChromium()];
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
    return Object.fromEntries(WHOLE.map((side) => [side.name, median(samples.map((s) => s.cores[side.name])) / PAGES]));
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

/** A difference between two sides, round by round (the same machine at the same time): mean and range. */
const paired = (of: Record<string, number[]>, a: Side, b: Side): { mean: number; min: number; max: number } => {
  const d = of[a.name].map((x, i) => x - of[b.name][i]);
  return { mean: mean(d), min: Math.min(...d), max: Math.max(...d) };
};
const [own, ownStamps, plain, frameCallback, trackReader, probed, probedStamps] = SIDES;
const ownPage = mean(side[own.name]);
const ownPageStamps = mean(side[ownStamps.name]);
const verdict = {
  ownViewerRendererCores: ownPage,
  appPageAgainstOwnViewer: paired(side, probed, own),
  appPageAgainstOwnViewerWithStamps: paired(side, probedStamps, ownStamps),
  wholeBrowserAgainstOwnViewer: paired(whole, probedStamps, ownStamps),
  probe: paired(side, probed, plain),
  frameCallbackFloor: paired(side, frameCallback, plain),
  probeBeyondFloor: paired(side, probed, frameCallback),
  trackReaderFloor: paired(side, trackReader, plain),
  stampReader: paired(side, probedStamps, probed),
  ownStampReader: paired(side, ownStamps, own),
};
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 1e9), kernel: release(), date: new Date().toISOString() };
writeFileSync(join(opts.out, 'probe-cost.json'), JSON.stringify({ machine, holdSeconds: HOLD_S, rounds: Number(opts.rounds), pages: PAGES, side, whole, verdict }, null, 2));
const f = (n: number): string => n.toFixed(4);
const share = (n: number, of: number): string => `${((n / of) * 100).toFixed(1)} %`;
const diff = (d: { mean: number; min: number; max: number }, of = ownPage): string => `${f(d.mean)} cores (${f(d.min)} to ${f(d.max)}), ${share(d.mean, of)}`;
const ownWhole = mean(whole[ownStamps.name]);
writeFileSync(
  join(opts.out, 'probe-cost.md'),
  [
    '# What the probe costs an app viewer page, against livedrill\'s own viewer page',
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, kernel ${machine.kernel}, ${machine.date.slice(0, 10)}; the fixture app (test/fixtures/app); both broadcasts livedrill's stamped source, 640x480, 30 fps, 500 kbps; CPU read over ${HOLD_S} s once the pages played (after ${SETTLE_S} s).`,
    '',
    `## Side by side (renderer CPU per page, ${opts.rounds} round(s))`,
    '',
    'One page of each variant at once in one viewer Chromium, each in a browser context (a renderer process) of its own; every page showed 25 fps or more. The mean over the rounds, every round in brackets:',
    '',
    '| variant | renderer cores per page |',
    '|---|---|',
    ...SIDES.map((s) => `| ${s.name} | ${f(mean(side[s.name]))} (${side[s.name].map(f).join(', ')}) |`),
    '',
    `Differences, round by round (mean, range), as a share of livedrill's own viewer page (${f(ownPage)}; with the stamp reader, ${f(ownPageStamps)}):`,
    '',
    `- **an app page as livedrill opens it, against livedrill's own viewer page**: ${diff(verdict.appPageAgainstOwnViewer)}; both reading the stamped source: ${diff(verdict.appPageAgainstOwnViewerWithStamps, ownPageStamps)};`,
    `- the probe, against the same app page without it: ${diff(verdict.probe)}; of which timing every rendered frame with requestVideoFrameCallback (the method's floor, which livedrill's own viewer pays too): ${diff(verdict.frameCallbackFloor)}; beyond that floor: ${diff(verdict.probeBeyondFloor)};`,
    `- the stamp reader on an app page: ${diff(verdict.stampReader)}; on livedrill's own viewer page: ${diff(verdict.ownStampReader)};`,
    `- reading every delivered frame in a worker instead of timing rendered frames (MediaStreamTrackProcessor, not used): ${diff(verdict.trackReaderFloor)}.`,
    '',
    `## Whole viewer browsers side by side (every process), ${PAGES} pages each, ${opts.repeat} launch pair(s)`,
    '',
    '| browser | cores per page (launch pairs) |',
    '|---|---|',
    ...WHOLE.map((s) => `| ${s.name} | ${mean(whole[s.name]).toFixed(4)} (${whole[s.name].map(f).join(', ')}) |`),
    '',
    `App pages against livedrill's own, pair by pair: ${diff(verdict.wholeBrowserAgainstOwnViewer, ownWhole)} of livedrill's own (${f(ownWhole)} cores per page).`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(verdict));
