#!/usr/bin/env node
/**
 * Compiles the CLI so it starts without transpiling; set-up runs this. It
 * rebuilds only when a source changed since the last build (compiled.js).
 * `--out DIR` builds into another directory of the checkout (tests).
 *
 * One bundle with every package external (`packages: 'external'`) rather than
 * one file per source: node reads one file of ours instead of ~80, and every
 * dependency is the installed package loaded as under tsx (mediasoup finds
 * its worker, esbuild and puppeteer-core their own files). Sources that find
 * files next to themselves through import.meta.url (the page code PageServer
 * bundles, the drill console, charts.client.js, package.json) get their own
 * file's URL, so those files are read from the source tree, as under tsx,
 * instead of being copied next to the bundle.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE, digestOf, isCurrent, MANIFEST, OUT_DIR, ROOT } from './compiled.js';

/** What shapes the bundle besides the sources: these options, and the tsconfig esbuild reads. */
const BUILD_INPUTS = ['harness/cli/build.js', 'tsconfig.json'];

const out = process.argv.indexOf('--out');
const outDir = out === -1 ? OUT_DIR : resolve(process.argv[out + 1]);

function writeAtomically(file, data) {
  writeFileSync(`${file}.${process.pid}.tmp`, data);
  renameSync(`${file}.${process.pid}.tmp`, file);
}

if (!isCurrent(outDir)) {
  console.error(`livedrill: compiling the CLI into ${relative(process.cwd(), outDir) || '.'}/`);
  // Each source is read once, then hashed and compiled from those bytes: one edited meanwhile leaves the build stale, never wrong.
  const sources = new Map(BUILD_INPUTS.map((file) => [file, readFileSync(join(ROOT, file))]));
  const fromSources = {
    name: 'livedrill-sources',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const bytes = readFileSync(args.path);
        sources.set(relative(ROOT, args.path), bytes);
        const ownUrl = `new URL(${JSON.stringify(relative(outDir, args.path))}, import.meta.url).href`;
        return { contents: bytes.toString('utf8').replaceAll('import.meta.url', ownUrl), loader: 'ts' };
      });
    },
  };
  rmSync(join(outDir, MANIFEST), { force: true }); // until the new one is written, nothing counts as current
  const result = await build({
    entryPoints: [join(ROOT, 'harness/cli/main.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // With LIVEDRILL_DEBUG, stacks name the .ts sources (livedrill.js turns source maps on).
    sourcemap: 'linked',
    sourcesContent: false,
    outfile: join(outDir, BUNDLE),
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [fromSources],
  });
  const unhashed = Object.keys(result.metafile.inputs).filter((file) => !sources.has(file));
  if (unhashed.length > 0) throw new Error(`build.js: sources compiled but not hashed: ${unhashed.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const files = [...sources.keys()].sort();
  const digest = digestOf(files, (file) => sources.get(file));
  writeAtomically(join(outDir, MANIFEST), `${JSON.stringify({ digest, files }, null, 2)}\n`);
}
