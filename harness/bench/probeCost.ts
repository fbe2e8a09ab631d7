/**
 * What livedrill's probe costs an app's viewer page (a script, not a test),
 * on the fixture app (test/fixtures/app). Writes DIR/probe-cost.json and
 * DIR/probe-cost.md.
 *
 *   npm run probe-cost -- [--rounds 4] [--hold 40s] [--pages 4] [--repeat 2] [--out DIR]
 *
 * Part 1, the probe side by side: in one viewer Chromium, one page of each
 * variant at once, each in a browser context (and so a renderer process) of
 * its own; the CPU each page's renderer used over the hold (/proc) is that
 * page's. Every variant sees the same machine at the same time, so the
 * differences are the variants' (a launch of its own per variant differs by
 * more than the probe costs). The publisher sends livedrill's stamped source,
 * so one side can read it (the stamp reader) and every side decodes the same
 * picture. Rounds rotate the pages' order. The renderer is
 * where a page's scripts, its WebRTC stack and its decoding run; what the
 * browser's other processes do for a page is not in this part.
 *
 * Part 2, whole browsers: the viewer browser's CPU per page (every process)
 * with `--pages` pages of one kind, a launch each, `--repeat` times:
 * livedrill's own viewer page (the reference the probe is set against), the
 * fixture app as livedrill runs it, each with and without reading the
 * stamped source.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../browser/chromium.js';
import { appPage, type MeasuredPage } from '../browser/MeasuredPage.js';
import { parseScenario } from '../scenario/load.js';
import { Run } from '../run/Run.js';
import { AppServer } from '../run/AppServer.js';
import { TurnServer } from '../network/TurnServer.js';
import { SignalingProxy } from '../network/SignalingProxy.js';
import { processCpuSeconds } from '../probes/SelfWatch.js';
import { mean } from '../../common/stats.js';

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

interface Side {
  name: string;
  /** Opens the page in a context of its own, as a user would or with livedrill's probe; returns it once loaded. */
  open(browser: Browser, room: (turn: boolean) => string, index: number): Promise<{ page: Page; close(): Promise<void> }>;
}

/** A plain page of the app in a context of its own, `script` run first in it. */
const plainSide = (name: string, script?: string): Side => ({
  name,
  async open(browser, room, index) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    if (script) await page.evaluateOnNewDocument(script);
    await page.goto(viewerUrl(room(false), index), { waitUntil: 'load' });
    return { page, close: () => context.close() };
  },
});

/** The app's page opened by livedrill's own opener (MeasuredPage.appPage), with or without its fault paths and the stamp reader. */
const probedSide = (name: string, paths: boolean, readStamps = false): Side => ({
  name,
  async open(browser, room, index) {
    const proxy = paths ? await SignalingProxy.start() : undefined;
    const opener = appPage({
      url: viewerUrl(room(paths), index),
      probe: { role: 'viewer', peerId: `browser-${index}`, sampleIntervalMs: SAMPLE_MS, readStamps, ...(paths ? { turn: fixture.turn.iceServer() } : {}) },
      proxyServer: proxy?.url,
      loadTimeoutMs: 30_000,
    });
    const measured: MeasuredPage = await opener(browser, () => {});
    await measured.join();
    const page = (await browser.pages()).find((p) => p.url().endsWith(`user=browser-${index}`))!;
    return {
      page,
      async close() {
        await measured.close();
        await proxy?.close();
      },
    };
  },
});

const SIDES: Side[] = [
  plainSide('app page, no probe'),
  plainSide('app page + a bare frame-callback loop (the method\'s floor)', FRAME_CALLBACK_ONLY),
  plainSide('app page + frames read in a worker (MediaStreamTrackProcessor; not used yet)', TRACK_READER_ONLY),
  probedSide('app page + probe', false),
  probedSide('app page + probe + stamp reader', false, true),
  probedSide('app page as livedrill opens it: probe, TURN relay forced, signaling proxy', true),
];

const fixture = { server: undefined as unknown as AppServer, turn: undefined as unknown as TurnServer };
const viewerUrl = (room: string, index: number): string => `http://127.0.0.1:${fixture.server.port}/viewer.html?room=${room}&user=browser-${index}`;

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

/** One round of part 1: every side's page at once; CPU cores of each page's renderer over the hold. */
async function sideBySide(round: number): Promise<Record<string, number>> {
  const publishers = await launchChromium();
  const viewers = await launchChromium();
  const opened: Array<{ side: Side; pid: number; page: Page; close(): Promise<void> }> = [];
  try {
    // Two broadcasts of the fixture app's publisher page on livedrill's stamped source (so one
    // side can read it; every side decodes the same picture): to pages reached directly, and to
    // pages behind TURN, as in a run.
    const room = (turn: boolean): string => `bench-${round}-${turn ? 'turn' : 'direct'}`;
    for (const turn of [false, true]) {
      const publisher = appPage({
        url: `http://127.0.0.1:${fixture.server.port}/publisher.html?room=${room(turn)}`,
        probe: { role: 'publisher', peerId: 'host', sampleIntervalMs: SAMPLE_MS, readStamps: false, stampedSource: STAMPED, ...(turn ? { turn: fixture.turn.iceServer() } : {}) },
        loadTimeoutMs: 30_000,
      });
      await (await publisher(publishers, () => {})).join();
    }
    const order = [...SIDES.slice(round % SIDES.length), ...SIDES.slice(0, round % SIDES.length)];
    for (const [i, side] of order.entries()) {
      const before = renderers();
      const page = await side.open(viewers, room, i + 1);
      const fresh = [...renderers()].filter((pid) => !before.has(pid));
      if (fresh.length !== 1) throw new Error(`${side.name}: ${fresh.length} new renderer processes, not one`);
      opened.push({ side, pid: fresh[0], ...page });
    }
    await sleep(SETTLE_S * 1000);
    const framesShown = () => Promise.all(opened.map(({ page }) => page.evaluate(() => document.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0)));
    const cpuBefore = opened.map(({ pid }) => processCpuSeconds(pid));
    const framesBefore = await framesShown();
    await sleep(HOLD_S * 1000);
    const cpuAfter = opened.map(({ pid }) => processCpuSeconds(pid));
    const framesAfter = await framesShown();
    const cores: Record<string, number> = {};
    opened.forEach(({ side }, k) => {
      const fps = (framesAfter[k] - framesBefore[k]) / HOLD_S;
      // A page that does not play costs less for no good reason: the round is void.
      if (fps < 25) throw new Error(`${side.name}: ${fps.toFixed(1)} fps shown, the page did not play`);
      cores[side.name] = (cpuAfter[k] - cpuBefore[k]) / HOLD_S;
    });
    return cores;
  } finally {
    await Promise.allSettled(opened.map((o) => o.close()));
    await viewers.close();
    await publishers.close();
  }
}

/** Part 2: a livedrill run of `PAGES` viewers; the viewer browser's median cores per page over the steady broadcast. */
async function wholeBrowser(name: string, app: boolean, stamps: boolean): Promise<number> {
  const text = `
name: probe-cost-${name}
duration: ${HOLD_S + SETTLE_S}s
viewers: { browser: ${PAGES}, joinSpacing: 200ms }
publisher: { source: ${stamps ? 'stamped' : 'fake'} }
measurement: { stamps: ${stamps} }
${app ? `app: { name: fixture-app, start: node ${FIXTURE}, publisherPage: "http://127.0.0.1:{port}/publisher.html?room={room}", viewerPage: "http://127.0.0.1:{port}/viewer.html?room={room}&user={peerId}" }` : ''}
`;
  const outDir = join(opts.out, `run-${name}-${Date.now()}`);
  const summary = await new Run({ scenario: parseScenario(text, `${name}.yaml`), scenarioFile: `${name}.yaml`, outDir }).execute(new AbortController().signal);
  if (summary.error) throw new Error(`${name}: ${summary.error}`);
  if (summary.viewers.some((v) => v.joinSeconds === null)) throw new Error(`${name}: a viewer did not join`);
  return (summary.reliability.coresP50['viewer-browser'] ?? NaN) / PAGES;
}

const WHOLE: Array<[string, () => Promise<number>]> = [
  ["livedrill's own viewer, stamps off (fake camera)", () => wholeBrowser('own', false, false)],
  ["livedrill's own viewer + stamp reader (stamped source)", () => wholeBrowser('own-stamps', false, true)],
  ['app page + probe, stamps off (fake camera)', () => wholeBrowser('app', true, false)],
  ['app page + probe + stamp reader (stamped source)', () => wholeBrowser('app-stamps', true, true)],
];

const side: Record<string, number[]> = {};
fixture.server = await AppServer.start(`node ${FIXTURE}`, process.cwd());
fixture.turn = await TurnServer.start();
try {
  for (let round = 0; round < Number(opts.rounds); round++) {
    const cores = await sideBySide(round);
    for (const [name, c] of Object.entries(cores)) (side[name] ??= []).push(c);
    console.log(`round ${round + 1}: ${Object.entries(cores).map(([n, c]) => `${n}: ${c.toFixed(4)}`).join('; ')}`);
  }
} finally {
  await fixture.turn.close();
  await fixture.server.close();
}
const whole: Record<string, number[]> = {};
for (let r = 0; r < Number(opts.repeat); r++) {
  for (const [name, measure] of WHOLE) {
    const cores = await measure();
    (whole[name] ??= []).push(cores);
    console.log(`${name}: ${cores.toFixed(3)} cores/page`);
  }
}

/** Part 1's difference between two sides, round by round (the same machine at the same time): mean and range. */
const paired = (a: Side, b: Side): { mean: number; min: number; max: number } => {
  const d = side[a.name].map((x, i) => x - side[b.name][i]);
  return { mean: mean(d), min: Math.min(...d), max: Math.max(...d) };
};
const [plain, frameCallback, trackReader, probed, stampReader, livedrill] = SIDES;
const own = mean(whole[WHOLE[0][0]]);
const verdict = {
  ownViewerCoresPerPage: own,
  frameCallbackFloor: paired(frameCallback, plain),
  trackReaderFloor: paired(trackReader, plain),
  probe: paired(probed, plain),
  probeBeyondFloor: paired(probed, frameCallback),
  asLivedrillOpensIt: paired(livedrill, plain),
  stampReader: paired(stampReader, probed),
  stampedSourceOnAppPages: mean(whole[WHOLE[3][0]]) - mean(whole[WHOLE[2][0]]),
  stampedSourceOnOwnViewer: mean(whole[WHOLE[1][0]]) - own,
};
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 1e9), kernel: release(), date: new Date().toISOString() };
writeFileSync(join(opts.out, 'probe-cost.json'), JSON.stringify({ machine, holdSeconds: HOLD_S, rounds: Number(opts.rounds), pages: PAGES, side, whole, verdict }, null, 2));
const f = (n: number) => n.toFixed(4);
const pct = (n: number) => `${((n / own) * 100).toFixed(1)} %`;
const diff = (d: { mean: number; min: number; max: number }) => `${f(d.mean)} cores (${f(d.min)} to ${f(d.max)}), ${pct(d.mean)}`;
writeFileSync(
  join(opts.out, 'probe-cost.md'),
  [
    '# What the probe costs an app viewer page',
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, kernel ${machine.kernel}, ${machine.date.slice(0, 10)}; the fixture app (test/fixtures/app); CPU read over ${HOLD_S} s once the pages played (after ${SETTLE_S} s).`,
    '',
    `## The probe, side by side (renderer CPU per page, ${opts.rounds} rounds)`,
    '',
    'One page of each variant at once in one viewer Chromium, each in a browser context (a renderer process) of its own; every page showed 25 fps or more. The mean over the rounds, every round in brackets:',
    '',
    '| variant | renderer cores per page |',
    '|---|---|',
    ...SIDES.map((s) => `| ${s.name} | ${f(mean(side[s.name]))} (${side[s.name].map(f).join(', ')}) |`),
    '',
    `Differences, round by round (mean, range), and as a share of a livedrill viewer page (${own.toFixed(3)} cores, part 2):`,
    '',
    `- timing every rendered frame with requestVideoFrameCallback, the floor of the probe's method and of livedrill's own viewer: ${diff(verdict.frameCallbackFloor)};`,
    `- the probe: ${diff(verdict.probe)}; beyond that floor: ${diff(verdict.probeBeyondFloor)};`,
    `- the page as livedrill opens it (probe, TURN relay forced, signaling proxy): ${diff(verdict.asLivedrillOpensIt)};`,
    `- the stamp reader (every rendered frame's stamp read, the audio markers heard; the same StampReader as livedrill's own viewer): ${diff(verdict.stampReader)};`,
    `- reading every delivered frame in a worker instead (MediaStreamTrackProcessor, not used by livedrill yet): ${diff(verdict.trackReaderFloor)}.`,
    '',
    `## Whole viewer browser (every process), ${PAGES} pages a launch, ${opts.repeat} launches each`,
    '',
    '| variant | viewer-browser cores per page (runs) |',
    '|---|---|',
    ...WHOLE.map(([name]) => `| ${name} | ${mean(whole[name]).toFixed(3)} (${whole[name].map((c) => c.toFixed(3)).join(', ')}) |`),
    '',
    `The stamped source read (picture and sound of the stamped source, and the reader) against the fake camera read by no one: ${verdict.stampedSourceOnAppPages.toFixed(3)} cores per page on app pages, ${verdict.stampedSourceOnOwnViewer.toFixed(3)} on livedrill's own (the reader alone is in part 1).`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(verdict));
