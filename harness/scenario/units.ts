import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const BITRATE = /^(\d+(?:\.\d+)?)(bps|kbps|mbps)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const UNIT_BPS: Record<string, number> = { bps: 1, kbps: 1000, mbps: 1_000_000 };

/** The longest a Node timer holds (about 24.8 days): a longer wait would fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** "500ms", "20s", "2m", or a number of seconds; parsed to milliseconds. */
export const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  const ms = typeof value === 'number' ? (value >= 0 ? value * 1000 : NaN) : match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "20s" or "2m", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  if (!(ms <= MAX_DURATION_MS)) {
    ctx.addIssue({ code: 'custom', message: `expected at most 24 days (what a timer holds), got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

/** A duration from `min` to `max` milliseconds, said in the unit a reader would use. */
export const durationBetween = (min: number, max: number) =>
  durationMs.refine((ms) => ms >= min && ms <= max, { message: `expected from ${say(min)} to ${say(max)}` });

function say(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  return ms < 60_000 || ms % 60_000 !== 0 ? `${ms / 1000}s` : `${ms / 60_000}m`;
}

/** "500kbps", "2mbps", or a number of bits per second. */
export const bitrateBps = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match = typeof value === 'string' ? BITRATE.exec(value.trim()) : null;
  const bps = typeof value === 'number' ? value : match ? Number(match[1]) * UNIT_BPS[match[2].toLowerCase()] : NaN;
  // A bitrate of zero would stop the stream (or mean "no cap"): neither is what a number here asks for.
  if (!(bps > 0 && bps <= 1e10)) {
    ctx.addIssue({ code: 'custom', message: `expected a bitrate above 0 like "500kbps" or "2mbps", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bps;
});
