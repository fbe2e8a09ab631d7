/**
 * Attribution by ground truth on hand-built timelines: which fault owns each
 * effect, overlaps, blast radius, unexplained and suspect effects.
 */
import { JournalReplay } from '../../harness/journal/replay.js';
import { groundTruth, toTimeline } from '../../harness/journal/records.js';
import { describe, expect, it } from 'vitest';
import { measureImpact } from '../../harness/run/impact.js';
import type { FaultRecord, ViewerTimeline } from '../../harness/journal/records.js';
import type { FaultKind } from '../../harness/scenario/faults.js';

const T0 = 1_000_000;
const at = (s: number): number => T0 + s * 1000;
const RATE = 48000;

function fault(faultId: string, kind: FaultKind, from: number, to: number, targets: string[]): FaultRecord {
  return { faultId, kind, start: at(from), end: at(to), targets, params: {} };
}

function viewer(id: string, parts: Partial<ViewerTimeline> = {}): ViewerTimeline {
  return { id, freezes: [], samples: [], disconnects: [], recoveries: [], signalingResumes: [], connectedAtEnd: true, ...parts };
}

const freeze = (from: number, to: number) => ({ start: at(from), end: at(to), w3c: true, fixed: [], ongoing: false });
/** Audio samples every 0.5 s over [from, to), concealing `concealedFrom..concealedTo`. */
function audio(from: number, to: number, concealedFrom = Infinity, concealedTo = -Infinity): ViewerTimeline['samples'] {
  const samples: ViewerTimeline['samples'] = [];
  for (let t = from + 0.5; t <= to + 1e-9; t += 0.5) {
    const concealed = Math.max(0, Math.min(t, concealedTo) - Math.max(t - 0.5, concealedFrom));
    samples.push({ t: at(t), received: RATE / 2, concealed: Math.round(concealed * RATE), packetsReceived: 75, packetsLost: 0, audioPacketsReceived: 25, audioPacketsLost: 0, stamps: null, pathLatencyMs: null });
  }
  return samples;
}

const ids = ['browser-1', 'browser-2', 'browser-3', 'browser-4'];
const of = (analysis: ReturnType<typeof measureImpact>, faultId: string, viewerId: string) =>
  analysis.faults.find((f) => f.faultId === faultId)!.viewers.find((v) => v.id === viewerId)!;

describe('attribution by ground truth', () => {
  it('an audio drop overlapped by a disconnect of other viewers keeps its own concealment', () => {
    const faults = [fault('drop', 'audio-drop', 10, 11.3, ['browser-3']), fault('kick', 'mass-disconnect', 10.6, 10.6, ['browser-1', 'browser-2'])];
    const viewers = [
      viewer('browser-1', { disconnects: [at(10.6)], recoveries: [{ t: at(11.2), downSeconds: 0.6 }], freezes: [freeze(10.58, 11.2)] }),
      viewer('browser-2', { disconnects: [at(10.6)], recoveries: [{ t: at(11.4), downSeconds: 0.8 }], freezes: [freeze(10.59, 11.4)] }),
      viewer('browser-3', { samples: audio(8, 30, 10, 11.3) }),
      viewer('browser-4', { samples: audio(8, 30) }),
    ];
    const a = measureImpact(faults, viewers, [], at(40));
    expect(of(a, 'drop', 'browser-3').audioConcealedSeconds).toBeCloseTo(1.3, 3);
    expect(a.faults[0].affected).toEqual(['browser-3']);
    expect(a.faults[0].affectedUntargeted).toEqual([]);
    const kick = a.faults[1];
    expect(kick.affected).toEqual(['browser-1', 'browser-2']);
    expect(kick.affectedUntargeted).toEqual([]);
    expect(of(a, 'kick', 'browser-3').audioConcealedSeconds).toBe(0);
    expect(of(a, 'kick', 'browser-1')).toMatchObject({ disconnects: 1, freezeCount: 1 });
    expect(a.unexplained).toEqual([]);
  });

  it('a worker crash inside a signaling outage: disconnections are the crash\'s, signaling drops the outage\'s', () => {
    const faults = [fault('outage', 'signaling-outage', 5, 9, ['signaling']), fault('crash', 'worker-crash', 6, 6, ['publisher', ...ids])];
    const viewers = ids.map((id) =>
      viewer(id, {
        disconnects: [at(6.05)],
        recoveries: [{ t: at(9.5), downSeconds: 3.45 }],
        freezes: [freeze(6.0, 9.5)],
        signalingResumes: [{ since: at(5), t: at(9.2) }],
      }),
    );
    const a = measureImpact(faults, viewers, [], at(30));
    const [outage, crash] = a.faults;
    expect(outage.affected).toEqual([]);
    expect(outage.affectedUntargeted).toEqual([]);
    for (const v of outage.viewers) expect(v).toMatchObject({ targeted: true, disconnects: 0, freezeCount: 0, signalingDownSeconds: 4.2 });
    expect(crash.affected).toEqual(ids);
    for (const v of crash.viewers) expect(v).toMatchObject({ targeted: true, disconnects: 1, freezeCount: 1, signalingDownSeconds: null });
    expect(crash.overlaps).toEqual([]);
  });

  it('an effect on a viewer outside the blast radius is unexplained, never a fault\'s impact', () => {
    const faults = [fault('net', 'network', 10, 15, ['browser-1'])];
    const viewers = [
      viewer('browser-1', { freezes: [freeze(11, 12)] }),
      viewer('browser-2', { freezes: [freeze(12, 12.6), freeze(40, 41)] }),
    ];
    const a = measureImpact(faults, viewers, [], at(60));
    expect(a.faults[0].affected).toEqual(['browser-1']);
    expect(of(a, 'net', 'browser-2')).toMatchObject({ targeted: false, affected: false, freezeCount: 0 });
    // Seen while the fault was active: named beside it, counted for it nowhere.
    expect(a.faults[0].affectedUntargeted).toEqual(['browser-2']);
    expect(a.unexplained.map((e) => [e.viewerId, e.kind, e.t])).toEqual([
      ['browser-2', 'freeze', at(12)],
      ['browser-2', 'freeze', at(40)],
    ]);
  });

  it('an effect that began while the harness flagged itself is suspect, counted for no fault', () => {
    const faults = [fault('freeze', 'video-freeze', 10, 13, ['browser-1', 'browser-2'])];
    const viewers = [
      viewer('browser-1', { freezes: [freeze(10, 13)] }),
      viewer('browser-2', { freezes: [freeze(10, 13), freeze(17.2, 17.6)] }),
      viewer('browser-3', { freezes: [freeze(17.1, 17.5)] }),
    ];
    const a = measureImpact(faults, viewers, [], at(30), [{ from: at(17), to: at(18) }]);
    expect(of(a, 'freeze', 'browser-2').freezeCount).toBe(1);
    expect(of(a, 'freeze', 'browser-2').freezeSeconds).toBeCloseTo(3, 6);
    expect(a.faults[0].affectedUntargeted).toEqual([]);
    expect(a.faults[0].suspect.map((e) => e.viewerId)).toEqual(['browser-2']);
    expect(a.suspect.map((e) => e.viewerId)).toEqual(['browser-2', 'browser-3']);
    expect(a.unexplained).toEqual([]);
  });

  it('two faults in progress on the same viewer share its effect as an overlap, counted for neither', () => {
    const faults = [fault('freeze', 'video-freeze', 10, 12, ['browser-1']), fault('net', 'network', 10, 14, ['browser-1'])];
    const viewers = [viewer('browser-1', { freezes: [freeze(9.97, 12.1)] })];
    const a = measureImpact(faults, viewers, [], at(30));
    for (const f of a.faults) {
      expect(f.affected).toEqual([]);
      expect(f.overlaps).toEqual([{ viewerId: 'browser-1', kind: 'freeze', t: at(9.97), seconds: expect.closeTo(2.13, 6), faultIds: ['freeze', 'net'] }]);
    }
  });

  it('a fault in progress owns an effect over an earlier one that is only settling', () => {
    const faults = [fault('freeze', 'video-freeze', 2, 5, ['browser-1']), fault('kick', 'mass-disconnect', 11, 11, ['browser-1'])];
    const viewers = [
      viewer('browser-1', {
        freezes: [freeze(1.98, 5.05), freeze(10.99, 11.6)],
        disconnects: [at(11.01)],
        recoveries: [{ t: at(11.6), downSeconds: 0.59 }],
      }),
    ];
    const a = measureImpact(faults, viewers, [], at(30));
    expect(of(a, 'freeze', 'browser-1').freezeCount).toBe(1);
    expect(of(a, 'freeze', 'browser-1').recoverySeconds).toBeCloseTo(0.05, 6);
    expect(of(a, 'kick', 'browser-1')).toMatchObject({ freezeCount: 1, disconnects: 1 });
    expect(of(a, 'kick', 'browser-1').recoverySeconds).toBeCloseTo(0.6, 6);
  });

  it('effects on the same millisecond are told apart by viewer', () => {
    const faults = [fault('kick', 'mass-disconnect', 5, 5, ['browser-1'])];
    const viewers = [viewer('browser-1', { disconnects: [at(5)] }), viewer('browser-2', { disconnects: [at(5)] })];
    const a = measureImpact(faults, viewers, [], at(30));
    expect(of(a, 'kick', 'browser-1').disconnects).toBe(1);
    expect(of(a, 'kick', 'browser-2').disconnects).toBe(0);
    expect(a.unexplained.map((e) => e.viewerId)).toEqual(['browser-2']);
  });

  it('a fault on the publisher reaches every viewer', () => {
    const faults = [fault('cap', 'bitrate-collapse', 5, 9, ['publisher'])];
    const viewers = [viewer('browser-1', { freezes: [freeze(6, 6.8)] }), viewer('browser-2')];
    const a = measureImpact(faults, viewers, [], at(30));
    expect(a.faults[0].viewers.map((v) => v.targeted)).toEqual([true, true]);
    expect(a.faults[0].affected).toEqual(['browser-1']);
    expect(a.faults[0].affectedUntargeted).toEqual([]);
  });

  it('an effect of a kind the fault cannot cause is not its own', () => {
    const faults = [fault('drop', 'audio-drop', 5, 8, ['browser-1'])];
    const viewers = [viewer('browser-1', { freezes: [freeze(6, 7)], samples: audio(4, 10, 5, 8) })];
    const a = measureImpact(faults, viewers, [], at(30));
    expect(of(a, 'drop', 'browser-1')).toMatchObject({ freezeCount: 0 });
    expect(of(a, 'drop', 'browser-1').audioConcealedSeconds).toBeCloseTo(3, 3);
    expect(a.unexplained.map((e) => e.kind)).toEqual(['freeze']);
  });

  it('a viewer struck while still joining is affected (join delayed by the fault), not "not affected"', () => {
    const faults = [fault('freeze', 'video-freeze', 10, 13, ['browser-1', 'browser-2', 'browser-3'])];
    const viewers = [
      viewer('browser-1', { joinRequestedAt: at(2), firstMediaAt: at(2.5), freezes: [freeze(9.99, 13.05)] }),
      viewer('browser-2', { joinRequestedAt: at(9.5), firstMediaAt: at(13.2) }),
      viewer('browser-3', { joinRequestedAt: at(9.8), connectedAtEnd: false }),
      viewer('browser-4', { joinRequestedAt: at(9.6), firstMediaAt: at(10.1) }),
    ];
    const a = measureImpact(faults, viewers, [], at(30));
    expect(of(a, 'freeze', 'browser-1')).toMatchObject({ affected: true, joinDelayedSeconds: null, freezeCount: 1 });
    expect(of(a, 'freeze', 'browser-2')).toMatchObject({ affected: true, freezeCount: 0 });
    expect(of(a, 'freeze', 'browser-2').joinDelayedSeconds).toBeCloseTo(3.2, 6);
    expect(of(a, 'freeze', 'browser-2').recoverySeconds).toBeCloseTo(0.2, 6);
    expect(of(a, 'freeze', 'browser-3')).toMatchObject({ affected: true, recoverySeconds: null, recoveredByEnd: false });
    expect(of(a, 'freeze', 'browser-3').joinDelayedSeconds).toBeCloseTo(20, 6);
    // Not targeted: its join is not the fault's doing.
    expect(of(a, 'freeze', 'browser-4')).toMatchObject({ affected: false, joinDelayedSeconds: null });
    expect(a.faults[0].unrecovered).toEqual(['browser-3']);
  });
});

describe('latency and frames never shown around a fault (stamped source)', () => {
  /** Samples every 0.5 s over [from, to) with the given latency (ms) at each, and frames never shown reported at `gapAt`. */
  function stamped(from: number, to: number, latencyAt: (t: number) => number, gap?: { at: number; frames: number }): ViewerTimeline['samples'] {
    return audio(from, to).map((s) => {
      const t = (s.t - T0) / 1000;
      const neverShown = gap && Math.abs(t - gap.at) < 0.25 ? gap.frames : 0;
      const latency = latencyAt(t);
      return { ...s, stamps: { videoLatencyMs: Array(15).fill(latency), receiveLatencyMs: [], read: 15, unreadable: 0, neverShown, repeated: 0, outOfOrder: 0, audioLatencyMs: [], avOffsetMs: [] } };
    });
  }

  it('sets the latency during a fault against as long a window before it and after it, and counts the frames never shown up to 1 s after its end', () => {
    const faults = [fault('delay', 'network', 10, 16, ['browser-1']), fault('freeze', 'video-freeze', 20, 23, ['browser-2'])];
    const viewers = [
      // After the delay the jitter buffer keeps 100 ms more for 5 s (as WebRTC's may).
      viewer('browser-1', { samples: stamped(2, 30, (t) => (t > 10.2 && t <= 16 ? 240 : t > 16 && t <= 21 ? 140 : 40)) }),
      viewer('browser-2', { samples: stamped(2, 30, () => 40, { at: 23.5, frames: 91 }) }),
      viewer('browser-3'),
    ];
    const a = measureImpact(faults, viewers, [], at(40));
    const delayed = of(a, 'delay', 'browser-1');
    expect(delayed.latencySeconds.before).toBeCloseTo(0.04, 6);
    expect(delayed.latencySeconds.during).toBeCloseTo(0.24, 6);
    // 17–23 s, as long as the fault from 1 s after its end: mostly 140 ms.
    expect(delayed.latencySeconds.after).toBeCloseTo(0.14, 6);
    expect(of(a, 'delay', 'browser-2').latencySeconds).toEqual({ before: 0.04, during: 0.04, after: 0.04 });
    expect(of(a, 'freeze', 'browser-2').framesNeverShown).toBe(91);
    expect(of(a, 'freeze', 'browser-1').framesNeverShown).toBe(0);
    // No stamp read: no figure, rather than a zero.
    expect(of(a, 'freeze', 'browser-3')).toMatchObject({ latencySeconds: { before: null, during: null }, framesNeverShown: null });
  });

  it('gives a gap of frames never shown to the fault it fell in, not to the sample period that reported it', () => {
    const faults = [fault('freeze', 'video-freeze', 20, 23, ['browser-1'])];
    // The sample at 20.5 s reports a frame skipped at 19.8 s, before the fault; the one at 23.5 s the freeze's 90 frames.
    const samples = stamped(2, 30, () => 40).map((s) => {
      const t = (s.t - T0) / 1000;
      const gaps: Array<[number, number]> = t === 20.5 ? [[at(19.8), 2]] : t === 23.5 ? [[at(23.05), 90]] : [];
      return { ...s, stamps: { ...s.stamps!, neverShown: gaps.reduce((n, [, f]) => n + f, 0), neverShownGaps: gaps } };
    });
    const a = measureImpact(faults, [viewer('browser-1', { samples })], [], at(40));
    expect(of(a, 'freeze', 'browser-1').framesNeverShown).toBe(90);
  });
});

describe('frames never shown, from a journal to the impact', () => {
  it('keeps the gaps through the replay, so skips before a fault struck are not its impact', () => {
    const replay = new JournalReplay();
    const stamps = (neverShownGaps: Array<[number, number]>) => ({
      videoLatencyMs: [40],
      receiveLatencyMs: [],
      read: 15,
      unreadable: 0,
      neverShown: neverShownGaps.reduce((a, [, n]) => a + n, 0),
      neverShownGaps,
      repeated: 0,
      outOfOrder: 0,
      audioLatencyMs: [],
      avOffsetMs: [],
    });
    const entries = [
      { t: at(0), type: 'viewer.start', viewerId: 'browser-1', kind: 'browser' },
      { t: at(0), type: 'viewer.joining', viewerId: 'browser-1' },
      { t: at(19.65), type: 'viewer.viewerSample', viewerId: 'browser-1', frames: [], stamps: stamps([[at(19.23), 1]]) },
      { t: at(20), type: 'fault.inject', faultId: 'freeze', kind: 'video-freeze', start: at(20), scheduledEnd: at(23), targets: ['browser-1'], params: {} },
      // Reported after the fault struck, skipped before it.
      { t: at(20.15), type: 'viewer.viewerSample', viewerId: 'browser-1', frames: [], stamps: stamps([[at(19.73), 1], [at(19.96), 1]]) },
      { t: at(23), type: 'fault.revert', faultId: 'freeze', kind: 'video-freeze', end: at(23), reason: 'scheduled' },
      { t: at(23.15), type: 'viewer.viewerSample', viewerId: 'browser-1', frames: [], stamps: stamps([[at(23.03), 91]]) },
    ];
    for (const e of entries) replay.add(e);
    const impact = measureImpact(groundTruth(replay.faults(at(30))), replay.viewers(at(30), true).map(toTimeline), [], at(30));
    expect(of(impact, 'freeze', 'browser-1').framesNeverShown).toBe(91);
  });
});
