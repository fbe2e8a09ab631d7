/**
 * The SLA clock: how much covered time passes between two instants, and when
 * a budget of covered time runs out. Business hours are wall-clock windows in
 * the coverage's time zone, so weekends and DST shifts fall out of Luxon's
 * calendar arithmetic rather than from fixed offsets.
 */
import { DateTime } from 'luxon';
import { WEEKDAYS, type BusinessHours, type Coverage } from './slaProfile.js';

/** Covered milliseconds from `fromMs` to `toMs` (epoch ms); negative when `toMs` is earlier. */
export function coveredMs(coverage: Coverage, fromMs: number, toMs: number): number {
  if (toMs < fromMs) return -coveredMs(coverage, toMs, fromMs);
  if (coverage === '24x7') return toMs - fromMs;
  let total = 0;
  for (let t = fromMs; ; ) {
    const [open, close] = nextWindow(coverage, t);
    if (open >= toMs) return total;
    total += Math.min(close, toMs) - Math.max(open, t);
    t = close;
  }
}

/** The instant at which `budgetMs` of covered time has passed since `startMs`. */
export function deadline(coverage: Coverage, startMs: number, budgetMs: number): number {
  if (coverage === '24x7') return startMs + budgetMs;
  let left = budgetMs;
  for (let t = startMs; ; ) {
    const [open, close] = nextWindow(coverage, t);
    const from = Math.max(open, t);
    // `<=`: a budget that ends exactly at closing time is due then, not at the next opening.
    if (left <= close - from) return from + left;
    left -= close - from;
    t = close;
  }
}

/** When the clock of something raised at `t` starts running: `t` itself, or the next opening. */
export function clockStartedAt(coverage: Coverage, t: number): number {
  return deadline(coverage, t, 0);
}

/** The first working window [open, close) that ends after `t`. */
function nextWindow(hours: BusinessHours, t: number): [number, number] {
  let day = DateTime.fromMillis(t, { zone: hours.timeZone }).startOf('day');
  // A window never spans midnight, so a week and a day from t's own day is enough to find one.
  for (let i = 0; i < 8; i += 1, day = day.plus({ days: 1 })) {
    if (!hours.days.includes(WEEKDAYS[day.weekday - 1])) continue;
    const close = wallClock(day, hours.to);
    if (close > t) return [wallClock(day, hours.from), close];
  }
  throw new Error(`business hours ${JSON.stringify(hours)} have no working window`);
}

/** "HH:MM" on that local day, as epoch ms ("24:00" is the next midnight). */
function wallClock(day: DateTime, time: string): number {
  const [hour, minute] = time.split(':').map(Number);
  return (hour === 24 ? day.plus({ days: 1 }) : day.set({ hour, minute })).toMillis();
}
