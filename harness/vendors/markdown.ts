/**
 * scorecard.md: the scorecard as GitHub-flavoured Markdown. Names, tickets and
 * notes come from people and journals: they are escaped so they read as typed
 * and never become links or markup; the only links are to the runs' evidence.
 */
import type { Row, Section } from './model.js';
import { cellText, sampleValue } from './format.js';
import type { Scorecard } from './scorecard.js';

const MARK = /[\\`*_[\]<>~|&#!]/g;
const plain = (s: string): string => s.replace(/\r?\n/g, ' ').replace(MARK, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
const link = (text: string, href: string): string => `[${plain(text)}](<${encodeURI(href)}>)`;
const table = (header: string[], rows: string[][]): string =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function renderMarkdown(card: Scorecard): string {
  const vendors = card.vendors.map((v) => v.name);
  const evidence = new Map(card.runs.map((r) => [r.id, r.evidence]));
  const runLink = (id: string): string => (evidence.has(id) ? link(id, evidence.get(id)!) : plain(id));
  const out: string[] = [];
  const { settings } = card;
  out.push(`# Vendor scorecard: ${vendors.map(plain).join(' vs ')}`);
  out.push(
    plain(
      `Generated ${card.generatedAt}. Yardstick ${settings.yardstick}. Night ${settings.night.from}-${settings.night.to} in ${settings.timeZone ?? "each plan's time zone"}. ` +
        `A figure is ranked only when every vendor has at least ${settings.minSample} tickets or runs behind it.`,
    ),
  );
  if (card.fairness.warnings.length > 0) out.push(['> ⚠️ **Read before comparing**', ...card.fairness.warnings.map((w) => `> - ${plain(w)}`)].join('\n'));

  out.push('## Vendors');
  out.push(
    table(
      ['vendor', 'drills', 'plain runs', 'SLA plans', 'sample'],
      card.vendors.map((v) => [plain(v.name), v.drills.map(runLink).join(', ') || '-', v.runs.map(runLink).join(', ') || '-', plain(v.plans.join('; ') || '-'), plain(v.statement)]),
    ),
  );

  for (const section of card.sections) out.push(...sectionMarkdown(section, vendors, runLink));

  if (card.verifications.length > 0) {
    out.push('## Fixes verified by re-runs');
    out.push(
      table(
        ['vendor', 'ticket', 'drill', 're-run', 'what the re-run shows'],
        card.verifications.map((v) => [plain(v.vendor), plain(v.ticket), runLink(v.run), v.found ? runLink(v.rerun) : plain(v.rerun), plain(v.shows)]),
      ),
    );
  }
  out.push('## Runs');
  out.push(
    table(
      ['run', 'vendor', 'kind', 'scenario', 'livedrill', 'machine', 'record'],
      card.runs.map((r) => [runLink(r.id), plain(r.vendor), r.kind, plain(`${r.scenario.name} (${r.scenario.fingerprint})`), plain(r.livedrill ?? '?'), r.reliability, r.status]),
    ),
  );
  if (card.notes.length > 0) out.push('## Notes', card.notes.map((n) => `- ${plain(n)}`).join('\n'));
  out.push('## Definitions', card.definitions.map((d) => `**${plain(d.term)}.** ${plain(d.text)}`).join('\n\n'));
  return `${out.join('\n\n')}\n`;
}

function sectionMarkdown(section: Section, vendors: string[], runLink: (id: string) => string): string[] {
  const out = [`## ${plain(section.title)}`];
  if (section.groups.length === 0) out.push('_No figures: no run or ticket gives any._');
  for (const group of section.groups) {
    out.push(`### ${plain(group.title)}`);
    if (group.notes.length > 0) out.push(group.notes.map((n) => `_${plain(n)}_`).join(' '));
    out.push(table(['figure', ...vendors.map(plain), 'verdict'], group.rows.map((r) => [plain(r.label), ...vendors.map((v) => plain(cellText(r.cells[v], r.unit))), plain(r.verdict)])));
    const behind = group.rows.flatMap((r) => evidenceLines(r, vendors, runLink));
    if (behind.length > 0) out.push(`<details><summary>The values behind these figures</summary>\n\n${behind.join('\n')}\n\n</details>`);
  }
  return out;
}

function evidenceLines(r: Row, vendors: string[], runLink: (id: string) => string): string[] {
  return vendors.flatMap((v) => {
    const samples = r.cells[v]?.samples ?? [];
    if (samples.length === 0) return [];
    const listed = samples.map((s) => `${runLink(s.run)}${s.ref ? ` ${plain(s.ref)}` : ''}: ${plain(sampleValue(s.value, r.unit))}`);
    return [`- ${plain(r.label)}, ${plain(v)}: ${listed.join('; ')}`];
  });
}
