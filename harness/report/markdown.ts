/** report.md: the report's blocks as GitHub-flavoured Markdown (charts are in report.html). */
import type { Evidence } from './evidence.js';
import { reportBlocks, type Block } from './document.js';

const TONE_MARK = { bad: '⛔', warn: '⚠️', ok: '✅', info: 'ℹ️' } as const;

/** Table cells: no line breaks, pipes escaped. */
const cell = (s: string): string => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

export function renderMarkdown(ev: Evidence, files: { raw: string[] } = { raw: [] }): string {
  const out: string[] = [];
  let charts: Array<Extract<Block, { type: 'chart' }>> = [];
  const flushCharts = (): void => {
    if (charts.length === 0) return;
    out.push(['_Charts (in report.html):_', ...charts.map((c) => `- **${c.title}**: ${c.caption}`)].join('\n'));
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
      return `${'#'.repeat(b.level)} ${b.text}`;
    case 'paragraph':
      return b.text;
    case 'callout':
      return [`> ${TONE_MARK[b.tone]} **${b.title}**`, ...b.lines.map((l) => `> - ${l}`)].join('\n');
    case 'table': {
      const header = b.header.every((h) => h === '') ? b.header.map((_, i) => (i === 0 ? 'Item' : 'Value')) : b.header;
      const lines = [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
      for (const row of b.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
      if (b.rows.length === 0) lines.push(`| ${header.map((_, i) => (i === 0 ? '(none)' : '')).join(' | ')} |`);
      return b.note ? `${lines.join('\n')}\n\n_${b.note}_` : lines.join('\n');
    }
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'definitions':
      return b.items.map((d) => `**${d.term}.** ${d.text}`).join('\n\n');
    case 'chart':
      return `_Chart in report.html: **${b.title}**: ${b.caption}_`;
  }
}
