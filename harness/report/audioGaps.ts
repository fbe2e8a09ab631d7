/**
 * The report's fixed-threshold audio figure: sample periods whose concealed
 * audio reaches AUDIO_GAP_MS, consecutive ones merged into one gap.
 */
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import { AUDIO_GAP_MS } from '../scenario/definitions.js';
import type { SampleDelta } from '../journal/records.js';
import type { Interval } from './durations.js';

/** Concealed samples in one period that make it an audio gap period. */
export const AUDIO_GAP_SAMPLES = (AUDIO_GAP_MS / 1000) * AUDIO_SAMPLE_RATE;

/** Length = the audio concealed in the gap; span = its periods. */
export function audioGaps(samples: readonly SampleDelta[]): Interval[] {
  const gaps: Interval[] = [];
  let open: { start: number; end: number; concealed: number } | undefined;
  const close = (ongoing: boolean): void => {
    gaps.push({ start: open!.start, end: open!.end, seconds: open!.concealed / AUDIO_SAMPLE_RATE, ongoing });
    open = undefined;
  };
  for (const s of samples) {
    if (s.audioConcealedSamples >= AUDIO_GAP_SAMPLES) {
      if (open) {
        open.end = s.t;
        open.concealed += s.audioConcealedSamples;
      } else {
        open = { start: s.from, end: s.t, concealed: s.audioConcealedSamples };
      }
    } else if (open) {
      close(false);
    }
  }
  if (open) close(true);
  return gaps;
}
