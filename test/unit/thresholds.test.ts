import { describe, expect, it } from 'vitest';
import { aggregate, evaluateThresholds } from '../../harness/run/thresholds.js';
import { parseCondition } from '../../harness/scenario/thresholds.js';
import { percentile } from '../../common/stats.js';

describe('thresholds', () => {
  it('parses conditions and explains bad ones', () => {
    expect(parseCondition('p95 < 5')).toEqual({ aggregation: 'p95', operator: '<', value: 5 });
    expect(parseCondition('max<=0.01')).toEqual({ aggregation: 'max', operator: '<=', value: 0.01 });
    expect(parseCondition('p95 << 5')).toMatch(/expected "<min\|max/);
  });

  it('aggregates with nearest-rank percentiles', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(v, 95)).toBe(10);
    expect(percentile(v, 50)).toBe(5);
    expect(aggregate(v, 'avg')).toBe(5.5);
    expect(aggregate(v, 'count')).toBe(10);
    expect(aggregate([], 'max')).toBeNaN();
  });

  it('passes and fails on measured values, and fails on no measurement', () => {
    const values: Record<string, number[]> = { join_seconds: [0.5, 1.2, 4.0], fps: [] };
    const results = evaluateThresholds(
      { join_seconds: ['p95 < 5', 'max < 2'], fps: ['min > 20'] },
      (metric) => values[metric],
    );
    expect(results.map((r) => [r.condition, r.measured, r.pass])).toEqual([
      ['p95 < 5', 4.0, true],
      ['max < 2', 4.0, false],
      ['min > 20', null, false],
    ]);
  });

  it('fails a join limit for a viewer that never joined (+Infinity)', () => {
    const [r] = evaluateThresholds({ join_seconds: ['max < 5'] }, () => [1, Number.POSITIVE_INFINITY]);
    expect(r.pass).toBe(false);
  });
});
