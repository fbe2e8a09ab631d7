/**
 * The scorecard's figures: rows of cells, one cell per vendor, each with its
 * spread and the samples behind it, and a verdict that ranks the vendors only
 * when every one of them has enough samples.
 */
import { rate, spread, type Rate, type Sample, type Spread } from './spread.js';

/** duration: ms; count: per ticket; per-minute: seconds per viewer-minute; rate: k of n. */
export type Unit = 'duration' | 'count' | 'per-minute' | 'rate';

export interface Cell {
  spread: Spread | null;
  rate: Rate | null;
  /** What ranking is judged on: the tickets or runs this figure comes from. */
  sample: number;
  /** The values, each with the run (and ticket or fault) it comes from; for a rate, 1 or 0 each. */
  samples: Sample[];
  /** Words that go with the figure: tags used, names of contacts, why there is no figure. */
  detail: string | null;
}

export interface Row {
  key: string;
  label: string;
  unit: Unit;
  /** Which way is better; null: shown for context, never ranked. */
  better: 'lower' | 'higher' | null;
  /** What `sample` counts. */
  sampleOf: 'tickets' | 'runs';
  /** By vendor; a vendor without data has no cell. */
  cells: Record<string, Cell>;
  verdict: string;
  /** The vendors the verdict ranks first (several on a tie); empty when not ranked. */
  leaders: string[];
}

export interface Group {
  title: string;
  notes: string[];
  rows: Row[];
}

export interface Section {
  id: 'sdk' | 'response' | 'solving' | 'service';
  title: string;
  groups: Group[];
}

export function valueCell(samples: Sample[], sample: number, detail: string | null = null): Cell {
  return { spread: spread(samples), rate: null, sample, samples, detail };
}

/** `samples` are 1 (has it) or 0 each. */
export function rateCell(samples: Sample[], sample = samples.length, detail: string | null = null): Cell {
  return { spread: null, rate: rate(samples.filter((s) => s.value === 1).length, samples.length), sample, samples, detail };
}

/** A row whose verdict is still to be given (see `judge`). */
export function row(fields: Omit<Row, 'verdict' | 'leaders'>): Row {
  return { ...fields, verdict: '', leaders: [] };
}

/**
 * Ranks a row: the vendor with the lowest (or highest) p50, or rate, when
 * every vendor has a figure from at least `minSample` tickets or runs; else
 * says plainly why it is not ranked.
 */
export function judge(r: Row, vendors: readonly string[], minSample: number): Row {
  if (r.better === null || vendors.length < 2) return { ...r, verdict: r.better === null ? 'context, not ranked' : '' };
  const score = (c: Cell | undefined): number | null => (c ? (c.rate ? c.rate.ratio : c.spread!.p50) : null);
  const missing = vendors.filter((v) => score(r.cells[v]) === null);
  if (missing.length > 0) return { ...r, verdict: `not ranked: no figure for ${missing.join(', ')}` };
  const few = vendors.filter((v) => r.cells[v].sample < minSample);
  if (few.length > 0) {
    const counts = few.map((v) => `${v} ${r.cells[v].sample} ${r.cells[v].sample === 1 ? r.sampleOf.slice(0, -1) : r.sampleOf}`).join(', ');
    return { ...r, verdict: `too small to rank: ${counts} (at least ${minSample} each)` };
  }
  const scores = vendors.map((v) => score(r.cells[v])!);
  const best = r.better === 'lower' ? Math.min(...scores) : Math.max(...scores);
  const leaders = vendors.filter((_, i) => scores[i] === best);
  const by = r.unit === 'rate' ? 'rate' : 'p50';
  const verdict = leaders.length > 1 ? `tie on ${by}: ${leaders.join(', ')}` : `${r.better === 'lower' ? 'lowest' : 'highest'} ${by}: ${leaders[0]}`;
  return { ...r, verdict, leaders };
}
