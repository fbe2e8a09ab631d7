/**
 * Latency statistics for a whole run: every measured value counts, in a
 * histogram of whole milliseconds, so a long run's millions of frames cost
 * a few hundred counters per viewer. Percentiles are nearest-rank (as
 * common/stats.ts `percentile`), exact to the rounding of one millisecond.
 */

import type { StampBatch } from '../page/reports.js';

/** A distribution as summary.json and the report give it, in seconds. */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

export class LatencyStats {
  /** Whole milliseconds → how many values rounded to them. */
  readonly #counts = new Map<number, number>();
  #count = 0;
  #min = Infinity;
  #max = -Infinity;

  get count(): number {
    return this.#count;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const key = Math.round(ms);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    this.#count++;
    this.#min = Math.min(this.#min, ms);
    this.#max = Math.max(this.#max, ms);
  }

  addAll(values: Iterable<number>): void {
    for (const ms of values) this.add(ms);
  }

  /** Values given as [whole ms, how many] pairs (a histogram, as synthetic viewers report path latency). */
  addCounts(pairs: Iterable<readonly [number, number]>): void {
    for (const [ms, n] of pairs) {
      if (!Number.isFinite(ms) || !(n > 0)) continue;
      const key = Math.round(ms);
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
      this.#count += n;
      this.#min = Math.min(this.#min, ms);
      this.#max = Math.max(this.#max, ms);
    }
  }

  /** Nearest-rank percentile (ms); NaN without values. */
  percentileMs(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const rank = Math.min(this.#count, Math.max(1, Math.ceil((p / 100) * this.#count)));
    let seen = 0;
    for (const key of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(key)!;
      if (seen >= rank) return key;
    }
    return this.#max;
  }

  /** In seconds; null without values. */
  summary(): LatencySummary | null {
    if (this.#count === 0) return null;
    return {
      count: this.#count,
      min: this.#min / 1000,
      p50: this.percentileMs(50) / 1000,
      p95: this.percentileMs(95) / 1000,
      max: this.#max / 1000,
    };
  }
}

/** The median (whole ms) of values given as [ms, how many] pairs, over any number of lists; null without values. */
export function countedMedianMs(lists: Iterable<Iterable<readonly [number, number]>>): number | null {
  const stats = new LatencyStats();
  for (const pairs of lists) stats.addCounts(pairs);
  return stats.count > 0 ? stats.percentileMs(50) : null;
}

/**
 * What a viewer of the stamped source times, each over the whole run:
 * glass-to-glass (video: capture → presentation), capture → frame received
 * (received), audio markers (audio) and the A/V offset at each (avOffset).
 */
export type ViewerLatencySummary = Record<keyof typeof BATCH_FIELDS, LatencySummary | null>;

const BATCH_FIELDS = { video: 'videoLatencyMs', received: 'receiveLatencyMs', audio: 'audioLatencyMs', avOffset: 'avOffsetMs' } as const;

export class ViewerLatency {
  readonly #stats = { video: new LatencyStats(), received: new LatencyStats(), audio: new LatencyStats(), avOffset: new LatencyStats() };

  add(batch: StampBatch): void {
    for (const [kind, field] of Object.entries(BATCH_FIELDS) as Array<[keyof typeof BATCH_FIELDS, keyof StampBatch]>) {
      this.#stats[kind].addAll(batch[field] as number[]);
    }
  }

  summary(): ViewerLatencySummary {
    const s = this.#stats;
    return { video: s.video.summary(), received: s.received.summary(), audio: s.audio.summary(), avOffset: s.avOffset.summary() };
  }
}
