/**
 * The whole report as blocks, in reading order: the verdicts a reader must
 * see first, the run, the faults and their impact, the charts, the human
 * timeline, every viewer, the test machine, versions and definitions.
 */
import { APP_MEDIA_PATH_NOTE } from './softwareVersions.js';
import { EVIDENCE_FORMAT, type Evidence } from './evidence.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';
import type { Block } from './blocks.js';
import { ms, num, pct, secs, utc } from './format.js';
import { groundTruthBlocks, windowBlocks } from './faultBlocks.js';
import { impactBlocks } from './impactBlocks.js';
import { timelineBlocks } from './timelineBlocks.js';

export function reportBlocks(ev: Evidence, files: { raw: string[] } = { raw: [] }): Block[] {
  return [
    { type: 'heading', level: 1, text: `Evidence pack: ${ev.run.scenario.name ?? 'unknown scenario'}` },
    ...verdictBlocks(ev),
    runTable(ev),
    ...groundTruthBlocks(ev),
    ...impactBlocks(ev),
    ...CHARTS,
    ...windowBlocks(ev),
    ...timelineBlocks(ev),
    ...viewerBlocks(ev),
    ...machineBlocks(ev),
    ...versionBlocks(ev),
    { type: 'heading', level: 2, text: 'Definitions', id: 'definitions' },
    { type: 'definitions', items: ev.definitions },
    { type: 'heading', level: 2, text: 'Files in this pack', id: 'files' },
    {
      type: 'list',
      items: [
        'report.md, report.html: this report (the HTML one has the charts and opens without network).',
        `evidence.json: every figure of this report, machine-readable (format ${EVIDENCE_FORMAT}).`,
        ...files.raw.map((f) => `raw/${f}`),
      ],
    },
  ];
}

/** The two things a reader must see before any figure: can the machine be trusted, is the record whole. */
function verdictBlocks(ev: Evidence): Block[] {
  const rel = ev.reliability;
  const blocks: Block[] = [
    {
      type: 'callout',
      id: 'reliability',
      tone: rel.status === 'reliable' ? 'ok' : rel.status === 'unreliable' ? 'bad' : 'warn',
      title: `Machine reliability: ${rel.status.toUpperCase()}`,
      lines: [rel.statement],
    },
  ];
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
  return blocks;
}

function runTable(ev: Evidence): Block {
  return {
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
  };
}

function versionLine(ev: Evidence): string {
  const v = ev.versions;
  // An app under test brings its own SFU and client: livedrill's are not in its path.
  return [
    v.app ? `app under test: ${v.app.name}${v.app.sdk ? ` (SDK ${v.app.sdk})` : ''}` : null,
    v.browser ?? 'browser unknown',
    v.mediasoup && !v.app ? `mediasoup ${v.mediasoup}` : null,
    v.mediasoupClient && !v.app ? `mediasoup-client ${v.mediasoupClient}` : null,
    v.node ? `Node ${v.node}` : null,
    v.livedrill ? `livedrill ${v.livedrill}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Drawn by html.ts from the evidence's chart series; listed by name in report.md. */
const CHARTS: Block[] = [
  {
    type: 'chart',
    id: 'chart-freeze',
    title: 'Share of viewers frozen',
    caption: `Share of joined viewers whose picture was frozen at each instant, under the W3C rule and with gaps > ${VIDEO_GAP_MS} ms; shaded: fault windows; vertical lines: alerts and human actions.`,
  },
  {
    type: 'chart',
    id: 'chart-viewers',
    title: 'Freezes per viewer',
    caption: `One row per viewer: W3C freezes (red), video gaps > ${VIDEO_GAP_MS} ms (orange), audio gaps ≥ ${AUDIO_GAP_MS} ms (purple), disconnected (grey); shaded: fault windows.`,
  },
  {
    type: 'chart',
    id: 'chart-audio',
    title: 'Audio concealment',
    caption: 'Concealed / received audio samples per sample period: all viewers pooled, and the worst viewer.',
  },
  {
    type: 'chart',
    id: 'chart-latency',
    title: 'Latency (stamped source)',
    caption:
      'Glass-to-glass latency per sample period: median of all viewers\' frames, the viewer with the highest median, the median capture → received (the transport alone), and the median audio latency; shaded: fault windows. Empty without the stamped source.',
  },
  {
    type: 'chart',
    id: 'chart-connections',
    title: 'Joins, disconnections and recoveries',
    caption: 'Per bucket: viewers that showed their first frame, lost their connection or session, recovered; line: viewers watching.',
  },
];

function viewerBlocks(ev: Evidence): Block[] {
  return [
    { type: 'heading', level: 2, text: 'Viewers over the whole run', id: 'viewers' },
    {
      type: 'table',
      id: 'viewer-table',
      header: [
        'Viewer',
        'Kind',
        'Join',
        'fps',
        'Freezes W3C (s)',
        'Freeze ratio',
        `Gaps > ${VIDEO_GAP_MS} ms (s)`,
        `Audio gaps ≥ ${AUDIO_GAP_MS} ms (s)`,
        'Audio concealed',
        'Video loss',
        'Audio loss',
        'Latency p50 / p95 (received p50)',
        'Audio latency p50',
        'A/V offset p50',
        'Frames never shown',
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
        v.latency?.video ? `${ms(v.latency.video.p50)} / ${ms(v.latency.video.p95)} (${ms(v.latency.received?.p50)})` : '-',
        ms(v.latency?.audio?.p50),
        ms(v.latency?.avOffset?.p50),
        v.stamps ? String(v.stamps.neverShown) : '-',
        String(v.disconnects.length),
        v.firstFrameAt === null ? 'never joined' : v.connectedAtEnd ? 'watching' : 'NOT watching',
      ]),
    },
  ];
}

function machineBlocks(ev: Evidence): Block[] {
  const rel = ev.reliability;
  const d = rel.details;
  return [
    { type: 'heading', level: 2, text: 'Test machine', id: 'machine' },
    {
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
    },
  ];
}

function versionBlocks(ev: Evidence): Block[] {
  const vs = ev.versions;
  return [
    { type: 'heading', level: 2, text: 'Versions', id: 'versions' },
    {
      type: 'table',
      header: ['Component', 'Version'],
      rows: [
        ...(vs.app
          ? [
              ['App under test', vs.app.name],
              ["Its SDK (as the app's pages expose it)", vs.app.sdk ?? 'not recorded (the scenario gives no app.sdkVersion)'],
              ["TURN server (livedrill's, on the app's media path)", vs.app.turn ?? 'not recorded'],
            ]
          : [
              ['mediasoup (SFU)', vs.mediasoup ?? 'not recorded'],
              ['mediasoup-client (in the pages)', vs.mediasoupClient ?? 'not recorded'],
            ]),
        ['Browser (viewers and publisher)', vs.browser ?? 'not recorded'],
        ['Node.js', vs.node ?? 'not recorded'],
        ['livedrill', vs.livedrill ?? 'not recorded'],
        ...Object.entries(vs.other).map(([k, v]) => [k, v]),
      ],
      note: `Source: ${vs.source}.${vs.app ? ` ${APP_MEDIA_PATH_NOTE}` : ''}`,
    },
  ];
}
