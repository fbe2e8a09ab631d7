/**
 * A viewer shard's clock against the SFU host's: the exchange least delayed
 * gives the offset, half its round trip the uncertainty; the stamps' times
 * are then set on the SFU host's clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clockUrl, measureClockOffset, offsetFrom, type ClockSample } from '../../harness/run/clockOffset.js';
import { StampTracker } from '../../harness/page/StampTracker.js';
import { encodeStamp, decodeStamp } from '../../harness/page/stamp.js';

describe('clock offset', () => {
  // The SFU host's clock runs 1234 ms ahead of this one; its monotonic clock reads 5000 s at our epoch 1.7e12.
  const AHEAD = 1234;
  const sample = (sentAt: number, rttMs: number, serverDelayMs: number): ClockSample => {
    const at = sentAt + serverDelayMs; // when the SFU read its clocks, on our clock
    return { sentAt, receivedAt: sentAt + rttMs, host: { epochMs: at + AHEAD, monotonicMs: at - 1.7e12 + 5_000_000 } };
  };

  it('takes the exchange with the shortest round trip: right to within half of it', () => {
    const offset = offsetFrom([sample(1.7e12, 40, 35), sample(1.7e12 + 100, 4, 2.5), sample(1.7e12 + 200, 12, 1)])!;
    expect(offset.rttMs).toBe(4);
    expect(offset.uncertaintyMs).toBe(2);
    expect(Math.abs(offset.offsetMs - AHEAD)).toBeLessThanOrEqual(offset.uncertaintyMs);
    // An SFU monotonic reading turned into our epoch, within the same bound.
    expect(Math.abs(5_000_000 + offset.sfuMonotonicToEpochMs - 1.7e12)).toBeLessThanOrEqual(offset.uncertaintyMs);
    expect(offset.samples).toBe(3);
    expect(offsetFrom([])).toBeNull();
  });

  it('is asked of the SFU signaling URL\'s host, without its token', () => {
    expect(clockUrl('ws://10.0.0.5:8080/signaling?token=secret')).toBe('http://10.0.0.5:8080/clock');
    expect(clockUrl('wss://sfu.example:443/signaling')).toBe('https://sfu.example/clock');
  });

  it('an SFU without /clock (an older livedrill) is a clear error naming the URL', async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end('not found\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(measureClockOffset(`ws://127.0.0.1:${port}/signaling`)).rejects.toThrow(`http://127.0.0.1:${port}/clock answered 404`);
    } finally {
      server.close();
    }
  });

  it("a shard's stamps are timed on the SFU host's clock: its offset is added to what the page reads", () => {
    const captured = 1.7e12; // stamps carry whole milliseconds
    const stamp = decodeStamp(Array.from(encodeStamp(7, captured), (bit) => bit * 255))!;
    const here = new StampTracker(AHEAD);
    // Presented 80 ms after capture, as the SFU host's clock tells; this page's clock reads 1234 ms less.
    here.onFrame(stamp, captured + 80 - AHEAD, 1);
    expect(here.take()!.videoLatencyMs).toEqual([80]);
  });
});
