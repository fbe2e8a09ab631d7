/**
 * A drill on an app's own pages (the fixture app with livedrill's probe):
 * `livedrill drill` hides a freeze at the publisher's camera; the freeze
 * alert fires from what the probe measured, the people's actions go through
 * the API, resolve ends the drill, and the evidence pack names the app.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../../harness/journal/Journal.js';
import type { DrillFile } from '../../harness/drill/runFiles.js';
import { until } from '../until.js';

describe("a drill on an app's own pages", () => {
  it('hides the fault, alerts on what the probe measured, ends on resolve, and the pack names the app', async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'livedrill-app-drill-')), 'run');
    const child = spawn(process.execPath, ['harness/cli/livedrill.js', 'drill', 'test/drill/fixtures/app-drill.yaml', '--out', outDir], { stdio: 'ignore' });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until('drill.json', () => existsSync(join(outDir, 'drill.json')) || undefined, 60_000);
      const drill = JSON.parse(readFileSync(join(outDir, 'drill.json'), 'utf8')) as DrillFile;
      const token = readFileSync(join(outDir, '.token'), 'utf8').trim();
      const act = (body: object) =>
        fetch(`${drill.apiUrl}/actions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      const journal = () => readJournal(join(outDir, 'journal.jsonl'));
      const fire = await until('the freeze alert', () => journal().find((e) => e.type === 'alert.fire'), 60_000);
      expect((await act({ action: 'ack', who: 'alice' })).status).toBe(201);
      expect((await act({ action: 'resolve', who: 'alice', text: 'the app recovered' })).status).toBe(201);
      expect(await exit).toBe(0);

      const entries = journal();
      const inject = entries.find((e) => e.type === 'fault.inject')!;
      expect(inject).toMatchObject({ kind: 'video-freeze', targets: ['browser-1', 'browser-2'] });
      expect(fire.t).toBeGreaterThan(inject.t);
      expect(fire.t - inject.t).toBeLessThan(6000);
      expect(entries.find((e) => e.type === 'drill.end')).toMatchObject({ reason: 'resolved', injected: 1 });
      expect(entries.some((e) => e.type === 'app.ready')).toBe(true);
      // The hidden fault's time is not in run.start.
      expect((entries.find((e) => e.type === 'run.start')!.scenario as { faults: unknown[] }).faults).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
      await exit;
    }
    const report = spawn(process.execPath, ['harness/cli/livedrill.js', 'report', outDir], { stdio: 'ignore' });
    expect(await new Promise((resolve) => report.once('exit', resolve))).toBe(0);
    const markdown = readFileSync(join(outDir, 'report.md'), 'utf8');
    expect(markdown).toContain('app under test: fixture-app (SDK 1.0.0)');
    expect(markdown).toContain("livedrill's TURN server");
  }, 180_000);
});
