/**
 * Network-path latency of one video stream, SFU → synthetic viewer, from the
 * SFU's RTCP sender reports: not glass-to-glass (a synthetic viewer decodes
 * and shows nothing), but how long the stream's packets spend between the
 * SFU and the viewer, which a network fault on the viewer's path lengthens.
 *
 * mediasoup (3.8.4, RtpStreamSend::GetRtcpSenderReport) puts its worker's
 * monotonic clock (uv_hrtime, in ms) in the report's NTP field, and as RTP
 * time the newest frame's timestamp plus the time since it forwarded that
 * frame's first packet. So a frame with RTP timestamp ts left the SFU at
 * about ntpMs + (ts − rtpTimestamp) / 90 on that clock: its host's monotonic
 * clock, which this process reads too (process.hrtime) when it runs there;
 * a shard elsewhere has it from the SFU's /clock (run/clockOffset.ts). A
 * frame's first packet is timed; the estimate moves by the jitter of the
 * frame the report was anchored on.
 */
import { rtpTicksBetween } from '../../common/wrapping.js';
import { timestamp, type SenderReport } from './rtp.js';

const VIDEO_CLOCK_PER_MS = 90;

/** Epoch ms minus this host's monotonic ms (the clock mediasoup's reports use), now. */
export function monotonicToEpochMs(): number {
  return Date.now() - Number(process.hrtime.bigint()) / 1e6;
}

export class PathLatency {
  /** @param sfuMonotonicToEpochMs epoch ms here minus the SFU host's monotonic ms, now */
  constructor(private readonly sfuMonotonicToEpochMs: () => number = monotonicToEpochMs) {}

  /** The last report, its NTP time turned into epoch ms. */
  #anchor: { sentAt: number; rtpTimestamp: number } | undefined;
  #lastTimestamp: number | undefined;
  /** Whole ms → frames, since the last take. */
  #counts = new Map<number, number>();

  onSenderReport(report: SenderReport): void {
    this.#anchor = { sentAt: report.ntpMs + this.sfuMonotonicToEpochMs(), rtpTimestamp: report.rtpTimestamp };
  }

  /** A packet of the stream, arrived at `arrival` (epoch ms): the first of each newer frame is timed. */
  onPacket(packet: Buffer, arrival: number): void {
    const ts = timestamp(packet);
    const last = this.#lastTimestamp;
    if (last !== undefined && !isNewer(ts, last)) return;
    this.#lastTimestamp = ts;
    const anchor = this.#anchor;
    if (!anchor) return;
    const ms = Math.round(arrival - (anchor.sentAt + rtpTicksBetween(anchor.rtpTimestamp, ts) / VIDEO_CLOCK_PER_MS));
    this.#counts.set(ms, (this.#counts.get(ms) ?? 0) + 1);
  }

  /** The frames timed since the last call, as [whole ms, frames] pairs; undefined when none was. */
  take(): Array<[number, number]> | undefined {
    if (this.#counts.size === 0) return undefined;
    const pairs = [...this.#counts].sort((a, b) => a[0] - b[0]);
    this.#counts = new Map();
    return pairs;
  }
}

const isNewer = (ts: number, than: number): boolean => rtpTicksBetween(than, ts) > 0;
