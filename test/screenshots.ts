import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a test saves a screenshot: a temporary directory, so a test run never
 * changes a tracked file; `npm run screenshots` points it at docs/screenshots.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.LIVEDRILL_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'livedrill-screenshots-'));
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
