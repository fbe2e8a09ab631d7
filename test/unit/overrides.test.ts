/** Command-line values over a scenario's: checked by the scenario schema's rules, named by field when wrong. */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../harness/scenario/load.js';
import { applyOverrides, type ScenarioOverrides } from '../../harness/scenario/overrides.js';
import { sfuRun, shardRun } from '../../harness/run/launch.js';

const base = parseScenario('name: base\nduration: 30s\nroom: studio\nviewers: { browser: 3, synthetic: 5, joinSpacing: 250ms }\n', 'base.yaml');

const applied = (overrides: ScenarioOverrides) => () => applyOverrides(base, overrides, '(command line)');

describe('scenario overrides', () => {
  it('replaces the values given, in the units a file uses, and keeps every other', () => {
    const s = applyOverrides(base, { duration: '2m', viewers: { browser: 1 }, sfu: { listenIp: '0.0.0.0', announcedIp: '10.0.0.5' } }, '(command line)');
    expect(s.duration).toBe(120_000);
    expect(s.viewers).toEqual({ browser: 1, synthetic: 5, joinSpacing: 250, syntheticJoinSpacing: 10 });
    expect(s.sfu).toEqual({ workers: 1, listenIp: '0.0.0.0', announcedIp: '10.0.0.5' });
    expect(s.room).toBe('studio');
    expect(s.name).toBe('base');
  });

  it('keeps the scenario\'s value where an override is left undefined (a flag not given)', () => {
    expect(applyOverrides(base, { room: undefined, viewers: { browser: undefined, synthetic: 0 } }, '(command line)')).toEqual({
      ...base,
      viewers: { ...base.viewers, synthetic: 0 },
    });
  });

  it('refuses a bad value by the schema\'s rule for its field, naming the field', () => {
    expect(applied({ viewers: { browser: -1 } })).toThrow(ScenarioError);
    expect(applied({ viewers: { browser: -1 } })).toThrow('(command line): viewers.browser: Too small: expected number to be >=0');
    expect(applied({ duration: 'soon' })).toThrow('(command line): duration: expected a duration like "500ms", "20s" or "2m", got "soon"');
    expect(applied({ room: 'a room' })).toThrow('(command line): room: Invalid string');
    expect(applied({ sfu: { listenIp: 'localhost' } })).toThrow('(command line): sfu.listenIp: Invalid IPv4 address');
    expect(applied({ viewers: { synthetic: 1.5 }, duration: '0s' })).toThrow(/^\(command line\): duration: .*\n\(command line\): viewers\.synthetic: .*$/);
  });
});

describe('the scenario of each way of running', () => {
  it('an SFU-only run: no viewers of its own; media listens where signaling does', async () => {
    const options = await sfuRun('scenarios/smoke.yaml', { host: '0.0.0.0', port: 8080, announcedIp: '10.0.0.5', expectViewers: 4 });
    expect(options.scenario.viewers).toMatchObject({ browser: 0, synthetic: 0 });
    expect(options.scenario.sfu).toMatchObject({ listenIp: '0.0.0.0', announcedIp: '10.0.0.5' });
    expect(options).toMatchObject({ role: 'sfu', expectViewers: 4, outDir: expect.stringMatching(/^runs\/.*-smoke-sfu$/) });
    // Beyond loopback a token is made up when the operator gave none.
    expect(options.token).toMatch(/^[\w-]{24}$/);
  });

  it('a viewer shard: its own viewers, room and duration (6 h unless told), the token in the signaling URL', async () => {
    const shard = { index: 2, count: 3 };
    const options = await shardRun({ sfu: new URL('ws://10.0.0.5:8080/signaling'), browser: 2, synthetic: 10, shard, metricsPort: 0, host: '127.0.0.1', token: 's3cret' });
    expect(options.scenario).toMatchObject({ name: 'shard', room: 'livedrill', duration: 6 * 3_600_000, viewers: { browser: 2, synthetic: 10 } });
    expect(options).toMatchObject({ role: 'viewers', shard, signalingUrl: 'ws://10.0.0.5:8080/signaling?token=s3cret', scenarioFile: '(command line)' });
    const fromFile = await shardRun({ sfu: new URL('ws://h:1/signaling?token=t'), scenario: 'scenarios/smoke.yaml', room: 'r1', duration: '90s', browser: 0, synthetic: 1, shard, metricsPort: 0, host: '127.0.0.1', token: 'other' });
    expect(fromFile.scenario).toMatchObject({ name: 'smoke', room: 'r1', duration: 90_000, viewers: { browser: 0, synthetic: 1 } });
    expect(fromFile.signalingUrl).toBe('ws://h:1/signaling?token=t');
  });
});
