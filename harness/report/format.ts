/** How the report writes instants, durations, ratios and rates; '-' for what was not measured. */
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "2026-11-25 16:13:17.675 UTC" */
export function utc(t: number | null | undefined): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return '-';
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clock(t)} UTC`;
}

/** "16:13:17.675" (UTC) */
export function clock(t: number): string {
  const d = new Date(t);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export const num = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
export const pct = (ratio: number | null | undefined, digits = 1): string =>
  ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '-' : `${(ratio * 100).toFixed(digits)} %`;
export const kbps = (bps: number | null | undefined): string => (bps === null || bps === undefined ? '-' : `${(bps / 1000).toFixed(0)} kbps`);
export const secs = (s: number | null | undefined, digits = 2): string => (s === null || s === undefined ? '-' : `${s.toFixed(digits)} s`);
/** Seconds shown as whole milliseconds: "183 ms". */
export const ms = (s: number | null | undefined): string => (s === null || s === undefined || !Number.isFinite(s) ? '-' : `${(s * 1000).toFixed(0)} ms`);

/** A duration in ms for people: "850 ms", "42.0 s", "12 min 5 s", "3 h 4 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${a.toFixed(0)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  const unit = (big: number, bigName: string, small: number, smallName: string): string => {
    const whole = Math.floor(a / big);
    const rest = Math.round((a % big) / small);
    return rest === 0 ? `${sign}${whole} ${bigName}` : `${sign}${whole} ${bigName} ${rest} ${smallName}`;
  };
  if (a < 3_600_000) return unit(60_000, 'min', 1000, 's');
  return unit(3_600_000, 'h', 60_000, 'min');
}

/** A constant's milliseconds as prose: "10 s", "0.5 s" (exact, never rounded). */
export const inSeconds = (ms: number): string => `${ms / 1000} s`;

/** How often, as prose: "once a second", "every 500 ms". */
export const every = (ms: number): string => (ms === 1000 ? 'once a second' : `every ${ms} ms`);

/** Digits grouped by three with spaces: "48 000". */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ' ');
