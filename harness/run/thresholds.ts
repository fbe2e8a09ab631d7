/**
 * Pass/fail lives here, not in the scenario runner (as in k6): each condition
 * of the scenario's `thresholds:` (grammar in scenario/thresholds.ts) is
 * checked against the aggregate of the measured values.
 */
import { maxOf, minOf, percentile } from '../../common/stats.js';
import { parseCondition, type Aggregation, type Condition } from '../scenario/thresholds.js';

export function aggregate(values: number[], aggregation: Aggregation): number {
  if (aggregation === 'count') return values.length;
  if (values.length === 0) return Number.NaN;
  switch (aggregation) {
    case 'min':
      return minOf(values);
    case 'max':
      return maxOf(values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      return percentile(values, Number(aggregation.slice(1)));
  }
}

function holds(measured: number, { operator, value }: Condition): boolean {
  // No measurement (NaN) never passes: a threshold on nothing is not met.
  if (Number.isNaN(measured)) return false;
  switch (operator) {
    case '<':
      return measured < value;
    case '<=':
      return measured <= value;
    case '>':
      return measured > value;
    case '>=':
      return measured >= value;
    case '==':
      return measured === value;
  }
}

export interface ThresholdResult {
  metric: string;
  condition: string;
  measured: number | null;
  pass: boolean;
}

/** Evaluates every condition against per-viewer values of each metric. */
export function evaluateThresholds<M extends string>(
  thresholds: Partial<Record<M, string[]>>,
  valuesOf: (metric: M) => number[],
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, conditions] of Object.entries(thresholds) as Array<[M, string[]]>) {
    const values = valuesOf(metric);
    for (const text of conditions) {
      const condition = parseCondition(text);
      if (typeof condition === 'string') throw new Error(`thresholds.${metric}: ${condition}`);
      const measured = aggregate(values, condition.aggregation);
      results.push({ metric, condition: text, measured: Number.isNaN(measured) ? null : measured, pass: holds(measured, condition) });
    }
  }
  return results;
}
