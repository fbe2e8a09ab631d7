/**
 * Malformed scenario files, each refused by `livedrill validate` (which runs
 * every check `run` and `drill` run) with exit 2 and a message naming the
 * file and the field: never accepted, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../harness/scenario/load.js';
import { loadDrill } from '../../harness/drill/load.js';
import { useTempDirs } from '../tempDirs.js';

const tempDir = useTempDirs();
const BASE = 'name: fuzz\nduration: 20s\nviewers: { browser: 2 }\n';
const fault = (f: string) => `${BASE}faults:\n  - ${f}\n`;
const drill = (extra: string) => `name: d\nduration: 20s\nviewers: { browser: 2 }\ndrill:\n${extra}`;
const SLA = resolve('scenarios/sla/twilio-base.yaml');

/** [what is wrong, file text, a word the error names (the field)] */
const CASES: Array<[string, string, string]> = [
  ['a duration beyond what a timer holds', 'name: x\nduration: 30d\n', 'duration'],
  ['a duration of 25 days', 'name: x\nduration: 600h\n', 'duration'],
  ['a digit string that parses to Infinity', `name: x\nduration: ${'9'.repeat(400)}s\n`, 'duration'],
  ['a zero duration', 'name: x\nduration: 0s\n', 'duration'],
  ['a negative duration', 'name: x\nduration: -5\n', 'duration'],
  ['a duration with no unit', 'name: x\nduration: soon\n', 'duration'],
  ['a zero sample interval', `${BASE}measurement: { sampleInterval: 0ms }\n`, 'measurement.sampleInterval'],
  ['a zero fixed freeze threshold', `${BASE}measurement: { fixedFreezeThresholds: [0ms] }\n`, 'measurement.fixedFreezeThresholds'],
  ['a zero reconnect delay', `${BASE}reconnect: { initialDelay: 0ms }\n`, 'reconnect.initialDelay'],
  ['inverted reconnect delays', `${BASE}reconnect: { initialDelay: 5s, maxDelay: 1s }\n`, 'reconnect.maxDelay'],
  ['a reconnect delay of an hour', `${BASE}reconnect: { maxDelay: 1h }\n`, 'reconnect.maxDelay'],
  ['a join spacing of an hour', 'name: x\nduration: 20s\nviewers: { browser: 2, joinSpacing: 1h }\n', 'viewers.joinSpacing'],
  ['a loss over 100 % given as a string', fault('{ kind: network, at: 1s, duration: 2s, loss: "150%" }'), 'loss'],
  ['a rate of zero given as a string', fault('{ kind: network, at: 1s, duration: 2s, rate: "0kbps" }'), 'rate'],
  ['a bitrate cap of zero given as a string', fault('{ kind: bitrate-collapse, at: 1s, duration: 2s, bitrate: "0mbps" }'), 'bitrate'],
  ['a publisher bitrate of zero', 'name: x\nduration: 20s\npublisher: { video: { maxBitrate: 0 } }\n', 'maxBitrate'],
  ['an unknown viewer id', fault('{ kind: video-freeze, at: 1s, duration: 2s, viewers: [browser-9] }'), 'viewers'],
  ['a target of zero viewers', fault('{ kind: video-freeze, at: 1s, duration: 2s, viewers: 0 }'), 'viewers'],
  ['a target of 0 %', fault('{ kind: video-freeze, at: 1s, duration: 2s, viewers: "0%" }'), 'viewers'],
  ['a percentage that is nobody', fault('{ kind: video-freeze, at: 1s, duration: 2s, viewers: "10%" }'), 'viewers'],
  ['more targets than viewers', fault('{ kind: mass-disconnect, at: 1s, viewers: 5 }'), 'viewers'],
  ['a target percentage over 100 %', fault('{ kind: audio-drop, at: 1s, duration: 2s, viewers: "150%" }'), 'viewers'],
  ['a fault that strikes after the broadcast (1 h delay)', fault('{ kind: mass-disconnect, at: 1h }'), 'faults.0'],
  ['a fault that ends after the broadcast', fault('{ kind: video-freeze, at: 15s, duration: 10s }'), 'faults.0'],
  ['a crash of a worker that does not exist', fault('{ kind: worker-crash, at: 1s, worker: 3 }'), 'worker'],
  ['two faults with one id', `${BASE}faults:\n  - { id: a, kind: mass-disconnect, at: 1s }\n  - { id: a, kind: mass-disconnect, at: 2s }\n`, 'faults.1.id'],
  ['an unknown fault kind', fault('{ kind: meteor, at: 1s }'), 'faults.0'],
  ['a room name longer than signaling accepts', `${BASE}room: ${'r'.repeat(200)}\n`, 'room'],
  ['a name that escapes runs/', 'name: ../../etc\nduration: 20s\n', 'name'],
  ['an absolute path as the name', 'name: /tmp/x\nduration: 20s\n', 'name'],
  ['0.0.0.0 without an announced address', `${BASE}sfu: { listenIp: 0.0.0.0 }\n`, 'sfu.announcedIp'],
  ['no SFU worker', `${BASE}sfu: { workers: 0 }\n`, 'sfu.workers'],
  ['a negative viewer count', 'name: x\nduration: 20s\nviewers: { browser: -1 }\n', 'viewers.browser'],
  ['a billion synthetic viewers', 'name: x\nduration: 20s\nviewers: { synthetic: 1000000000 }\n', 'viewers.synthetic'],
  ['a zero frame rate', 'name: x\nduration: 20s\npublisher: { video: { fps: 0 } }\n', 'fps'],
  ['an unknown top-level key', `${BASE}viewres: 3\n`, 'viewres'],
  ['a threshold on an unknown metric', `${BASE}thresholds: { fpz: ["min > 1"] }\n`, 'thresholds.fpz'],
  ['a threshold that does not parse', `${BASE}thresholds: { fps: ["min >"] }\n`, 'thresholds.fps'],
  ['YAML that does not parse', 'name: x\nduration: [20s\n', 'YAML'],
  ['a YAML alias bomb', `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nname: x\nduration: 20s\n`, 'YAML'],
  ['a list instead of a mapping', '- name: x\n', 'expected object'],
  ['an empty file', '', 'expected object'],
  ['binary garbage', '\u0000\u0001\u0002\u00ff\u00fe', 'fuzz'],
  ['a file over 1 MiB', `name: x\nduration: 20s\ndescription: "${'x'.repeat(1_100_000)}"\n`, 'KiB'],
  ['drill faults given as plain faults', `${drill('  faults: [{ kind: video-freeze, window: [1s, 2s], duration: 1s }]\n')}faults:\n  - { kind: mass-disconnect, at: 1s }\n`, 'faults'],
  ['a drill whose SLA profile does not exist', drill('  slaProfile: nowhere.yaml\n  faults: [{ kind: video-freeze, window: [1s, 2s], duration: 1s }]\n'), 'drill.slaProfile'],
  ['a drill fault that may end after the time limit', drill('  faults: [{ kind: video-freeze, window: [10s, 19s], duration: 5s }]\n'), 'drill.faults.0.window'],
  ['a drill fault on an unknown viewer', drill(`  slaProfile: ${SLA}\n  faults: [{ kind: video-freeze, window: [1s, 2s], duration: 1s, viewers: [browser-7] }]\n`), 'drill.faults.0.viewers'],
];

describe('malformed scenario files', () => {
  const dir = tempDir('livedrill-scenario-fuzz-');
  const files = CASES.map(([, text], i) => {
    const file = join(dir, `case-${String(i + 1).padStart(2, '0')}.yaml`);
    writeFileSync(file, text);
    return file;
  });

  it(`has at least 40 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c, i) => [c[0], files[i], c[2]] as const))('%s: refused, naming the file and the field', async (_what, file, field) => {
    const error = await (async () => {
      const scenario = await loadScenario(file);
      if (scenario.drill) await loadDrill(file);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(field);
  });

  it('`livedrill validate` refuses every one with exit 2, one message each, no stack trace', () => {
    const result = spawnSync(process.execPath, ['harness/cli/livedrill.js', 'validate', ...files], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    for (const file of files) expect(result.stderr).toContain(file);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
