/**
 * What livedrill's probe costs an app's viewer page (a script, not a test):
 * the viewer browser's CPU per page with N pages of the fixture app
 * (test/fixtures/app), opened as a user would (no probe) and by livedrill
 * (the probe injected), set against livedrill's own viewer pages, the
 * reference the probe must stay within 10 % of. With and without reading the
 * stamped source (its cost is the stamp reader's, the same code in both).
 *
 *   npm run probe-cost -- [--pages 4] [--hold 40s] [--repeat 2] [--out DIR]
 *
 * Each variant is a fresh viewer Chromium; CPU is the median over the hold of
 * the per-second readings of its process tree (/proc), divided by the pages.
 * Writes DIR/probe-cost.json and DIR/probe-cost.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { launchChromium } from '../browser/chromium.js';
import { parseScenario } from '../scenario/load.js';
import { Run } from '../run/Run.js';
import { AppServer } from '../run/AppServer.js';
import { SelfWatch } from '../probes/SelfWatch.js';
import { mean, median } from '../../common/stats.js';

const opts = new Command()
  .option('--pages <n>', 'viewer pages per variant', '4')
  .option('--hold <duration>', 'how long CPU is read, once the pages play', '40s')
  .option('--repeat <n>', 'times each variant runs', '2')
  .option('--out <dir>', 'where results go', 'runs/probe-cost')
  .parse()
  .opts<{ pages: string; hold: string; repeat: string; out: string }>();

const PAGES = Number(opts.pages);
const HOLD_S = parseInt(opts.hold, 10);
const SETTLE_S = 10;
const FIXTURE = resolve('test/fixtures/app/server.mjs');
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

/** The fixture app opened as a user would: plain pages, no probe, no TURN, no proxy; `script` runs in each viewer page first. */
async function withoutProbe(script?: string): Promise<number> {
  const server = await AppServer.start(`node ${FIXTURE}`, process.cwd());
  const publisher = await launchChromium();
  const viewers = await launchChromium();
  try {
    const url = (path: string) => `http://127.0.0.1:${server.port}/${path}`;
    await (await publisher.newPage({ type: 'window' })).goto(url('publisher.html?room=bench'));
    for (let i = 1; i <= PAGES; i++) {
      const page = await viewers.newPage({ type: 'window', windowBounds: { width: 360, height: 300 } });
      if (script) await page.evaluateOnNewDocument(script);
      await page.goto(url(`viewer.html?room=bench&user=browser-${i}`));
    }
    return await viewerCores(viewers.process()!.pid!);
  } finally {
    await viewers.close();
    await publisher.close();
    await server.close();
  }
}

async function viewerCores(pid: number): Promise<number> {
  await sleep(SETTLE_S * 1000);
  const watch = new SelfWatch();
  watch.watch('viewer-browser', () => [pid]);
  watch.start();
  await sleep(HOLD_S * 1000);
  watch.stop();
  return median(watch.samples.slice(1).map((s) => s.cores['viewer-browser'] ?? 0)) / PAGES;
}

/** A livedrill run (the app's pages with the probe, or livedrill's own): the viewer browser's median over the steady broadcast. */
async function run(name: string, app: boolean, stamps: boolean): Promise<number> {
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

const VARIANTS: Array<[string, () => Promise<number>]> = [
  ['app page, no probe (fake camera)', () => withoutProbe()],
  ['app page + a bare frame-callback loop, no probe (fake camera)', () => withoutProbe(FRAME_CALLBACK_ONLY)],
  ['app page + probe, stamps off (fake camera)', () => run('app', true, false)],
  ["livedrill's own viewer, stamps off (fake camera)", () => run('own', false, false)],
  ['app page + probe + stamp reader (stamped source)', () => run('app-stamps', true, true)],
  ["livedrill's own viewer + stamp reader (stamped source)", () => run('own-stamps', false, true)],
];

const results: Record<string, number[]> = {};
for (let r = 0; r < Number(opts.repeat); r++) {
  for (const [name, measure] of VARIANTS) {
    const cores = await measure();
    (results[name] ??= []).push(cores);
    console.log(`${name}: ${cores.toFixed(3)} cores/page`);
  }
}

const per = (name: string): number => mean(results[name]);
const [plain, frameCallback, probed, own, probedStamps, ownStamps] = VARIANTS.map(([name]) => per(name));
const probeCost = probed - plain;
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 1e9), kernel: release(), date: new Date().toISOString() };
const verdict = {
  probeCoresPerPage: probeCost,
  probeShareOfOwnViewer: probeCost / own,
  probeShareOfAppPage: probeCost / plain,
  frameCallbackCoresPerPage: frameCallback - plain,
  probeBeyondFrameCallbackShareOfOwnViewer: (probed - frameCallback) / own,
  stampReaderCoresPerPage: probedStamps - probed,
  ownStampReaderCoresPerPage: ownStamps - own,
};
writeFileSync(join(opts.out, 'probe-cost.json'), JSON.stringify({ machine, pages: PAGES, holdSeconds: HOLD_S, results, verdict }, null, 2));
const f = (n: number) => n.toFixed(3);
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
writeFileSync(
  join(opts.out, 'probe-cost.md'),
  [
    '# What the probe costs an app viewer page',
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, kernel ${machine.kernel}, ${machine.date.slice(0, 10)}; ${PAGES} viewer pages in one headless Chromium, CPU read each second for ${HOLD_S} s once they played (the median of those readings); each variant ${opts.repeat} times, in turn (mean shown, every run in brackets).`,
    '',
    '| variant | viewer-browser cores per page (runs) |',
    '|---|---|',
    ...VARIANTS.map(([name]) => `| ${name} | ${f(per(name))} (${results[name].map(f).join(', ')}) |`),
    '',
    `The probe itself (app page + probe − app page, stamps off): ${f(probeCost)} cores per page, ${pct(verdict.probeShareOfOwnViewer)} of a livedrill viewer page's CPU and ${pct(verdict.probeShareOfAppPage)} of the app page's own. ` +
      `The app pages with the probe receive through TURN (forced relay); without it, directly. ` +
      `A bare requestVideoFrameCallback loop, the floor of timing every rendered frame (livedrill's own viewer does it too), costs ${f(verdict.frameCallbackCoresPerPage)} cores per page; ` +
      `beyond it the probe adds ${f(probed - frameCallback)}, ${pct(verdict.probeBeyondFrameCallbackShareOfOwnViewer)} of a livedrill viewer page.`,
    `Reading the stamped source: ${f(verdict.stampReaderCoresPerPage)} cores per page on app pages, ${f(verdict.ownStampReaderCoresPerPage)} on livedrill's own.`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(verdict));
