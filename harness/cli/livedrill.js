#!/usr/bin/env node
// The livedrill command: the bundle set-up compiled (build.js) while it is current with the
// sources (compiled.js), else the TypeScript sources themselves through tsx: slower to start,
// never stale.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE, isCurrent, OUT_DIR } from './compiled.js';

if (isCurrent()) {
  if (process.env.LIVEDRILL_DEBUG) {
    process.setSourceMapsEnabled(true);
    console.error(`livedrill: running the compiled CLI, ${join(OUT_DIR, BUNDLE)}`);
  }
  await import(pathToFileURL(join(OUT_DIR, BUNDLE)).href);
} else {
  if (process.env.LIVEDRILL_DEBUG) console.error('livedrill: running the sources through tsx (no compiled CLI built from them: harness/setup/setup.sh builds it)');
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
