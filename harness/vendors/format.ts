/** A scorecard figure in words, the same in the Markdown and the HTML scorecard. */
import { duration, num, pct } from '../report/format.js';
import type { Cell, Unit } from './model.js';

/** One value of a row, in its unit. */
export function value(v: number | null, unit: Unit): string {
  if (v === null) return '-';
  if (unit === 'duration') return duration(v);
  if (unit === 'per-minute') return `${num(v, 3)} s`;
  return Number.isInteger(v) ? String(v) : num(v, 2);
}

/** "p50 20 min · p95 9 h · 12 min–9 h · n 3", or "2 of 3 (66.7 %)"; then the cell's detail. */
export function cellText(cell: Cell | undefined, unit: Unit): string {
  if (!cell) return 'no data';
  let text: string;
  if (cell.rate) text = `${cell.rate.k} of ${cell.rate.n}${cell.rate.ratio === null ? '' : ` (${pct(cell.rate.ratio)})`}`;
  else {
    const s = cell.spread!;
    text =
      s.n === 0
        ? 'none'
        : `p50 ${value(s.p50, unit)} · p95 ${value(s.p95, unit)} · ${value(s.min, unit)}–${value(s.max, unit)}${unit === 'count' ? ` · total ${s.total}` : ''} · n ${s.n}`;
  }
  return cell.detail ? `${text} (${cell.detail})` : text;
}

/** A rate's sample as it is read ("met", "not met"), else the value in its unit. */
export function sampleValue(v: number, unit: Unit): string {
  return unit === 'rate' ? (v === 1 ? 'yes' : 'no') : value(v, unit);
}
