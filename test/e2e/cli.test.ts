/** The livedrill command as a user runs it, compiled or from its sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE } from '../../harness/cli/compiled.js';
import { useTempDirs } from '../tempDirs.js';

const node = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
const livedrill = (...args: string[]) => node(['harness/cli/livedrill.js', ...args]);

describe('livedrill CLI', () => {
  it('refuses a malformed scenario with one clear error and starts nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'livedrill-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nduration: 10s\nviewers: { browser: -1 }\nthresholds: { fps: ["min > "] }\n');
    const out = join(dir, 'out');
    const result = livedrill('run', file, '--out', out);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${file}: viewers.browser: Too small: expected number to be >=0`);
    expect(result.stderr).toContain(`${file}: thresholds.fps.0: expected`);
    expect(existsSync(out)).toBe(false);
  });

  it('validates the shipped scenarios', () => {
    const result = livedrill('validate', 'scenarios/smoke.yaml');
    expect(result.stdout).toContain('scenarios/smoke.yaml: ok');
    expect(result.status).toBe(0);
  });
});

describe('the compiled CLI', () => {
  const tempDir = useTempDirs();
  // Inside the checkout, as dist/cli/ is: the bundle finds the installed packages from there.
  const out = join('dist', `test-${process.pid}`);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds, and answers as the sources do', () => {
    const build = node(['harness/cli/build.js', '--out', out]);
    expect(build.status, build.stderr).toBe(0);
    const compiled = (...args: string[]) => node([join(out, BUNDLE), ...args]);
    expect(compiled('validate', 'scenarios/smoke.yaml').stdout).toBe('scenarios/smoke.yaml: ok\n');
    expect(compiled('--help').stdout).toBe(livedrill('--help').stdout);
    const bad = compiled('viewers', '--sfu', 'ws://h:1/signaling', '--browser', '-1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('(command line): viewers.browser: Too small: expected number to be >=0\n');
  });

  it('reads the files its modules find next to them from the source tree', () => {
    // Each is a URL relative to the source file that reads it (the page code, the chart code, the scorecard's yardstick SLA...).
    const bundle = readFileSync(join(out, BUNDLE), 'utf8');
    const urls = [...bundle.matchAll(/new URL\((["`])([^"`]+)\1, new URL\("([^"]+)", import\.meta\.url\)\.href\)/g)].map(([, , file, source]) => ({ file, source }));
    expect(urls.map((u) => u.file)).toEqual(expect.arrayContaining(['../page/${file}', './charts.client.js', '../../scenarios/sla/urgent-30m-24x7.yaml']));
    for (const { file, source } of urls) {
      // A template names a folder of files; the native receive addon exists only where set-up could build it.
      if (file.endsWith('.node')) continue;
      const path = resolve(dirname(resolve(out, source)), file.includes('${') ? dirname(file) : file);
      expect(existsSync(path), file).toBe(true);
    }
    const sources = [...bundle.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)].map(([, source]) => source);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) expect(existsSync(resolve(out, source)), source).toBe(true);

    // A report inlines uPlot and the chart code it reads from there.
    const run = tempDir('livedrill-cli-report-');
    const t0 = Date.UTC(2026, 10, 20, 12);
    const entries = [{ t: t0, type: 'run.start', runId: 'compiled', scenario: { name: 'compiled', faults: [] }, versions: {} }, { t: t0 + 9000, type: 'run.end', pass: true }];
    writeFileSync(join(run, 'journal.jsonl'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const report = node([join(out, BUNDLE), 'report', run]);
    expect(report.status, report.stderr).toBe(0);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).toContain(readFileSync('harness/report/charts.client.js', 'utf8').split('\n')[4]);
    expect(html).toContain('uPlot');
  });

  it('livedrill.js runs the build set-up made while the sources are those it was made from', () => {
    expect(node(['harness/cli/build.js']).status).toBe(0);
    expect(node(['harness/cli/livedrill.js', '--help'], { LIVEDRILL_DEBUG: '1' }).stderr).toContain('livedrill: running the compiled CLI');
  });
});
