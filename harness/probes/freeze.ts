/**
 * The one definition of a video freeze, used for every kind of viewer:
 * libwebrtc's, which is what Chromium's getStats `freezeCount` counts
 * (webrtc/video/video_quality_observer2.cc, VideoQualityObserver::OnRenderedFrame):
 *   - each inter-frame gap, in whole milliseconds, is first added to a moving
 *     window of the last 30 gaps;
 *   - once the window holds at least 5 gaps, avg = the window's mean rounded
 *     down to a whole millisecond, and the gap is a freeze when
 *     gap >= max(3 x avg, avg + 150 ms).
 * The current gap is part of the average it is compared with: a gap of
 * 183 ms after steady 33 ms frames is no freeze (avg 38, threshold 188).
 * libwebrtc calls a gap a *pause*, not a freeze, when no packet arrived for
 * 5 s meanwhile (VideoReceiveStream2 marks the stream inactive; getStats
 * counts it in pauseCount, and the gap stays out of the window). A viewer sees
 * a frozen picture either way, so livedrill counts it as a freeze, marked
 * `pause` and kept out of the window as libwebrtc keeps it: our count is
 * Chromium's freezeCount + pauseCount. From frames alone a gap of 5 s or more
 * is taken as a pause (libwebrtc decides at its next 3 s frame timeout, so gaps
 * of 5–6 s may go either way).
 * One more addition to libwebrtc: a gap still open when measurement ends
 * counts, marked `ongoing` (libwebrtc only counts a freeze once the next frame shows).
 * Gaps over fixed thresholds (vendor dashboards use e.g. 500 ms) are
 * reported alongside, per threshold.
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
  /** Long enough that libwebrtc counts it as a pause (pauseCount), not a freeze. */
  pause?: boolean;
}

export interface FreezeTotals {
  count: number;
  seconds: number;
}

/**
 * The rule's numbers, for the code and for the report that states it:
 * kAvgInterframeDelaysWindowSizeFrames, kMinFrameSamplesToDetectFreeze,
 * the multiple of the average, kMinIncreaseForFreezeMs.
 */
export const W3C_FREEZE = { windowGaps: 30, minGaps: 5, avgFactor: 3, minIncreaseMs: 150 } as const;
/** No packet for this long makes libwebrtc's stream inactive: the gap is a pause. */
export const PAUSE_MS = 5000;

export function w3cFreezeThresholdMs(avgGapMs: number): number {
  return Math.max(W3C_FREEZE.avgFactor * avgGapMs, avgGapMs + W3C_FREEZE.minIncreaseMs);
}

/** libwebrtc times frames in whole milliseconds. */
const wholeGapMs = (from: number, to: number): number => Math.floor(to) - Math.floor(from);

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

  /** Feeds one rendered frame (epoch ms, in order); returns the freeze it ended, if any. */
  onFrame(t: number): Freeze | undefined {
    const last = this.#lastFrame;
    this.#lastFrame = t;
    if (last === undefined || t < last) return undefined;
    const gap = wholeGapMs(last, t);
    if (gap >= PAUSE_MS) return this.#classify(last, t, true, false);
    this.#gaps.push(gap);
    this.#gapSum += gap;
    if (this.#gaps.length > W3C_FREEZE.windowGaps) this.#gapSum -= this.#gaps.shift()!;
    return this.#classify(last, t, this.#isW3cFreeze(gap, this.#gapSum, this.#gaps.length), false);
  }

  /** Closes measurement at `end`: a gap still open then counts if it qualifies. */
  finish(end: number): Freeze | undefined {
    if (this.#lastFrame === undefined || end <= this.#lastFrame) return undefined;
    return this.#classify(this.#lastFrame, end, this.#openGapIsW3cFreeze(end), true);
  }

  /** Whether the picture is frozen at `now` (the open gap already qualifies). */
  frozenAt(now: number): boolean {
    if (this.#lastFrame === undefined || now <= this.#lastFrame) return false;
    const gap = now - this.#lastFrame;
    return this.#openGapIsW3cFreeze(now) || this.fixedThresholdsMs.some((ms) => gap > ms);
  }

  /** The open gap judged as if a frame showed at `t`: it joins the window first, as in libwebrtc. */
  #openGapIsW3cFreeze(t: number): boolean {
    const gap = wholeGapMs(this.#lastFrame!, t);
    if (gap >= PAUSE_MS) return true;
    const full = this.#gaps.length >= W3C_FREEZE.windowGaps;
    const sum = this.#gapSum + gap - (full ? this.#gaps[0] : 0);
    return this.#isW3cFreeze(gap, sum, full ? W3C_FREEZE.windowGaps : this.#gaps.length + 1);
  }

  #isW3cFreeze(gap: number, windowSum: number, windowSize: number): boolean {
    return windowSize >= W3C_FREEZE.minGaps && gap >= w3cFreezeThresholdMs(Math.floor(windowSum / windowSize));
  }

  #classify(start: number, end: number, w3c: boolean, ongoing: boolean): Freeze | undefined {
    const gap = end - start;
    const fixed = this.fixedThresholdsMs.filter((ms) => gap > ms);
    if (!w3c && fixed.length === 0) return undefined;
    if (w3c) add(this.w3c, gap);
    for (const ms of fixed) add(this.fixed.get(ms)!, gap);
    return { start, end, w3c, fixed, ongoing, ...(gap >= PAUSE_MS ? { pause: true } : {}) };
  }
}

function add(totals: FreezeTotals, gapMs: number): void {
  totals.count++;
  totals.seconds += gapMs / 1000;
}
