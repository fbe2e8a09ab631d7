/**
 * Hears the stamped source's audio markers on a viewer: the audio track's
 * samples as the page's audio output takes them (MediaStreamTrackProcessor),
 * scanned in a worker. Nothing runs on the page's main thread or its audio
 * rendering, and no second AudioContext runs beside the playout.
 *
 * Reading a track costs the browser for every 10 ms of audio it hands over,
 * so the listener reads only around the next burst: from LEAD_MS before the
 * time the last one was heard, a period later, until it is heard, or TAIL_MS
 * past that time. A burst missed (the latency moved by more) sets it
 * searching: reading until the next onset, however long that takes.
 */
import { AUDIO_MARKER } from './audioMarkers.js';

/** How much earlier or later than the last one, a period on, the next burst may be heard and still be caught. */
const LEAD_MS = 250;
const TAIL_MS = 300;
/** Quiet before an onset: within a window, less than its lead (a burst's own dips last a few samples). */
const WINDOW_HOLD_OFF_MS = 100;

/** Chromium's breakout box (TypeScript's DOM library does not have it yet). */
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack });
  readonly readable: ReadableStream<AudioData>;
}

/** A read of the track, to the worker: until an onset (after holdOffMs of quiet) or closeAt (epoch ms; null: no end). */
interface ListenRequest {
  id: number;
  readable: ReadableStream<AudioData>;
  onsetLevel: number;
  holdOffMs: number;
  closeAt: number | null;
}
/** From the worker, for request `id`: the onset heard at (epoch ms), or null when the read ended at closeAt without one. */
type ListenResult = { id: number; heardAt: number | null };

export class MarkerListener {
  readonly #worker: Worker;
  readonly #url: string;
  #track: MediaStreamTrack | undefined;
  /** The clone the current read is on: stopping it ends the read and what it costs. */
  #reading: MediaStreamTrack | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The current request's id: a result of one replaced meanwhile is dropped. */
  #requestId = 0;

  /** @param onMarker a burst's onset heard at this time (epoch ms) */
  constructor(private readonly onMarker: (heardAt: number) => void) {
    this.#url = URL.createObjectURL(new Blob([`(${hearMarkers.toString()})();`], { type: 'text/javascript' }));
    this.#worker = new Worker(this.#url);
    this.#worker.onmessage = ({ data }: MessageEvent<ListenResult>) => {
      if (data.id === this.#requestId) this.#ended(data.heardAt);
    };
  }

  /** Listens to `track` from now on (a new track after a rejoin replaces the old one). */
  listen(track: MediaStreamTrack): void {
    this.#track = track;
    this.#read(null);
  }

  /** Reads the track from now until an onset, or until closeAt. */
  #read(closeAt: number | null): void {
    this.#stopReading();
    if (!this.#track || this.#track.readyState === 'ended') return;
    this.#reading = this.#track.clone();
    const readable = new MediaStreamTrackProcessor({ track: this.#reading }).readable;
    const request: ListenRequest = {
      id: ++this.#requestId,
      readable,
      onsetLevel: AUDIO_MARKER.onsetLevel,
      holdOffMs: closeAt === null ? AUDIO_MARKER.holdOffMs : WINDOW_HOLD_OFF_MS,
      closeAt,
    };
    this.#worker.postMessage(request, [readable]);
  }

  #ended(heardAt: number | null): void {
    this.#stopReading();
    if (heardAt === null) return this.#read(null); // missed: search
    this.onMarker(heardAt);
    const next = heardAt + AUDIO_MARKER.periodMs;
    const now = performance.timeOrigin + performance.now();
    this.#timer = setTimeout(() => this.#read(next + TAIL_MS), Math.max(0, next - LEAD_MS - now));
  }

  #stopReading(): void {
    clearTimeout(this.#timer);
    this.#reading?.stop();
    this.#reading = undefined;
  }

  close(): void {
    this.#stopReading();
    this.#track = undefined;
    this.#worker.terminate();
    URL.revokeObjectURL(this.#url);
  }
}

/**
 * The worker, sent as its source: self-contained. Each AudioData is the
 * audio handed to the page's output at once, so sample i of it is heard
 * i / sampleRate after the data arrives (the output device's own buffer, a
 * few ms, comes after: not counted). An onset is a sample at least
 * onsetLevel loud after at least holdOffMs of quieter ones. A new request
 * replaces the read in progress.
 */
function hearMarkers(): void {
  const scope = self as unknown as { onmessage: (event: MessageEvent<ListenRequest>) => void; postMessage(result: ListenResult): void };
  let current: ReadableStreamDefaultReader<AudioData> | undefined;
  scope.onmessage = async ({ data: request }) => {
    void current?.cancel().catch(() => undefined);
    const reader = request.readable.getReader();
    current = reader;
    const finish = (heardAt: number | null): void => {
      if (current !== reader) return; // replaced meanwhile
      current = undefined;
      void reader.cancel().catch(() => undefined);
      scope.postMessage({ id: request.id, heardAt });
    };
    // Starts loud: a read that begins in the middle of a burst does not take it for an onset.
    let quietSamples = 0;
    let samples = new Float32Array(0);
    for (;;) {
      const { value: data, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !data || current !== reader) return;
      const arrivedAt = performance.timeOrigin + performance.now();
      const frames = data.numberOfFrames;
      const rate = data.sampleRate;
      if (samples.length < frames) samples = new Float32Array(frames);
      try {
        data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
      } finally {
        data.close();
      }
      const holdOff = (request.holdOffMs / 1000) * rate;
      for (let i = 0; i < frames; i++) {
        if (Math.abs(samples[i]) < request.onsetLevel) {
          quietSamples++;
          continue;
        }
        if (quietSamples >= holdOff) return finish(arrivedAt + (i / rate) * 1000);
        quietSamples = 0;
      }
      if (request.closeAt !== null && arrivedAt >= request.closeAt) return finish(null);
    }
  };
}
