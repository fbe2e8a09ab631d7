/** raw/README.txt: the formats of the raw files, for someone who has never seen livedrill. */
import type { Evidence } from './evidence.js';
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import { SELF_WATCH_INTERVAL_MS } from '../probes/SelfWatch.js';
import { MEASUREMENT_DEFAULTS } from './definitions.js';
import { every } from './format.js';

export function rawReadme(ev: Evidence): string {
  const summaryLine = ev.run.sources.summary
    ? 'summary.json      The run\'s own summary, written once when the run ended.'
    : 'summary.json      ABSENT: the run ended before writing it (crash or kill). Everything in\n                  report.md / evidence.json was computed from journal.jsonl alone.';
  return `livedrill raw measurements — run ${ev.run.runId ?? '(unknown)'}
${'='.repeat(60)}

Files
-----
journal.jsonl     Everything the run recorded, as it happened (the primary record).
${summaryLine}
README.txt        This file.

The report beside this folder (report.md, report.html, evidence.json) is derived
from these files only; its "Definitions" section says how each figure is computed.
${ev.run.sources.journalTruncated ? '\nNOTE: the last line of journal.jsonl is cut short (the run stopped while writing it).\nSkip a last line that is not valid JSON.\n' : ''}
Conventions
-----------
- Times: "t", "start", "end", "since" and the like are epoch milliseconds (UTC),
  possibly fractional (browser clocks: performance.timeOrigin + performance.now()).
- Durations named *Seconds are seconds; *Ms milliseconds; bitrates bits per second.
- Viewer ids ("browser-1"…) name one receiving browser page; "publisher" is the sender.

journal.jsonl
-------------
JSON Lines: one object per line, {"t": <epoch ms>, "type": "<type>", ...fields},
appended in the order the harness received them (page reports carry the page's
own timestamp, so lines are not strictly sorted by t). Types:

run.start            {runId, scenarioFile, scenario (the full scenario as run), versions}
sfu.ready            {signaling, metrics (URLs), workers (pids)}
run.steady           every viewer started; the scenario's fault times count from here
run.error            {message}: the run failed
run.end              {pass, interrupted, error}: absent if the run died
self.sample          ${every(SELF_WATCH_INTERVAL_MS)}: {machineBusy 0..1 (all cores), cores {group: cores used},
                     eventLoopLagP99Ms, eventLoopLagMaxMs} — the test machine watching itself
publisher.joining / .published {kinds} / .connectionState {state}
publisher.publisherSample  every sample period, the sender's getStats() outbound-rtp
                     (cumulative since the sender was created):
                     video {framesEncoded, framesSent, framesPerSecond, bytesSent, pliCount,
                     firCount, nackCount, qualityLimitationReason}, audio {bytesSent, packetsSent}
viewer.* (all carry viewerId)
  viewer.joining     join requested (a new receiver: its counters restart at zero)
  viewer.joined / viewer.firstFrame / viewer.joinTime {joinSeconds: join request to first frame}
  viewer.connectionState {state}: the RTCPeerConnection state
  viewer.viewerSample every sample period (default ${MEASUREMENT_DEFAULTS.sampleInterval} ms):
                     frames: epoch ms of each video frame presented since the previous sample
                     (requestVideoFrameCallback), video = inbound-rtp video stats, cumulative:
                     {framesDecoded, framesDropped, framesPerSecond, freezeCount,
                     totalFreezesDuration, jitter, packetsLost, packetsReceived, nackCount,
                     pliCount, firCount, bytesReceived}; audio = inbound-rtp audio, cumulative:
                     {totalSamplesReceived, concealedSamples, concealmentEvents, audioLevel,
                     packetsLost, packetsReceived, jitter, bytesReceived} (${AUDIO_SAMPLE_RATE / 1000} kHz samples)
  viewer.freeze      {start, end, seconds, w3c: true if it meets the W3C rule, fixed: the fixed
                     thresholds (ms) the gap exceeded, ongoing: still open at the end}
  viewer.disconnected / viewer.recovered {downSeconds}: media lost / first frame after it
  viewer.sessionLost {since, reason}, viewer.signalingClosed, viewer.signalingResumed {since},
  viewer.reconnectAttempt {attempt, mode: join|resume, outcome}, viewer.gaveUp, viewer.error
fault.inject         ground truth: {faultId, kind, start, end (scheduled), targets, params}
fault.revert         {faultId, end (actual), reason: scheduled|interrupted|run-ended, error?}
fault.error          {faultId, kind, message}: a fault that could not be injected
sfu.workerDied / sfu.workerReplaced {index, pid, message?}
Drills only:
drill.start          {slaProfile: the vendor SLA profile file used}
drill.schedule       the schedule hidden from the responders
alert.fire           {rule, faultId?, value}   alert.resolve {rule}
incident.action      {action: ack|ticket|vendor-reply|reclassify|mitigate|resolve|note, who,
                     incidentId?, ticket? {vendor, severity, channel, reference}, severity?,
                     reference?, text?}

summary.json
------------
{runId, scenario {name, file}, startedAt, endedAt (ISO), durationSeconds, interrupted, error,
 versions {livedrill, mediasoup, mediasoupClient, node, browser},
 publisher {framesEncoded, fps, bytesSent, pliCount, firCount},
 viewers[]: {id, kind, joinSeconds, watchSeconds, framesRendered, framesDecoded, fps,
   freezes {w3c {count, seconds}, fixed {"${MEASUREMENT_DEFAULTS.fixedFreezeThresholds[0]}ms": {count, seconds}}}, freezeRatio,
   audio {samplesReceived, concealedSeconds, concealedRatio, concealmentEvents},
   video {packetsReceived, packetsLost, nackCount, pliCount, firCount, framesDropped,
   browserFreezeCount, browserFreezeSeconds, browserPauseCount, browserPauseSeconds (Chromium's own)}, disconnects, recoveries,
   connectedAtEnd},
 faults[]: fault.inject's ground truth plus measured impact: settleEnd (end of the
   attribution window), viewers[] per-viewer impact, affected, affectedUntargeted,
   unrecovered, recoverySeconds {p50, p95, max}, keyframeRequests,
   publisherBitrateBps {before, during},
 network: per peer packets forwarded/dropped by the impairment relay (network faults),
 totals, thresholds[] (scenario limits and verdicts),
 reliability {reliable, reasons, machineBusyP50, machineBusyMax, eventLoopLagMaxMs,
   saturatedSamples, steadySamples, suspectFreezes, coresP50}, pass}
`;
}
