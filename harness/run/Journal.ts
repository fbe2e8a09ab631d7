import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { TypedEmitter } from '../../server/common/TypedEmitter.js';

export interface JournalEntry {
  /** Epoch ms. */
  t: number;
  type: string;
  [field: string]: unknown;
}

/**
 * The run's append-only record (JSON Lines). Each entry is written to the
 * file as it happens, so a crash or Ctrl-C loses nothing already measured.
 */
export class Journal {
  /** Every entry as it is written, for live outputs (a drill's detectors and console). */
  readonly observer = new TypedEmitter<{ entry: [entry: JournalEntry] }>();
  #fd: number | undefined;

  /** @param stamp fields put on every line (e.g. the shard a line comes from) */
  constructor(
    readonly file: string,
    private readonly stamp: Record<string, unknown> = {},
  ) {
    this.#fd = openSync(file, 'a');
  }

  write(type: string, fields: Record<string, unknown> = {}, t = Date.now()): void {
    if (this.#fd === undefined) return;
    const entry: JournalEntry = { t, type, ...this.stamp, ...fields };
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
    this.observer.emit('entry', entry);
  }

  close(): void {
    if (this.#fd === undefined) return;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** A directory that is not a (complete) run; the message names it and what is missing. */
export class RunDirError extends Error {}

/** Reads a journal; a last line cut short by a crash is skipped, not fatal. */
export function readJournal(file: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (error) {
      if (i < lines.length - 2) throw new Error(`${file}:${i + 1}: not a JSON line: ${(error as Error).message}`);
    }
  });
  return entries;
}
