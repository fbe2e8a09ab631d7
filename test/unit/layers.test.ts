/**
 * The layers point one way (ARCHITECTURE.md): no module imports from a layer
 * above its own. Read from the sources' import statements, so a new arrow
 * the wrong way fails here, with the file and the import named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Lowest first; a folder may import its own layer and those below. */
const LAYERS: Array<{ name: string; folders: string[] }> = [
  { name: 'shared utilities', folders: ['common'] },
  { name: 'config', folders: ['harness/scenario'] },
  { name: 'system under test', folders: ['server'] },
  { name: 'viewers, probes, media path', folders: ['harness/page', 'harness/probes', 'harness/browser', 'harness/synthetic', 'harness/network'] },
  { name: 'faults', folders: ['harness/faults'] },
  { name: 'journal', folders: ['harness/journal'] },
  { name: 'run', folders: ['harness/run'] },
  { name: 'outputs', folders: ['harness/outputs'] },
  { name: 'drill', folders: ['harness/drill'] },
  { name: 'report', folders: ['harness/report'] },
  { name: 'cli', folders: ['harness/cli', 'harness/bench', 'harness/vendors'] },
];

function layerOf(file: string): number {
  const index = LAYERS.findIndex((l) => l.folders.some((f) => file === f || file.startsWith(`${f}/`)));
  if (index < 0) throw new Error(`${file}: in no layer; add its folder to LAYERS in test/unit/layers.test.ts and ARCHITECTURE.md`);
  return index;
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports (static, dynamic and type-only) of a source file, as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((spec) => relative(root, resolve(root, dirname(file), spec)));
}

describe('layers', () => {
  const files = ['common', 'server', 'harness'].flatMap(sources);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('no import points from a lower layer up', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const target of importsOf(file)) {
        if (layerOf(target) > layerOf(file)) {
          wrong.push(`${file} (${LAYERS[layerOf(file)].name}) imports ${target} (${LAYERS[layerOf(target)].name})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the system under test never imports the harness', () => {
    const wrong = files.filter((f) => f.startsWith('server/')).flatMap((f) => importsOf(f).filter((t) => t.startsWith('harness/')).map((t) => `${f} imports ${t}`));
    expect(wrong).toEqual([]);
  });
});
