/** What a run tells its observers (outputs, the drill, the CLI) while it goes. */
import type { PageReport } from '../page/reports.js';
import type { Viewer } from '../probes/Viewer.js';
import type { SelfSample } from '../probes/SelfWatch.js';
import type { InjectedRecord } from '../faults/FaultScheduler.js';
import type { RunSummary } from './summary.js';

export interface RunProgress {
  elapsedMs: number;
  durationMs: number;
  viewers: number;
  joined: number;
  connected: number;
  /** Connected viewers whose picture is frozen right now. */
  frozen: number;
  /** Frames rendered per connected viewer per second, over the last progress interval. */
  fps: number;
  freezes: number;
  freezeSeconds: number;
  audioConcealedSeconds: number;
  activeFaults: number;
  /** The worst viewer's latency in its last sample (ms; null: no viewer timed one): glass-to-glass (stamped source), network path (synthetic viewers). */
  latencyMs: { video: number | null; path: number | null };
  self?: SelfSample;
}

/** A run's stages, in order; each is announced (`phase`) as it begins. */
export const RUN_PHASES = [
  'starting SFU',
  /** Instead of the SFU, when the scenario has an app: its server, the TURN server. */
  'starting the app under test',
  'starting publisher',
  'opening viewer pages',
  'joining viewers',
  'joining synthetic viewers',
  'settling',
  'broadcasting',
  'stopping',
] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export type RunEvents = {
  phase: [phase: RunPhase];
  ready: [urls: { signaling: string; metrics: string }];
  progress: [progress: RunProgress];
  /** A viewer was started: its reports (`viewer.observer`) and QoE (`viewer.qoe.observer`) follow. */
  viewer: [viewer: Viewer];
  /** The host publisher's page reported (its samples carry cumulative sender stats). */
  publisherReport: [report: PageReport];
  /** The test machine watching itself, once a second. */
  selfSample: [sample: SelfSample];
  faultInjected: [fault: InjectedRecord];
  faultReverted: [fault: InjectedRecord];
  /** The summary, written; the run is over. */
  summary: [summary: RunSummary];
};
