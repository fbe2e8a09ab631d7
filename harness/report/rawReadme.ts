/** raw/README.txt: the formats of the raw files, for someone who has never seen livedrill. */
import { JOURNAL_DOCS } from '../journal/entries.js';
import type { Evidence } from './evidence.js';
import { MEASUREMENT_DEFAULTS } from './definitions.js';

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
${JOURNAL_DOCS}

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
   connectedAtEnd,
   latency (null unless the viewer read the stamped source) {video, received, audio, avOffset: each
   {count, min, p50, p95, max} in seconds or null}, stamps (null likewise) {read, unreadable,
   stale, neverShown, repeated, outOfOrder}, pathLatency (synthetic viewers of livedrill's own SFU,
   else null) {count, min, p50, p95, max} in seconds: SFU → viewer, from RTCP sender reports},
 clocks[]: viewer shards of livedrill's own SFU, {shard, offsetMs (the SFU host's clock minus
   the shard's, added to the shard's latencies), uncertaintyMs, rttMs}; empty on one machine,
 faults[]: fault.inject's ground truth (network faults: relayed, per target {up, down} each
   {forwarded, dropped {loss, blackhole, queue}, audio {forwarded, dropped} of its audio RTP} while the fault
   lasted) plus measured impact: settleEnd (end of the
   attribution window), viewers[] per-viewer impact (with packetLossRatio (audio and video, after
   retransmission) and audioPacketLossRatio (audio alone: nothing retransmits it), latencySeconds,
   receiveLatencySeconds, audioLatencySeconds and avOffsetSeconds {before, during, after} (medians
   over as long a window before the fault, over it, and from 1 s after its end), pathLatencySeconds
   {before, during, after} for synthetic
   viewers, framesNeverShown from the stamped source: the gaps whose
   next frame was captured during the fault or up to 1 s after), affected, affectedUntargeted,
   unrecovered, recoverySeconds {p50, p95, max}, keyframeRequests,
   publisherBitrateBps {before, during},
 network: per peer packets forwarded/dropped by the impairment relay (network faults),
 totals, thresholds[] (scenario limits and verdicts),
 reliability {reliable, reasons, machineBusyP50, machineBusyMax, eventLoopLagMaxMs,
   saturatedSamples, steadySamples, suspectFreezes, coresP50}, pass}
`;
}
