/**
 * Synthetic viewers' network-path latency from the SFU's RTCP sender
 * reports: the reports as mediasoup 3.8.4 writes them (its monotonic clock in
 * the NTP field), parsed out of compound RTCP, and the time each newer
 * frame's first packet spent between the SFU and the viewer.
 */
import { describe, expect, it } from 'vitest';
import { monotonicToEpochMs, PathLatency } from '../../harness/synthetic/PathLatency.js';
import { senderReports } from '../../harness/synthetic/rtp.js';
import { LatencyStats } from '../../harness/probes/latency.js';

const SSRC = 0x1234abcd;

/** An SR as RtpStreamSend::GetRtcpSenderReport fills it: NTP = the worker's monotonic ms (Utils::Time::TimeMs2Ntp). */
function senderReport(monotonicMs: number, rtpTimestamp: number, ssrc = SSRC): Buffer {
  const sr = Buffer.alloc(28);
  sr[0] = 0x80; // V=2, no reception reports
  sr[1] = 200;
  sr.writeUInt16BE(28 / 4 - 1, 2);
  sr.writeUInt32BE(ssrc, 4);
  sr.writeUInt32BE(Math.floor(monotonicMs / 1000), 8);
  sr.writeUInt32BE(Math.floor(((monotonicMs % 1000) / 1000) * 2 ** 32), 12);
  sr.writeUInt32BE(rtpTimestamp >>> 0, 16);
  return sr;
}

/** An SDES with one CNAME chunk, as mediasoup sends after its SR. */
function sdes(): Buffer {
  const chunk = Buffer.from([0x12, 0x34, 0xab, 0xcd, 1, 4, 0x61, 0x62, 0x63, 0x64, 0, 0]);
  const header = Buffer.from([0x81, 202, 0, chunk.length / 4]);
  return Buffer.concat([header, chunk]);
}

function rtp(timestamp: number): Buffer {
  const packet = Buffer.alloc(20);
  packet[0] = 0x80;
  packet[1] = 101;
  packet.writeUInt32BE(timestamp >>> 0, 4);
  packet.writeUInt32BE(SSRC, 8);
  return packet;
}

const monotonicNow = (): number => Number(process.hrtime.bigint()) / 1e6;

describe('RTCP sender reports', () => {
  it('are found in compound RTCP, NTP time in ms, RTP time and SSRC as sent', () => {
    const [report, ...others] = senderReports(Buffer.concat([senderReport(123_456_789.5, 4_000_000_000), sdes()]));
    expect(others).toEqual([]);
    expect(report.ssrc).toBe(SSRC);
    expect(report.ntpMs).toBeCloseTo(123_456_789.5, 3);
    expect(report.rtpTimestamp).toBe(4_000_000_000);
  });

  it('a receiver report is not one, and a length past the packet ends the walk without a throw', () => {
    const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
    expect(senderReports(rr)).toEqual([]);
    const cut = senderReport(1000, 1).subarray(0, 20);
    expect(senderReports(cut)).toEqual([]);
    expect(senderReports(Buffer.concat([sdes(), senderReport(1000, 1, 7)])).map((r) => r.ssrc)).toEqual([7]);
  });
});

describe('path latency, SFU → viewer', () => {
  it('times each newer frame\'s first packet against the report, on the SFU\'s clock turned into epoch time', () => {
    // One reading of the clocks' difference for both sides: Date.now() moves in whole ms, so two readings may differ by one.
    const toEpoch = monotonicToEpochMs();
    const path = new PathLatency(() => toEpoch);
    const sentAt = monotonicNow();
    path.onSenderReport(senderReports(senderReport(sentAt, 1_000_000))[0]);
    const epochOf = (monotonicMs: number): number => monotonicMs + toEpoch;
    // Frames 33 ms apart in RTP time (90 kHz), each arriving 5 ms (then 205 ms) after the SFU sent it.
    path.onPacket(rtp(1_000_000 + 90 * 33), epochOf(sentAt + 33 + 5));
    path.onPacket(rtp(1_000_000 + 90 * 33), epochOf(sentAt + 33 + 6)); // the same frame's next packet: not timed
    path.onPacket(rtp(1_000_000 + 90 * 66), epochOf(sentAt + 66 + 205));
    path.onPacket(rtp(1_000_000 + 90 * 10), epochOf(sentAt + 80)); // an older frame (reordered): not timed
    expect(path.take()).toEqual([
      [5, 1],
      [205, 1],
    ]);
    expect(path.take()).toBeUndefined();
  });

  it('times nothing before the first report, and follows the RTP clock across its wrap', () => {
    const toEpoch = monotonicToEpochMs();
    const path = new PathLatency(() => toEpoch);
    path.onPacket(rtp(5), Date.now());
    expect(path.take()).toBeUndefined();
    const sentAt = monotonicNow();
    path.onSenderReport(senderReports(senderReport(sentAt, 2 ** 32 - 900))[0]);
    // 900 ticks before the wrap, then 1800 after the report: 20 ms later, received 3 ms after.
    path.onPacket(rtp(900), sentAt + 20 + 3 + toEpoch);
    expect(path.take()).toEqual([[3, 1]]);
  });

  it('its [ms, frames] pairs add up in the run-wide statistics as the same values one by one', () => {
    const pairs: Array<[number, number]> = [
      [1, 40],
      [2, 9],
      [210, 1],
    ];
    const counted = new LatencyStats();
    counted.addCounts(pairs);
    const listed = new LatencyStats();
    listed.addAll(pairs.flatMap(([ms, n]) => Array<number>(n).fill(ms)));
    expect(counted.summary()).toEqual(listed.summary());
    expect(counted.summary()).toMatchObject({ count: 50, p50: 0.001, p95: 0.002, max: 0.21 });
  });
});
