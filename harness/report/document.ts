/**
 * The report's text as a list of blocks (headings, call-outs, tables…),
 * rendered to Markdown by markdown.ts and to HTML (with charts) by html.ts,
 * so both files always say the same thing.
 */
import type { Evidence } from './evidence.js';
import type { DurationStats } from './durations.js';
import type { FaultEvidence } from './faultEvidence.js';
import type { KindWindowMetrics, WindowMetrics } from './faultWindows.js';
import type { IncidentTimings, VendorTicketTimings } from '../drill/timings.js';
import { AUDIO_GAP_MS, VIDEO_FIXED_MS } from './reconstruct.js';

export type Tone = 'bad' | 'warn' | 'ok' | 'info';

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3; text: string; id?: string }
  | { type: 'paragraph'; text: string }
  | { type: 'callout'; tone: Tone; title: string; lines: string[]; id?: string }
  | { type: 'table'; id?: string; header: string[]; rows: string[][]; note?: string }
  | { type: 'list'; items: string[] }
  | { type: 'definitions'; items: Array<{ term: string; text: string }> }
  /** A chart: drawn in the HTML report only. */
  | { type: 'chart'; id: string; title: string; caption: string };

// ---------------------------------------------------------------- formatting

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
/** "2026-11-25 16:13:17.675 UTC" */
export function utc(t: number | null | undefined): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return '-';
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clock(t)} UTC`;
}
/** "16:13:17.675" (UTC) */
export function clock(t: number): string {
  const d = new Date(t);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}
export const num = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
export const pct = (ratio: number | null | undefined, digits = 1): string =>
  ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '-' : `${(ratio * 100).toFixed(digits)} %`;
export const kbps = (bps: number | null | undefined): string => (bps === null || bps === undefined ? '-' : `${(bps / 1000).toFixed(0)} kbps`);
export const secs = (s: number | null | undefined, digits = 2): string => (s === null || s === undefined ? '-' : `${s.toFixed(digits)} s`);
/** A duration in ms for people: "850 ms", "42.0 s", "12 min 5 s", "3 h 4 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${a.toFixed(0)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  const unit = (big: number, bigName: string, small: number, smallName: string): string => {
    const whole = Math.floor(a / big);
    const rest = Math.round((a % big) / small);
    return rest === 0 ? `${sign}${whole} ${bigName}` : `${sign}${whole} ${bigName} ${rest} ${smallName}`;
  };
  if (a < 3_600_000) return unit(60_000, 'min', 1000, 's');
  return unit(3_600_000, 'h', 60_000, 'min');
}
const stats = (s: DurationStats): string =>
  s.count === 0 ? 'none' : `${s.count} · p50 ${num(s.p50)} s · p95 ${num(s.p95)} s · max ${num(s.max)} s`;
const offset = (t: number, origin: number | null): string => (origin === null ? '' : `+${((t - origin) / 1000).toFixed(1)} s`);

// ---------------------------------------------------------------- document

export function reportBlocks(ev: Evidence, files: { raw: string[] } = { raw: [] }): Block[] {
  const steady = ev.run.steadyAt ? Date.parse(ev.run.steadyAt) : null;
  const blocks: Block[] = [];
  const title = `Evidence pack: ${ev.run.scenario.name ?? 'unknown scenario'}`;
  blocks.push({ type: 'heading', level: 1, text: title });

  // The two things a reader must see before any figure.
  const rel = ev.reliability;
  blocks.push({
    type: 'callout',
    id: 'reliability',
    tone: rel.status === 'reliable' ? 'ok' : rel.status === 'unreliable' ? 'bad' : 'warn',
    title: `Machine reliability: ${rel.status.toUpperCase()}`,
    lines: [rel.statement],
  });
  if (ev.run.status === 'incomplete') {
    blocks.push({
      type: 'callout',
      id: 'incomplete',
      tone: 'warn',
      title: 'INCOMPLETE RUN: the run did not go to its planned end, or its record is partial',
      lines: ev.run.missing,
    });
  } else if (ev.run.missing.length > 0) {
    blocks.push({ type: 'callout', tone: 'info', title: 'Notes on the record', lines: ev.run.missing });
  }

  blocks.push({
    type: 'table',
    id: 'run',
    header: ['', ''],
    rows: [
      ['Run', ev.run.runId ?? '-'],
      ['Scenario', `${ev.run.scenario.name ?? '-'} (${ev.run.scenario.file ?? 'file unknown'})`],
      ['Started', utc(Date.parse(ev.run.startedAt))],
      ['Steady broadcast from', ev.run.steadyAt ? utc(Date.parse(ev.run.steadyAt)) : '-'],
      ['Measurement ended', utc(Date.parse(ev.run.endedAt))],
      ['Record', ev.run.status === 'complete' ? 'complete (journal + summary)' : 'INCOMPLETE (see above)'],
      ['Thresholds', ev.run.pass === null ? 'not judged (no summary.json)' : ev.run.pass ? 'PASS' : 'FAIL'],
      ['Viewers', `${ev.totals.viewers} (${ev.totals.joined} showed video or audio)`],
      ['Faults injected', String(ev.faults.length)],
      ['Software', versionLine(ev)],
    ],
  });

  // ------------------------------------------------------------ ground truth
  blocks.push({ type: 'heading', level: 2, text: 'What was broken, and when (ground truth)', id: 'faults' });
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

  // ------------------------------------------------------------ impact
  blocks.push({ type: 'heading', level: 2, text: 'Who was affected, and how much', id: 'impact' });
  if (ev.faults.length > 0) {
    blocks.push({
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
        `Video gaps > ${VIDEO_FIXED_MS} ms`,
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
        'Freeze and gap figures: count · p50 · p95 · max of the durations of those overlapping the attribution window (fault start to 10 s after its end). ' +
        'An effect is a fault\'s impact only when that fault alone could cause it: effects two faults could have caused are shared, counted for neither; ' +
        'effects that began while the test machine flagged itself are suspect, counted for none. ' +
        `Impact verdicts from ${[...new Set(ev.faults.map((f) => f.impactSource))].join(' and ')}.`,
    });
    for (const f of ev.faults) blocks.push(...perViewerImpact(f));
  }

  blocks.push({
    type: 'chart',
    id: 'chart-freeze',
    title: 'Share of viewers frozen',
    caption: `Share of joined viewers whose picture was frozen at each instant, under the W3C rule and with gaps > ${VIDEO_FIXED_MS} ms; shaded: fault windows; vertical lines: alerts and human actions.`,
  });
  blocks.push({
    type: 'chart',
    id: 'chart-viewers',
    title: 'Freezes per viewer',
    caption: `One row per viewer: W3C freezes (red), video gaps > ${VIDEO_FIXED_MS} ms (orange), audio gaps ≥ ${AUDIO_GAP_MS} ms (purple), disconnected (grey); shaded: fault windows.`,
  });
  blocks.push({
    type: 'chart',
    id: 'chart-audio',
    title: 'Audio concealment',
    caption: 'Concealed / received audio samples per sample period: all viewers pooled, and the worst viewer.',
  });
  blocks.push({
    type: 'chart',
    id: 'chart-connections',
    title: 'Joins, disconnections and recoveries',
    caption: 'Per bucket: viewers that showed their first frame, lost their connection or session, recovered; line: viewers watching.',
  });

  // ------------------------------------------------------------ before / after
  if (ev.faults.length > 0) {
    blocks.push({ type: 'heading', level: 2, text: 'Before, during and after each fault', id: 'windows' });
    blocks.push({
      type: 'paragraph',
      text: 'Per viewer kind; windows of 10 s before the fault and 10 s after it, cut to the broadcast (the seconds actually covered are given).',
    });
    blocks.push({
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
        `> ${VIDEO_FIXED_MS} ms gap ratio avg`,
        'Audio concealed',
        'Video loss',
        'Audio loss',
        'Publisher',
      ],
      rows: ev.faults.flatMap((f) =>
        (['before', 'during', 'after'] as const).flatMap((name) => windowRows(f, name, f.windows[name], steady)),
      ),
    });
  }

  // ------------------------------------------------------------ human timeline
  blocks.push({ type: 'heading', level: 2, text: 'Human timeline', id: 'timeline' });
  blocks.push(...timelineBlocks(ev));

  // ------------------------------------------------------------ viewers
  blocks.push({ type: 'heading', level: 2, text: 'Viewers over the whole run', id: 'viewers' });
  blocks.push({
    type: 'table',
    id: 'viewer-table',
    header: [
      'Viewer',
      'Kind',
      'Join',
      'fps',
      'Freezes W3C (s)',
      'Freeze ratio',
      `Gaps > ${VIDEO_FIXED_MS} ms (s)`,
      `Audio gaps ≥ ${AUDIO_GAP_MS} ms (s)`,
      'Audio concealed',
      'Video loss',
      'Audio loss',
      'Disconnects',
      'At end',
    ],
    rows: ev.viewers.map((v) => [
      v.id,
      v.kind,
      secs(v.joinSeconds),
      num(v.fps, 1),
      `${v.freezes.w3c.count} (${num(v.freezes.w3c.totalSeconds)})`,
      pct(v.freezeRatio, 2),
      `${v.freezes.fixedVideo.count} (${num(v.freezes.fixedVideo.totalSeconds)})`,
      `${v.audio.gaps.count} (${num(v.audio.gaps.totalSeconds)})`,
      `${num(v.audio.concealedSeconds)} s (${pct(v.audio.concealedRatio, 2)})`,
      pct(v.packets.video.lossRatio, 2),
      pct(v.packets.audio.lossRatio, 2),
      String(v.disconnects.length),
      v.firstFrameAt === null ? 'never joined' : v.connectedAtEnd ? 'watching' : 'NOT watching',
    ]),
  });

  // ------------------------------------------------------------ machine and versions
  blocks.push({ type: 'heading', level: 2, text: 'Test machine', id: 'machine' });
  const d = rel.details;
  blocks.push({
    type: 'table',
    header: ['', ''],
    rows: [
      ['Verdict', `${rel.status.toUpperCase()} (from ${rel.source})`],
      ...rel.reasons.map((r) => ['Reason', r]),
      ...(d
        ? [
            ['Machine busy p50 / max', `${pct(d.machineBusyP50, 0)} / ${pct(d.machineBusyMax, 0)}`],
            ['Harness event-loop lag max', `${num(d.eventLoopLagMaxMs, 0)} ms`],
            ['Saturated seconds (steady broadcast)', `${d.saturatedSamples} of ${d.steadySamples}`],
            ['Freezes begun in a flagged second', String(d.suspectFreezes)],
            ['Packets the kernel dropped at the harness\'s sockets', d.kernelUdpDrops === undefined ? 'not measured' : String(d.kernelUdpDrops)],
            ['Frames the harness\'s browsers dropped', d.browserFramesDropped === undefined ? 'not measured' : String(d.browserFramesDropped)],
            ['CPU cores used p50', Object.entries(d.coresP50).map(([g, c]) => `${g} ${c.toFixed(2)}`).join(', ')],
          ]
        : []),
    ],
  });
  blocks.push({ type: 'heading', level: 2, text: 'Versions', id: 'versions' });
  const vs = ev.versions;
  blocks.push({
    type: 'table',
    header: ['Component', 'Version'],
    rows: [
      ['Browser (viewers and publisher)', vs.browser ?? 'not recorded'],
      ['mediasoup (SFU)', vs.mediasoup ?? 'not recorded'],
      ['mediasoup-client (in the pages)', vs.mediasoupClient ?? 'not recorded'],
      ['Node.js', vs.node ?? 'not recorded'],
      ['livedrill', vs.livedrill ?? 'not recorded'],
      ...Object.entries(vs.other).map(([k, v]) => [k, v]),
    ],
    note: `Source: ${vs.source}.`,
  });

  blocks.push({ type: 'heading', level: 2, text: 'Definitions', id: 'definitions' });
  blocks.push({ type: 'definitions', items: ev.definitions });

  blocks.push({ type: 'heading', level: 2, text: 'Files in this pack', id: 'files' });
  blocks.push({
    type: 'list',
    items: [
      'report.md, report.html: this report (the HTML one has the charts and opens without network).',
      'evidence.json: every figure of this report, machine-readable (format livedrill-evidence/1).',
      ...files.raw.map((f) => `raw/${f}`),
    ],
  });
  return blocks;
}

function versionLine(ev: Evidence): string {
  const v = ev.versions;
  return [
    v.browser ?? 'browser unknown',
    v.mediasoup ? `mediasoup ${v.mediasoup}` : null,
    v.mediasoupClient ? `mediasoup-client ${v.mediasoupClient}` : null,
    v.node ? `Node ${v.node}` : null,
    v.livedrill ? `livedrill ${v.livedrill}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

function params(p: Record<string, unknown>): string {
  const entries = Object.entries(p).filter(([k]) => k !== 'duration');
  if (entries.length === 0) return '-';
  return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
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
        `> ${VIDEO_FIXED_MS} ms gap s`,
        `Audio gap s`,
        'Audio concealed s',
        'Packet loss',
        'Disconnects',
        'Recovery',
        'Back by end',
      ],
      rows: shown.map((v) => [
        v.id,
        v.targeted ? 'yes' : 'no',
        v.affected ? (v.joinDelayedSeconds != null ? `YES (join held ${num(v.joinDelayedSeconds)} s)` : 'YES') : 'no',
        num(v.freezeSeconds),
        num(v.fixedVideoGapSeconds),
        num(v.audioGapSeconds),
        num(v.audioConcealedSeconds),
        pct(v.packetLossRatio, 2),
        String(v.disconnects),
        v.recoverySeconds === null ? 'never' : secs(v.recoverySeconds),
        v.recoveredByEnd ? 'yes' : 'NO',
      ]),
      note: rest > 0 ? `${rest} other viewer(s) neither targeted nor affected.` : undefined,
    },
  ];
}

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

function timelineBlocks(ev: Evidence): Block[] {
  const tl = ev.timeline;
  if (!tl.present) return [{ type: 'paragraph', text: 'No alert or human action was journaled in this run (it was not a drill).' }];
  const blocks: Block[] = [];
  if (tl.error) blocks.push({ type: 'callout', tone: 'bad', title: 'Timeline incomplete', lines: [tl.error] });
  const profiles = tl.slaProfiles.map((p) => `${p.vendor} ${p.plan} (${p.file})`);
  blocks.push({
    type: 'paragraph',
    text:
      (profiles.length ? `Vendor first responses judged against: ${profiles.join('; ')}. ` : '') +
      `Tickets still without a reply are judged as of ${utc(tl.judgedAsOf)}, the end of the record.`,
  });
  if (tl.slaNotes.length) blocks.push({ type: 'callout', tone: 'info', title: 'SLA profile', lines: tl.slaNotes });

  if (tl.incidents.length > 0) {
    blocks.push({ type: 'heading', level: 3, text: 'Incidents' });
    blocks.push({
      type: 'table',
      id: 'incident-table',
      header: ['Incident (fault)', 'Kind', 'Fault start', 'Detect', 'Acknowledge', 'Escalate', 'Mitigate', 'Resolve', 'First alert'],
      rows: tl.incidents.map((i) => [
        i.incidentId,
        i.kind,
        utc(i.faultStart),
        duration(i.detectMs),
        duration(i.acknowledgeMs),
        duration(i.escalateMs),
        duration(i.mitigateMs),
        duration(i.resolveMs),
        i.firstAlert ? `${i.firstAlert.rule} at ${clock(i.firstAlert.at)}` : 'none',
      ]),
      note: 'Detect: fault start → first alert. Acknowledge: first alert → first ack. Escalate: first ack → first vendor ticket. Mitigate, resolve: from fault start.',
    });
    const tickets = tl.incidents.flatMap((i) => i.tickets.map((t) => [i, t] as [IncidentTimings, VendorTicketTimings]));
    if (tickets.length > 0) {
      blocks.push({ type: 'heading', level: 3, text: 'Vendor tickets and first-response SLA' });
      blocks.push({
        type: 'table',
        id: 'sla-table',
        header: ['Incident', 'Vendor ticket', 'Severity', 'Opened', 'First reply', 'Response time', 'SLA verdict', 'Deadline', 'Margin'],
        rows: tickets.map(([i, t]) => {
          const sla = t.sla;
          const judged = sla.status !== 'no-profile';
          return [
            i.incidentId,
            `${t.vendor} ${t.reference} (${t.channel}, by ${t.openedBy})`,
            t.severityHistory.map((s) => s.severity).join(' → '),
            utc(t.openedAt),
            t.firstReplyAt === null ? 'no reply' : utc(t.firstReplyAt),
            duration(t.responseMs),
            judged ? `${sla.status.toUpperCase()} (${sla.severity}, ${duration(sla.budgetMs)} budget, ${sla.profile})` : 'not judged (no SLA profile for this vendor)',
            judged ? utc(sla.deadline) : '-',
            judged ? `${duration(sla.marginMs)}${sla.marginMs >= 0 ? ' early' : ' late'}` : '-',
          ];
        }),
      });
    }
  }

  const faultStart = new Map(ev.faults.map((f) => [f.faultId, f.start]));
  // Actions as drillTimings attributed them; alerts by the fault they name, else the latest fault started before.
  const attributed = new Map<string, string>(tl.incidents.flatMap((i) => i.actions.map((a) => [`${a.at}|${a.action}|${a.who}`, i.incidentId] as [string, string])));
  const incidentOf = (t: number): string | null => tl.incidents.filter((i) => i.faultStart <= t).at(-1)?.incidentId ?? null;
  blocks.push({ type: 'heading', level: 3, text: 'Alerts and actions' });
  blocks.push({
    type: 'table',
    id: 'human-timeline',
    header: ['Time (UTC)', 'Since fault start', 'Incident', 'Event', 'Who', 'Detail'],
    rows: tl.events.map((e) => {
      const incident = (e.type === 'action' ? attributed.get(`${e.t}|${e.what}|${e.who}`) : undefined) ?? e.incidentId ?? incidentOf(e.t);
      const start = incident ? faultStart.get(incident) : undefined;
      return [
        clock(e.t),
        start === undefined ? '-' : duration(e.t - start),
        incident ?? '-',
        e.type === 'action' ? e.what : `${e.type}: ${e.what}`,
        e.who ?? '-',
        e.text ?? '',
      ];
    }),
  });
  if (tl.unmatched.length > 0) {
    blocks.push({ type: 'heading', level: 3, text: 'Entries not attributed to any incident' });
    blocks.push({
      type: 'table',
      header: ['Time (UTC)', 'Entry', 'Not attributed because'],
      rows: tl.unmatched.map((u) => [clock(u.at), u.type, u.reason]),
    });
  }
  return blocks;
}
