/**
 * report.html: one self-contained file (CSS, uPlot and the chart code
 * inlined, no network) that a vendor engineer can open anywhere. The
 * per-viewer freeze timeline is an SVG drawn here, so it shows even with
 * JavaScript off; the time charts are uPlot canvases.
 */
import { esc } from '../../common/markup.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Evidence } from './evidence.js';
import { reportBlocks } from './document.js';
import type { Block } from './blocks.js';
import { clock, utc } from './format.js';
import { AUDIO_GAP_MS, VIDEO_GAP_MS } from '../scenario/definitions.js';

const require = createRequire(import.meta.url);
const asset = (file: string): string => readFileSync(file, 'utf8');

/** Text safe inside <script>…</script>. */
const scriptSafe = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
/** JSON safe inside <script type="application/json">. */
const jsonSafe = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function renderHtml(ev: Evidence, files: { raw: string[] } = { raw: [] }): string {
  const blocks = reportBlocks(ev, files);
  const title = `${blocks[0].type === 'heading' ? blocks[0].text : 'Evidence pack'} (${ev.run.runId ?? 'run'})`;
  const data = {
    charts: ev.charts,
    markers: ev.timeline.events.map((e) => ({ t: e.t, type: e.type, label: e.type === 'action' ? `${e.what}${e.who ? ` (${e.who})` : ''}` : e.what })),
  };
  const nav = blocks
    .filter((b): b is Extract<Block, { type: 'heading' }> => b.type === 'heading' && b.level === 2 && b.id !== undefined)
    .map((b) => `<a href="#${esc(b.id!)}">${esc(b.text)}</a>`)
    .join(' · ');
  const body = blocks.map((b) => block(b, ev)).join('\n');
  const uplotJs = asset(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const uplotCss = asset(require.resolve('uplot/dist/uPlot.min.css'));
  const chartsJs = asset(fileURLToPath(new URL('./charts.client.js', import.meta.url)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="livedrill report">
<title>${esc(title)}</title>
<style>${uplotCss}</style>
<style>${CSS}</style>
</head>
<body>
<header class="top"><span class="brand">livedrill evidence pack</span> <span class="gen">generated ${esc(utc(Date.parse(ev.generatedAt)))}</span><nav>${nav}</nav></header>
<main>
${body}
</main>
<div id="chart-error" class="callout bad" hidden></div>
<noscript><p class="callout warn">The time charts need JavaScript; the per-viewer timeline and every table show without it.</p></noscript>
<script type="application/json" id="report-data">${jsonSafe(data)}</script>
<script>${scriptSafe(uplotJs)}</script>
<script>${scriptSafe(chartsJs)}</script>
</body>
</html>
`;
}

function block(b: Block, ev: Evidence): string {
  switch (b.type) {
    case 'heading':
      return `<h${b.level}${b.id ? ` id="${esc(b.id)}"` : ''}>${esc(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${esc(b.text)}</p>`;
    case 'callout':
      return `<section class="callout ${b.tone}"${b.id ? ` id="${esc(b.id)}"` : ''}><strong>${esc(b.title)}</strong>${
        b.lines.length ? `<ul>${b.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''
      }</section>`;
    case 'table': {
      const keyValue = b.header.every((h) => h === '');
      const head = keyValue ? '' : `<thead><tr>${b.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
      const rows = b.rows.length
        ? b.rows.map((r) => `<tr>${r.map((c, i) => (keyValue && i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('\n')
        : `<tr><td colspan="${b.header.length}">(none)</td></tr>`;
      return `<div class="table-wrap"><table${b.id ? ` id="${esc(b.id)}"` : ''}${keyValue ? ' class="kv"' : ''}>${head}<tbody>${rows}</tbody></table></div>${
        b.note ? `<p class="note">${esc(b.note)}</p>` : ''
      }`;
    }
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
    case 'definitions':
      return `<dl class="defs">${b.items.map((d) => `<dt>${esc(d.term)}</dt><dd>${esc(d.text)}</dd>`).join('')}</dl>`;
    case 'chart': {
      const name = b.id.replace(/^chart-/, '');
      const plot = name === 'viewers' ? viewerTimelineSvg(ev) : `<div class="plot" data-chart="${esc(name)}"></div>`;
      return `<figure class="chart" id="${esc(b.id)}"><figcaption><strong>${esc(b.title)}.</strong> ${esc(b.caption)}</figcaption>${plot}${faultLegend(ev)}</figure>`;
    }
  }
}

function faultLegend(ev: Evidence): string {
  if (ev.faults.length === 0 && ev.timeline.events.length === 0) return '';
  const faults = ev.faults.map(
    (f) => `<span class="swatch fault"></span>${esc(f.faultId)} (${esc(f.kind)}, ${esc(clock(f.start))}–${esc(clock(f.end))} UTC)`,
  );
  const marks = ev.timeline.events.length ? ['<span class="swatch alert"></span>alert', '<span class="swatch action"></span>human action'] : [];
  return `<p class="legend">${[...faults, ...marks].join(' &nbsp; ')}</p>`;
}

// ---------------------------------------------------------------- per-viewer SVG

const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];

export function viewerTimelineSvg(ev: Evidence): string {
  const { from, to } = ev.charts;
  const viewers = ev.viewers;
  const W = 1100;
  const labelW = 120;
  const plotW = W - labelW - 12;
  const top = 44;
  const rowH = viewers.length <= 40 ? 22 : Math.max(6, Math.floor(880 / viewers.length));
  const H = top + Math.max(1, viewers.length) * rowH + 26;
  const x = (t: number): number => labelW + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * plotW;
  const width = (a: number, b: number): number => Math.max(1.5, x(b) - x(a));
  const n = (v: number): string => v.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg id="viewer-timeline" class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Freezes per viewer" xmlns="http://www.w3.org/2000/svg">`,
  );
  const bottom = top + Math.max(1, viewers.length) * rowH;
  const lanes: string[] = [];
  const marks: string[] = [];

  viewers.forEach((v, i) => {
    const y = top + i * rowH;
    const lane = (rowH - 4) / 3;
    const rows: string[] = [];
    // Thin rows (many viewers): label every few rows so labels do not overlap; each bar's tooltip names its viewer.
    if (i % Math.ceil(12 / rowH) === 0) {
      rows.push(`<text x="${labelW - 8}" y="${n(y + (rowH >= 12 ? rowH / 2 + 4 : 10))}" text-anchor="end" class="row-label">${esc(v.id)}</text>`);
    }
    rows.push(`<rect x="${labelW}" y="${n(y + 1)}" width="${plotW}" height="${n(rowH - 2)}" class="lane"/>`);
    if (v.firstFrameAt !== null) {
      rows.push(`<rect x="${n(x(v.firstFrameAt))}" y="${n(y + 1)}" width="${n(width(v.firstFrameAt, to))}" height="${n(rowH - 2)}" class="watched"/>`);
    }
    for (const d of v.down) {
      const end = d.end ?? to;
      rows.push(
        `<rect class="down" data-viewer="${esc(v.id)}" x="${n(x(d.start))}" y="${n(y + 1)}" width="${n(width(d.start, end))}" height="${n(rowH - 2)}"><title>${esc(
          `${v.id} disconnected ${clock(d.start)}${d.end === null ? ', never recovered' : ` → ${clock(d.end)} (${((d.end - d.start) / 1000).toFixed(2)} s)`}`,
        )}</title></rect>`,
      );
    }
    lanes.push(`<g class="viewer-lane" data-viewer="${esc(v.id)}">${rows.splice(0).join('')}</g>`);
    const bars = (cls: string, label: string, list: Array<{ start: number; end: number; seconds: number; ongoing: boolean }>, slot: number): void => {
      for (const f of list) {
        rows.push(
          `<rect class="${cls}" data-viewer="${esc(v.id)}" data-start="${f.start}" data-end="${f.end}" x="${n(x(f.start))}" y="${n(y + 2 + slot * lane)}" width="${n(width(f.start, f.end))}" height="${n(Math.max(1.5, lane - 0.5))}"><title>${esc(
            `${v.id}: ${label} ${f.seconds.toFixed(2)} s from ${clock(f.start)} UTC${f.ongoing ? ' (still open at the end)' : ''}`,
          )}</title></rect>`,
        );
      }
    };
    bars('freeze-w3c', 'W3C freeze', v.freezes.w3c.intervals, 0);
    bars('freeze-fixed', `video gap > ${VIDEO_GAP_MS} ms`, v.freezes.fixedVideo.intervals, 1);
    bars('audio-gap', `audio gap ≥ ${AUDIO_GAP_MS} ms (concealed)`, v.audio.gaps.intervals, 2);
    marks.push(`<g class="viewer-row" data-viewer="${esc(v.id)}">${rows.join('')}</g>`);
  });
  // Lanes, then the fault windows over them (translucent), then the freezes on top.
  out.push(...lanes);
  // Time axis (UTC).
  const spanS = (to - from) / 1000;
  // Past the largest nice step, the step grows with the span: never more than about 10 ticks.
  const step = (NICE_STEPS_S.find((s) => spanS / s <= 10) ?? Math.ceil(spanS / 10 / 43200) * 43200) * 1000;
  const ticks: string[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to && ticks.length < 50; t += step) {
    ticks.push(
      `<line x1="${n(x(t))}" x2="${n(x(t))}" y1="${top - 2}" y2="${bottom + 4}" class="grid"/><text x="${n(x(t))}" y="${bottom + 17}" text-anchor="middle" class="tick">${esc(
        clock(t).slice(0, step < 1000 ? 12 : 8),
      )}</text>`,
    );
  }
  out.push(`<g class="axis">${ticks.join('')}<text x="4" y="${bottom + 17}" class="tick">time (UTC)</text></g>`);
  for (const f of ev.faults) {
    out.push(
      `<g class="fault-window" data-fault="${esc(f.faultId)}"><title>${esc(`${f.faultId} (${f.kind}) ${clock(f.start)}–${clock(f.end)} UTC, targets: ${f.targets.join(', ') || '-'}`)}</title>` +
        `<rect x="${n(x(f.start))}" y="${top - 4}" width="${n(width(f.start, f.end))}" height="${bottom - top + 4}" fill="rgba(255,166,0,0.22)" stroke="rgba(204,120,0,0.9)" stroke-width="0.8"/>` +
        `<text x="${n(x(f.start) + 2)}" y="${top - 8}" class="fault-label">${esc(f.faultId)}</text></g>`,
    );
  }

  out.push(...marks);
  if (viewers.length === 0) out.push(`<text x="${labelW}" y="${top + 14}" class="row-label">no viewer in the record</text>`);

  // Alerts and human actions.
  ev.timeline.events.forEach((e, i) => {
    if (e.t < from || e.t > to) return;
    const label = e.type === 'action' ? e.what : e.type === 'alert' ? `alert ${e.what}` : `resolved ${e.what}`;
    out.push(
      `<g class="marker ${e.type === 'action' ? 'action' : 'alert'}" data-what="${esc(e.what)}"><title>${esc(
        `${clock(e.t)} UTC ${label}${e.who ? ` by ${e.who}` : ''}${e.text ? `: ${e.text}` : ''}`,
      )}</title><line x1="${n(x(e.t))}" x2="${n(x(e.t))}" y1="${top - 30 + (i % 3) * 9}" y2="${bottom}"/><text x="${n(x(e.t) + 2)}" y="${top - 24 + (i % 3) * 9}">${esc(label)}</text></g>`,
    );
  });

  out.push('</svg>');
  out.push(
    `<p class="legend"><span class="swatch w3c"></span>W3C freeze <span class="swatch fixed"></span>video gap &gt; ${VIDEO_GAP_MS} ms <span class="swatch audio"></span>audio gap ≥ ${AUDIO_GAP_MS} ms <span class="swatch down"></span>disconnected <span class="swatch watched"></span>watching</p>`,
  );
  return out.join('\n');
}

const CSS = `
:root { --bad: #b71c1c; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4d6; --ok: #1b5e20; --ok-bg: #e8f5e9; --info: #0d47a1; --info-bg: #e8f0fe; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #fafafa; }
header.top { position: sticky; top: 0; z-index: 5; background: #20232a; color: #eee; padding: 6px 20px; font-size: 13px; }
header.top .brand { font-weight: 600; } header.top .gen { color: #aaa; margin-left: 8px; }
header.top nav { display: inline-block; margin-left: 16px; } header.top a { color: #9ecbff; text-decoration: none; }
main { max-width: 1240px; margin: 0 auto; padding: 12px 20px 60px; }
h1 { font-size: 24px; margin: 14px 0; } h2 { font-size: 19px; margin: 30px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.callout { border-left: 6px solid; border-radius: 4px; padding: 10px 14px; margin: 10px 0; font-size: 15px; }
.callout ul { margin: 6px 0 0; padding-left: 20px; font-size: 14px; }
.callout.bad { border-color: var(--bad); background: var(--bad-bg); color: var(--bad); }
.callout.warn { border-color: #e0a000; background: var(--warn-bg); color: var(--warn); }
.callout.ok { border-color: var(--ok); background: var(--ok-bg); color: var(--ok); }
.callout.info { border-color: var(--info); background: var(--info-bg); color: var(--info); }
.table-wrap { overflow-x: auto; margin: 6px 0; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f0f1f3; position: sticky; top: 0; }
tbody tr:nth-child(even) td { background: #fafbfc; }
table.kv th { background: #f6f7f8; font-weight: 600; white-space: nowrap; }
p.note { color: #555; font-size: 12px; margin: 2px 0 10px; }
figure.chart { margin: 16px 0; background: #fff; border: 1px solid #e2e2e2; border-radius: 4px; padding: 8px 10px; }
figcaption { font-size: 13px; color: #444; margin-bottom: 6px; }
.plot { width: 100%; min-height: 200px; }
p.legend { font-size: 12px; color: #444; margin: 4px 0 0; }
.swatch { display: inline-block; width: 12px; height: 10px; margin: 0 4px 0 8px; vertical-align: -1px; border-radius: 2px; }
.swatch.fault { background: rgba(255,166,0,0.35); border: 1px solid rgba(204,120,0,0.9); }
.swatch.alert { background: #c62828; width: 3px; } .swatch.action { background: #283593; width: 3px; }
.swatch.w3c { background: #d62728; } .swatch.fixed { background: #ff7f0e; } .swatch.audio { background: #8e24aa; }
.swatch.down { background: #9e9e9e; } .swatch.watched { background: #e3f2e6; border: 1px solid #b9dcc0; }
svg.timeline { display: block; background: #fff; }
svg.timeline .lane { fill: #f4f4f4; } svg.timeline .watched { fill: #e3f2e6; }
svg.timeline .down { fill: #9e9e9e; opacity: 0.8; }
svg.timeline .freeze-w3c { fill: #d62728; } svg.timeline .freeze-fixed { fill: #ff7f0e; } svg.timeline .audio-gap { fill: #8e24aa; }
svg.timeline .row-label { font: 11px system-ui, sans-serif; fill: #333; }
svg.timeline .fault-label { font: 600 11px system-ui, sans-serif; fill: #8a5a00; }
svg.timeline .tick { font: 10px system-ui, sans-serif; fill: #555; } svg.timeline .grid { stroke: #e6e6e6; stroke-width: 0.8; }
svg.timeline .marker line { stroke-dasharray: 4 3; stroke-width: 1; } svg.timeline .marker text { font: 10px system-ui, sans-serif; }
svg.timeline .marker.alert line { stroke: #c62828; } svg.timeline .marker.alert text { fill: #c62828; }
svg.timeline .marker.action line { stroke: #283593; } svg.timeline .marker.action text { fill: #283593; }
dl.defs dt { font-weight: 600; margin-top: 10px; } dl.defs dd { margin: 2px 0 0 0; color: #333; max-width: 960px; }
@media print { header.top { position: static; } figure.chart { break-inside: avoid; } }
`;
