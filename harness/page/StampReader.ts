/**
 * A viewer page reading the stamped source back. At each rendered frame the
 * presented frame is taken as a WebCodecs VideoFrame and only the stamp's
 * rectangle is copied out of it: one luma sample at each block's centre, no
 * conversion of the whole picture to RGB, which drawing it into a canvas
 * costs (several times the CPU). The host's audio track goes to the marker
 * listener. StampTracker does the counting.
 */
import { MarkerListener } from './markerListener.js';
import type { StampBatch } from './reports.js';
import { decodeStamp, STAMP_BITS, STAMP_LAYOUT, type Stamp } from './stamp.js';
import { StampTracker } from './StampTracker.js';

/** Frame formats whose first plane is luma, and packed RGB ones (4 bytes a pixel, red first or blue first). */
const LUMA_FIRST = new Set(['I420', 'I420A', 'I422', 'I444', 'NV12']);
const RGB_OFFSETS: Record<string, [number, number, number]> = { RGBA: [0, 1, 2], RGBX: [0, 1, 2], BGRA: [2, 1, 0], BGRX: [2, 1, 0] };

export class StampReader {
  readonly #tracker: StampTracker;
  readonly #luma = new Uint8Array(STAMP_BITS);
  #markers: MarkerListener | undefined;

  /** @param clockOffsetMs the publisher's clock minus this page's (a shard on another machine; see StampTracker) */
  constructor(clockOffsetMs = 0) {
    this.#tracker = new StampTracker(clockOffsetMs);
  }

  /** Reads finish in the order the frames were presented. */
  #queue: Promise<void> = Promise.resolve();

  /** A frame `video` presents now, as requestVideoFrameCallback describes it. */
  onFrame(video: HTMLVideoElement, meta: VideoFrameCallbackMetadata): void {
    const epoch = (t: number): number => performance.timeOrigin + t;
    const receivedAt = meta.receiveTime === undefined ? undefined : epoch(meta.receiveTime);
    const read = this.#read(video);
    this.#queue = this.#queue.then(async () => {
      this.#tracker.onFrame(await read, epoch(meta.presentationTime), meta.presentedFrames, receivedAt, meta.rtpTimestamp);
    });
  }

  /** The stamp of the frame `video` shows now; null when it cannot be read. */
  async #read(video: HTMLVideoElement): Promise<Stamp | null> {
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video);
    } catch {
      return null; // no frame to take (yet)
    }
    try {
      return await this.#readFrame(frame);
    } catch {
      return null;
    } finally {
      frame.close();
    }
  }

  async #readFrame(frame: VideoFrame): Promise<Stamp | null> {
    const rgb = frame.format ? RGB_OFFSETS[frame.format] : undefined;
    if (!frame.format || !(LUMA_FIRST.has(frame.format) || rgb)) return null;
    const { blocksAcross, columns, rows, margin } = STAMP_LAYOUT;
    const visible = frame.visibleRect!;
    const block = visible.width / blocksAcross;
    // Chroma is subsampled by 2: the rectangle starts and spans even.
    const even = (n: number): number => 2 * Math.floor(n / 2);
    const x = even(visible.x + margin * block);
    const y = even(visible.y + margin * block);
    const rect = { x, y, width: even(Math.ceil(columns * block) + 2), height: even(Math.ceil(rows * block) + 2) };
    const buffer = new Uint8Array(frame.allocationSize({ rect }));
    const [plane] = await frame.copyTo(buffer, { rect });
    for (let i = 0; i < STAMP_BITS; i++) {
      const cx = Math.floor(visible.x + (margin + (i % columns) + 0.5) * block) - x;
      const cy = Math.floor(visible.y + (margin + Math.floor(i / columns) + 0.5) * block) - y;
      const at = plane.offset + cy * plane.stride + (rgb ? 4 * cx : cx);
      this.#luma[i] = rgb ? (buffer[at + rgb[0]] * 77 + buffer[at + rgb[1]] * 150 + buffer[at + rgb[2]] * 29) >> 8 : buffer[at];
    }
    return decodeStamp(this.#luma);
  }

  /** Listens to the host's audio (a new track after a rejoin replaces the old one); throws where the browser cannot. */
  listen(track: MediaStreamTrack): void {
    this.#markers ??= new MarkerListener((heardAt) => this.#tracker.onMarker(heardAt));
    this.#markers.listen(track);
  }

  take(): StampBatch | undefined {
    return this.#tracker.take();
  }

  close(): void {
    this.#markers?.close();
  }
}
