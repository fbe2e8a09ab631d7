/**
 * scorecard.html: one self-contained file (inline CSS, no script, nothing
 * fetched) with the vendors side by side. Each figure opens onto the values
 * behind it, each value linking to the run it comes from.
 */
import { esc } from '../../common/markup.js';
import { cellText, sampleValue } from './format.js';
import type { Row, Section } from './model.js';
import type { Scorecard } from './scorecard.js';

type RunLink = (id: string) => string;

export function renderHtml(card: Scorecard): string {
  const vendors = card.vendors.map((v) => v.name);
  const evidence = new Map(card.runs.map((r) => [r.id, r.evidence]));
  const runLink: RunLink = (id) => (evidence.has(id) ? `<a href="${esc(encodeURI(evidence.get(id)!))}">${esc(id)}</a>` : esc(id));
  const { settings } = card;
  const title = `Vendor scorecard: ${vendors.join(' vs ')}`;
  const nav = [...card.sections.map((s) => [s.id, s.title]), ['runs', 'Runs'], ['definitions', 'Definitions']]
    .map(([id, text]) => `<a href="#${esc(id)}">${esc(text)}</a>`)
    .join(' · ');
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="meta">Generated ${esc(card.generatedAt)} · yardstick ${esc(settings.yardstick)} · night ${esc(settings.night.from)}–${esc(settings.night.to)} in ${esc(
      settings.timeZone ?? "each plan's time zone",
    )} · a figure is ranked only when every vendor has at least ${settings.minSample} tickets or runs behind it</p>`,
    card.fairness.warnings.length > 0
      ? `<section class="callout warn" id="fairness"><strong>Read before comparing</strong><ul>${card.fairness.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>`
      : '<section class="callout ok" id="fairness"><strong>Comparable: one livedrill version, every scenario run by every vendor.</strong></section>',
    '<h2 id="vendors">Vendors</h2>',
    table(
      ['vendor', 'drills', 'plain runs', 'SLA plans', 'sample'],
      card.vendors.map((v) => [esc(v.name), v.drills.map(runLink).join(', ') || '-', v.runs.map(runLink).join(', ') || '-', esc(v.plans.join('; ') || '-'), esc(v.statement)]),
      'vendor-table',
    ),
    ...card.sections.map((s) => sectionHtml(s, vendors, runLink)),
    card.verifications.length > 0
      ? `<h2 id="verifications">Fixes verified by re-runs</h2>${table(
          ['vendor', 'ticket', 'drill', 're-run', 'what the re-run shows'],
          card.verifications.map((v) => [esc(v.vendor), esc(v.ticket), runLink(v.run), v.found ? runLink(v.rerun) : esc(v.rerun), esc(v.shows)]),
        )}`
      : '',
    '<h2 id="runs">Runs</h2>',
    table(
      ['run', 'vendor', 'kind', 'scenario', 'livedrill', 'machine', 'record'],
      card.runs.map((r) => [runLink(r.id), esc(r.vendor), r.kind, esc(`${r.scenario.name} (${r.scenario.fingerprint})`), esc(r.livedrill ?? '?'), esc(r.reliability), esc(r.status)]),
      'run-table',
    ),
    card.notes.length > 0 ? `<h2 id="notes">Notes</h2><ul>${card.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
    `<h2 id="definitions">Definitions</h2><dl class="defs">${card.definitions.map((d) => `<dt>${esc(d.term)}</dt><dd>${esc(d.text)}</dd>`).join('')}</dl>`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="livedrill vendors">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top"><span class="brand">livedrill vendor scorecard</span><nav>${nav}</nav></header>
<main>
${body.filter(Boolean).join('\n')}
</main>
</body>
</html>
`;
}

function sectionHtml(section: Section, vendors: string[], runLink: RunLink): string {
  const groups = section.groups.map(
    (g) =>
      `<h3>${esc(g.title)}</h3>${g.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}<div class="table-wrap"><table class="figures"><thead><tr><th>figure</th>${vendors
        .map((v) => `<th>${esc(v)}</th>`)
        .join('')}<th>verdict</th></tr></thead><tbody>${g.rows.map((r) => rowHtml(r, vendors, runLink)).join('')}</tbody></table></div>`,
  );
  const empty = section.groups.length === 0 ? '<p class="note">No figures: no run or ticket gives any.</p>' : '';
  return `<section class="figures" id="${esc(section.id)}"><h2>${esc(section.title)}</h2>${empty}${groups.join('')}</section>`;
}

function rowHtml(r: Row, vendors: string[], runLink: RunLink): string {
  const cells = vendors.map((v) => {
    const cell = r.cells[v];
    const samples = cell?.samples ?? [];
    const behind =
      samples.length > 0
        ? `<details><summary>${samples.length} value${samples.length === 1 ? '' : 's'}</summary><ul>${samples
            .map((s) => `<li>${runLink(s.run)}${s.ref ? ` ${esc(s.ref)}` : ''}: ${esc(sampleValue(s.value, r.unit))}</li>`)
            .join('')}</ul></details>`
        : '';
    const cls = [cell ? '' : 'none', r.leaders.includes(v) ? 'lead' : ''].filter(Boolean).join(' ');
    return `<td${cls ? ` class="${cls}"` : ''} data-vendor="${esc(v)}">${esc(cellText(cell, r.unit))}${behind}</td>`;
  });
  return `<tr data-row="${esc(r.key)}"><th scope="row">${esc(r.label)}</th>${cells.join('')}<td class="verdict">${esc(r.verdict)}</td></tr>`;
}

function table(header: string[], rows: string[][], id?: string): string {
  return `<div class="table-wrap"><table${id ? ` id="${id}"` : ''}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

const CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #fafafa; }
header.top { position: sticky; top: 0; z-index: 5; background: #20232a; color: #eee; padding: 6px 20px; font-size: 13px; }
header.top .brand { font-weight: 600; margin-right: 16px; } header.top a { color: #9ecbff; text-decoration: none; }
main { max-width: 1400px; margin: 0 auto; padding: 12px 20px 60px; }
h1 { font-size: 24px; margin: 14px 0 4px; } h2 { font-size: 19px; margin: 30px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
p.meta { color: #555; font-size: 13px; margin: 0 0 10px; } p.note { color: #555; font-size: 12px; margin: 2px 0 6px; font-style: italic; }
.callout { border-left: 6px solid; border-radius: 4px; padding: 10px 14px; margin: 10px 0; font-size: 14px; }
.callout ul { margin: 6px 0 0; padding-left: 20px; }
.callout.warn { border-color: #e0a000; background: #fff4d6; color: #8a5a00; }
.callout.ok { border-color: #1b5e20; background: #e8f5e9; color: #1b5e20; }
.table-wrap { overflow-x: auto; margin: 6px 0; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f0f1f3; }
table.figures { width: 100%; } table.figures tbody th { font-weight: 500; width: 22%; background: #f8f9fa; }
table.figures td { min-width: 180px; } td.lead { background: #e8f5e9; } td.none { color: #999; }
td.verdict { color: #444; font-size: 12px; min-width: 140px; }
details summary { cursor: pointer; color: #0d47a1; font-size: 12px; } details ul { margin: 4px 0; padding-left: 18px; font-size: 12px; }
dl.defs dt { font-weight: 600; margin-top: 10px; } dl.defs dd { margin: 2px 0 0 0; color: #333; max-width: 960px; }
@media print { header.top { position: static; } details { display: none; } }
`;
