/** livedrill's drill alert rules, fed synthetic progress, one sample a second. */
import { describe, expect, it } from 'vitest';
import { Detectors, liveSample, type AlertTransition, type LiveSample, type ObservedViewer } from '../../harness/drill/detectors.js';
import { alertSettingsSchema } from '../../harness/scenario/drill.js';
import type { RunProgress } from '../../harness/run/lifecycle.js';

const T0 = 1_700_000_000_000;
const defaults = () => alertSettingsSchema.parse({});

function sample(second: number, fields: Partial<LiveSample> = {}): LiveSample {
  return {
    t: T0 + second * 1000,
    viewers: 10,
    joined: 10,
    connected: 10,
    frozen: 0,
    disconnectedSince: [],
    audioSamplesReceived: second * 10 * 48_000,
    audioConcealedSamples: 0,
    disconnects: 0,
    recoveries: 0,
    fps: 30,
    machineBusy: 0.3,
    sfuCores: 0.1,
    latencyMs: { video: null, path: null },
    ...fields,
  };
}

/** Feeds samples for seconds [from, to); returns every transition with its second. */
function feed(d: Detectors, from: number, to: number, fields: (s: number) => Partial<LiveSample>): Array<AlertTransition & { second: number }> {
  const out: Array<AlertTransition & { second: number }> = [];
  for (let s = from; s < to; s++) {
    // Timers run a few ms late or early: the rules must not care.
    const jitter = s % 2 === 0 ? 7 : -9;
    const x = sample(s, fields(s));
    x.t += jitter;
    for (const t of d.update(x).transitions) out.push({ ...t, second: s });
  }
  return out;
}

describe('freeze-ratio', () => {
  it('fires after the ratio has been over 0.2 for 2 s, resolves 2 s after it drops', () => {
    const d = new Detectors(defaults());
    const frozen = (s: number) => ({ frozen: s >= 5 && s < 12 ? 5 : 0 });
    const events = feed(d, 0, 20, frozen);
    expect(events.map((e) => [e.rule, e.event, e.second])).toEqual([
      ['freeze-ratio', 'fire', 7],
      ['freeze-ratio', 'resolve', 14],
    ]);
    expect(events[0].value).toBe(0.5);
    expect(events[0].since).toBe(T0 + 5000 - 9);
  });

  it('a blip shorter than `for` does not fire; exactly the threshold is not over it', () => {
    const d = new Detectors(defaults());
    expect(feed(d, 0, 10, (s) => ({ frozen: s === 3 || s === 4 ? 9 : 2 }))).toEqual([]);
  });

  it('is pending again from scratch after a gap', () => {
    const d = new Detectors(defaults());
    const events = feed(d, 0, 12, (s) => ({ frozen: [2, 3, 5, 6, 7].includes(s) ? 3 : 0 }));
    expect(events.map((e) => [e.event, e.second])).toEqual([
      ['fire', 7],
      ['resolve', 10],
    ]);
  });

  it('no connected viewer is no freeze ratio', () => {
    const d = new Detectors(defaults());
    expect(feed(d, 0, 5, () => ({ connected: 0, frozen: 0 }))).toEqual([]);
    expect(d.measure(sample(6, { connected: 0 })).freezeRatio).toBe(0);
  });

  it('honours the scenario settings', () => {
    const d = new Detectors(alertSettingsSchema.parse({ freezeRatio: { threshold: 0.05, for: '5s', clearAfter: 0 } }));
    const events = feed(d, 0, 15, (s) => ({ frozen: s >= 2 && s < 9 ? 1 : 0 }));
    expect(events.map((e) => [e.event, e.second])).toEqual([
      ['fire', 7],
      ['resolve', 9],
    ]);
  });

  it('lists what is firing, with its description', () => {
    const d = new Detectors(defaults());
    feed(d, 0, 4, () => ({ frozen: 4 }));
    expect(d.firing).toEqual([
      { rule: 'freeze-ratio', since: T0 + 2000 + 7, value: 0.4, threshold: 0.2, description: 'video frozen for > 20% of connected viewers for 2 s' },
    ]);
  });
});

describe('audio-drop', () => {
  /** Every viewer plays 48 kHz; from `from` to `to` half the viewers' audio is concealed. */
  const audio = (from: number, to: number) => (s: number) => {
    let concealed = 0;
    for (let i = 1; i <= s; i++) if (i > from && i <= to) concealed += 5 * 48_000;
    return { audioConcealedSamples: concealed };
  };

  it('fires when more than 10% of played audio was concealed over the last 5 s', () => {
    const d = new Detectors(defaults());
    const events = feed(d, 0, 25, audio(4, 8));
    // 1 s of half concealment over 5 s of audio is 10%, not over; 2 s is 20%.
    expect(events.map((e) => [e.rule, e.event, e.second])).toEqual([
      ['audio-drop', 'fire', 6],
      // The window still holds concealment until second 13 (> 10% until 12), then clearAfter 2 s.
      ['audio-drop', 'resolve', 14],
    ]);
    expect(events[0].value).toBeCloseTo(0.2, 5);
  });

  it('is quiet on clean audio and with no audio at all', () => {
    const d = new Detectors(defaults());
    expect(feed(d, 0, 10, () => ({}))).toEqual([]);
    expect(feed(new Detectors(defaults()), 0, 10, () => ({ audioSamplesReceived: 0, audioConcealedSamples: 0 }))).toEqual([]);
  });
});

describe('disconnects and unrecovered viewers', () => {
  it('disconnects: fires at once when 20% of joined viewers are disconnected', () => {
    const d = new Detectors(defaults());
    const down = (s: number) => ({ disconnectedSince: s >= 3 && s < 6 ? [T0 + 3000, T0 + 3000] : s === 6 ? [T0 + 3000] : [] });
    const events = feed(d, 0, 12, down);
    expect(events.map((e) => [e.rule, e.event, e.second])).toEqual([
      ['disconnects', 'fire', 3],
      ['disconnects', 'resolve', 8],
    ]);
    expect(events[0].value).toBe(0.2);
  });

  it('one disconnected viewer of 10 is not a mass disconnect', () => {
    const d = new Detectors(defaults());
    expect(feed(d, 0, 5, () => ({ disconnectedSince: [T0] }))).toEqual([]);
  });

  it('unrecovered: a viewer still disconnected after 10 s', () => {
    const d = new Detectors(defaults());
    const events = feed(d, 0, 20, (s) => ({ disconnectedSince: s >= 2 && s < 15 ? [T0 + 2000] : [] }));
    expect(events.map((e) => [e.rule, e.event, e.second])).toEqual([
      ['unrecovered', 'fire', 12],
      ['unrecovered', 'resolve', 17],
    ]);
  });
});

describe('liveSample', () => {
  const progress = (p: Partial<RunProgress>): RunProgress => ({
    elapsedMs: 5000,
    durationMs: 25_000,
    viewers: 3,
    joined: 3,
    connected: 2,
    frozen: 1,
    fps: 29.5,
    freezes: 1,
    freezeSeconds: 0.5,
    audioConcealedSeconds: 1,
    activeFaults: 1,
    latencyMs: { video: 142, path: 3 },
    self: { t: T0, machineBusy: 0.42, cores: { sfu: 0.12, harness: 0.3 }, rssBytes: {}, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2 },
    ...p,
  });
  const viewer = (q: Partial<ObservedViewer['qoe']>): ObservedViewer => ({
    qoe: {
      firstMediaAt: T0 - 10_000,
      disconnectedAt: undefined,
      disconnects: 0,
      recoveries: 0,
      totals: { audioSamplesReceived: 48_000, audioConcealedSamples: 0 },
      ...q,
    },
  });

  it('takes counts from progress and per-viewer detail from the viewers', () => {
    const s = liveSample(
      progress({}),
      [
        viewer({ disconnects: 1, recoveries: 1, totals: { audioSamplesReceived: 96_000, audioConcealedSamples: 4800 } }),
        viewer({ disconnectedAt: T0 - 3000, disconnects: 1 }),
        viewer({ firstMediaAt: undefined, disconnectedAt: T0 - 1000 }), // never joined: not counted as disconnected
      ],
      T0,
    );
    expect(s).toEqual({
      t: T0,
      viewers: 3,
      joined: 3,
      connected: 2,
      frozen: 1,
      disconnectedSince: [T0 - 3000],
      audioSamplesReceived: 192_000,
      audioConcealedSamples: 4800,
      disconnects: 2,
      recoveries: 1,
      fps: 29.5,
      machineBusy: 0.42,
      sfuCores: 0.12,
      latencyMs: { video: 142, path: 3 },
    });
  });

  it('a frozen progress feeds the freeze rule end to end', () => {
    const d = new Detectors(defaults());
    const fired = [0, 1, 2, 3].flatMap((s) => d.update(liveSample(progress({ connected: 2, frozen: 2 }), [viewer({}), viewer({})], T0 + s * 1000)).transitions);
    expect(fired.map((t) => [t.rule, t.event, t.t])).toEqual([['freeze-ratio', 'fire', T0 + 2000]]);
  });
});
