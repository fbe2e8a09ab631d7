/**
 * The getStats() fields livedrill reports, and how a page picks them out:
 * shared by livedrill's own pages and the probe in app pages.
 */
import type { AudioOutboundStats, VideoOutboundStats } from './reports.js';

export const VIDEO_INBOUND_FIELDS = [
  'framesDecoded', 'framesDropped', 'framesPerSecond', 'freezeCount', 'totalFreezesDuration', 'pauseCount', 'totalPausesDuration', 'jitter',
  'packetsLost', 'packetsReceived', 'nackCount', 'pliCount', 'firCount', 'bytesReceived',
] as const;
export const AUDIO_INBOUND_FIELDS = [
  'totalSamplesReceived', 'concealedSamples', 'concealmentEvents', 'audioLevel', 'packetsLost', 'packetsReceived',
  'jitter', 'bytesReceived',
] as const;
const VIDEO_OUTBOUND_FIELDS = ['framesEncoded', 'framesSent', 'framesPerSecond', 'bytesSent', 'pliCount', 'firCount', 'nackCount'] as const;

/** Copies the named numeric fields; a field the browser does not report is 0. */
export function pick(stats: Record<string, unknown>, fields: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) out[f] = typeof stats[f] === 'number' ? (stats[f] as number) : 0;
  return out;
}

/** Field by field a + b (b's fields); `a` absent is zero. */
export function sum<T extends object>(a: T | undefined, b: T): T {
  if (!a) return b;
  const out: Record<string, number> = {};
  for (const key of Object.keys(b)) out[key] = (a as Record<string, number>)[key] + (b as Record<string, number>)[key];
  return out as T;
}

/** An outbound-rtp video entry as livedrill reports it. */
export function videoOutbound(s: Record<string, unknown>): VideoOutboundStats {
  return {
    ...(pick(s, VIDEO_OUTBOUND_FIELDS) as unknown as Omit<VideoOutboundStats, 'qualityLimitationReason'>),
    qualityLimitationReason: String(s.qualityLimitationReason ?? 'none'),
  };
}

export const audioOutbound = (s: Record<string, unknown>): AudioOutboundStats => pick(s, ['bytesSent', 'packetsSent']) as unknown as AudioOutboundStats;
