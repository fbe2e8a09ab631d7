/**
 * A viewer page reading the stamped source back: at each rendered frame, the
 * stamp region alone is drawn into a canvas of one pixel per block (each
 * pixel sampled at its block's centre) and decoded; the host's audio track
 * goes through the marker listener worklet. StampTracker does the counting.
 */
import { AUDIO_WORKLET_PATH, MARKER_WORKLET } from './audioMarkers.js';
import type { StampBatch } from './reports.js';
import { decodeStamp, STAMP_BITS, STAMP_LAYOUT, type Stamp } from './stamp.js';
import { StampTracker } from './StampTracker.js';

export class StampReader {
  readonly #tracker = new StampTracker();
  readonly #canvas = document.createElement('canvas');
  readonly #ctx: CanvasRenderingContext2D;
  readonly #luma = new Uint8Array(STAMP_BITS);
  #audio: { context: AudioContext; ready: Promise<void> } | undefined;
  #listening: AudioNode | undefined;

  constructor() {
    this.#canvas.width = STAMP_LAYOUT.columns;
    this.#canvas.height = STAMP_LAYOUT.rows;
    this.#ctx = this.#canvas.getContext('2d', { willReadFrequently: true })!;
  }

  /** A frame `video` presents now, as requestVideoFrameCallback describes it. */
  onFrame(video: HTMLVideoElement, meta: VideoFrameCallbackMetadata): void {
    const epoch = (t: number): number => performance.timeOrigin + t;
    const receivedAt = meta.receiveTime === undefined ? undefined : epoch(meta.receiveTime);
    this.#tracker.onFrame(this.#read(video, meta.width), epoch(meta.presentationTime), meta.presentedFrames, receivedAt, meta.rtpTimestamp);
  }

  #read(video: HTMLVideoElement, width: number): Stamp | null {
    const { blocksAcross, columns, rows, margin } = STAMP_LAYOUT;
    const block = width / blocksAcross;
    if (!(block > 0)) return null;
    this.#ctx.drawImage(video, margin * block, margin * block, columns * block, rows * block, 0, 0, columns, rows);
    const rgba = this.#ctx.getImageData(0, 0, columns, rows).data;
    for (let i = 0; i < STAMP_BITS; i++) this.#luma[i] = (rgba[4 * i] * 77 + rgba[4 * i + 1] * 150 + rgba[4 * i + 2] * 29) >> 8;
    return decodeStamp(this.#luma);
  }

  /** Listens to the host's audio (a new track after a rejoin replaces the old one). */
  async listen(track: MediaStreamTrack): Promise<void> {
    this.#audio ??= this.#startAudio();
    const { context, ready } = this.#audio;
    await ready;
    this.#listening?.disconnect();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    // No outputs: the context still runs it (an automatic pull node), and nothing is played twice.
    const listener = new AudioWorkletNode(context, MARKER_WORKLET.listener, { numberOfOutputs: 0 });
    listener.port.onmessage = (event: MessageEvent<number>) => this.#tracker.onMarker(event.data);
    source.connect(listener);
    this.#listening = source;
  }

  #startAudio(): { context: AudioContext; ready: Promise<void> } {
    const context = new AudioContext();
    return { context, ready: context.audioWorklet.addModule(AUDIO_WORKLET_PATH) };
  }

  take(): StampBatch | undefined {
    return this.#tracker.take();
  }

  close(): void {
    this.#listening?.disconnect();
    void this.#audio?.context.close();
  }
}
