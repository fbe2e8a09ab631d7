/**
 * The run's verdict on hand-built measurements: totals over the viewers,
 * each threshold judged on viewer or fault values, and a pass that an
 * interrupted or failed run never gets.
 */
import { describe, expect, it } from 'vitest';
import { buildSummary, type SummaryInput } from '../../harness/run/summary.js';
import { junitXml } from '../../harness/outputs/JUnitOutput.js';
import type { ViewerSummary } from '../../harness/run/viewerSummary.js';
import type { FaultImpact, ViewerImpact } from '../../harness/run/impact.js';
import type { Reliability } from '../../harness/probes/SelfWatch.js';
import { parseScenario } from '../../harness/scenario/load.js';
import type { LatencySummary } from '../../harness/probes/latency.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');

function scenario(thresholds = ''): SummaryInput['scenario'] {
  return parseScenario(`name: verdict\nduration: 60s\nviewers: { browser: 3 }\n${thresholds}`, 'scenarios/verdict.yaml');
}

interface ViewerParts {
  joinSeconds?: number | null;
  fps?: number;
  freezes?: number;
  freezeSeconds?: number;
  concealedSeconds?: number;
  disconnects?: number;
  /** Stamped source: the viewer's p95 latency and median A/V offset (s); null: it read no stamp. Absent: it did not read the source. */
  latency?: { p95: number; avOffset: number } | null;
}

const distribution = (value: number): LatencySummary => ({ count: 100, min: value, p50: value, p95: value, max: value });

function viewer(id: string, parts: ViewerParts = {}): ViewerSummary {
  return {
    id,
    kind: 'browser',
    joinSeconds: parts.joinSeconds === undefined ? 1 : parts.joinSeconds,
    watchSeconds: 55,
    framesRendered: 1650,
    framesDecoded: 1650,
    fps: parts.fps ?? 30,
    freezes: { w3c: { count: parts.freezes ?? 0, seconds: parts.freezeSeconds ?? 0 }, fixed: {} },
    freezeRatio: (parts.freezeSeconds ?? 0) / 55,
    audio: { samplesReceived: 55 * 48_000, concealedSeconds: parts.concealedSeconds ?? 0, concealedRatio: 0, concealmentEvents: 0 },
    video: {
      packetsReceived: 5000,
      packetsLost: 0,
      nackCount: 0,
      pliCount: 0,
      firCount: 0,
      framesDropped: 0,
      browserFreezeCount: 0,
      browserFreezeSeconds: 0,
      browserPauseCount: 0,
      browserPauseSeconds: 0,
    },
    disconnects: parts.disconnects ?? 0,
    recoveries: parts.disconnects ?? 0,
    connectedAtEnd: true,
    latency:
      parts.latency === undefined
        ? null
        : { video: parts.latency && distribution(parts.latency.p95), received: null, audio: null, avOffset: parts.latency && distribution(parts.latency.avOffset) },
    stamps: parts.latency === undefined ? null : { read: 1650, unreadable: 0, stale: 0, neverShown: 0, repeated: 0, outOfOrder: 0 },
    pathLatency: null,
  };
}

function viewerImpact(id: string, parts: Partial<ViewerImpact> = {}): ViewerImpact {
  return {
    id,
    targeted: true,
    affected: false,
    freezeCount: 0,
    freezeSeconds: 0,
    freezeSecondsAfterEnd: 0,
    audioConcealedSeconds: 0,
    disconnects: 0,
    recoverySeconds: 0,
    audioRecoverySeconds: 0,
    recoveredByEnd: true,
    packetLossRatio: 0,
    signalingDownSeconds: null,
    joinDelayedSeconds: null,
    latencySeconds: { before: null, during: null, after: null },
    receiveLatencySeconds: { before: null, during: null, after: null },
    audioLatencySeconds: { before: null, during: null, after: null },
    avOffsetSeconds: { before: null, during: null, after: null },
    pathLatencySeconds: { before: null, during: null, after: null },
    framesNeverShown: null,
    ...parts,
  };
}

function fault(faultId: string, viewers: ViewerImpact[], parts: Partial<FaultImpact> = {}): FaultImpact {
  const affected = viewers.filter((v) => v.affected);
  return {
    faultId,
    kind: 'video-freeze',
    start: T0 + 20_000,
    end: T0 + 25_000,
    targets: viewers.map((v) => v.id),
    params: {},
    settleEnd: T0 + 35_000,
    viewers,
    affected: affected.map((v) => v.id),
    affectedUntargeted: [],
    unrecovered: affected.filter((v) => !v.recoveredByEnd).map((v) => v.id),
    overlaps: [],
    suspect: [],
    recoverySeconds: { p50: null, p95: null, max: null },
    keyframeRequests: 2,
    publisherBitrateBps: { before: 2_000_000, during: 2_000_000 },
    ...parts,
  };
}

const reliability: Reliability = {
  reliable: true,
  reasons: [],
  machineBusyP50: 0.3,
  machineBusyMax: 0.5,
  eventLoopLagMaxMs: 20,
  saturatedSamples: 0,
  steadySamples: 55,
  suspectFreezes: 0,
  coresP50: {},
};

function input(parts: Partial<SummaryInput> = {}): SummaryInput {
  return {
    runId: 'run-1',
    scenario: scenario(),
    scenarioFile: 'scenarios/verdict.yaml',
    startedAt: T0,
    endedAt: T0 + 61_500,
    interrupted: false,
    error: null,
    versions: { livedrill: '0.1.0' },
    publisher: null,
    viewers: [viewer('browser-1'), viewer('browser-2'), viewer('browser-3')],
    faults: [],
    effects: { unexplained: [], suspect: [] },
    network: null,
    relay: null,
    reliability,
    clocks: [],
    ...parts,
  };
}

describe('run summary', () => {
  it('totals the viewers: joined ones, W3C freezes, concealed audio and disconnections', () => {
    const summary = buildSummary(
      input({
        viewers: [
          viewer('browser-1', { freezes: 2, freezeSeconds: 0.75, concealedSeconds: 0.5, disconnects: 1 }),
          viewer('browser-2', { joinSeconds: null, fps: 0 }),
          viewer('browser-3', { freezes: 1, freezeSeconds: 0.25, concealedSeconds: 0.25 }),
        ],
      }),
    );
    expect(summary.totals).toEqual({
      viewers: 3,
      joined: 2,
      freezeCount: 3,
      freezeSeconds: 1,
      audioConcealedSeconds: 0.75,
      disconnects: 1,
    });
    expect(summary).toMatchObject({
      runId: 'run-1',
      scenario: { name: 'verdict', file: 'scenarios/verdict.yaml' },
      startedAt: '2026-11-25T10:00:00.000Z',
      endedAt: '2026-11-25T10:01:01.500Z',
      durationSeconds: 61.5,
    });
  });

  it('judges each viewer threshold on one value per viewer; a viewer that never joined fails a join limit', () => {
    const thresholds = 'thresholds:\n  join_seconds: ["p95 < 5"]\n  freeze_count: ["max <= 1", "sum < 5"]\n  fps: ["min > 20"]\n';
    const viewers = [
      viewer('browser-1', { joinSeconds: 0.8 }),
      viewer('browser-2', { joinSeconds: 2.5, freezes: 2 }),
      viewer('browser-3', { joinSeconds: 1.2, fps: 24 }),
    ];
    const passed = buildSummary(input({ scenario: scenario(thresholds), viewers }));
    expect(passed.thresholds.map((t) => [t.metric, t.condition, t.measured, t.pass])).toEqual([
      ['join_seconds', 'p95 < 5', 2.5, true],
      ['freeze_count', 'max <= 1', 2, false],
      ['freeze_count', 'sum < 5', 2, true],
      ['fps', 'min > 20', 24, true],
    ]);
    expect(passed.pass).toBe(false);

    const late = [...viewers, viewer('browser-4', { joinSeconds: null })];
    const neverJoined = buildSummary(input({ scenario: scenario('thresholds: { join_seconds: ["p95 < 5"] }\n'), viewers: late }));
    expect(neverJoined.thresholds[0]).toMatchObject({ measured: Number.POSITIVE_INFINITY, pass: false });
    expect(neverJoined.pass).toBe(false);
  });

  it('judges latency thresholds on the viewers that read the stamped source; one that read no stamp fails them', () => {
    const thresholds = 'thresholds:\n  latency_seconds: ["max < 0.5"]\n  av_sync_seconds: ["min > -0.04", "max < 0.04"]\n';
    const viewers = [
      viewer('browser-1', { latency: { p95: 0.12, avOffset: 0.01 } }),
      viewer('browser-2', { latency: { p95: 0.32, avOffset: -0.02 } }),
      viewer('synthetic-1'),
    ];
    const summary = buildSummary(input({ scenario: scenario(thresholds), viewers }));
    expect(summary.thresholds.map((t) => [t.metric, t.condition, t.measured, t.pass])).toEqual([
      ['latency_seconds', 'max < 0.5', 0.32, true],
      ['av_sync_seconds', 'min > -0.04', -0.02, true],
      ['av_sync_seconds', 'max < 0.04', 0.01, true],
    ]);
    const blind = buildSummary(input({ scenario: scenario(thresholds), viewers: [...viewers, viewer('browser-3', { latency: null })] }));
    expect(blind.thresholds.map((t) => t.pass)).toEqual([false, true, false]);
    const unstamped = buildSummary(input({ scenario: scenario(thresholds), viewers: [viewer('browser-1')] }));
    expect(unstamped.thresholds.map((t) => [t.measured, t.pass])).toEqual([[null, false], [null, false], [null, false]]);
  });

  it('judges fault thresholds on the faults\' impact: recovery of affected viewers, unrecovered viewers per fault', () => {
    const faults = [
      fault('freeze-1', [viewerImpact('browser-1', { affected: true, recoverySeconds: 1.5 }), viewerImpact('browser-2', { affected: true, recoverySeconds: 3 })]),
      fault('freeze-2', [viewerImpact('browser-3', { affected: true, recoverySeconds: null, recoveredByEnd: false }), viewerImpact('browser-1')]),
    ];
    const summary = buildSummary(
      input({
        scenario: scenario('thresholds:\n  fault_recovery_seconds: ["max < 5"]\n  fault_unrecovered_viewers: ["max == 0"]\n  fault_keyframe_requests: ["sum <= 4"]\n'),
        faults,
      }),
    );
    // A viewer that never came back counts as an infinite recovery.
    expect(summary.thresholds.map((t) => [t.metric, t.measured, t.pass])).toEqual([
      ['fault_recovery_seconds', Number.POSITIVE_INFINITY, false],
      ['fault_unrecovered_viewers', 1, false],
      ['fault_keyframe_requests', 4, true],
    ]);
    expect(summary.faults).toBe(faults);
    expect(summary.pass).toBe(false);
  });

  it('a threshold with nothing to measure fails, with no measured value', () => {
    const summary = buildSummary(input({ scenario: scenario('thresholds: { fault_recovery_seconds: ["p95 < 5"] }\n') }));
    expect(summary.thresholds).toEqual([{ metric: 'fault_recovery_seconds', condition: 'p95 < 5', measured: null, pass: false }]);
    expect(summary.pass).toBe(false);
  });

  it('passes when every threshold holds and the run went to its end; no thresholds is a pass', () => {
    expect(buildSummary(input()).pass).toBe(true);
    expect(buildSummary(input({ scenario: scenario('thresholds: { fps: ["min > 20"], disconnects: ["max == 0"] }\n') })).pass).toBe(true);
  });

  it('an interrupted or failed run never passes, even when its thresholds hold', () => {
    const thresholds = scenario('thresholds: { fps: ["min > 20"] }\n');
    const interrupted = buildSummary(input({ scenario: thresholds, interrupted: true }));
    expect(interrupted.thresholds.every((t) => t.pass)).toBe(true);
    expect(interrupted).toMatchObject({ interrupted: true, pass: false });
    const failed = buildSummary(input({ scenario: thresholds, error: 'the SFU worker died' }));
    expect(failed.thresholds.every((t) => t.pass)).toBe(true);
    expect(failed).toMatchObject({ error: 'the SFU worker died', pass: false });
  });

  it('the machine\'s reliability is reported beside the verdict, not folded into it', () => {
    const unreliable = { ...reliability, reliable: false, reasons: ['the machine was saturated'] };
    const summary = buildSummary(input({ reliability: unreliable }));
    expect(summary).toMatchObject({ reliability: unreliable, pass: true });
  });
});

describe('JUnit output', () => {
  it('writes one test case per threshold, plus the run and its reliability, failures with what was measured', () => {
    const summary = buildSummary(
      input({
        scenario: scenario('thresholds:\n  join_seconds: ["max < 2"]\n  freeze_count: ["max == 0"]\n'),
        viewers: [viewer('browser-1'), viewer('browser-2', { freezes: 2, freezeSeconds: 3 })],
        error: 'a <bad> "thing" & more',
      }),
    );
    const xml = junitXml(summary);
    expect(xml).toMatch(/<testsuites name="livedrill" tests="4" failures="2"/);
    expect(xml).toContain('<testcase classname="verdict" name="join_seconds: max &lt; 2"/>');
    expect(xml).toContain('name="freeze_count: max == 0">\n      <failure message="measured 2"/>');
    expect(xml).toContain('<failure message="error: a &lt;bad&gt; &quot;thing&quot; &amp; more"/>');
    expect(xml).toContain('name="measurement reliable (the harness did not disturb it)"/>');
  });
});
