/**
 * The audio worklet module (bundled on its own, served at AUDIO_WORKLET_PATH):
 * the publisher's tone with its markers. It runs on the audio rendering
 * thread and starts a burst at the first block of 128 samples processed at or
 * after the whole second (Date.now()): up to one rendering callback (a few
 * blocks, about 10 ms) late.
 */
import { AUDIO_MARKER, MARKER_WORKLET } from './audioMarkers.js';

// The AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  abstract process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number;

const TWO_PI = 2 * Math.PI;

/** The quiet background tone, and a loud burst starting at each whole period of the clock. */
class MarkerTone extends AudioWorkletProcessor {
  #background = 0;
  #burst = 0;
  #burstSamplesLeft = 0;
  #nextMarkerAt: number | undefined;

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const now = Date.now();
    const { periodMs, burstMs, burstHz, burstAmplitude, backgroundHz, backgroundAmplitude } = AUDIO_MARKER;
    // The first block only learns the time: a burst never starts off the period.
    if (this.#nextMarkerAt !== undefined && now >= this.#nextMarkerAt) {
      this.#burstSamplesLeft = Math.round((burstMs / 1000) * sampleRate);
      this.#burst = 0;
    }
    if (this.#nextMarkerAt === undefined || now >= this.#nextMarkerAt) this.#nextMarkerAt = (Math.floor(now / periodMs) + 1) * periodMs;
    for (const channel of outputs[0]) channel.fill(0);
    const out = outputs[0][0];
    if (!out) return true;
    for (let i = 0; i < out.length; i++) {
      this.#background = (this.#background + (TWO_PI * backgroundHz) / sampleRate) % TWO_PI;
      let sample = backgroundAmplitude * Math.sin(this.#background);
      if (this.#burstSamplesLeft > 0) {
        this.#burst = (this.#burst + (TWO_PI * burstHz) / sampleRate) % TWO_PI;
        sample += burstAmplitude * Math.sin(this.#burst);
        this.#burstSamplesLeft--;
      }
      out[i] = sample;
    }
    for (const channel of outputs[0].slice(1)) channel.set(out);
    return true;
  }
}

registerProcessor(MARKER_WORKLET.tone, MarkerTone);
