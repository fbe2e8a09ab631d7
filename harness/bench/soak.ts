/**
 * Soak (a script, not a test): a real `livedrill drill` held for a long time
 * while a stream of console clients uses it as people and dashboards would —
 * live feeds that come and go, state reads, notes — then memory and
 * event-loop lag of the drill process over time, from its own journal.
 *
 *   npm run soak -- [--duration 1h] [--feeds 20] [--out DIR]
 *
 * Everything runs on loopback; every loop ends when the drill does.
 * Writes DIR/soak.json and DIR/soak.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { readJournal } from '../journal/Journal.js';
import { readDrillRun } from '../drill/runFiles.js';
import type { SelfSample } from '../probes/SelfWatch.js';
import { maxOf } from '../../common/stats.js';
import { percentile } from '../../common/stats.js';

const opts = new Command()
  .option('--duration <duration>', 'how long the drill runs', '1h')
  .option('--feeds <n>', 'live console feeds kept open (each reconnects every 30 s)', '20')
  .option('--out <dir>', 'where results go', 'runs/soak')
  .parse()
  .opts<{ duration: string; feeds: string; out: string }>();

const out = resolve(opts.out);
mkdirSync(out, { recursive: true });
const scenario = join(out, 'soak-drill.yaml');
writeFileSync(
  scenario,
  `name: soak
duration: ${opts.duration}
viewers: { browser: 2, synthetic: 20 }
drill:
  timeLimit: ${opts.duration}
  slaProfile: ${resolve('scenarios/sla/twilio-base.yaml')}
  faults:
    - { kind: video-freeze, window: [30s, 60s], duration: 10s, viewers: 50% }
    - { kind: audio-drop, window: [90s, 120s], duration: 5s, viewers: 1 }
`,
);
const runDir = join(out, 'run');
const drill = spawn(process.execPath, ['harness/cli/livedrill.js', 'drill', scenario, '--out', runDir], { stdio: ['ignore', 'inherit', 'inherit'] });
const ended = new Promise<void>((r) => drill.once('exit', () => r()));
let over = false;
void ended.then(() => (over = true));

for (let i = 0; i < 120 && !existsSync(join(runDir, 'drill.json')); i++) await sleep(500);
const { drill: files, token } = readDrillRun(runDir);
const auth = { authorization: `Bearer ${token}` };
const counts = { feeds: 0, stateReads: 0, notes: 0, refused: 0 };

/** One console: a live feed held 30 s, then dropped and opened again, until the drill ends. */
async function feed(): Promise<void> {
  while (!over) {
    const abort = new AbortController();
    const res = await fetch(`${files.apiUrl}/events?token=${token}`, { signal: abort.signal }).catch(() => null);
    if (res?.ok) {
      counts.feeds++;
      const reader = res.body!.getReader();
      const drain = (async () => {
        while (!(await reader.read().catch(() => ({ done: true }))).done);
      })();
      await Promise.race([sleep(30_000), ended]);
      abort.abort();
      await drain;
    } else {
      counts.refused++;
      await Promise.race([sleep(5000), ended]);
    }
  }
}

/** A dashboard reading the state twice a second, and someone writing a note every 10 s. */
async function readerAndNotes(): Promise<void> {
  for (let i = 0; !over; i++) {
    const res = await fetch(`${files.apiUrl}/state`, { headers: auth }).catch(() => null);
    if (res?.ok) {
      await res.arrayBuffer();
      counts.stateReads++;
    }
    if (i % 20 === 0) {
      const posted = await fetch(`${files.apiUrl}/actions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'note', who: 'soak', text: `note ${counts.notes + 1}` }),
      }).catch(() => null);
      if (posted?.status === 201) counts.notes++;
    }
    await Promise.race([sleep(500), ended]);
  }
}

await Promise.all([...Array.from({ length: Number(opts.feeds) }, feed), readerAndNotes(), ended]);

// The drill's own self-watch, per minute: harness memory and event-loop lag.
const samples = readJournal(join(runDir, 'journal.jsonl'))
  .filter((e) => e.type === 'self.sample')
  .map((e) => e as unknown as SelfSample);
const t0 = samples[0]?.t ?? 0;
const minutes = new Map<number, SelfSample[]>();
for (const s of samples) {
  const m = Math.floor((s.t - t0) / 60_000);
  minutes.set(m, [...(minutes.get(m) ?? []), s]);
}
const rows = [...minutes].map(([minute, list]) => ({
  minute,
  harnessRssMB: maxOf(list.map((s) => (s.rssBytes.harness ?? 0) / 1e6), 0),
  lagP99Ms: percentile(list.map((s) => s.eventLoopLagP99Ms), 99),
  lagMaxMs: maxOf(list.map((s) => s.eventLoopLagMaxMs), 0),
}));
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, kernel: release(), date: new Date().toISOString() };
writeFileSync(join(out, 'soak.json'), `${JSON.stringify({ machine, duration: opts.duration, feeds: Number(opts.feeds), counts, rows }, null, 2)}\n`);
const first = rows[0];
const last = rows.at(-1);
const md = [
  '# livedrill soak: a drill under a stream of console clients',
  '',
  `${machine.cores} cores (${machine.cpu}), kernel ${machine.kernel}, ${machine.date.slice(0, 10)}; drill of ${opts.duration}, ${opts.feeds} live feeds reconnecting every 30 s, state read twice a second, a note every 10 s.`,
  `Feeds opened ${counts.feeds}, refused ${counts.refused}; state reads ${counts.stateReads}; notes ${counts.notes}.`,
  first && last ? `Harness memory ${first.harnessRssMB.toFixed(0)} MB in the first minute, ${last.harnessRssMB.toFixed(0)} MB in the last; event-loop lag max ${maxOf(rows.map((r) => r.lagMaxMs), 0).toFixed(0)} ms.` : 'No self-watch samples.',
  '',
  '| minute | harness RSS MB | event-loop lag p99 ms | max ms |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.minute} | ${r.harnessRssMB.toFixed(0)} | ${r.lagP99Ms.toFixed(1)} | ${r.lagMaxMs.toFixed(1)} |`),
  '',
];
writeFileSync(join(out, 'soak.md'), `${md.join('\n')}\n`);
console.log(md.join('\n'));
