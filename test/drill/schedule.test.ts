/** The drill schema and its seeded hidden schedule. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../harness/scenario/load.js';
import { drawSchedule, mulberry32 } from '../../harness/drill/schedule.js';
import { checkDrill, loadDrill } from '../../harness/drill/load.js';

const DRILL = `
name: schedule
duration: 10m
viewers: { browser: 2 }
drill:
  seed: 42
  faults:
    - { kind: video-freeze, window: [1m, 4m], duration: 30s, viewers: 50% }
    - { id: drop, kind: audio-drop, window: [2m, 2m], duration: 10s }
    - { kind: mass-disconnect, window: [10s, 9m] }
    - { kind: worker-crash, window: ["500ms", 20s] }
`;

describe('drill schedule', () => {
  const scenario = parseScenario(DRILL, 'schedule.yaml');

  it('mulberry32 is deterministic and uniform-looking in [0, 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(mulberry32(2)()).not.toBe(mulberry32(1)());
  });

  it('same seed, same times; every time inside its window', () => {
    const one = drawSchedule(scenario, 42);
    const two = drawSchedule(scenario, 42);
    expect(two.faults).toEqual(one.faults);
    expect(two.scenario.faults).toEqual(one.scenario.faults);
    for (let seed = 0; seed < 200; seed++) {
      for (const f of drawSchedule(scenario, seed).faults) {
        expect(f.at).toBeGreaterThanOrEqual(f.window[0]);
        expect(f.at).toBeLessThanOrEqual(f.window[1]);
      }
    }
    expect(one.faults.find((f) => f.faultId === 'drop')!.at).toBe(120_000); // a window of one instant
  });

  it('another seed moves the faults', () => {
    const ats = new Set(Array.from({ length: 20 }, (_, seed) => drawSchedule(scenario, seed).faults[0].at));
    expect(ats.size).toBeGreaterThan(15);
  });

  it('gives a concrete scenario: faults with at, ids as the scheduler names them, duration = time limit', () => {
    const s = drawSchedule(scenario, 42);
    expect(s.seed).toBe(42);
    expect(s.timeLimitMs).toBe(600_000);
    expect(s.scenario.duration).toBe(600_000);
    expect(s.scenario.faults.map((f) => f.kind)).toEqual(['video-freeze', 'audio-drop', 'mass-disconnect', 'worker-crash']);
    expect(s.scenario.faults[0]).toMatchObject({ kind: 'video-freeze', duration: 30_000, viewers: '50%' });
    expect(s.scenario.faults[0]).not.toHaveProperty('window');
    expect(s.faults.map((f) => f.faultId)).toEqual(['1-video-freeze', 'drop', '3-mass-disconnect', '4-worker-crash']);
    expect(s.faults.map((f) => f.duration)).toEqual([30_000, 10_000, 0, 0]);
    expect(s.faults.map((f) => f.at)).toEqual(s.scenario.faults.map((f) => f.at));
  });

  it('timeLimit overrides the duration', () => {
    const s = drawSchedule(parseScenario(DRILL.replace('seed: 42', 'seed: 42\n  timeLimit: 570s'), 'x.yaml'), 1);
    expect(s.scenario.duration).toBe(570_000);
  });
});

describe('drill schema', () => {
  const bad = (yaml: string): string => {
    try {
      checkDrill(parseScenario(yaml, 'bad.yaml'), 'bad.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };
  const drill = (faults: string, extra = ''): string => `name: bad\nduration: 30s\nviewers: { browser: 1 }\ndrill:\n${extra}  faults:\n${faults}`;

  it('names the field at fault', () => {
    expect(bad(drill('    - { kind: video-freeze, at: 3s, duration: 4s }\n'))).toContain(
      'bad.yaml: drill.faults.0.window: Invalid input: expected tuple',
    );
    expect(bad(drill('    - { kind: video-freeze, at: 3s, window: [1s, 2s], duration: 4s }\n'))).toContain(
      'bad.yaml: drill.faults.0.at: a drill fault strikes at a hidden time',
    );
    expect(bad(drill('    - { kind: video-freeze, window: [5s, 2s], duration: 4s }\n'))).toContain(
      'bad.yaml: drill.faults.0.window: expected [from, to] with from <= to',
    );
    expect(bad(drill('    - { kind: video-freeze, window: [5s, 20s], duration: 20s }\n'))).toContain(
      'bad.yaml: drill.faults.0.window: may end at 40 s, after the time limit (duration 30 s)',
    );
    expect(bad(drill('    - { kind: video-freeze, window: [5s, 20s], duration: 5s }\n', '  timeLimit: 10s\n'))).toContain(
      'bad.yaml: drill.faults.0.window: may end at 25 s, after the time limit (duration 10 s)',
    );
    expect(bad(drill('    - { kind: worker-crash, window: [1s, 2s], worker: 1 }\n'))).toContain('bad.yaml: drill.faults.0.worker: no worker 1');
    expect(bad(drill('    - { kind: video-freeze, window: [1s, 2s], duration: 1s, colour: red }\n'))).toContain('Unrecognized key: "colour"');
    expect(bad('name: bad\nduration: 30s\nviewers: { browser: 1 }\ndrill: { faults: [] }\n')).toContain('bad.yaml: drill.faults: expected at least one hidden fault');
    expect(bad(drill('    - { kind: video-freeze, window: [1s, 2s], duration: 1s }\n', '  alerts: { freezeRatio: { threshold: 2 } }\n'))).toContain(
      'drill.alerts.freezeRatio.threshold',
    );
    expect(bad('name: x\nduration: 30s\nviewers: { browser: 1 }\n')).toContain('bad.yaml: drill: missing');
    expect(
      bad(`${drill('    - { kind: video-freeze, window: [1s, 2s], duration: 1s }\n')}\nfaults:\n  - { kind: video-freeze, at: 1s, duration: 1s }\n`),
    ).toContain("bad.yaml: faults: a drill's faults are hidden");
  });

  it('fills the alert defaults', () => {
    const s = checkDrill(parseScenario(drill('    - { kind: video-freeze, window: [1s, 2s], duration: 1s }\n'), 'ok.yaml'), 'ok.yaml');
    expect(s.drill.alerts).toEqual({
      freezeRatio: { threshold: 0.2, for: 2000, clearAfter: 2000 },
      audioDrop: { threshold: 0.1, window: 5000, for: 0, clearAfter: 2000 },
      disconnects: { threshold: 0.2, for: 0, clearAfter: 2000 },
      unrecovered: { after: 10_000, clearAfter: 2000 },
    });
  });

  it('loads the SLA profile relative to the scenario file; --seed wins over drill.seed', async () => {
    const file = resolve('test/drill/fixtures/freeze-drill.yaml');
    const loaded = await loadDrill(file);
    expect(loaded.slaProfileFile).toBe(resolve('scenarios/sla/twilio-base.yaml'));
    expect(loaded.profile?.vendor).toBe('Twilio');
    expect(loaded.vendor).toBe('Twilio');
    expect(loaded.schedule.seed).toBe(7);
    expect((await loadDrill(file, { seed: 8 })).schedule.seed).toBe(8);
  });

  it('an unreadable SLA profile is a scenario error naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livedrill-drill-'));
    const file = join(dir, 'd.yaml');
    writeFileSync(file, drill('    - { kind: video-freeze, window: [1s, 2s], duration: 1s }\n', '  slaProfile: nope.yaml\n'));
    await expect(loadDrill(file)).rejects.toThrow(`${file}: drill.slaProfile: ${join(dir, 'nope.yaml')}: cannot read the SLA profile`);
  });
});
