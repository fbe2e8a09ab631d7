import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { TypedEmitter } from '../../server/common/TypedEmitter.js';

/** One reading of how loaded the machine and the harness were. */
export interface SelfSample {
  t: number;
  /** Share of all cores busy, 0..1. */
  machineBusy: number;
  /** Cores used by each watched group since the previous sample. */
  cores: Record<string, number>;
  /** Resident memory of each watched group, bytes. */
  rssBytes: Record<string, number>;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
}

export type SelfWatchEvents = { sample: [sample: SelfSample] };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

/**
 * The harness watching itself: if it saturates the machine, freezes it
 * measures may be its own doing, and the run is flagged unreliable.
 * Groups are process trees (the harness, each browser, the SFU workers)
 * read from /proc.
 */
export class SelfWatch {
  readonly observer = new TypedEmitter<SelfWatchEvents>();
  readonly samples: SelfSample[] = [];
  readonly #groups = new Map<string, { roots: () => number[]; tree: boolean }>();
  readonly #lastTicks = new Map<string, number>();
  readonly #lag: IntervalHistogram;
  #lastMachine = readMachineTicks();
  #lastT = Date.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 1000) {
    this.#lag = monitorEventLoopDelay({ resolution: 10 });
  }

  /** Watches the pids `roots()` returns at each sample, with their descendants when `tree`. */
  watch(group: string, roots: () => number[], tree = true): void {
    this.#groups.set(group, { roots, tree });
  }

  start(): void {
    this.#lag.enable();
    this.#timer = setInterval(() => this.#sample(), this.intervalMs);
  }

  #sample(): void {
    const t = Date.now();
    const seconds = (t - this.#lastT) / 1000;
    this.#lastT = t;
    const machine = readMachineTicks();
    const total = machine.total - this.#lastMachine.total;
    const idle = machine.idle - this.#lastMachine.idle;
    this.#lastMachine = machine;
    const table = readProcessTable();
    const cores: Record<string, number> = {};
    const rssBytes: Record<string, number> = {};
    for (const [group, { roots, tree }] of this.#groups) {
      const pids = tree ? treePids(roots(), table) : roots().filter((pid) => table.has(pid));
      rssBytes[group] = pids.reduce((sum, pid) => sum + (table.get(pid)?.rssPages ?? 0), 0) * PAGE_BYTES;
      const ticks = pids.reduce((sum, pid) => sum + (table.get(pid)?.ticks ?? 0), 0);
      const last = this.#lastTicks.get(group) ?? ticks;
      this.#lastTicks.set(group, ticks);
      cores[group] = Math.max(0, ticks - last) / TICKS_PER_SECOND / seconds;
    }
    const sample: SelfSample = {
      t,
      machineBusy: total > 0 ? 1 - idle / total : 0,
      cores,
      rssBytes,
      eventLoopLagP99Ms: this.#lag.percentile(99) / 1e6,
      eventLoopLagMaxMs: this.#lag.max / 1e6,
    };
    this.#lag.reset();
    this.samples.push(sample);
    this.observer.emit('sample', sample);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#lag.disable();
  }
}

export interface Reliability {
  reliable: boolean;
  reasons: string[];
  machineBusyP50: number;
  machineBusyMax: number;
  eventLoopLagMaxMs: number;
  /** Saturated seconds in the steady part of the run, out of `steadySamples`. */
  saturatedSamples: number;
  steadySamples: number;
  /** Freezes that began in a saturated second, at any time in the run. */
  suspectFreezes: number;
  coresP50: Record<string, number>;
}

/** A second is saturated when the cores are all but full or the harness' event loop stalled. */
export const SATURATION = { machineBusy: 0.95, eventLoopLagMs: 250, allowedShare: 0.1 };

const isSaturated = (s: SelfSample): boolean =>
  s.machineBusy >= SATURATION.machineBusy || s.eventLoopLagMaxMs >= SATURATION.eventLoopLagMs;

/** A span (epoch ms) in which the harness flagged itself: effects that begin in it are suspect. */
export interface NoiseSpan {
  from: number;
  to: number;
}

/** The seconds the harness flagged itself in (a sample at t covers the second before it). */
export function noiseSpans(samples: readonly SelfSample[]): NoiseSpan[] {
  return samples.filter(isSaturated).map((s) => ({ from: s.t - 1000, to: s.t }));
}

/**
 * A run is unreliable when the machine was saturated for more than a small
 * share of its steady part (after start-up, when browsers launch), or when a
 * freeze began in a saturated second: that freeze may be our own.
 */
export function judgeReliability(
  samples: SelfSample[],
  steadyFrom: number,
  freezes: ReadonlyArray<{ start: number; end: number }>,
): Reliability {
  const spans = noiseSpans(samples);
  const steady = samples.filter((s) => s.t > steadyFrom);
  const steadySaturated = steady.filter(isSaturated);
  const suspect = freezes.filter((f) => spans.some((n) => n.from <= f.start && f.start < n.to));
  const reasons: string[] = [];
  if (steady.length > 0 && steadySaturated.length / steady.length > SATURATION.allowedShare) {
    reasons.push(
      `the machine was saturated in ${steadySaturated.length} of ${steady.length} seconds of steady broadcast (all cores >= ${SATURATION.machineBusy * 100}% busy or the harness event loop stalled >= ${SATURATION.eventLoopLagMs} ms)`,
    );
  }
  if (suspect.length > 0) {
    reasons.push(`${suspect.length} freeze(s) began in a saturated second and may be the harness's own`);
  }
  const groups = new Set(samples.flatMap((s) => Object.keys(s.cores)));
  const coresP50: Record<string, number> = {};
  for (const g of groups) coresP50[g] = median(samples.map((s) => s.cores[g] ?? 0));
  return {
    reliable: reasons.length === 0,
    reasons,
    machineBusyP50: median(samples.map((s) => s.machineBusy)),
    machineBusyMax: samples.reduce((a, s) => Math.max(a, s.machineBusy), 0),
    eventLoopLagMaxMs: samples.reduce((a, s) => Math.max(a, s.eventLoopLagMaxMs), 0),
    saturatedSamples: steadySaturated.length,
    steadySamples: steady.length,
    suspectFreezes: suspect.length,
    coresP50,
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function readMachineTicks(): { total: number; idle: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // idle + iowait count as idle.
  return { total: cpu.reduce((a, b) => a + b, 0), idle: cpu[3] + (cpu[4] ?? 0) };
}

interface ProcessInfo {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  rssPages: number;
  children: number[];
}

function readProcessTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(pid, { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]), children: [] });
    } catch {
      // exited between listing and reading
    }
  }
  for (const [pid, info] of table) table.get(info.ppid)?.children.push(pid);
  return table;
}

/** The live processes in the trees rooted at `roots` (a process that exited drops out). */
function treePids(roots: number[], table: Map<number, ProcessInfo>): number[] {
  const pids: number[] = [];
  const stack = [...roots];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const info = table.get(pid);
    if (!info) continue;
    pids.push(pid);
    stack.push(...info.children);
  }
  return pids;
}
