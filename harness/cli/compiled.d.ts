// Types of compiled.js, which is plain JavaScript so that it runs before anything can read TypeScript.
export const ROOT: string;
export const OUT_DIR: string;
export const BUNDLE: string;
export const MANIFEST: string;
export function digestOf(files: string[], read: (file: string) => Buffer): string | null;
export function isCurrent(outDir?: string, root?: string): boolean;
