/**
 * The frame timeline of one watched <video>: every presented frame's time,
 * from requestVideoFrameCallback. Used by livedrill's viewer page and by the
 * probe in app pages, so both measure freezes by the same rule.
 */
import type { StampReader } from './StampReader.js';

export class RenderedFrames {
  #frames: number[] = [];
  #video: HTMLVideoElement | undefined;
  #last: { t: number; presented: number } | undefined;
  #firstSeen = false;

  /**
   * @param onFirstFrame called once, at the first frame ever presented
   * @param stamps reads the stamp of each presented frame (the stamped source)
   */
  constructor(
    private readonly onFirstFrame: (t: number) => void,
    private readonly stamps?: StampReader,
  ) {}

  get watching(): HTMLVideoElement | undefined {
    return this.#video;
  }

  /** Times the frames `video` presents from now on (and no longer those of the element watched before). */
  watch(video: HTMLVideoElement): void {
    this.#video = video;
    this.#last = undefined;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      if (this.#video !== video) return;
      const t = performance.timeOrigin + meta.presentationTime;
      // A busy main thread skips callbacks, not frames: the compositor still presented
      // them. Spread the frames we did not see evenly over the gap, so a page stall is
      // not mistaken for a freeze.
      const last = this.#last;
      const missed = last ? meta.presentedFrames - last.presented - 1 : 0;
      for (let i = 1; i <= missed; i++) this.#frames.push(last!.t + ((t - last!.t) * i) / (missed + 1));
      this.#frames.push(t);
      this.stamps?.onFrame(video, meta);
      this.#last = { t, presented: meta.presentedFrames };
      if (!this.#firstSeen) {
        this.#firstSeen = true;
        this.onFirstFrame(t);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  /** The frame times since the last call. */
  take(): number[] {
    const batch = this.#frames;
    this.#frames = [];
    return batch;
  }
}
