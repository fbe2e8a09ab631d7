/**
 * What every figure of the evidence pack means, in words a vendor engineer
 * can check without livedrill. Shared by evidence.json, report.md and
 * report.html so the three never disagree.
 */
import { INCIDENT_ACTIONS } from '../drill/metrics.js';
import { scenarioSchema } from '../scenario/schema.js';
import { FreezeDetector, PAUSE_MS, W3C_FREEZE } from '../probes/freeze.js';
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import { SATURATION, SELF_WATCH_INTERVAL_MS } from '../probes/SelfWatch.js';
import { AUDIO_IMPACT_SECONDS, SETTLE_MS } from '../run/impact.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';
import { AUDIO_GAP_SAMPLES } from './audioGaps.js';
import { WINDOW_MS } from './faultWindows.js';
import { every, grouped, inSeconds, pct } from './format.js';
import { STAMP_BITS, STAMP_LAYOUT } from '../page/stamp.js';
import { AUDIO_MARKER } from '../page/audioMarkers.js';
import { IN_PROGRESS_MS } from '../run/impact.js';

/** What a scenario measures when it says nothing: the scenario schema is where these defaults live. */
export const MEASUREMENT_DEFAULTS = scenarioSchema.shape.measurement.parse(undefined);

/** The frame rate the W3C rule is illustrated at. */
const EXAMPLE_FPS = 30;
const EXAMPLE_FRAME_MS = Math.floor(1000 / EXAMPLE_FPS);

/** The shortest gap the W3C rule calls a freeze after a full window of steady `frameMs` frames (the gap joins its own average). */
function shortestFreezeMs(frameMs: number): number {
  const detector = new FreezeDetector([]);
  for (let i = 0; i <= W3C_FREEZE.windowGaps; i++) detector.onFrame(i * frameMs);
  let gap = frameMs;
  while (!detector.frozenAt(detector.lastFrame! + gap)) gap++;
  return gap;
}

export interface Definition {
  term: string;
  text: string;
}

export const DEFINITIONS: Definition[] = [
  {
    term: 'Times',
    text:
      'All times are UTC. In evidence.json instants are epoch milliseconds and durations seconds unless the field name says otherwise ' +
      '(…Ms, …Bps). "+12.3 s" is counted from the start of the steady broadcast (every viewer started), the origin of the scenario\'s fault times. ' +
      'A viewer shard on another machine sets its clock against the SFU host\'s before its viewers join (the exchange with the shortest of 8 round trips; ' +
      'right to within half of it) and adds the offset to the times its pages read: its latencies are on the publisher\'s clock (summary.json clocks).',
  },
  {
    term: 'Rendered frame',
    text:
      'Each viewer is a real Chromium page playing the stream in a <video> element. Every frame the page actually presents is timestamped with ' +
      'HTMLVideoElement.requestVideoFrameCallback (epoch ms). Freezes are judged on these timestamps, not on decoder counters.',
  },
  {
    term: 'Freeze (W3C)',
    text:
      'The W3C webrtc-stats freezeCount rule exactly as libwebrtc implements it (video/video_quality_observer2.cc): each gap between two ' +
      `consecutive rendered frames, in whole milliseconds, first joins a moving window of the last ${W3C_FREEZE.windowGaps} gaps; once the window holds at least ${W3C_FREEZE.minGaps}, ` +
      `the gap is a freeze when it is >= max(${W3C_FREEZE.avgFactor} × avg, avg + ${W3C_FREEZE.minIncreaseMs} ms), avg being the window's mean rounded down. ` +
      `At ${EXAMPLE_FPS} fps (${EXAMPLE_FRAME_MS} ms frames) that is any gap >= ${shortestFreezeMs(EXAMPLE_FRAME_MS)} ms. ` +
      `A gap of ${inSeconds(PAUSE_MS)} or more (no packets meanwhile) is what libwebrtc calls a pause: a freeze to the viewer, counted here, ` +
      'kept out of the window as libwebrtc keeps it. A gap still open when measurement ended counts as an ongoing freeze. Its duration is the whole gap. ' +
      'Chromium\'s own freezeCount + pauseCount and their durations are in raw/summary.json for cross-checking (they restart with each new receiver after a rejoin).',
  },
  {
    term: `Video gap > ${VIDEO_GAP_MS} ms (fixed threshold)`,
    text:
      `The vendor-dashboard style definition: any gap between two rendered frames longer than ${VIDEO_GAP_MS} ms, whatever the frame rate. ` +
      'Taken from the run\'s freeze records when the scenario measured this threshold, otherwise recomputed from the journaled frame timestamps.',
  },
  {
    term: 'Stamped source',
    text:
      'Unless the scenario says publisher.source: fake (Chromium\'s fake camera and microphone), the publisher sends livedrill\'s own source. Video: a canvas ' +
      'drawing a moving picture and, on every frame, a stamp at its top-left corner: the frame\'s number (24 bits) and its capture time (epoch ms, 32 bits), ' +
      `checked by a CRC-16, as ${STAMP_LAYOUT.columns} × ${STAMP_LAYOUT.rows} = ${STAMP_BITS} black or white square blocks, each 1/${STAMP_LAYOUT.blocksAcross} of the picture's width, ` +
      'on a black margin. Each drawn frame is captured once, so frame numbers count the frames given to the encoder. Audio: a quiet tone with a loud ' +
      `${AUDIO_MARKER.burstMs} ms burst at ${AUDIO_MARKER.burstHz} Hz starting at every whole second of the publisher's clock. Every browser viewer reads the stamp ` +
      'of each frame it renders (the stamp region only, one pixel per block, taken at the block\'s centre, 1 = brighter than mid-grey) and listens for the bursts. ' +
      'A stamp whose CRC does not hold is counted unreadable, never guessed; one whose capture time disagrees with the frame\'s RTP timestamp was read too late ' +
      '(the picture was already a newer frame\'s, on a busy page) and is counted stale, not used.',
  },
  {
    term: 'Glass-to-glass latency',
    text:
      'Per frame shown for the first time: its presentation time at the viewer (requestVideoFrameCallback presentationTime) minus the capture time in its stamp. ' +
      'Publisher and viewers run on one machine and read one clock (epoch ms of the pages), so no clock offset enters it. It includes capture, encoding, ' +
      'the network and the SFU, the jitter buffer, decoding, and the wait for the compositor (presentation times fall on its refresh, about 16.7 ms apart). ' +
      'p50 / p95 / max are nearest-rank over every frame, exact to 1 ms. Beside it, "received" is capture → the frame\'s arrival at the viewer ' +
      '(requestVideoFrameCallback receiveTime): the transport alone. The difference is the receiver\'s doing: jitter buffer, decoding, and lip sync, which holds ' +
      'the picture back to match the sound; such a hold absorbs part of a sudden network delay at first, so glass-to-glass latency may rise by less than the ' +
      'delay until lip sync catches up, while "received" rises by the delay at once. In a fault\'s impact, "latency before → during" is the median over as long ' +
      'a window just before the fault and over the fault.',
  },
  {
    term: 'Network-path latency (synthetic viewers)',
    text:
      'Not glass-to-glass: a synthetic viewer decodes nothing. From the RTCP sender reports the SFU sends each consumer (about one a second): mediasoup ' +
      'writes its worker\'s monotonic clock in a report\'s NTP field and, as its RTP time, the newest frame\'s timestamp plus the time since it forwarded that ' +
      'frame\'s first packet. The first packet of each newer frame then gives: its kernel receive time − (the report\'s time + the frame\'s RTP time since the ' +
      'report\'s, at 90 kHz). That is the path from the SFU to the viewer alone (a network fault on it adds to it), good to the frame timing of the frame the ' +
      'report was anchored on (a few ms). A shard on another machine has the SFU host\'s monotonic clock from the clock exchange (see Times). Per fault, "before → during" medians as above.',
  },
  {
    term: 'Audio latency and A/V offset',
    text:
      'Audio latency: the onset of a burst as the viewer\'s page hears it (the decoded audio handed to its audio output, to the sample; the output device\'s own buffer, a few ms, is not counted) minus the whole second it was emitted at. ' +
      'The publisher starts a burst at the first audio rendering callback at or after the whole second, up to one callback (about 10 ms) late. ' +
      'A/V offset = audio latency − the picture\'s latency then (the median of its last 30 frames): positive means the sound is behind the picture. ' +
      `It is not computed while the picture stands still (no frame in the last second). The emission second is the one nearest to the picture's latency, ` +
      `so offsets up to ±${AUDIO_MARKER.periodMs / 2} ms are told apart (without video, audio latency is taken to be under ${inSeconds(AUDIO_MARKER.periodMs)}). ` +
      'WebRTC delays the picture to match the sound (lip sync) within about 30 ms, and only gradually: the offset right after a join or a fault may be larger.',
  },
  {
    term: 'Frames never shown (frame-exact)',
    text:
      'From the stamps: frame numbers a viewer passed over, beyond the frames its video element presented in between (a frame presented while the page was too ' +
      'busy to read it, read too late, or with an unreadable stamp, counts as shown). Beside the freeze rules, which judge the time between rendered frames, this says how many ' +
      'frames of the source were lost on the way: frames the encoder dropped, frames the SFU did not forward (a paused consumer, the wait for a keyframe), ' +
      'frames the receiver decoded too late. Repeated: a frame presented again; out of order: a frame older than one already shown. In a fault\'s impact, ' +
      `frames never shown are counted from its start to ${inSeconds(IN_PROGRESS_MS)} after its end (the sample that shows the first frame after a cut reports the cut).`,
  },
  {
    term: `Audio gap >= ${AUDIO_GAP_MS} ms (fixed threshold)`,
    text:
      `getStats() is read every sample period (${MEASUREMENT_DEFAULTS.sampleInterval} ms by default). A period in which the inbound audio's concealedSamples grew by at least ` +
      `${AUDIO_GAP_SAMPLES} samples (${AUDIO_GAP_MS} ms at ${AUDIO_SAMPLE_RATE / 1000} kHz) is an audio gap period; consecutive gap periods make one gap, ` +
      `whose length is the audio concealed in it (concealed samples / ${grouped(AUDIO_SAMPLE_RATE)}) and whose span is those periods. The resolution is one sample period: ` +
      `a ${AUDIO_GAP_MS} ms gap split across two periods is missed, never invented. Time a viewer spent disconnected (no receiver) counts under disconnections.`,
  },
  {
    term: 'Audio concealment',
    text:
      'From the inbound-rtp audio stats: concealedSamples / totalSamplesReceived, i.e. the share of played-out audio that the jitter buffer had to ' +
      'synthesise (packet loss concealment, or silence) because real audio was missing. Headless Chromium only counts samples while audio plays out; ' +
      'livedrill viewers play it.',
  },
  {
    term: 'Packet loss',
    text:
      'From the inbound-rtp stats, per media kind: growth of packetsLost / (growth of packetsLost + growth of packetsReceived) over the window. ' +
      'packetsLost is what the receiver still misses after NACK retransmissions (a packet recovered by retransmission is not lost). ' +
      'Counters restart at zero when a viewer rejoins with a new receiver; growth is counted from there. ' +
      'Beside it, for a network fault on the viewer: the share of its downstream packets the relay dropped while the fault lasted, the loss actually injected (random drops vary around the setting). ' +
      'Audio is not retransmitted: the viewer\'s audio loss alone (audioPacketLossRatio) is set against the audio RTP packets the relay dropped, and is judged; video\'s loss after retransmission is reported beside.',
  },
  {
    term: 'Freeze ratio',
    text: 'W3C freeze time / watched time (first rendered frame to end of measurement, or the part of a window after the first frame).',
  },
  {
    term: 'Fault window and attribution window',
    text:
      'Ground truth from the fault scheduler: when the fault was injected and when it was reverted, and on whom. A fault\'s impact is attributed ' +
      `from its start to ${inSeconds(SETTLE_MS)} after its end (cut at the next fault's start and at the end of the run): freezes overlapping that window, ` +
      'disconnections and concealed audio in it.',
  },
  {
    term: 'Affected viewer',
    text:
      `A viewer with, in the attribution window, a W3C freeze, a disconnection, or >= ${AUDIO_IMPACT_SECONDS * 1000} ms of concealed audio. Percentages are of all viewers ` +
      'of the run, and of the fault\'s targets. Unrecovered: affected and not watching again (frames flowing, connected) by the end of the run.',
  },
  {
    term: 'Recovery time',
    text: 'Fault end to the first rendered frame after it (after the reconnection, for a disconnected viewer); 0 when the viewer was never interrupted.',
  },
  {
    term: 'Before / after windows',
    text:
      `Per viewer kind, over ${inSeconds(WINDOW_MS)} before the fault started and ${inSeconds(WINDOW_MS)} after it ended (cut to the steady broadcast and the end of measurement; ` +
      'the window actually used is given). fps = frames rendered / watched seconds (mean over viewers, and the lowest), freeze ratio as above, ' +
      'audio concealment and packet loss over all viewers of the kind, publisher bitrate = growth of bytesSent (audio + video) in the window. ' +
      '(The impact table\'s "publisher before → during" compares the fault with a window of the same length just before it.)',
  },
  {
    term: 'Reliability',
    text:
      `The harness watches its own machine ${every(SELF_WATCH_INTERVAL_MS)}. A run is unreliable when the machine was saturated (all cores >= ${pct(SATURATION.machineBusy, 0)} busy, or the ` +
      `harness event loop stalled >= ${SATURATION.eventLoopLagMs} ms) in more than ${pct(SATURATION.allowedShare, 0)} of the steady broadcast, or when a freeze overlapped a saturated second: such a ` +
      'freeze may be the test machine\'s doing, not the system under test\'s.',
  },
  {
    term: 'Human timeline and SLA',
    text:
      `Alerts (alert.fire) and what people did (incident.action: ${INCIDENT_ACTIONS.join(', ')}) as journaled during a drill and after it (ticket follow-ups). ` +
      'One incident per fault. Detect = fault start → first alert; acknowledge = first alert → first ack; escalate = first ack → first vendor ticket; ' +
      'mitigate / resolve = fault start → first mitigate / resolve. A vendor ticket\'s first response is judged against the vendor\'s published SLA ' +
      'profile: the budget of the severity in force when the reply came, counted from the ticket on that severity\'s coverage hours.',
  },
];
