import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../harness/scenario/load.js';

const errorOf = (text: string): string => {
  try {
    parseScenario(text, 'scenarios/bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
};

describe('scenario files', () => {
  it('fills defaults and parses units', () => {
    const s = parseScenario('name: x\nduration: 2m\nviewers: { browser: 2, joinSpacing: 250ms }\n', 'x.yaml');
    expect(s.duration).toBe(120_000);
    expect(s.viewers).toEqual({ browser: 2, synthetic: 0, joinSpacing: 250, syntheticJoinSpacing: 10 });
    expect(s.publisher.video).toMatchObject({ codec: 'VP8', fps: 30, maxBitrate: 500_000 });
    expect(s.sfu.listenIp).toBe('127.0.0.1');
  });

  it('names the file, the field path and what was expected', () => {
    expect(errorOf('name: x\nduration: 10s\nviewers: { browser: "three" }\n')).toBe(
      'scenarios/bad.yaml: viewers.browser: Invalid input: expected number, received string',
    );
    expect(errorOf('name: x\nduration: soon\nviewers: { browser: 1 }\n')).toContain(
      'scenarios/bad.yaml: duration: expected a duration like "500ms", "20s" or "2m", got "soon"',
    );
    expect(errorOf('name: x\nduration: 1s\nviewers: { browser: 1 }\npublisher: { video: { codec: AV1 } }\n')).toContain(
      'scenarios/bad.yaml: publisher.video.codec: Invalid option: expected one of "VP8"|"H264"',
    );
    expect(errorOf('name: x\nduration: 1s\nviewers: { browser: 1 }\nthresholds: { fps: ["min >> 1"] }\n')).toContain(
      'scenarios/bad.yaml: thresholds.fps.0: expected',
    );
    expect(errorOf('name: x\nduration: 1s\nviewers: { browser: 1 }\nthresholds: { speed: ["max < 1"] }\n')).toContain(
      'scenarios/bad.yaml: thresholds.speed: unknown metric',
    );
    expect(errorOf('name: x\nduration: 1s\nviewer: { browser: 1 }\n')).toMatch(/scenarios\/bad.yaml: .*viewer/);
    expect(errorOf('name: [x\n')).toMatch(/^scenarios\/bad.yaml: YAML syntax: .*line 2, column 1/);
  });

  it('reports an unreadable file by name', async () => {
    await expect(loadScenario('scenarios/missing.yaml')).rejects.toThrow(/scenarios\/missing.yaml: cannot read/);
  });

  it('every shipped scenario is valid', async () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) await expect(loadScenario(`scenarios/${f}`)).resolves.toBeTruthy();
  });
});
