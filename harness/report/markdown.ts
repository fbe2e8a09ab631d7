/** report.md: the report's blocks as GitHub-flavoured Markdown (charts are in report.html). */
import type { Evidence } from './evidence.js';
import { reportBlocks } from './document.js';
import type { Block } from './blocks.js';

const TONE_MARK = { bad: '⛔', warn: '⚠️', ok: '✅', info: 'ℹ️' } as const;

/**
 * Text is plain (names, notes and tickets come from people and journals):
 * every character Markdown or its embedded HTML would act on is escaped, so
 * a note reads as typed and never becomes a link, an image or markup.
 */
const text = (s: string): string =>
  s
    .replace(/[\\`*_[\]<~|&]/g, (c) => (c === '<' ? '&lt;' : c === '&' ? '&amp;' : `\\${c}`))
    // A quote or a heading only where a line starts.
    .replace(/^(\s*)([>#+-])/, '$1\\$2');
/** Table cells: plain text on one line. */
const cell = (s: string): string => text(s.replace(/\r?\n/g, ' '));
/** A line of plain text that may start a paragraph: no line breaks that would start a block. */
const line = (s: string): string => text(s).replace(/\r?\n/g, ' ');

export function renderMarkdown(ev: Evidence, files: { raw: string[] } = { raw: [] }): string {
  const out: string[] = [];
  let charts: Array<Extract<Block, { type: 'chart' }>> = [];
  const flushCharts = (): void => {
    if (charts.length === 0) return;
    out.push(['_Charts (in report.html):_', ...charts.map((c) => `- **${line(c.title)}**: ${line(c.caption)}`)].join('\n'));
    charts = [];
  };
  for (const b of reportBlocks(ev, files)) {
    if (b.type === 'chart') {
      charts.push(b);
      continue;
    }
    flushCharts();
    out.push(block(b));
  }
  flushCharts();
  return `${out.filter((s) => s !== '').join('\n\n')}\n`;
}

function block(b: Block): string {
  switch (b.type) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${line(b.text)}`;
    case 'paragraph':
      return line(b.text);
    case 'callout':
      return [`> ${TONE_MARK[b.tone]} **${line(b.title)}**`, ...b.lines.map((l) => `> - ${line(l)}`)].join('\n');
    case 'table': {
      const header = b.header.every((h) => h === '') ? b.header.map((_, i) => (i === 0 ? 'Item' : 'Value')) : b.header;
      const lines = [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
      for (const row of b.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
      if (b.rows.length === 0) lines.push(`| ${header.map((_, i) => (i === 0 ? '(none)' : '')).join(' | ')} |`);
      return b.note ? `${lines.join('\n')}\n\n_${line(b.note)}_` : lines.join('\n');
    }
    case 'list':
      return b.items.map((i) => `- ${line(i)}`).join('\n');
    case 'definitions':
      return b.items.map((d) => `**${line(d.term)}.** ${line(d.text)}`).join('\n\n');
    case 'chart':
      return `_Chart in report.html: **${line(b.title)}**: ${line(b.caption)}_`;
  }
}
