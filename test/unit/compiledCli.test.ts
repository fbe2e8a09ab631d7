/** The compiled CLI counts as current only while every source it was built from is unchanged. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE, digestOf, isCurrent, MANIFEST } from '../../harness/cli/compiled.js';
import { useTempDirs } from '../tempDirs.js';

const tempDir = useTempDirs();

/** A checkout with two sources and a build made from them. */
function built(): { root: string; out: string } {
  const root = tempDir('livedrill-compiled-');
  const out = join(root, 'dist');
  writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'b.ts'), 'export const b = 2;\n');
  const files = ['a.ts', 'b.ts'];
  mkdirSync(out);
  writeFileSync(join(out, BUNDLE), '// bundle\n');
  writeFileSync(join(out, MANIFEST), JSON.stringify({ digest: digestOf(files, (f) => readFileSync(join(root, f))), files }));
  return { root, out };
}

describe('the compiled CLI', () => {
  it('is current while its sources are byte for byte what it was built from', () => {
    const { root, out } = built();
    expect(isCurrent(out, root)).toBe(true);
    // Rewriting the same bytes (a checkout, a touch) changes nothing.
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    expect(isCurrent(out, root)).toBe(true);
  });

  it('is stale once a source is edited, even to the same length, or goes', () => {
    const edited = built();
    writeFileSync(join(edited.root, 'b.ts'), 'export const b = 3;\n');
    expect(isCurrent(edited.out, edited.root)).toBe(false);
    const gone = built();
    renameSync(join(gone.root, 'a.ts'), join(gone.root, 'c.ts'));
    expect(isCurrent(gone.out, gone.root)).toBe(false);
  });

  it('is not there without its manifest or its bundle (a build cut short)', () => {
    const noManifest = built();
    rmSync(join(noManifest.out, MANIFEST));
    expect(isCurrent(noManifest.out, noManifest.root)).toBe(false);
    const noBundle = built();
    rmSync(join(noBundle.out, BUNDLE));
    expect(isCurrent(noBundle.out, noBundle.root)).toBe(false);
  });

  it('digests paths with bytes: moving bytes from one file to the next changes it', () => {
    const read = (files: Record<string, string>) => (f: string) => Buffer.from(files[f]);
    expect(digestOf(['x', 'y'], read({ x: 'ab', y: 'c' }))).not.toBe(digestOf(['x', 'y'], read({ x: 'a', y: 'bc' })));
    expect(digestOf(['x', 'y'], read({ x: 'a', y: 'b' }))).toBe(digestOf(['y', 'x'], read({ x: 'a', y: 'b' })));
  });
});
