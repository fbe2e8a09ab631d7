/**
 * The stamped source's sound: a quiet continuous tone, and a loud burst of
 * another tone at every whole second of the publisher's clock (epoch ms
 * divisible by the period). A viewer hears a burst's onset and, knowing
 * when bursts are emitted, gets the audio's latency. Shared by the audio
 * worklet (which makes the sound), the marker listener (which hears it) and
 * the page (which times it).
 */
export const AUDIO_MARKER = {
  periodMs: 1000,
  burstMs: 40,
  burstHz: 2000,
  burstAmplitude: 0.6,
  backgroundHz: 440,
  backgroundAmplitude: 0.05,
  /** A sample this loud, after at least holdOffMs of quieter ones, is a burst's onset. */
  onsetLevel: 0.25,
  holdOffMs: 500,
} as const;

/** The worklet module (audioWorklet.ts) as the page server serves it, and its processor. */
export const AUDIO_WORKLET_PATH = '/audio-worklet.js';
export const MARKER_WORKLET = { tone: 'livedrill-marker-tone' } as const;

/**
 * When the burst heard at `heardAt` was emitted: the whole period nearest to
 * `heardAt - expectedLatencyMs`. With the picture's latency as the expected
 * one, any A/V offset under half a period is told apart; without video, half
 * a period is assumed (audio latency under one period).
 */
export function markerEmittedAt(heardAt: number, expectedLatencyMs = AUDIO_MARKER.periodMs / 2): number {
  return Math.round((heardAt - expectedLatencyMs) / AUDIO_MARKER.periodMs) * AUDIO_MARKER.periodMs;
}
