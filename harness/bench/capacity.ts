/**
 * Capacity benchmark (a script, not a test): how many viewers of a 500 kbps
 * broadcast this machine holds with no freeze that no fault caused, for
 * synthetic and for browser viewers, and what each viewer costs (CPU and
 * memory, harness and SFU separately), plus the join rate.
 *
 *   npm run bench -- [--hold 60s] [--out DIR] [--synthetic 100,200,...] [--browser 4,8,...] [--workers N]
 *
 * Each step is a real run held for `hold`; steps go up until one fails. A step
 * is clean only if every viewer joined, none froze, no viewer had an audio gap
 * of 200 ms or more, the kernel dropped no packet at the harness's sockets,
 * the slowest viewer kept 90 % of the publisher's frame rate, and the run
 * judged itself reliable. Writes DIR/capacity.json and DIR/capacity.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseScenario } from '../scenario/load.js';
import { Run } from '../run/Run.js';
import { readJournal } from '../journal/Journal.js';
import { JournalReplay } from '../journal/replay.js';
import { AUDIO_GAP_MS } from '../scenario/definitions.js';
import { AUDIO_GAP_SAMPLES } from '../report/audioGaps.js';
import type { RunSummary } from '../run/summary.js';
import type { SelfSample } from '../probes/SelfWatch.js';
import { maxOf, minOf, percentile } from '../../common/stats.js';
import { describeReceivePath, receivePath } from '../synthetic/RtpReceiver.js';

interface Step {
  kind: 'synthetic' | 'browser';
  viewers: number;
  clean: boolean;
  why: string[];
  joined: number;
  freezes: number;
  audioGaps: number;
  kernelUdpDrops: number;
  minFps: number;
  publisherFps: number;
  joinRatePerSecond: number;
  /** Medians over the steady part of the hold. */
  cores: Record<string, number>;
  rssBytes: Record<string, number>;
  machineBusy: number;
  reliable: boolean;
}

const opts = new Command()
  .option('--hold <duration>', 'how long each step is held', '60s')
  .option('--out <dir>', 'where results go', 'runs/bench')
  .option('--synthetic <counts>', 'synthetic viewer steps', '100,300,500,700,900,1100,1300,1500')
  .option('--browser <counts>', 'browser viewer steps', '4,8,12,16,20,24')
  .option('--workers <n>', 'mediasoup workers (default: one per core)', String(cpus().length))
  .parse()
  .opts<{ hold: string; out: string; synthetic: string; browser: string; workers: string }>();

const counts = (list: string): number[] => list.split(',').filter(Boolean).map(Number);
mkdirSync(opts.out, { recursive: true });

async function step(kind: Step['kind'], viewers: number): Promise<Step> {
  const scenario = parseScenario(
    `name: bench-${kind}-${viewers}
duration: ${opts.hold}
sfu: { workers: ${Number(opts.workers)} }
publisher: { video: { codec: VP8, width: 640, height: 480, fps: 30, maxBitrate: 450kbps }, audio: true }
viewers: { ${kind}: ${viewers}, joinSpacing: 150ms, syntheticJoinSpacing: 5ms }
measurement: { syntheticSampleInterval: 2s }
`,
    'bench',
  );
  const outDir = join(opts.out, `${kind}-${viewers}`);
  const run = new Run({ scenario, scenarioFile: 'bench', outDir });
  run.observer.on('phase', (p) => process.stdout.write(`  ${kind} ${viewers}: ${p}\n`));
  const summary = await run.execute(new AbortController().signal);
  return analyse(kind, viewers, summary, outDir);
}

function analyse(kind: Step['kind'], viewers: number, summary: RunSummary, outDir: string): Step {
  const journal = readJournal(join(outDir, 'journal.jsonl'));
  const steadyAt = journal.find((e) => e.type === 'run.steady')?.t ?? 0;
  const steady = journal.filter((e) => e.type === 'self.sample' && e.t > steadyAt + 5000) as unknown as SelfSample[];
  const med = (f: (s: SelfSample) => number): number => (steady.length ? percentile(steady.map(f), 50) : 0);
  const groups = new Set(steady.flatMap((s) => Object.keys(s.cores)));
  const cores = Object.fromEntries([...groups].map((g) => [g, med((s) => s.cores[g] ?? 0)]));
  const rssBytes = Object.fromEntries([...groups].map((g) => [g, med((s) => s.rssBytes?.[g] ?? 0)]));
  const joins = journal.filter((e) => e.type === 'viewer.joinTime').map((e) => e.t);
  const firstJoinRequest = journal.find((e) => e.type === 'viewer.joining')?.t ?? 0;
  const joined = summary.viewers.filter((v) => v.joinSeconds !== null).length;
  const freezes = summary.totals.freezeCount;
  const minFps = minOf(summary.viewers.map((v) => v.fps));
  const publisherFps = summary.publisher?.fps ?? 0;
  const audioGaps = JournalReplay.of(journal, { selfSamples: false })
    .record()
    .viewers.flatMap((v) => v.samples.filter((s) => s.t > steadyAt && s.audioConcealedSamples >= AUDIO_GAP_SAMPLES).map(() => v.id));
  const kernelUdpDrops = summary.reliability.kernelUdpDrops ?? 0;
  const why: string[] = [];
  if (joined < viewers) why.push(`${viewers - joined} viewers never showed a frame`);
  if (freezes > 0) why.push(`${freezes} freezes (no fault was injected)`);
  if (audioGaps.length > 0) why.push(`${audioGaps.length} audio gaps of ${AUDIO_GAP_MS} ms or more on ${new Set(audioGaps).size} viewers`);
  if (kernelUdpDrops > 0) why.push(`the kernel dropped ${kernelUdpDrops} packets at the harness's sockets`);
  if (minFps < publisherFps * 0.9) why.push(`slowest viewer at ${minFps.toFixed(1)} fps, publisher ${publisherFps.toFixed(1)}`);
  if (!summary.reliability.reliable) why.push(`unreliable: ${summary.reliability.reasons.join('; ')}`);
  if (summary.error) why.push(summary.error);
  return {
    kind,
    viewers,
    clean: why.length === 0,
    why,
    joined,
    freezes,
    audioGaps: audioGaps.length,
    kernelUdpDrops,
    minFps,
    publisherFps,
    joinRatePerSecond: joins.length > 1 ? joins.length / ((maxOf(joins) - firstJoinRequest) / 1000) : 0,
    cores,
    rssBytes,
    machineBusy: med((s) => s.machineBusy),
    reliable: summary.reliability.reliable,
  };
}

/** Cost per viewer from the slope between the smallest and the largest clean step. */
function perViewer(steps: Step[], pick: (s: Step) => number): number | null {
  const clean = steps.filter((s) => s.clean);
  if (clean.length < 2) return clean.length === 1 ? pick(clean[0]) / clean[0].viewers : null;
  const [a, b] = [clean[0], clean[clean.length - 1]];
  return (pick(b) - pick(a)) / (b.viewers - a.viewers);
}

const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 1e9), kernel: release(), workers: Number(opts.workers), hold: opts.hold, date: new Date().toISOString(), syntheticReceive: describeReceivePath(receivePath()) };
const results: Record<string, unknown> = { machine };
const md: string[] = [
  `# livedrill capacity on this machine`,
  '',
  `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, kernel ${machine.kernel}, ${machine.date.slice(0, 10)}; ${opts.workers} mediasoup worker(s), each step held ${opts.hold}, 450 kbps VP8 + Opus (~500 kbps).`,
  `Synthetic viewers receive through ${machine.syntheticReceive}.`,
  'A step is clean when every viewer joined, none froze, no audio gap reached 200 ms, the kernel dropped no packet at the harness\'s sockets, the slowest viewer kept 90 % of the publisher\'s frame rate, and the run judged itself reliable.',
  '',
];
console.log(md.join('\n'));

for (const kind of ['synthetic', 'browser'] as const) {
  const steps: Step[] = [];
  for (const n of counts(kind === 'synthetic' ? opts.synthetic : opts.browser)) {
    const s = await step(kind, n);
    steps.push(s);
    console.log(`${kind} ${n}: ${s.clean ? 'clean' : `NOT clean: ${s.why.join('; ')}`}  cores ${JSON.stringify(s.cores)}  kernel drops ${s.kernelUdpDrops}`);
    if (!s.clean) break;
  }
  const viewerGroup = kind === 'synthetic' ? 'harness' : 'viewer-browser';
  const sfuCore = perViewer(steps, (s) => s.cores.sfu ?? 0);
  const harnessCore = perViewer(steps, (s) => s.cores[viewerGroup] ?? 0);
  const ceiling = steps.filter((s) => s.clean).at(-1)?.viewers ?? 0;
  const summary = {
    ceiling,
    firstFailure: steps.find((s) => !s.clean) ?? null,
    perViewer: {
      sfuCores: sfuCore,
      harnessCores: harnessCore,
      harnessToSfuRatio: sfuCore && harnessCore ? harnessCore / sfuCore : null,
      harnessRssBytes: perViewer(steps, (s) => s.rssBytes[viewerGroup] ?? 0),
      sfuRssBytes: perViewer(steps, (s) => s.rssBytes.sfu ?? 0),
    },
    joinRatePerSecond: steps.filter((s) => s.clean).at(-1)?.joinRatePerSecond ?? null,
    steps,
  };
  results[kind] = summary;
  const f = (n: number | null, digits = 4): string => (n === null ? '-' : n.toFixed(digits));
  md.push(`## ${kind} viewers`, '');
  md.push(`- held clean: **${ceiling}**${summary.firstFailure ? ` (failed at ${summary.firstFailure.viewers}: ${summary.firstFailure.why.join('; ')})` : ' (no step failed)'}`);
  md.push(`- per viewer: SFU ${f(sfuCore)} cores, ${kind === 'synthetic' ? 'harness' : 'browser'} ${f(harnessCore)} cores (ratio ${f(summary.perViewer.harnessToSfuRatio, 2)}), memory ${f((summary.perViewer.harnessRssBytes ?? 0) / 1e6, 3)} MB ${kind === 'synthetic' ? 'harness' : 'browser'} + ${f((summary.perViewer.sfuRssBytes ?? 0) / 1e6, 3)} MB SFU`);
  md.push(`- join rate: ${f(summary.joinRatePerSecond, 1)} viewers/s to first frame`, '');
  md.push('| viewers | clean | joined | freezes | audio gaps | kernel drops | min fps | machine busy | SFU cores | viewer-side cores | why not clean |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of steps) {
    md.push(`| ${s.viewers} | ${s.clean ? 'yes' : 'no'} | ${s.joined} | ${s.freezes} | ${s.audioGaps} | ${s.kernelUdpDrops} | ${s.minFps.toFixed(1)} | ${(s.machineBusy * 100).toFixed(0)}% | ${f(s.cores.sfu ?? 0, 2)} | ${f(s.cores[viewerGroup] ?? 0, 2)} | ${s.why.join('; ').replace(/\|/g, '/') || '-'} |`);
  }
  md.push('');
}

writeFileSync(join(opts.out, 'capacity.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(opts.out, 'capacity.md'), `${md.join('\n')}\n`);
console.log(md.join('\n'));
console.log(`\nwritten: ${join(opts.out, 'capacity.json')}, ${join(opts.out, 'capacity.md')}`);
