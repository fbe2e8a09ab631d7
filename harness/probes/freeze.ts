/**
 * The one definition of a video freeze, used for every kind of viewer.
 *
 * W3C webrtc-stats (freezeCount): a gap between two rendered frames is a
 * freeze when it is >= max(3 x avg, avg + 150 ms), avg being the mean of the
 * last 30 inter-frame gaps. Like libwebrtc, the rule only applies once 5 gaps
 * are known. Gaps over fixed thresholds (vendor dashboards use e.g. 500 ms)
 * are reported alongside, per threshold.
 */
export interface Freeze {
  /** Epoch ms of the last frame before the gap. */
  start: number;
  /** Epoch ms of the frame that ended it, or of the end of measurement. */
  end: number;
  /** True when it matches the W3C rule (otherwise it only passed a fixed threshold). */
  w3c: boolean;
  /** The fixed thresholds (ms) this gap exceeded. */
  fixed: number[];
  /** Still frozen when measurement ended. */
  ongoing: boolean;
}

export interface FreezeTotals {
  count: number;
  seconds: number;
}

const WINDOW = 30;
const MIN_GAPS = 5;

export function w3cFreezeThresholdMs(avgGapMs: number): number {
  return Math.max(3 * avgGapMs, avgGapMs + 150);
}

export class FreezeDetector {
  readonly #gaps: number[] = [];
  #gapSum = 0;
  #lastFrame: number | undefined;
  readonly w3c: FreezeTotals = { count: 0, seconds: 0 };
  readonly fixed: Map<number, FreezeTotals>;

  constructor(readonly fixedThresholdsMs: readonly number[]) {
    this.fixed = new Map(fixedThresholdsMs.map((ms) => [ms, { count: 0, seconds: 0 }]));
  }

  get lastFrame(): number | undefined {
    return this.#lastFrame;
  }

  /** The W3C threshold in force now, or undefined while too few frames are known. */
  get thresholdMs(): number | undefined {
    return this.#gaps.length >= MIN_GAPS ? w3cFreezeThresholdMs(this.#gapSum / this.#gaps.length) : undefined;
  }

  /** Feeds one rendered frame (epoch ms, in order); returns the freeze it ended, if any. */
  onFrame(t: number): Freeze | undefined {
    const last = this.#lastFrame;
    this.#lastFrame = t;
    if (last === undefined) return undefined;
    const gap = t - last;
    if (gap < 0) return undefined;
    const freeze = this.#classify(last, t, false);
    this.#gaps.push(gap);
    this.#gapSum += gap;
    if (this.#gaps.length > WINDOW) this.#gapSum -= this.#gaps.shift()!;
    return freeze;
  }

  /** Closes measurement at `end`: a gap still open then counts if it qualifies. */
  finish(end: number): Freeze | undefined {
    if (this.#lastFrame === undefined || end <= this.#lastFrame) return undefined;
    return this.#classify(this.#lastFrame, end, true);
  }

  /** Whether the picture is frozen at `now` (the open gap already qualifies). */
  frozenAt(now: number): boolean {
    if (this.#lastFrame === undefined) return false;
    const gap = now - this.#lastFrame;
    const threshold = this.thresholdMs;
    return (threshold !== undefined && gap >= threshold) || this.fixedThresholdsMs.some((ms) => gap > ms);
  }

  #classify(start: number, end: number, ongoing: boolean): Freeze | undefined {
    const gap = end - start;
    const threshold = this.thresholdMs;
    const w3c = threshold !== undefined && gap >= threshold;
    const fixed = this.fixedThresholdsMs.filter((ms) => gap > ms);
    if (!w3c && fixed.length === 0) return undefined;
    if (w3c) add(this.w3c, gap);
    for (const ms of fixed) add(this.fixed.get(ms)!, gap);
    return { start, end, w3c, fixed, ongoing };
  }
}

function add(totals: FreezeTotals, gapMs: number): void {
  totals.count++;
  totals.seconds += gapMs / 1000;
}
