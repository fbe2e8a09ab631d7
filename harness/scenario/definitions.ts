/**
 * Fixed definitions of livedrill's measurement, one home each: scenario
 * defaults, probes, the run and the report's prose all read them here.
 */

/** Video gaps over this are the vendor-dashboard style freeze the report always shows (and the default fixed threshold). */
export const VIDEO_GAP_MS = 500;
/** Audio concealed in one sample period at least this long is an audio gap. */
export const AUDIO_GAP_MS = 200;
/** WebRTC's audio sample rate (Opus at 48 kHz): concealed samples / this = seconds. */
export const AUDIO_SAMPLE_RATE = 48_000;
/** The host publisher's id; more publishers are `publisher-2`… */
export const HOST_PUBLISHER_ID = 'publisher';
