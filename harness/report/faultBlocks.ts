/** The report's fault sections: what was broken and when, and the metrics before, during and after each fault. */
import type { Evidence } from './evidence.js';
import type { FaultEvidence } from './faultEvidence.js';
import { WINDOW_MS, type KindWindowMetrics, type WindowMetrics } from './faultWindows.js';
import { VIDEO_GAP_MS } from '../scenario/definitions.js';
import type { Block } from './blocks.js';
import { clock, inSeconds, kbps, num, pct, secs, utc } from './format.js';

export function groundTruthBlocks(ev: Evidence): Block[] {
  const blocks: Block[] = [{ type: 'heading', level: 2, text: 'What was broken, and when (ground truth)', id: 'faults' }];
  if (ev.faults.length === 0) {
    blocks.push({ type: 'paragraph', text: 'No fault was injected in this run.' });
  } else {
    blocks.push({
      type: 'table',
      id: 'fault-table',
      header: ['Fault', 'Kind', 'Start (UTC)', 'At', 'Duration', 'End (UTC)', 'Targets', 'Parameters', 'Reverted'],
      rows: ev.faults.map((f) => [
        f.faultId,
        f.kind,
        utc(f.start),
        f.atSeconds === null ? '-' : `+${f.atSeconds.toFixed(1)} s`,
        secs(f.durationSeconds, 1),
        utc(f.end),
        f.targets.join(', ') || '-',
        params(f.params),
        f.reverted ? `${f.revertReason ?? 'yes'}${f.revertError ? ` (error: ${f.revertError})` : ''}` : 'no revert in the record',
      ]),
    });
  }
  for (const e of ev.faultErrors) blocks.push({ type: 'callout', tone: 'bad', title: `Fault ${e.faultId} could not be injected`, lines: [e.message] });
  if (ev.sfuWorkerEvents.length > 0) {
    blocks.push({
      type: 'table',
      header: ['Time (UTC)', 'SFU worker event', 'Worker', 'Message'],
      rows: ev.sfuWorkerEvents.map((w) => [clock(w.t), w.type.replace('sfu.', ''), w.index === null ? '-' : String(w.index), w.message ?? '']),
    });
  }
  return blocks;
}

export function windowBlocks(ev: Evidence): Block[] {
  if (ev.faults.length === 0) return [];
  const steady = ev.run.steadyAt ? Date.parse(ev.run.steadyAt) : null;
  return [
    { type: 'heading', level: 2, text: 'Before, during and after each fault', id: 'windows' },
    {
      type: 'paragraph',
      text: `Per viewer kind; windows of ${inSeconds(WINDOW_MS)} before the fault and ${inSeconds(WINDOW_MS)} after it, cut to the broadcast (the seconds actually covered are given).`,
    },
    {
      type: 'table',
      id: 'window-table',
      header: [
        'Fault',
        'Window',
        'Span',
        'Kind',
        'Viewers',
        'fps avg (min)',
        'Freeze ratio avg (max)',
        `> ${VIDEO_GAP_MS} ms gap ratio avg`,
        'Audio concealed',
        'Video loss',
        'Audio loss',
        'Publisher',
      ],
      rows: ev.faults.flatMap((f) =>
        (['before', 'during', 'after'] as const).flatMap((name) => windowRows(f, name, f.windows[name], steady)),
      ),
    },
  ];
}

/** The fault's parameters but its duration, which has a column of its own. */
function params(p: Record<string, unknown>): string {
  const entries = Object.entries(p).filter(([k]) => k !== 'duration');
  if (entries.length === 0) return '-';
  return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/** "+12.3 s" from the start of the steady broadcast; nothing without one. */
const offset = (t: number, origin: number | null): string => (origin === null ? '' : `+${((t - origin) / 1000).toFixed(1)} s`);

function windowRows(f: FaultEvidence, name: string, w: WindowMetrics, steady: number | null): string[][] {
  const kinds = Object.entries(w.byKind) as Array<[string, KindWindowMetrics]>;
  const span = `${offset(w.from, steady)} → ${offset(w.to, steady)} (${w.seconds.toFixed(1)} s${
    w.seconds + 0.05 < w.requestedSeconds ? ` of ${w.requestedSeconds.toFixed(0)}` : ''
  })${w.overlapsFaults.length ? `, overlaps ${w.overlapsFaults.join(', ')}` : ''}`;
  if (kinds.length === 0) return [[f.faultId, name, span, '-', '0', '-', '-', '-', '-', '-', '-', kbps(w.publisherBitrateBps)]];
  return kinds.map(([kind, m]) => [
    f.faultId,
    name,
    span,
    kind,
    String(m.viewers),
    `${num(m.fps.avg, 1)} (${num(m.fps.min, 1)})`,
    `${pct(m.freezeRatio.avg)} (${pct(m.freezeRatio.max)})`,
    pct(m.fixedVideoGapRatio.avg),
    pct(m.audioConcealedRatio, 2),
    pct(m.videoPacketLossRatio, 2),
    pct(m.audioPacketLossRatio, 2),
    kbps(w.publisherBitrateBps),
  ]);
}
