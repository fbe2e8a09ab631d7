/**
 * The compiled CLI (dist/cli/, gitignored): one bundle of harness/cli/main.ts
 * that set-up builds (build.js), and a manifest of the sources it was built
 * from with one digest of their bytes. The bundle counts as current only while
 * every one of those files is byte for byte what it was built from, so an
 * edited source is never shadowed by an older build. Hashing the ~80 files
 * takes about 2 ms; comparing times would trust clocks, checkouts and copies.
 * Plain JavaScript: it runs before anything can read TypeScript.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUT_DIR = join(ROOT, 'dist', 'cli');
export const BUNDLE = 'main.js';
export const MANIFEST = 'manifest.json';

/** One digest over the files' paths and bytes (`read` gives them), or null when one cannot be read. */
export function digestOf(files, read) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    let bytes;
    try {
      bytes = read(file);
    } catch {
      return null;
    }
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** Whether the build in `outDir` was made from the files of `root` as they are now (types: compiled.d.ts). */
export function isCurrent(outDir = OUT_DIR, root = ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8'));
  } catch {
    return false;
  }
  return (
    Array.isArray(manifest.files) &&
    existsSync(join(outDir, BUNDLE)) &&
    manifest.digest === digestOf(manifest.files, (file) => readFileSync(join(root, file)))
  );
}
