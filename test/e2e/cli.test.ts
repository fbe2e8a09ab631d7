/** The livedrill command as a user runs it. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const livedrill = (...args: string[]) =>
  spawnSync(process.execPath, ['harness/cli/livedrill.js', ...args], { encoding: 'utf8', timeout: 60_000 });

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
