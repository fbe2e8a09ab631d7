/**
 * Pass/fail lives here, not in the scenario runner (as in k6): a scenario
 * names per-viewer metrics and conditions on their aggregate, e.g.
 *   join_seconds: ["p95 < 5", "max < 10"]
 *   freeze_ratio: ["max <= 0.01"]
 */
import { maxOf, minOf, percentile } from '../../common/stats.js';
export const AGGREGATIONS = ['min', 'max', 'avg', 'sum', 'count', 'p50', 'p90', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
const OPERATORS = ['<=', '>=', '==', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

export interface Condition {
  aggregation: Aggregation;
  operator: Operator;
  value: number;
}

const CONDITION = /^\s*(min|max|avg|sum|count|p50|p90|p95|p99)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parses "p95 < 5"; returns an explanation string when it is not a condition. */
export function parseCondition(text: string): Condition | string {
  const match = CONDITION.exec(text);
  if (!match) return `expected "<${AGGREGATIONS.join('|')}> <${OPERATORS.join('|')}> <number>", got ${JSON.stringify(text)}`;
  return { aggregation: match[1] as Aggregation, operator: match[2] as Operator, value: Number(match[3]) };
}

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
export function evaluateThresholds(
  thresholds: Record<string, string[]>,
  valuesOf: (metric: string) => number[],
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, conditions] of Object.entries(thresholds)) {
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
