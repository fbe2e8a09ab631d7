/** Writes the scorecard: scorecard.json (the figures), scorecard.md and scorecard.html (the same, for people). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Scorecard } from './scorecard.js';

export interface WrittenScorecard {
  json: string;
  markdown: string;
  html: string;
}

export function writeScorecard(card: Scorecard, outDir: string): WrittenScorecard {
  mkdirSync(outDir, { recursive: true });
  const files = { json: join(outDir, 'scorecard.json'), markdown: join(outDir, 'scorecard.md'), html: join(outDir, 'scorecard.html') };
  writeFileSync(files.json, `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(files.markdown, renderMarkdown(card));
  writeFileSync(files.html, renderHtml(card));
  return files;
}
