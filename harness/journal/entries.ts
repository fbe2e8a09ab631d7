/**
 * The journal contract: every entry a run writes to `journal.jsonl`, its type
 * and its fields. Writers (the run, the drill) and readers (the replay, drill
 * timings, the report) agree on this module alone; `JOURNAL_DOCS` is the same
 * contract in words, printed into every evidence pack's raw/README.txt.
 *
 * Version 2 (this one): `run.start` carries `journalVersion`; `fault.inject`
 * names its scheduled end `scheduledEnd` (version 1 called it `end`, which
 * `fault.revert` also uses for the actual end); `viewer.joinTime` carries the
 * exact `firstMediaAt`. Version 1 journals (no `journalVersion`) are read.
 * Added within version 2 (optional, so older readers and journals agree):
 * `viewer.viewerSample.stamps`, what a browser viewer read of the stamped
 * source (page/reports.ts StampBatch).
 */
import type { Freeze } from '../probes/freeze.js';
import type { PageReport } from '../page/reports.js';
import { SELF_WATCH_INTERVAL_MS, type SelfSample } from '../probes/SelfWatch.js';
import type { FaultKind } from '../scenario/faults.js';
import type { InjectedRecord, RevertReason } from '../faults/FaultScheduler.js';
import type { PathCounters } from '../network/ImpairedPath.js';
import { scenarioSchema } from '../scenario/schema.js';
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';

export const JOURNAL_VERSION = 2;

/** One line of the journal: epoch ms, a type, the type's fields. */
export interface JournalEntry {
  t: number;
  type: string;
  [field: string]: unknown;
}

/** The fields of each entry type (besides `t` and `type`). */
export interface EntryFields {
  'run.start': {
    journalVersion: number;
    runId: string;
    /** all: SFU and viewers here; sfu: the SFU of a run spread over machines; viewers: a shard. */
    role: 'all' | 'sfu' | 'viewers';
    scenarioFile: string;
    scenario: Record<string, unknown>;
    faultsHidden?: boolean;
    versions: Record<string, string>;
  };
  'run.steady': Record<string, never>;
  /** A viewer shard: its clock set against the SFU host's (harness/run/clockOffset.ts). */
  'run.clock': { offsetMs: number; uncertaintyMs: number; rttMs: number; samples: number } | { error: string };
  'run.unsettled': { waitedMs: number; unsettled: string[] };
  'run.error': { message: string };
  'run.end': { pass: boolean; interrupted: boolean; error: string | null };
  'sfu.ready': { signaling: string; metrics: string; workers: number[] };
  'app.ready': { name: string; publisherPage: string; viewerPage: string; metrics: string };
  'sfu.workerDied': { index: number; pid: number; message: string };
  'sfu.workerReplaced': { index: number; pid: number };
  'self.sample': SelfSample;
  /** Ground truth of a fault as the scheduler struck it; `t` is its start. */
  'fault.inject': InjectedRecord & { injectedAt: number };
  /** The fault's actual end; `t` is that end. */
  'fault.revert': { faultId: string; kind: FaultKind; end: number; reason: RevertReason; revertedAt?: number; error?: string; relayed?: Record<string, PathCounters> };
  'fault.error': { faultId: string; kind: FaultKind; message: string };
  /** An output (Prometheus, JUnit...) failed at the end of the run; the run itself did not. */
  'output.error': { output: string; message: string };
  'viewer.start': { viewerId: string; kind: 'browser' | 'synthetic' };
  'viewer.freeze': Freeze & { viewerId: string; seconds: number };
  'viewer.joinTime': { viewerId: string; joinSeconds: number; firstMediaAt: number };
  'viewer.disconnected': { viewerId: string };
  'viewer.recovered': { viewerId: string; downSeconds: number };
  'drill.start': { slaProfile: string | null; [field: string]: unknown };
  'drill.schedule': { seed: number; faults: unknown[] };
  'drill.end': { reason: string; injected: number; scheduled: number };
  'drill.error': { message: string };
  'alert.fire': { rule: string; faultId?: string; value: number; [field: string]: unknown };
  'alert.resolve': { rule: string; value: number; since: number };
  'incident.action': { action: string; who: string; [field: string]: unknown };
}


/** A viewer's or publisher's page report, journaled as `viewer.<type>` / `publisher.<type>`. */
export type ReportEntryType = `viewer.${PageReport['type']}` | `publisher.${PageReport['type']}`;

export type EntryType = keyof EntryFields | ReportEntryType;

/** An entry of a known type, with its fields typed. */
export type Entry<T extends keyof EntryFields> = { t: number; type: T } & EntryFields[T];

export function isEntry<T extends keyof EntryFields>(entry: JournalEntry, type: T): entry is JournalEntry & Entry<T> {
  return entry.type === type;
}

/** Thrown for a journal this version of livedrill cannot read. */
export class JournalVersionError extends Error {}

/**
 * The journal's contract version, from its `run.start` (1 when it has none:
 * journals written before the contract had a version). A newer version is
 * refused: its entries may mean something this reader does not know.
 */
export function journalVersion(entries: readonly JournalEntry[], file = 'journal'): number {
  const start = entries.find((e) => e.type === 'run.start');
  const version = start?.journalVersion ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new JournalVersionError(`${file}: run.start.journalVersion: expected a whole number ≥ 1, got ${JSON.stringify(version)}`);
  }
  if (version > JOURNAL_VERSION) {
    throw new JournalVersionError(
      `${file}: journal version ${version} was written by a newer livedrill; this one reads versions 1 to ${JOURNAL_VERSION}: upgrade livedrill to read it`,
    );
  }
  return version;
}

/** A fault's scheduled end as journaled: `scheduledEnd` (version 2) or `end` (version 1). */
export function scheduledEndOf(inject: JournalEntry): number | undefined {
  const value = inject.scheduledEnd ?? inject.end;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const DEFAULT_SAMPLE_MS = scenarioSchema.shape.measurement.parse(undefined).sampleInterval;

/** The contract in words, for someone who has never seen livedrill (raw/README.txt, ARCHITECTURE.md). */
export const JOURNAL_DOCS = `JSON Lines: one object per line, {"t": <epoch ms>, "type": "<type>", ...fields},
appended in the order the harness received them (page reports carry the page's
own timestamp, so lines are not strictly sorted by t). Journal version ${JOURNAL_VERSION}. Types:

run.start            {journalVersion, runId, role: all|sfu|viewers, scenarioFile,
                     scenario (the full scenario as run), versions (with syntheticReceive:
                     how synthetic viewers read packets, native batches with kernel
                     receive times or node:dgram)}
sfu.ready            {signaling, metrics (URLs), workers (pids)}
app.ready            instead of sfu.ready when an app is under test: {name, publisherPage, viewerPage
                     (viewer 1's URL), metrics}; its pages report through livedrill's probe
run.clock            a viewer shard of livedrill's own SFU, before its viewers join: {offsetMs (the
                     SFU host's clock minus the shard's; its latencies are on the SFU host's clock,
                     offset added), uncertaintyMs (half the round trip it came from), rttMs, samples},
                     or {error} when the SFU did not answer (the shard's own clock is then used)
run.steady           every viewer started; the scenario's fault times count from here
run.unsettled        {waitedMs, unsettled}: viewers still not playing smoothly when the wait ended
run.error            {message}: the run failed
run.end              {pass, interrupted, error}: absent if the run died
self.sample          every ${SELF_WATCH_INTERVAL_MS / 1000} s: {machineBusy 0..1 (all cores), cores {group: cores used},
                     eventLoopLagP99Ms, eventLoopLagMaxMs, kernel UDP drops, ...} — the test
                     machine watching itself
publisher.joining / .published {kinds} / .connectionState {state}
publisher.publisherSample  every sample period, the sender's getStats() outbound-rtp
                     (cumulative since the sender was created):
                     video {framesEncoded, framesSent, framesPerSecond, bytesSent, pliCount,
                     firCount, nackCount, qualityLimitationReason}, audio {bytesSent, packetsSent};
                     publisherId when not the host publisher
viewer.* (all carry viewerId)
  viewer.start       {kind: browser|synthetic}: the viewer was started
  viewer.joining     join requested (a new receiver: its counters restart at zero)
  viewer.joined / viewer.firstFrame
  viewer.joinTime    {joinSeconds: join request to first media, firstMediaAt}
  viewer.connectionState {state}: the RTCPeerConnection state
  viewer.viewerSample every sample period (default ${DEFAULT_SAMPLE_MS} ms):
                     frames: epoch ms of each video frame presented since the previous sample
                     (requestVideoFrameCallback; synthetic viewers: frameCount instead),
                     video = inbound-rtp video stats, cumulative: {framesDecoded,
                     framesDropped, framesPerSecond, freezeCount, totalFreezesDuration,
                     pauseCount, totalPausesDuration, jitter, packetsLost, packetsReceived,
                     nackCount, pliCount, firCount, bytesReceived}; audio = inbound-rtp audio,
                     cumulative: {totalSamplesReceived, concealedSamples, concealmentEvents,
                     audioLevel, packetsLost, packetsReceived, jitter, bytesReceived}
                     (${AUDIO_SAMPLE_RATE / 1000} kHz samples);
                     stamps (browser viewers of the stamped source, when anything was read),
                     since the previous sample: {videoLatencyMs: [glass-to-glass latency of
                     each newly shown frame whose stamp was read, capture → presentation, ms],
                     receiveLatencyMs: [the same frames, capture → received (rVFC receiveTime)],
                     read, unreadable: rendered frames whose stamp was read / failed its CRC,
                     stale: rendered frames read too late (the picture was already a newer
                     frame's; not used; absent before 2026-11-30, counted unreadable then),
                     neverShown: source frame numbers skipped beyond the frames presented,
                     neverShownGaps: [[capture time of the frame shown after a gap, frames
                     never shown in it]] (impact gives a gap to the fault it falls in),
                     repeated, outOfOrder, audioLatencyMs: [per audio marker heard, emission →
                     heard], avOffsetMs: [per marker heard while the picture moved, audio −
                     video latency; positive: sound behind picture]};
                     pathLatencyMs (synthetic viewers of livedrill's own SFU): [[whole ms,
                     frames]], network-path latency SFU → viewer of each newer video frame's
                     first packet, from the SFU's RTCP sender reports (not glass-to-glass)
  viewer.freeze      {start, end, seconds, w3c: true if it meets the W3C rule, fixed: the fixed
                     thresholds (ms) the gap exceeded, pause: a gap of 5 s or more,
                     ongoing: still open at the end}
  viewer.disconnected / viewer.recovered {downSeconds}: media lost / first media after it
  viewer.sessionLost {since, reason}, viewer.signalingClosed, viewer.signalingResumed {since},
  viewer.reconnectAttempt {attempt, mode: join|resume, outcome}, viewer.gaveUp, viewer.error
  viewer.notJoined   {waitedMs, consoleErrors}: no media within the join timeout; the run goes on
  viewer.sdkVersion / publisher.sdkVersion {version}: an app page's SDK version (app.sdkVersion)
  On app pages (the probe): joining is the page's load; connectionState is any of the page's
  peer connections; signalingClosed / signalingResumed {since} are a WebSocket of the page
  closing and the next one to the same address opening; getStats counters are summed over
  every peer connection the page made (a closed one keeps its last figures).
fault.inject         ground truth, t = start: {faultId, kind, start, scheduledEnd, targets,
                     params, injectedAt}
fault.revert         t = the actual end: {faultId, kind, end, reason: scheduled|interrupted|
                     run-ended, error?, relayed?}. A fault with no revert was active until its
                     scheduled end or the end of the record, whichever came first. relayed
                     (network faults): per target, what its path's relay forwarded and dropped
                     from inject to revert, {up, down} each {forwarded, dropped: {loss,
                     blackhole, queue}, audio?: {forwarded, dropped}} (audio: its audio RTP
                     packets alone, told apart as for media: audio): the loss actually
                     injected (random drops vary).
fault.error          {faultId, kind, message}: a fault that could not be injected
output.error         {output, message}: an output (e.g. JUnit) failed at the end; the run did not
sfu.workerDied / sfu.workerReplaced {index, pid, message?}
Drills only:
drill.start          {slaProfile: the vendor SLA profile file used, ...}
drill.schedule       the schedule hidden from the responders
drill.end            {reason, injected, scheduled}
alert.fire           {rule, faultId?, value}   alert.resolve {rule, value, since}
incident.action      {action (the drill's list: harness/drill/metrics.ts), who, source,
                     incidentId?, ticket? {vendor, severity, channel, reference}, severity?,
                     reference?, text?, tags? (a generic vendor reply), contact? (the vendor's
                     named person), rootCause? (vendor-diagnosis), fix? (vendor-fix: fix or
                     workaround), verifiedBy? (fix-verified: the re-run), followUp? (recorded
                     after the drill ended)}`;
