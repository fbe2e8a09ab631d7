import { writeFileSync } from 'node:fs';
import { esc } from '../../common/markup.js';
import type { RunOutput } from '../run/output.js';
import type { RunSummary } from '../run/summary.js';

/**
 * The run's verdict as a JUnit XML file, for CI systems that show test
 * reports: one test case per threshold (failed with the measured value when
 * it does not hold), one for the run itself (failed when it errored or was
 * interrupted) and one for the measurement's reliability.
 */
export class JUnitOutput implements RunOutput {
  readonly name = 'junit';

  constructor(readonly file: string) {}

  attach(): void {}

  end(summary: RunSummary): void {
    writeFileSync(this.file, junitXml(summary));
  }
}

interface TestCase {
  name: string;
  failure: string | null;
}

export function junitXml(summary: RunSummary): string {
  const cases: TestCase[] = [
    {
      name: 'run completed',
      failure: summary.error ? `error: ${summary.error}` : summary.interrupted ? 'interrupted before its end' : null,
    },
    ...summary.thresholds.map((t) => ({
      name: `${t.metric}: ${t.condition}`,
      failure: t.pass ? null : `measured ${t.measured === null ? 'nothing' : t.measured}`,
    })),
    {
      name: 'measurement reliable (the harness did not disturb it)',
      failure: summary.reliability.reliable ? null : summary.reliability.reasons.join('; '),
    },
  ];
  const failures = cases.filter((c) => c.failure !== null).length;
  const suite = escape(summary.scenario.name);
  const seconds = (Date.parse(summary.endedAt) - Date.parse(summary.startedAt)) / 1000;
  const lines = cases.map((c) =>
    c.failure === null
      ? `    <testcase classname="${suite}" name="${escape(c.name)}"/>`
      : `    <testcase classname="${suite}" name="${escape(c.name)}">\n      <failure message="${escape(c.failure)}"/>\n    </testcase>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="livedrill" tests="${cases.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${suite}" id="${escape(summary.runId)}" tests="${cases.length}" failures="${failures}" timestamp="${escape(summary.startedAt)}" time="${seconds.toFixed(3)}">`,
    ...lines,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// XML 1.0 has no way to write most control characters, even escaped: they are dropped.
const escape = (text: string): string => esc(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ''));
