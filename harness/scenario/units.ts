import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const BITRATE = /^(\d+(?:\.\d+)?)(bps|kbps|mbps)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const UNIT_BPS: Record<string, number> = { bps: 1, kbps: 1000, mbps: 1_000_000 };

/** "500ms", "20s", "2m", or a number of seconds; parsed to milliseconds. */
export const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number' && value >= 0) return value * 1000;
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "20s" or "2m", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return Number(match[1]) * UNIT_MS[match[2]];
});

/** "500kbps", "2mbps", or a number of bits per second. */
export const bitrateBps = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number' && value > 0) return value;
  const match = typeof value === 'string' ? BITRATE.exec(value.trim()) : null;
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `expected a bitrate like "500kbps" or "2mbps", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return Number(match[1]) * UNIT_BPS[match[2].toLowerCase()];
});
