/**
 * A viewer shard on another machine reads its own clock, while the stamps'
 * capture times and the audio markers come from the publisher's, on the SFU's
 * host. Before its viewers join, a shard asks the SFU's /clock a few times
 * (as NTP does): the answer least delayed on the way gives the offset, and
 * half its round trip bounds the error. Latencies measured in the shard are
 * set on the SFU host's clock with it; synthetic viewers also get the SFU
 * host's monotonic clock, which its RTCP sender reports carry.
 */
import type { HostClock } from '../../server/http/SfuServer.js';

export interface ClockOffset {
  /** SFU host's wall clock minus this one's (ms): add it to a time read here to have it on the SFU host's clock. */
  offsetMs: number;
  /** The offset is right to within this (ms): half the round trip it came from. */
  uncertaintyMs: number;
  rttMs: number;
  /** Epoch ms on this machine's clock minus the SFU host's monotonic ms (what PathLatency needs). */
  sfuMonotonicToEpochMs: number;
  samples: number;
}

/** One exchange: this machine's clock when asked and answered, the SFU host's clocks in between. */
export interface ClockSample {
  sentAt: number;
  receivedAt: number;
  host: HostClock;
}

const SAMPLES = 8;
const TIMEOUT_MS = 2000;

/** The offset from the exchange with the shortest round trip (null without any). */
export function offsetFrom(samples: readonly ClockSample[]): ClockOffset | null {
  const best = [...samples].sort((a, b) => a.receivedAt - a.sentAt - (b.receivedAt - b.sentAt))[0];
  if (!best) return null;
  const rttMs = best.receivedAt - best.sentAt;
  const localMid = (best.sentAt + best.receivedAt) / 2;
  const offsetMs = best.host.epochMs - localMid;
  return { offsetMs, uncertaintyMs: rttMs / 2, rttMs, sfuMonotonicToEpochMs: localMid - best.host.monotonicMs, samples: samples.length };
}

/** The SFU's /clock URL from its signaling URL (ws://host:port/signaling?token=… → http://host:port/clock). */
export function clockUrl(signalingUrl: string): string {
  const url = new URL(signalingUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/clock';
  url.search = '';
  return url.toString();
}

const now = (): number => performance.timeOrigin + performance.now();

/** Asks the SFU's clock SAMPLES times; throws with the URL when it never answers as expected. */
export async function measureClockOffset(signalingUrl: string): Promise<ClockOffset> {
  const url = clockUrl(signalingUrl);
  const samples: ClockSample[] = [];
  let failure = '';
  for (let i = 0; i < SAMPLES; i++) {
    const sentAt = now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      const receivedAt = now();
      if (!response.ok) {
        failure = `answered ${response.status}`;
        continue;
      }
      const host = (await response.json()) as Partial<HostClock>;
      if (typeof host.epochMs !== 'number' || typeof host.monotonicMs !== 'number') {
        failure = 'answered without {epochMs, monotonicMs}';
        continue;
      }
      samples.push({ sentAt, receivedAt, host: { epochMs: host.epochMs, monotonicMs: host.monotonicMs } });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
  }
  const offset = offsetFrom(samples);
  if (!offset) throw new Error(`clock offset: ${url} ${failure} (an SFU older than this livedrill has no /clock)`);
  return offset;
}
