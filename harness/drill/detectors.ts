/**
 * livedrill's own alert rules, evaluated once a second on live QoE during a
 * drill (the counterpart of the Prometheus rules in dashboards/, which need a
 * Prometheus; these need nothing and journal exactly when they fire):
 *
 * - `freeze-ratio`: frozen / connected viewers > threshold, held for `for`;
 * - `audio-drop`: concealed / played audio samples over the last `window`
 *   (summed over viewers) > threshold, held for `for`;
 * - `disconnects`: share of joined viewers disconnected now >= threshold, held for `for`;
 * - `unrecovered`: some joined viewer disconnected for longer than `after`.
 *
 * A rule fires when its condition has held for `for` (pending in between, as
 * in Prometheus) and resolves once it has been false for `clearAfter`, so a
 * flapping measure does not page twice.
 */
import type { RunProgress } from '../run/lifecycle.js';
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import { type QoeCounters } from '../probes/ViewerQoe.js';
import type { AlertSettings } from '../scenario/drill.js';

export const ALERT_RULES = ['freeze-ratio', 'audio-drop', 'disconnects', 'unrecovered'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** Evaluations come once a second; a timer a few ms early must not cost a whole second. */
const SLACK_MS = 250;

/** What the detectors (and the console's charts) see at one instant. */
export interface LiveSample {
  /** Epoch ms. */
  t: number;
  viewers: number;
  joined: number;
  connected: number;
  frozen: number;
  /** When each viewer that has joined, and is disconnected now, lost its connection (epoch ms). */
  disconnectedSince: number[];
  /** Cumulative over all viewers. */
  audioSamplesReceived: number;
  audioConcealedSamples: number;
  disconnects: number;
  recoveries: number;
  /** Frames per connected viewer per second. */
  fps: number;
  /** Share of the machine's cores busy, 0..1 (the SFU, browsers and harness share it). */
  machineBusy: number | null;
  /** Cores used by the SFU workers. */
  sfuCores: number | null;
  /** The worst viewer's latency in its last sample, ms (RunProgress.latencyMs). */
  latencyMs: RunProgress['latencyMs'];
}

/** The viewer fields a sample needs (BrowserViewer has them; so would any other kind). */
export interface ObservedViewer {
  qoe: {
    readonly firstMediaAt: number | undefined;
    readonly disconnectedAt: number | undefined;
    readonly disconnects: number;
    readonly recoveries: number;
    readonly totals: Pick<QoeCounters, 'audioSamplesReceived' | 'audioConcealedSamples'>;
  };
}

/** A sample from the run's 1 Hz progress (frozen viewers: see ViewerQoe.frozenNow) and its viewers' QoE. */
export function liveSample(progress: RunProgress, viewers: readonly ObservedViewer[], t = Date.now()): LiveSample {
  const sum = (f: (v: ObservedViewer) => number): number => viewers.reduce((a, v) => a + f(v), 0);
  const concealed = sum((v) => v.qoe.totals.audioConcealedSamples);
  return {
    t,
    viewers: progress.viewers,
    joined: progress.joined,
    connected: progress.connected,
    frozen: progress.frozen,
    disconnectedSince: viewers.flatMap((v) => (v.qoe.firstMediaAt !== undefined && v.qoe.disconnectedAt !== undefined ? [v.qoe.disconnectedAt] : [])),
    audioSamplesReceived: sum((v) => v.qoe.totals.audioSamplesReceived),
    // progress.audioConcealedSeconds is the same figure; the viewers are read once for both.
    audioConcealedSamples: viewers.length > 0 ? concealed : progress.audioConcealedSeconds * AUDIO_SAMPLE_RATE,
    disconnects: sum((v) => v.qoe.disconnects),
    recoveries: sum((v) => v.qoe.recoveries),
    fps: progress.fps,
    machineBusy: progress.self?.machineBusy ?? null,
    sfuCores: progress.self?.cores.sfu ?? null,
    latencyMs: progress.latencyMs,
  };
}

/** The measures the rules judge, per sample. */
export interface Measures {
  freezeRatio: number;
  audioConcealedRatio: number;
  disconnectedShare: number;
  unrecovered: number;
}

export interface AlertTransition {
  rule: AlertRule;
  event: 'fire' | 'resolve';
  t: number;
  /** The rule's measure at that instant. */
  value: number;
  threshold: number;
  /** When the condition started holding (fire) or stopped holding (resolve). */
  since: number;
}

export interface FiringAlert {
  rule: AlertRule;
  /** When it fired. */
  since: number;
  value: number;
  threshold: number;
  description: string;
}

interface RuleState {
  firing: boolean;
  firedAt: number;
  pendingSince: number | null;
  clearingSince: number | null;
  value: number;
}

interface RuleDef {
  threshold: number;
  forMs: number;
  clearAfterMs: number;
  measure: (m: Measures) => number;
  breached: (value: number) => boolean;
  description: string;
}

const pct = (r: number): string => `${Math.round(r * 1000) / 10}%`;
const secs = (ms: number): string => `${ms / 1000} s`;

export class Detectors {
  readonly #rules: Record<AlertRule, RuleDef>;
  readonly #state = new Map<AlertRule, RuleState>();
  /** Recent samples, for the audio window. */
  readonly #recent: LiveSample[] = [];

  constructor(readonly settings: AlertSettings) {
    const { freezeRatio, audioDrop, disconnects, unrecovered } = settings;
    this.#rules = {
      'freeze-ratio': {
        threshold: freezeRatio.threshold,
        forMs: freezeRatio.for,
        clearAfterMs: freezeRatio.clearAfter,
        measure: (m) => m.freezeRatio,
        breached: (v) => v > freezeRatio.threshold,
        description: `video frozen for > ${pct(freezeRatio.threshold)} of connected viewers for ${secs(freezeRatio.for)}`,
      },
      'audio-drop': {
        threshold: audioDrop.threshold,
        forMs: audioDrop.for,
        clearAfterMs: audioDrop.clearAfter,
        measure: (m) => m.audioConcealedRatio,
        breached: (v) => v > audioDrop.threshold,
        description: `> ${pct(audioDrop.threshold)} of audio concealed over the last ${secs(audioDrop.window)}`,
      },
      disconnects: {
        threshold: disconnects.threshold,
        forMs: disconnects.for,
        clearAfterMs: disconnects.clearAfter,
        measure: (m) => m.disconnectedShare,
        breached: (v) => v >= disconnects.threshold,
        description: `>= ${pct(disconnects.threshold)} of viewers disconnected`,
      },
      unrecovered: {
        threshold: 1,
        forMs: 0,
        clearAfterMs: unrecovered.clearAfter,
        measure: (m) => m.unrecovered,
        breached: (v) => v >= 1,
        description: `viewers disconnected for more than ${secs(unrecovered.after)}`,
      },
    };
    for (const rule of ALERT_RULES) this.#state.set(rule, { firing: false, firedAt: 0, pendingSince: null, clearingSince: null, value: 0 });
  }

  describe(rule: AlertRule): string {
    return this.#rules[rule].description;
  }

  /** Thresholds and descriptions, for the console. */
  get rules(): Array<{ rule: AlertRule; threshold: number; description: string }> {
    return ALERT_RULES.map((rule) => ({ rule, threshold: this.#rules[rule].threshold, description: this.#rules[rule].description }));
  }

  measure(sample: LiveSample): Measures {
    const { audioDrop, unrecovered } = this.settings;
    // Baseline: the latest earlier sample at least `window` old, else the oldest one kept.
    const from = sample.t - audioDrop.window;
    let base: LiveSample | undefined;
    for (const s of this.#recent) {
      if (s.t >= sample.t) break;
      if (s.t <= from + SLACK_MS || base === undefined) base = s;
    }
    const played = base ? sample.audioSamplesReceived - base.audioSamplesReceived : 0;
    const concealed = base ? sample.audioConcealedSamples - base.audioConcealedSamples : 0;
    return {
      freezeRatio: sample.connected > 0 ? sample.frozen / sample.connected : 0,
      audioConcealedRatio: played > 0 ? Math.min(1, Math.max(0, concealed / played)) : 0,
      disconnectedShare: sample.joined > 0 ? sample.disconnectedSince.length / sample.joined : 0,
      unrecovered: sample.disconnectedSince.filter((since) => sample.t - since + SLACK_MS >= unrecovered.after).length,
    };
  }

  /** Evaluates every rule on a new sample; returns what started or stopped firing. */
  update(sample: LiveSample): { measures: Measures; transitions: AlertTransition[] } {
    const measures = this.measure(sample);
    this.#recent.push(sample);
    const keepFrom = sample.t - this.settings.audioDrop.window - 2000;
    while (this.#recent.length > 2 && this.#recent[1].t <= keepFrom) this.#recent.shift();

    const t = sample.t;
    const transitions: AlertTransition[] = [];
    for (const rule of ALERT_RULES) {
      const def = this.#rules[rule];
      const state = this.#state.get(rule)!;
      const value = def.measure(measures);
      state.value = value;
      const holds = def.breached(value);
      if (!state.firing) {
        if (!holds) {
          state.pendingSince = null;
          continue;
        }
        state.pendingSince ??= t;
        if (t - state.pendingSince + SLACK_MS >= def.forMs) {
          state.firing = true;
          state.firedAt = t;
          state.clearingSince = null;
          transitions.push({ rule, event: 'fire', t, value, threshold: def.threshold, since: state.pendingSince });
          state.pendingSince = null;
        }
      } else if (holds) {
        state.clearingSince = null;
      } else {
        state.clearingSince ??= t;
        if (t - state.clearingSince + SLACK_MS >= def.clearAfterMs) {
          state.firing = false;
          transitions.push({ rule, event: 'resolve', t, value, threshold: def.threshold, since: state.clearingSince });
          state.clearingSince = null;
        }
      }
    }
    return { measures, transitions };
  }

  get firing(): FiringAlert[] {
    return ALERT_RULES.flatMap((rule) => {
      const state = this.#state.get(rule)!;
      const def = this.#rules[rule];
      return state.firing ? [{ rule, since: state.firedAt, value: state.value, threshold: def.threshold, description: def.description }] : [];
    });
  }
}
