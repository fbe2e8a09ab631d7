/** `livedrill drill` and `livedrill incident` as people run them: clear errors, Ctrl-C keeps what was recorded. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../../harness/journal/Journal.js';
import { writeDrillFile, writeToken } from '../../harness/drill/runFiles.js';

const livedrill = (...args: string[]) => spawnSync(process.execPath, ['harness/cli/livedrill.js', ...args], { encoding: 'utf8', timeout: 60_000 });
const tmp = () => mkdtempSync(join(tmpdir(), 'livedrill-drill-cli-'));

describe('livedrill drill', () => {
  it('validates a drill scenario like any other', () => {
    const result = livedrill('validate', 'test/drill/fixtures/freeze-drill.yaml');
    expect(result.stdout).toContain('freeze-drill.yaml: ok');
    expect(result.status).toBe(0);
  });

  it('refuses a bad drill scenario with clear errors (exit 2) and starts nothing', () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nduration: 10s\nviewers: { browser: 1 }\ndrill:\n  slaProfile: missing.yaml\n  faults:\n    - { kind: video-freeze, window: [2s, 9s], duration: 4s }\n');
    const out = join(dir, 'out');
    const result = livedrill('drill', file, '--out', out);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${file}: drill.faults.0.window: may end at 13 s, after the time limit (duration 10 s)`);
    expect(existsSync(out)).toBe(false);

    writeFileSync(file, 'name: bad\nduration: 10s\nviewers: { browser: 1 }\ndrill:\n  slaProfile: missing.yaml\n  faults:\n    - { kind: video-freeze, window: [2s, 3s], duration: 4s }\n');
    const profile = livedrill('drill', file, '--out', out);
    expect(profile.status).toBe(2);
    expect(profile.stderr).toContain(`${file}: drill.slaProfile: ${join(dir, 'missing.yaml')}: cannot read the SLA profile`);

    const noDrill = livedrill('drill', 'scenarios/smoke.yaml', '--out', out);
    expect(noDrill.status).toBe(2);
    expect(noDrill.stderr).toContain('scenarios/smoke.yaml: drill: missing');
    expect(livedrill('drill', 'test/drill/fixtures/freeze-drill.yaml', '--seed', 'x').stderr).toContain("option '--seed <n>' argument 'x' is invalid");
  });

  it('Ctrl-C ends the drill as interrupted and keeps every action recorded', async () => {
    const out = join(tmp(), 'run');
    const child = spawn(process.execPath, ['harness/cli/livedrill.js', 'drill', 'test/drill/fixtures/freeze-drill.yaml', '--out', out], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 300 && !existsSync(join(out, 'drill.json')); i++) await new Promise((r) => setTimeout(r, 100));
    const recorded = livedrill('incident', 'note', '--run', out, '--who', 'carol', '--text', 'dry run: nothing seen yet');
    expect(recorded.stderr).toBe('');
    expect(recorded.stdout).toMatch(/^recorded: carol note at /);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    const journal = readJournal(join(out, 'journal.jsonl'));
    expect(journal.find((e) => e.type === 'incident.action')).toMatchObject({ action: 'note', who: 'carol', source: 'cli', text: 'dry run: nothing seen yet' });
    expect(journal.find((e) => e.type === 'drill.end')).toMatchObject({ reason: 'interrupted' });
    expect(journal.at(-1)).toMatchObject({ type: 'run.end', interrupted: true });
    expect(JSON.parse(readFileSync(join(out, 'drill.json'), 'utf8'))).toMatchObject({ endReason: 'interrupted' });
    const late = livedrill('incident', 'ack', '--run', out, '--who', 'carol');
    expect(late.status).toBe(1);
    expect(late.stderr).toContain('the drill ended at');
    expect(late.stderr).toContain('(interrupted): "ack" can no longer be recorded; after a drill only ticket follow-ups and notes can');
    // A note after the drill goes to its journal, after run.end, marked as a follow-up.
    const followUp = livedrill('incident', 'note', '--run', out, '--who', 'carol', '--text', 'vendor called back');
    expect(followUp.stderr).toBe('');
    expect(followUp.stdout).toMatch(/^recorded after the drill \(ended .+\): carol note at /);
    expect(readJournal(join(out, 'journal.jsonl')).at(-1)).toMatchObject({ type: 'incident.action', action: 'note', followUp: true, text: 'vendor called back' });
  }, 60_000);
});

describe('livedrill incident', () => {
  it('says what is wrong with the run directory', () => {
    const dir = tmp();
    const missing = livedrill('incident', 'ack', '--run', join(dir, 'nope'), '--who', 'alice');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`livedrill incident ack: ${join(dir, 'nope')}: no such run directory (nor runs/`);
    const notDrill = livedrill('incident', 'ack', '--run', dir, '--who', 'alice');
    expect(notDrill.stderr).toContain(`${join(dir, 'drill.json')}: missing: ${dir} is not a drill run`);
  });

  it('checks the flags an action needs, and refuses the ones it does not take', async () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    // A port nothing listens on any more: the drill is gone.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    writeDrillFile(dir, { consoleUrl: `http://127.0.0.1:${port}/`, apiUrl: `http://127.0.0.1:${port}/api`, runDir: dir, pid: 1, startedAt: '', metricsUrl: null, endedAt: null, endReason: null });
    writeToken(dir, 'x'.repeat(32));
    expect(livedrill('incident', 'ticket', '--run', dir, '--who', 'alice', '--severity', 'P1').stderr).toContain('--channel is required to open a ticket');
    expect(livedrill('incident', 'ticket', '--run', dir, '--who', 'alice', '--severity', 'P0').stderr).toContain(
      "option '--severity <severity>' argument 'P0' is invalid. Allowed choices are P1, P2, P3, P4",
    );
    expect(livedrill('incident', 'reclassify', '--run', dir, '--who', 'alice').stderr).toContain('--severity is required to reclassify');
    expect(livedrill('incident', 'ack', '--run', dir, '--who', 'alice', '--severity', 'P1').stderr).toContain('--severity does not apply to ack');
    expect(livedrill('incident', 'note', '--run', dir, '--who', 'alice').stderr).toContain('--text is required for a note');
    expect(livedrill('incident', 'vendor-ask', '--run', dir, '--who', 'alice').stderr).toContain('--text is required for a vendor-ask (what the vendor asked for)');
    expect(livedrill('incident', 'vendor-diagnosis', '--run', dir, '--who', 'alice').stderr).toContain('--root-cause or --no-root-cause is required for a vendor-diagnosis');
    expect(livedrill('incident', 'fix-verified', '--run', dir, '--who', 'alice', '--verified-by', join(dir, 'nope')).stderr).toContain(`--verified-by: ${join(dir, 'nope')}: no such run directory`);
    expect(livedrill('incident', 'reopen', '--run', dir, '--who', 'alice', '--tag', 'restart').stderr).toContain('--tag does not apply to reopen');
    expect(livedrill('incident', 'ack', '--run', dir).stderr).toContain("required option '--who <name>' not specified");
    expect(livedrill('incident', 'panic', '--run', dir, '--who', 'alice').stderr).toContain("'panic' is invalid for argument 'action'. Allowed choices are ack, ticket, vendor-reply");
    const gone = livedrill('incident', 'ack', '--run', dir, '--who', 'alice');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain(`cannot reach the drill API at http://127.0.0.1:${port}/api/actions (ECONNREFUSED): is the drill in ${dir} still running?`);
  });
});
