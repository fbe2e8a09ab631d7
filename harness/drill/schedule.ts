/**
 * A drill's hidden schedule: each fault's `at` drawn uniformly inside its
 * window from a seeded PRNG, so the same seed always gives the same drill
 * (to replay it, or to compare two teams on the same outage) and a fresh
 * seed gives one nobody has seen.
 */
import { randomInt } from 'node:crypto';
import { faultDuration } from '../scenario/faults.js';
import type { FaultSpec } from '../scenario/faults.js';
import type { Scenario } from '../scenario/schema.js';
import type { DrillFaultSpec } from '../scenario/drill.js';

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). Good enough to place faults; not for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function randomSeed(): number {
  return randomInt(0, 0xffff_ffff);
}

/** One hidden fault as it will strike: the `drill.schedule` journal entry lists these. */
export interface ScheduledFault {
  /** The id the fault scheduler gives it (its `id`, else `<n>-<kind>`). */
  faultId: string;
  kind: FaultSpec['kind'];
  /** Milliseconds from the start of the steady broadcast. */
  window: [number, number];
  at: number;
  /** Milliseconds; 0 for instant faults. */
  duration: number;
}

export interface DrillSchedule {
  seed: number;
  timeLimitMs: number;
  faults: ScheduledFault[];
  /** The scenario to run: `faults` drawn, `duration` = the time limit. */
  scenario: Scenario;
}

/**
 * Draws the schedule of a drill scenario (one that has `drill`). Faults keep
 * their order in the file, so their ids do not depend on the seed.
 */
export function drawSchedule(scenario: Scenario, seed: number): DrillSchedule {
  const drill = scenario.drill;
  if (!drill) throw new Error(`scenario ${scenario.name} has no drill`);
  const random = mulberry32(seed);
  const timeLimitMs = drill.timeLimit ?? scenario.duration;
  const faults = drill.faults.map((fault: DrillFaultSpec) => {
    const [from, to] = fault.window;
    const { window: _window, at: _at, ...rest } = fault as DrillFaultSpec & { at?: never };
    return { ...rest, at: Math.round(from + random() * (to - from)) } as FaultSpec;
  });
  return {
    seed,
    timeLimitMs,
    faults: faults.map((fault, i) => ({
      // As FaultScheduler names them.
      faultId: fault.id ?? `${i + 1}-${fault.kind}`,
      kind: fault.kind,
      window: drill.faults[i].window,
      at: fault.at,
      duration: faultDuration(fault),
    })),
    scenario: { ...scenario, duration: timeLimitMs, faults },
  };
}
