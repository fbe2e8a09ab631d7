import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { median } from '../../common/stats.js';

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
  /**
   * What the load generator lost by itself since the previous sample: packets
   * the kernel dropped at its UDP sockets (receive buffers full: it did not
   * read fast enough), and frames its browsers dropped (decoded too late to show).
   */
  harnessDrops?: { kernelUdp: number; browserFrames: number };
}

export type SelfWatchEvents = { sample: [sample: SelfSample] };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
/** How often the harness samples itself; each sample covers the interval before it. */
export const SELF_WATCH_INTERVAL_MS = 1000;
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
  readonly #groups = new Map<string, { roots: () => number[]; tree: boolean; udp: boolean }>();
  /** Kernel drop counters of the watched groups' UDP sockets, by socket inode, as last read. */
  #udpDrops = new Map<string, number>();
  #framesDropped: () => number = () => 0;
  #lastFramesDropped = 0;
  readonly #lastTicks = new Map<string, number>();
  readonly #lag: IntervalHistogram;
  #lastMachine = readMachineTicks();
  #lastT = Date.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = SELF_WATCH_INTERVAL_MS) {
    this.#lag = monitorEventLoopDelay({ resolution: 10 });
  }

  /**
   * Watches the pids `roots()` returns at each sample, with their descendants
   * when `tree`. With `udp`, the kernel's receive drops at the group's UDP
   * sockets count as the harness's own losses (the SFU's are the system's).
   */
  watch(group: string, roots: () => number[], tree = true, udp = false): void {
    this.#groups.set(group, { roots, tree, udp });
  }

  /** Cumulative frames the harness's browsers dropped themselves. */
  watchDroppedFrames(read: () => number): void {
    this.#framesDropped = read;
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
    const udpPids: number[] = [];
    for (const [group, { roots, tree, udp }] of this.#groups) {
      const pids = tree ? treePids(roots(), table) : roots().filter((pid) => table.has(pid));
      if (udp) udpPids.push(...pids);
      rssBytes[group] = pids.reduce((sum, pid) => sum + (table.get(pid)?.rssPages ?? 0), 0) * PAGE_BYTES;
      const ticks = pids.reduce((sum, pid) => sum + (table.get(pid)?.ticks ?? 0), 0);
      const last = this.#lastTicks.get(group) ?? ticks;
      this.#lastTicks.set(group, ticks);
      cores[group] = Math.max(0, ticks - last) / TICKS_PER_SECOND / seconds;
    }
    const framesDropped = this.#framesDropped();
    const sample: SelfSample = {
      t,
      machineBusy: total > 0 ? 1 - idle / total : 0,
      cores,
      rssBytes,
      eventLoopLagP99Ms: this.#lag.percentile(99) / 1e6,
      eventLoopLagMaxMs: this.#lag.max / 1e6,
      harnessDrops: { kernelUdp: this.#kernelUdpDrops(udpPids), browserFrames: Math.max(0, framesDropped - this.#lastFramesDropped) },
    };
    this.#lastFramesDropped = framesDropped;
    this.#lag.reset();
    this.samples.push(sample);
    this.observer.emit('sample', sample);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#lag.disable();
  }

  /** Drops at these processes' UDP sockets since the last sample (a socket seen first counts from then). */
  #kernelUdpDrops(pids: number[]): number {
    if (pids.length === 0) return 0;
    const drops = readUdpDrops();
    const now = new Map<string, number>();
    let grown = 0;
    for (const inode of socketInodes(pids)) {
      const d = drops.get(inode);
      if (d === undefined) continue;
      now.set(inode, d);
      grown += Math.max(0, d - (this.#udpDrops.get(inode) ?? d));
    }
    this.#udpDrops = now;
    return grown;
  }
}

/** Kernel receive drops per UDP socket inode (/proc/net/udp and udp6, last column). */
function readUdpDrops(): Map<string, number> {
  const drops = new Map<string, number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 13) drops.set(f[9], Number(f[12]));
    }
  }
  return drops;
}

/** The socket inodes these processes hold open. */
function socketInodes(pids: number[]): string[] {
  const inodes: string[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (link.startsWith('socket:[')) inodes.push(link.slice(8, -1));
      } catch {
        // closed meanwhile
      }
    }
  }
  return inodes;
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
  /** Freezes that began in a flagged second, at any time in the run. */
  suspectFreezes: number;
  /** Packets the kernel dropped at the harness's UDP sockets, and frames its browsers dropped, over the steady broadcast. */
  kernelUdpDrops?: number;
  browserFramesDropped?: number;
  coresP50: Record<string, number>;
}

/** A second is saturated when the cores are all but full or the harness' event loop stalled. */
export const SATURATION = { machineBusy: 0.95, eventLoopLagMs: 250, allowedShare: 0.1 };
/** Frames a browser may drop in a second before the second is the harness's doing (one is deadline noise). */
const BROWSER_FRAMES_DROPPED = 3;

const isSaturated = (s: SelfSample): boolean =>
  s.machineBusy >= SATURATION.machineBusy || s.eventLoopLagMaxMs >= SATURATION.eventLoopLagMs;
/** The harness lost media by itself this second: the kernel dropped packets at its sockets, or its browsers dropped frames. */
const lostMedia = (s: SelfSample): boolean =>
  (s.harnessDrops?.kernelUdp ?? 0) > 0 || (s.harnessDrops?.browserFrames ?? 0) >= BROWSER_FRAMES_DROPPED;
const isFlagged = (s: SelfSample): boolean => isSaturated(s) || lostMedia(s);

/** A span (epoch ms) in which the harness flagged itself: effects that begin in it are suspect. */
export interface NoiseSpan {
  from: number;
  to: number;
}

/** The seconds the harness flagged itself in (a sample at t covers the second before it). */
export function noiseSpans(samples: readonly SelfSample[]): NoiseSpan[] {
  return samples.filter(isFlagged).map((s) => ({ from: s.t - SELF_WATCH_INTERVAL_MS, to: s.t }));
}

/**
 * A run is unreliable when the machine was saturated for more than a small
 * share of its steady part (after start-up, when browsers launch), when the
 * harness lost media by itself during it (kernel drops at its sockets, frames
 * its browsers dropped), or when a freeze began in a flagged second: that
 * freeze may be our own.
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
  const sum = (pick: (s: SelfSample) => number): number => steady.reduce((a, s) => a + pick(s), 0);
  const kernelUdpDrops = sum((s) => s.harnessDrops?.kernelUdp ?? 0);
  const browserFramesDropped = sum((s) => s.harnessDrops?.browserFrames ?? 0);
  const lossSeconds = steady.filter(lostMedia).length;
  if (lossSeconds > 0) {
    reasons.push(
      `the harness lost media by itself in ${lossSeconds} second(s) of steady broadcast: the kernel dropped ${kernelUdpDrops} packet(s) at its UDP sockets (receive buffers full), its browsers dropped ${browserFramesDropped} frame(s)`,
    );
  }
  if (suspect.length > 0) {
    reasons.push(`${suspect.length} freeze(s) began in a second the harness flagged and may be its own`);
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
    kernelUdpDrops,
    browserFramesDropped,
    coresP50,
  };
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

/** One process's /proc stat fields after its command name (which may itself contain spaces); throws once it has exited. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) one process has used so far. */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function readProcessTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const fields = statFields(pid);
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
