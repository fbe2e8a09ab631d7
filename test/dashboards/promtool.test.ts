/**
 * The Prometheus side of dashboards/, checked by the real promtool: the
 * configuration and rule files are valid, and every alert has unit tests that
 * make it fire (with its labels and annotations) and stay quiet.
 * promtool comes with Debian's prometheus package (harness/setup/setup.sh --test).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const promDir = path.join(root, 'dashboards/prometheus');
const ruleFiles = readdirSync(path.join(promDir, 'rules'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join(promDir, 'rules', f));
const testFiles = readdirSync(path.join(promDir, 'tests'))
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => path.join(promDir, 'tests', f));

/** Runs promtool; a non-zero exit (or no promtool at all) throws with everything it printed. */
function promtool(args: string[]): string {
  const r = spawnSync('promtool', args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`promtool ${args.join(' ')} could not run (${r.error.message}); install Debian's prometheus package (harness/setup/setup.sh --test)`);
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`promtool ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${output}`);
  return output;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = ruleFiles.flatMap((f) => (parse(readFileSync(f, 'utf8')).groups as Array<{ rules: Rule[] }>).flatMap((g) => g.rules));
const alerts = rules.filter((r) => r.alert);

describe('Prometheus configuration and rules (promtool)', () => {
  it('ships a rule file and unit tests', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(testFiles.length).toBeGreaterThan(0);
  });

  it('promtool check config accepts prometheus.yml (and the rule files it loads)', () => {
    const out = promtool(['check', 'config', 'dashboards/prometheus/prometheus.yml']);
    expect(out).toMatch(/SUCCESS: \d+ rule files found/);
    expect(out).not.toMatch(/SUCCESS: 0 rule files found/);
  });

  it('promtool check rules accepts every rule file', () => {
    const out = promtool(['check', 'rules', ...ruleFiles]);
    expect(out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool test rules passes every unit test file', () => {
    const out = promtool(['test', 'rules', ...testFiles]);
    expect(out).toContain('SUCCESS');
  });

  it('a failing promtool fails the test with its output', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'livedrill-promtool-'));
    try {
      mkdirSync(path.join(dir, 'rules'));
      writeFileSync(path.join(dir, 'rules/bad.yml'), 'groups:\n  - name: bad\n    rules:\n      - alert: Bad\n        expr: sum(livedrill_viewers\n');
      expect(() => promtool(['check', 'rules', path.join(dir, 'rules/bad.yml')])).toThrow(/exited with 1:[\s\S]*unclosed left parenthesis/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every alert has a severity and annotations a human can act on', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'LivedrillVideoFreezeRatioHigh',
        'LivedrillAudioDropRatioHigh',
        'LivedrillViewerMassDisconnect',
        'LivedrillViewersUnrecovered',
        'LivedrillSfuWorkerRestarted',
        'LivedrillViewerJoinFailures',
        'LivedrillViewerJoinTimeP95High',
      ]),
    );
    for (const a of alerts) {
      expect(['critical', 'warning'], `${a.alert} severity`).toContain(a.labels?.severity);
      expect(a.annotations?.summary?.length ?? 0, `${a.alert} summary`).toBeGreaterThan(10);
      expect(a.annotations?.description?.length ?? 0, `${a.alert} description`).toBeGreaterThan(80);
      expect(Object.keys(a.annotations ?? {}).sort(), `${a.alert} annotations`).toEqual(['description', 'summary']);
    }
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
  });

  it('every alert is unit-tested firing (with labels and annotations) and quiet', () => {
    interface AlertTest {
      alertname: string;
      exp_alerts?: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
    }
    const cases = testFiles.flatMap((f) =>
      (parse(readFileSync(f, 'utf8')).tests as Array<{ alert_rule_test?: AlertTest[] }>).flatMap((t) => t.alert_rule_test ?? []),
    );
    const missing: string[] = [];
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      const firing = mine.filter((c) => (c.exp_alerts ?? []).length > 0);
      const quiet = mine.filter((c) => (c.exp_alerts ?? []).length === 0);
      if (firing.length === 0) missing.push(`${a.alert}: no case where it fires`);
      if (quiet.length === 0) missing.push(`${a.alert}: no case where it stays quiet`);
      for (const c of firing) {
        for (const e of c.exp_alerts ?? []) {
          if (e.exp_labels?.severity !== a.labels?.severity) missing.push(`${a.alert}: a firing case does not expect its severity label`);
          if (!e.exp_annotations?.summary || !e.exp_annotations?.description) missing.push(`${a.alert}: a firing case does not expect its annotations`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
