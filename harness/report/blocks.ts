/**
 * The report's text as a list of blocks (headings, call-outs, tables…),
 * rendered to Markdown by markdown.ts and to HTML (with charts) by html.ts,
 * so both files always say the same thing.
 */
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
