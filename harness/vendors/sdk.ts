/**
 * The SDK under faults, per scenario (runs of different scenarios are never
 * pooled): recovery time and unrecovered viewers per fault kind, freeze and
 * audio-gap seconds per viewer-minute, join time. Figures are the evidence
 * pack's (harness/report/evidence.ts), so a scorecard number and a run's
 * report never disagree. Runs fairness.ts excludes give none.
 */
import type { Sample } from './spread.js';
import { sdkExclusion } from './fairness.js';
import type { TrialRun } from './load.js';
import { rateCell, row, valueCell, type Cell, type Group, type Row, type Section } from './model.js';

export function sdkSection(runs: readonly TrialRun[], vendors: readonly string[]): Section {
  const usable = runs.filter((r) => sdkExclusion(r) === null);
  const scenarios = [...new Set(usable.map((r) => r.scenario.fingerprint))];
  const groups = scenarios.map((fingerprint): Group => {
    const inScenario = usable.filter((r) => r.scenario.fingerprint === fingerprint);
    const names = [...new Set(inScenario.map((r) => r.scenario.name))].join(', ');
    const files = [...new Set(inScenario.flatMap((r) => (r.scenario.file ? [r.scenario.file] : [])))].join(', ');
    const ran = vendors.filter((v) => inScenario.some((r) => r.vendor === v));
    const notes = [
      `${inScenario.length} run${inScenario.length === 1 ? '' : 's'}: ${ran.map((v) => `${v} ${inScenario.filter((r) => r.vendor === v).length}`).join(', ')}.`,
      ...(ran.length < vendors.length ? [`Not run by ${vendors.filter((v) => !ran.includes(v)).join(', ')}: shown, not compared.`] : []),
      'Latency: not measured by livedrill.',
    ];
    return { title: `Scenario ${names} (${fingerprint}${files ? `; ${files}` : ''})`, notes, rows: scenarioRows(inScenario, ran) };
  });
  return { id: 'sdk', title: 'SDK under faults', groups };
}

function scenarioRows(runs: readonly TrialRun[], vendors: readonly string[]): Row[] {
  const kinds = [...new Set(runs.flatMap((r) => r.evidence.faults.map((f) => f.kind)))].sort();
  const cells = (make: (own: TrialRun[]) => Cell | null): Record<string, Cell> =>
    Object.fromEntries(
      vendors.flatMap((v) => {
        const cell = make(runs.filter((r) => r.vendor === v));
        return cell ? [[v, cell]] : [];
      }),
    );
  const rows: Row[] = [];
  for (const kind of kinds) {
    const faults = (own: TrialRun[]) => own.flatMap((r) => r.evidence.faults.filter((f) => f.kind === kind).map((f) => ({ run: r.id, f })));
    const withKind = (own: TrialRun[]): number => new Set(faults(own).map((x) => x.run)).size;
    rows.push(
      row({
        key: `sdk.recovery.${kind}`,
        label: `Recovery after ${kind} (per viewer)`,
        unit: 'duration',
        better: 'lower',
        sampleOf: 'runs',
        cells: cells((own) => {
          const samples = faults(own).flatMap(({ run, f }) =>
            f.perViewer.filter((v) => v.targeted && v.recoverySeconds !== null).map((v) => ({ value: v.recoverySeconds! * 1000, run, ref: `${f.faultId} ${v.id}` })),
          );
          return withKind(own) > 0 ? valueCell(samples, withKind(own)) : null;
        }),
      }),
      row({
        key: `sdk.unrecovered.${kind}`,
        label: `Viewers not recovered after ${kind}`,
        unit: 'rate',
        better: 'lower',
        sampleOf: 'runs',
        cells: cells((own) => {
          const samples = faults(own).flatMap(({ run, f }) =>
            f.perViewer.filter((v) => v.targeted).map((v) => ({ value: f.viewers.unrecovered.includes(v.id) ? 1 : 0, run, ref: `${f.faultId} ${v.id}` })),
          );
          return withKind(own) > 0 ? rateCell(samples, withKind(own)) : null;
        }),
      }),
    );
  }
  const perRun = (own: TrialRun[], seconds: (r: TrialRun) => number): Sample[] =>
    own.flatMap((r) => {
      const minutes = r.evidence.viewers.reduce((a, v) => a + v.watchSeconds, 0) / 60;
      return minutes > 0 ? [{ value: seconds(r) / minutes, run: r.id, ref: null }] : [];
    });
  rows.push(
    row({
      key: 'sdk.freeze-per-minute',
      label: 'Freeze seconds per viewer-minute (per run)',
      unit: 'per-minute',
      better: 'lower',
      sampleOf: 'runs',
      cells: cells((own) => valueCell(perRun(own, (r) => r.evidence.viewers.reduce((a, v) => a + v.freezes.w3c.totalSeconds, 0)), own.length)),
    }),
    row({
      key: 'sdk.audio-gap-per-minute',
      label: 'Audio-gap seconds per viewer-minute (per run)',
      unit: 'per-minute',
      better: 'lower',
      sampleOf: 'runs',
      cells: cells((own) => valueCell(perRun(own, (r) => r.evidence.viewers.reduce((a, v) => a + v.audio.gaps.totalSeconds, 0)), own.length)),
    }),
    row({
      key: 'sdk.join',
      label: 'Join time (per viewer)',
      unit: 'duration',
      better: 'lower',
      sampleOf: 'runs',
      cells: cells((own) =>
        valueCell(
          own.flatMap((r) => r.evidence.viewers.filter((v) => v.joinSeconds !== null).map((v) => ({ value: v.joinSeconds! * 1000, run: r.id, ref: v.id }))),
          own.length,
        ),
      ),
    }),
  );
  return rows;
}
