import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../harness/scenario/load.js';
import { fillPage } from '../../harness/scenario/app.js';

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

const APP = `
app:
  name: my-app
  start: node server.mjs
  publisherPage: http://127.0.0.1:{port}/pub?room={room}
  viewerPage: http://127.0.0.1:{port}/view?room={room}&user={peerId}&n={index}
`;
const scenario = (rest: string, app = APP) => `name: x\nduration: 30s\nviewers: { browser: 2 }\n${app}${rest}`;

describe("a scenario's app under test", () => {
  it('parses, with defaults, and fills its page templates', () => {
    const s = parseScenario(scenario(''), 'x.yaml');
    expect(s.app).toMatchObject({ name: 'my-app', joinTimeout: 30_000, allowRemote: false });
    expect(fillPage(s.app!.viewerPage, { room: 'a b', peerId: 'browser-2', index: 2, port: 8100 })).toBe('http://127.0.0.1:8100/view?room=a%20b&user=browser-2&n=2');
  });

  it('says which placeholder or URL is wrong, and that {port} needs a start command', () => {
    expect(errorOf(scenario('', APP.replace('{room}&user', '{rooom}&user')))).toContain('app.viewerPage: unknown placeholder {rooom}; expected {room}, {peerId}, {index}, {port}');
    expect(errorOf(scenario('', APP.replace('http://127.0.0.1:{port}/pub', 'ftp://host/pub')))).toContain('app.publisherPage: expected an http:// or https:// URL');
    expect(errorOf(scenario('', APP.replace('  start: node server.mjs\n', '')))).toContain('app.publisherPage: {port} is the port of app.start');
  });

  it("refuses what an app's pages cannot have, saying why", () => {
    expect(errorOf(scenario('faults: [{ kind: worker-crash, at: 1s }]\n'))).toContain("faults.0.kind: needs livedrill's own SFU");
    expect(errorOf(scenario('faults: [{ kind: video-freeze, at: 1s, duration: 2s, viewers: 1 }]\n'))).toContain('faults.0.kind: on app pages this fault acts at the source');
    expect(errorOf(scenario('faults: [{ kind: mass-disconnect, at: 1s, viewers: 1 }]\n'))).toContain('faults.0.kind: on app pages give a duration');
    expect(errorOf(scenario('viewers: { browser: 2, synthetic: 10 }\n').replace('viewers: { browser: 2 }\n', ''))).toContain('viewers.synthetic: must be 0 with app');
    expect(errorOf(scenario('publisher: { count: 2 }\n'))).toContain('publisher.count: must be 1 with app');
  });

  it("refuses app-only faults on livedrill's own stack", () => {
    expect(errorOf(scenario('faults: [{ kind: signaling-delay, at: 1s, duration: 2s, delay: 200ms }]\n', ''))).toContain('faults.0.kind: needs app pages');
    expect(errorOf(scenario('faults: [{ kind: mass-disconnect, at: 1s, duration: 2s }]\n', ''))).toContain('faults.0.kind: a lasting cut needs app pages');
  });

  it('takes every client-side fault kind on app pages', () => {
    const s = parseScenario(
      scenario(`faults:
  - { kind: video-freeze, at: 1s, duration: 1s }
  - { kind: audio-drop, at: 3s, duration: 1s }
  - { kind: network, at: 5s, duration: 1s, viewers: [browser-1], loss: 5% }
  - { kind: network, at: 6s, duration: 1s, viewers: [browser-2], delay: 200ms, media: audio }
  - { kind: signaling-outage, at: 7s, duration: 1s }
  - { kind: signaling-delay, at: 9s, duration: 1s, delay: 300ms }
  - { kind: bitrate-collapse, at: 11s, duration: 1s, bitrate: 100kbps }
  - { kind: mass-disconnect, at: 13s, duration: 2s, viewers: 50% }
`),
      'x.yaml',
    );
    expect(s.faults.map((f) => f.kind)).toHaveLength(8);
  });
});
