import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { JournalEntry } from './entries.js';

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

/** A journal as read: its entries, and what could not be read. */
export interface JournalRead {
  entries: JournalEntry[];
  /** Lines (1-based) that are not journal entries, in the middle of the file: skipped. */
  corruptLines: number[];
  corruptCount: number;
  /** The last line was cut short (a crash while writing): skipped. */
  truncatedLast: boolean;
}

const CHUNK_BYTES = 1 << 20;
/** Corrupt line numbers kept for the message; all are counted. */
const LISTED_CORRUPT = 20;

/**
 * Reads a journal of any size a chunk at a time (never one string for the
 * whole file). A line that is not a JSON object with a numeric `t` and a
 * string `type` is skipped and counted; a last line cut short by a crash is
 * skipped and flagged.
 */
export function readJournalFile(file: string): JournalRead {
  const read: JournalRead = { entries: [], corruptLines: [], corruptCount: 0, truncatedLast: false };
  const fd = openSync(file, 'r');
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let pending = '';
  let lineNo = 0;
  const take = (line: string, last: boolean): void => {
    lineNo++;
    if (line.trim() === '') return;
    const entry = parseEntry(line);
    if (entry) read.entries.push(entry);
    else if (last) read.truncatedLast = true;
    else {
      read.corruptCount++;
      if (read.corruptLines.length < LISTED_CORRUPT) read.corruptLines.push(lineNo);
    }
  };
  try {
    for (let n = readSync(fd, buffer, 0, CHUNK_BYTES, null); n > 0; n = readSync(fd, buffer, 0, CHUNK_BYTES, null)) {
      const lines = (pending + decoder.write(buffer.subarray(0, n))).split('\n');
      pending = lines.pop()!;
      for (const line of lines) take(line, false);
    }
    take(pending + decoder.end(), true);
  } finally {
    closeSync(fd);
  }
  return read;
}

function parseEntry(line: string): JournalEntry | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entry = value as JournalEntry;
    return Number.isFinite(entry.t) && typeof entry.type === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** A journal's entries; unreadable lines are skipped (readJournalFile says which). */
export function readJournal(file: string): JournalEntry[] {
  return readJournalFile(file).entries;
}
