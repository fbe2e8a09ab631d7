/**
 * The grammar of a scenario's `thresholds:` (as in k6): a metric name and
 * conditions on an aggregate of its values, e.g.
 *   join_seconds: ["p95 < 5", "max < 10"]
 *   freeze_ratio: ["max <= 0.01"]
 * What each metric measures is the run's (run/viewerSummary.ts, run/impact.ts);
 * their names are here, so a scenario is checked without the engine.
 */
export const AGGREGATIONS = ['min', 'max', 'avg', 'sum', 'count', 'p50', 'p90', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
const OPERATORS = ['<=', '>=', '==', '<', '>'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Per-viewer metrics: one value per viewer. */
export const VIEWER_METRIC_NAMES = [
  'join_seconds',
  'fps',
  'frames_rendered',
  'freeze_count',
  'freeze_seconds',
  'freeze_ratio',
  'audio_samples_received',
  'audio_concealed_seconds',
  'audio_concealed_ratio',
  'video_packet_loss_ratio',
  'disconnects',
  'unrecovered',
  /** Each viewer's 95th-percentile glass-to-glass latency (stamped source only). */
  'latency_seconds',
  /** Each viewer's median A/V offset, audio − video latency (stamped source only). */
  'av_sync_seconds',
  /** Each synthetic viewer's 95th-percentile network-path latency, SFU → viewer (livedrill's own SFU only). */
  'path_latency_seconds',
] as const;
export type ViewerMetricName = (typeof VIEWER_METRIC_NAMES)[number];

/** Fault metrics: one value per (fault, viewer) or per fault. */
export const FAULT_METRIC_NAMES = [
  'fault_recovery_seconds',
  'fault_freeze_seconds',
  'fault_audio_concealed_seconds',
  'fault_unrecovered_viewers',
  'fault_untargeted_affected_viewers',
  'fault_keyframe_requests',
  'fault_packet_loss_ratio',
] as const;
export type FaultMetricName = (typeof FAULT_METRIC_NAMES)[number];

export type ThresholdMetric = ViewerMetricName | FaultMetricName;
export const isViewerMetric = (metric: ThresholdMetric): metric is ViewerMetricName =>
  (VIEWER_METRIC_NAMES as readonly string[]).includes(metric);
export const THRESHOLD_METRICS: readonly ThresholdMetric[] = [...VIEWER_METRIC_NAMES, ...FAULT_METRIC_NAMES];

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
