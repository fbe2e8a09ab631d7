/**
 * What a viewer makes of the stamps it reads, frame after frame, and of the
 * audio markers it hears: latencies, frames never shown, repeated and out of
 * order, gathered into one batch per sample. Pure: the page reads, this counts.
 */
import { median } from '../../common/stats.js';
import { rtpTicksBetween } from '../../common/wrapping.js';
import { markerEmittedAt } from './audioMarkers.js';
import type { StampBatch } from './reports.js';
import { captureTimeNear, frameStep, type Stamp } from './stamp.js';

/** The picture's latency "now" is the median of this many last frames (about a second). */
const RECENT_FRAMES = 30;
/** Audio is set against the picture only while the picture moves: a frame shown this recently. */
const PICTURE_FRESH_MS = 1000;
/** Video RTP timestamps tick at 90 kHz. */
const RTP_TICKS_PER_MS = 90;
/**
 * A stamp's capture time and the presented frame's RTP timestamp advance
 * alike from one frame to the next; apart by more than this, the stamp read
 * is another frame's (a frame or more apart), and by more than a second, the
 * RTP timeline started again (the publisher republished).
 */
const SAME_FRAME_MS = 10;
const NEW_TIMELINE_MS = 1000;

const emptyBatch = (): StampBatch => ({
  videoLatencyMs: [],
  receiveLatencyMs: [],
  read: 0,
  unreadable: 0,
  stale: 0,
  neverShown: 0,
  neverShownGaps: [],
  repeated: 0,
  outOfOrder: 0,
  audioLatencyMs: [],
  avOffsetMs: [],
});
const tenths = (ms: number): number => Math.round(ms * 10) / 10;

export class StampTracker {
  #batch = emptyBatch();
  /** The newest frame shown, and the element's presented-frame count when it was read. */
  #newest: { frame: number; presented: number } | undefined;
  #recent: number[] = [];
  #lastShownAt = -Infinity;
  /** The last read whose stamp matched its frame: its capture time and RTP timestamp. */
  #anchor: { capturedAt: number; rtpTimestamp: number } | undefined;

  /**
   * @param clockOffsetMs the publisher's clock minus this page's: added to the
   *   times read here (presentation, arrival, a marker heard), so each
   *   latency is a difference of two readings of the publisher's clock.
   */
  constructor(private readonly clockOffsetMs = 0) {}

  /**
   * One rendered frame: its stamp (null: unreadable), when it was presented
   * and received (epoch ms; received: undefined when the browser does not
   * say), the video element's presentedFrames then and the frame's RTP
   * timestamp. Frames presented since the last read one (callbacks a busy
   * page missed, unreadable stamps) count as shown: only numbers beyond them
   * were never shown. A stamp that is not the presented frame's (the page
   * read the picture after a newer frame replaced it) is stale: the reader
   * was late, the stamp was not at fault.
   */
  onFrame(stamp: Stamp | null, presentedAtHere: number, presentedFrames: number, receivedAtHere?: number, rtpTimestamp?: number): void {
    const presentedAt = presentedAtHere + this.clockOffsetMs;
    const receivedAt = receivedAtHere === undefined ? undefined : receivedAtHere + this.clockOffsetMs;
    const batch = this.#batch;
    if (!stamp) {
      batch.unreadable++;
      return;
    }
    if (!this.#matches(stamp, presentedAt, rtpTimestamp)) {
      batch.stale!++;
      return;
    }
    batch.read++;
    const newest = this.#newest;
    // A new video element or receiver counts its presented frames from zero again.
    const shown = newest && presentedFrames > newest.presented ? presentedFrames - newest.presented : 1;
    const step = newest ? frameStep(newest.frame, stamp.frame) : 1;
    if (step <= 0) {
      if (step === 0) batch.repeated += shown;
      else batch.outOfOrder++;
      this.#newest = { frame: newest!.frame, presented: presentedFrames };
      return;
    }
    const capturedAt = captureTimeNear(stamp.captureMs, presentedAt);
    if (step > shown) {
      batch.neverShown += step - shown;
      batch.neverShownGaps!.push([Math.round(capturedAt), step - shown]);
    }
    batch.repeated += Math.max(0, shown - step);
    this.#newest = { frame: stamp.frame, presented: presentedFrames };
    const latency = presentedAt - capturedAt;
    batch.videoLatencyMs.push(tenths(latency));
    if (receivedAt !== undefined) batch.receiveLatencyMs.push(tenths(receivedAt - capturedAt));
    this.#recent.push(latency);
    if (this.#recent.length > RECENT_FRAMES) this.#recent.shift();
    this.#lastShownAt = presentedAt;
  }

  /** Whether the stamp belongs to the frame whose RTP timestamp is given (true when the browser gives none). */
  #matches(stamp: Stamp, presentedAt: number, rtpTimestamp: number | undefined): boolean {
    if (rtpTimestamp === undefined) return true;
    const capturedAt = captureTimeNear(stamp.captureMs, presentedAt);
    const anchor = this.#anchor;
    if (anchor) {
      const rtpMs = rtpTicksBetween(anchor.rtpTimestamp, rtpTimestamp) / RTP_TICKS_PER_MS;
      const apart = Math.abs(rtpMs - (capturedAt - anchor.capturedAt));
      if (apart > SAME_FRAME_MS && apart <= NEW_TIMELINE_MS) return false;
    }
    this.#anchor = { capturedAt, rtpTimestamp };
    return true;
  }

  /** An audio marker's onset heard at `heardAt` (epoch ms). */
  onMarker(heardAtHere: number): void {
    const heardAt = heardAtHere + this.clockOffsetMs;
    const moving = this.#recent.length > 0 && heardAt - this.#lastShownAt <= PICTURE_FRESH_MS;
    const picture = moving ? median(this.#recent) : undefined;
    const latency = heardAt - markerEmittedAt(heardAt, picture);
    this.#batch.audioLatencyMs.push(tenths(latency));
    if (picture !== undefined) this.#batch.avOffsetMs.push(tenths(latency - picture));
  }

  /** What was measured since the last call; undefined when nothing was. */
  take(): StampBatch | undefined {
    const batch = this.#batch;
    this.#batch = emptyBatch();
    return batch.read + batch.unreadable + batch.stale! + batch.audioLatencyMs.length > 0 ? batch : undefined;
  }
}
