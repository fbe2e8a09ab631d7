/**
 * Hears the stamped source's audio markers on a viewer: the audio track's
 * samples as the page's audio output takes them (MediaStreamTrackProcessor),
 * scanned in a worker. Nothing runs on the page's main thread or its audio
 * rendering, and no second AudioContext runs beside the playout: measured,
 * this costs less than a listening AudioWorklet and hears a burst about
 * 20 ms earlier, the listener context's own buffering left out.
 */
import { AUDIO_MARKER } from './audioMarkers.js';

/** The part of AUDIO_MARKER the worker needs (it is sent as data: the worker shares no module). */
type Onset = Pick<typeof AUDIO_MARKER, 'onsetLevel' | 'holdOffMs'>;

/** Chromium's breakout box (TypeScript's DOM library does not have it yet). */
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack });
  readonly readable: ReadableStream<AudioData>;
}

export class MarkerListener {
  readonly #worker: Worker;
  readonly #url: string;

  /** @param onMarker a burst's onset heard at this time (epoch ms) */
  constructor(onMarker: (heardAt: number) => void) {
    const onset: Onset = { onsetLevel: AUDIO_MARKER.onsetLevel, holdOffMs: AUDIO_MARKER.holdOffMs };
    this.#url = URL.createObjectURL(new Blob([`(${hearMarkers.toString()})(${JSON.stringify(onset)});`], { type: 'text/javascript' }));
    this.#worker = new Worker(this.#url);
    this.#worker.onmessage = (event: MessageEvent<number>) => onMarker(event.data);
  }

  /** Listens to `track` from now on (a new track after a rejoin replaces the old one). */
  listen(track: MediaStreamTrack): void {
    const readable = new MediaStreamTrackProcessor({ track }).readable;
    this.#worker.postMessage(readable, [readable]);
  }

  close(): void {
    this.#worker.terminate();
    URL.revokeObjectURL(this.#url);
  }
}

/**
 * The worker, sent as its source: self-contained. Each AudioData is the
 * audio handed to the page's output at once, so sample i of it is heard
 * i / sampleRate after the data arrives (the output device's own buffer, a
 * few ms, comes after: not counted). An onset is a sample at least
 * onsetLevel loud after at least holdOffMs of quieter ones.
 */
function hearMarkers(onset: Onset): void {
  const scope = self as unknown as { onmessage: (event: MessageEvent<ReadableStream<AudioData>>) => void; postMessage(heardAt: number): void };
  let current: ReadableStreamDefaultReader<AudioData> | undefined;
  scope.onmessage = async (event) => {
    await current?.cancel().catch(() => undefined);
    const reader = event.data.getReader();
    current = reader;
    // Starts loud: a viewer that joins in the middle of a burst does not take it for an onset.
    let quietSamples = 0;
    let samples = new Float32Array(0);
    for (;;) {
      const { value: data, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !data) return;
      const arrivedAt = performance.timeOrigin + performance.now();
      const frames = data.numberOfFrames;
      const rate = data.sampleRate;
      if (samples.length < frames) samples = new Float32Array(frames);
      try {
        data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
      } finally {
        data.close();
      }
      const holdOff = (onset.holdOffMs / 1000) * rate;
      for (let i = 0; i < frames; i++) {
        if (Math.abs(samples[i]) < onset.onsetLevel) {
          quietSamples++;
          continue;
        }
        if (quietSamples >= holdOff) scope.postMessage(arrivedAt + (i / rate) * 1000);
        quietSamples = 0;
      }
    }
  };
}
