/** The report's impact section: who each fault affected and how much, then viewer by viewer. */
import type { Evidence } from './evidence.js';
import type { DurationStats } from './durations.js';
import type { FaultEvidence } from './faultEvidence.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';
import type { Block } from './blocks.js';
import { inSeconds, kbps, ms, num, pct, secs } from './format.js';
import { SETTLE_MS } from '../run/impact.js';

export function impactBlocks(ev: Evidence): Block[] {
  const heading: Block = { type: 'heading', level: 2, text: 'Who was affected, and how much', id: 'impact' };
  if (ev.faults.length === 0) return [heading];
  return [heading, impactTable(ev), ...ev.faults.flatMap(perViewerImpact)];
}

/** "count · p50 · p95 · max" of a fault's freezes or gaps. */
const stats = (s: DurationStats): string =>
  s.count === 0 ? 'none' : `${s.count} · p50 ${num(s.p50)} s · p95 ${num(s.p95)} s · max ${num(s.max)} s`;

function impactTable(ev: Evidence): Block {
  return {
    type: 'table',
    id: 'impact-table',
    header: [
      'Fault',
      'Affected viewers',
      'Of targets',
      'Unexplained effects outside its radius',
      'Shared with another fault / suspect',
      'Unrecovered',
      'Freezes (W3C)',
      `Video gaps > ${VIDEO_GAP_MS} ms`,
      `Audio gaps ≥ ${AUDIO_GAP_MS} ms`,
      'Audio concealed',
      'Recovery p50 / p95 / max',
      'Keyframe requests',
      'Publisher before → during',
    ],
    rows: ev.faults.map((f) => [
      f.faultId,
      `${f.viewers.affected.length} of ${f.viewers.total} (${num(f.viewers.affectedPercent, 0)} %)`,
      f.viewers.targetedAffectedPercent === null ? '-' : `${num(f.viewers.targetedAffectedPercent, 0)} %`,
      f.viewers.affectedUntargeted.join(', ') || 'none',
      `${f.overlaps} / ${f.suspect}`,
      f.viewers.unrecovered.join(', ') || 'none',
      stats(f.freezes.w3c),
      stats(f.freezes.fixedVideo),
      stats(f.audio.gaps),
      `${num(f.audio.concealedSeconds.total)} s total, max ${num(f.audio.concealedSeconds.max)} s`,
      `${secs(f.recoverySeconds.p50)} / ${secs(f.recoverySeconds.p95)} / ${secs(f.recoverySeconds.max)}`,
      String(f.keyframeRequests),
      `${kbps(f.publisherBitrateBps.before)} → ${kbps(f.publisherBitrateBps.during)}`,
    ]),
    note:
      `Freeze and gap figures: count · p50 · p95 · max of the durations of those overlapping the attribution window (fault start to ${inSeconds(SETTLE_MS)} after its end). ` +
      'An effect is a fault\'s impact only when that fault alone could cause it: effects two faults could have caused are shared, counted for neither; ' +
      'effects that began while the test machine flagged itself are suspect, counted for none. ' +
      `Impact verdicts from ${[...new Set(ev.faults.map((f) => f.impactSource))].join(' and ')}.`,
  };
}

function perViewerImpact(f: FaultEvidence): Block[] {
  // Targeted or affected viewers; the unaffected rest are summed up in one line.
  const shown = f.perViewer.filter((v) => v.targeted || v.affected);
  const rest = f.perViewer.length - shown.length;
  return [
    { type: 'heading', level: 3, text: `Fault ${f.faultId}: viewers targeted or affected` },
    {
      type: 'table',
      id: `impact-${f.faultId}`,
      header: [
        'Viewer',
        'Targeted',
        'Affected',
        'W3C freeze s',
        `> ${VIDEO_GAP_MS} ms gap s`,
        `Audio gap s`,
        'Audio concealed s',
        'Packet loss (dropped on the path); audio alone',
        'Disconnects',
        'Recovery',
        'Back by end',
        'Latency before → during → after (received)',
        'Frames never shown',
      ],
      rows: shown.map((v) => [
        v.id,
        v.targeted ? 'yes' : 'no',
        v.affected ? (v.joinDelayedSeconds != null ? `YES (join held ${num(v.joinDelayedSeconds)} s)` : 'YES') : 'no',
        num(v.freezeSeconds),
        num(v.fixedVideoGapSeconds),
        num(v.audioGapSeconds),
        num(v.audioConcealedSeconds),
        pathLoss(v),
        String(v.disconnects),
        v.recoverySeconds === null ? 'never' : secs(v.recoverySeconds),
        v.recoveredByEnd ? 'yes' : 'NO',
        // Summaries written before the stamped source have neither figure.
        v.latencySeconds ? `${aroundFault(v.latencySeconds)} (${aroundFault(v.receiveLatencySeconds)})` : '-',
        v.framesNeverShown == null ? '-' : String(v.framesNeverShown),
      ]),
      note: rest > 0 ? `${rest} other viewer(s) neither targeted nor affected.` : undefined,
    },
  ];
}

/** before → during → after, in ms (summaries written before `after` have two). */
function aroundFault(latency: { before: number | null; during: number | null; after?: number | null } | undefined): string {
  if (!latency) return '-';
  return [latency.before, latency.during, ...(latency.after === undefined ? [] : [latency.after])].map(ms).join(' → ');
}

/** The viewer's packet loss, and on a relayed path what the relay dropped; then the same of its audio, which nothing retransmits. */
function pathLoss(v: FaultEvidence['perViewer'][number]): string {
  const all = v.pathDropped == null ? pct(v.packetLossRatio, 2) : `${pct(v.packetLossRatio, 2)} (path ${pct(v.pathDropped, 2)})`;
  return v.pathAudioDropped == null ? all : `${all}; audio ${pct(v.audioPacketLossRatio, 2)} (path ${pct(v.pathAudioDropped, 2)})`;
}
