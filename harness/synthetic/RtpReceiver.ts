import { isRtcp, isRtp, senderReports, ssrc, type SenderReport } from './rtp.js';
import { openDgramSocket, type PacketSocket } from './PacketSocket.js';
import { ADDON_FILE, BATCH_PACKETS, loadUdpBatch, openBatchSocket, type UdpBatchAddon } from './BatchSocket.js';

/** Gets the packets of one SSRC: `arrival` is when it arrived (epoch ms); its bytes are valid only during the call. */
export interface RtpSink {
  onPacket(packet: Buffer, arrival: number): void;
  /** An RTCP sender report for this SSRC (the SFU's, on the same port: rtcp-mux). */
  onSenderReport?(report: SenderReport): void;
}

/**
 * How synthetic viewers read packets: the udp_batch addon (batches, kernel
 * receive times) when set-up built it, else node:dgram.
 * `LIVEDRILL_UDP_RECEIVE=dgram` forces the fallback (to compare the two).
 */
export type ReceivePath = { kind: 'native'; addon: UdpBatchAddon } | { kind: 'dgram'; reason: string };

export function chooseReceivePath(env: NodeJS.ProcessEnv = process.env, addonFile = ADDON_FILE): ReceivePath {
  if (env.LIVEDRILL_UDP_RECEIVE === 'dgram') return { kind: 'dgram', reason: 'LIVEDRILL_UDP_RECEIVE=dgram' };
  const addon = loadUdpBatch(addonFile);
  return typeof addon === 'string' ? { kind: 'dgram', reason: addon } : { kind: 'native', addon };
}

let chosen: ReceivePath | undefined;
/** This process's path, chosen once: every synthetic figure of a run comes from one path. */
export const receivePath = (): ReceivePath => (chosen ??= chooseReceivePath());

/** The path in words, among the run's versions (journal, summary, report), so a figure says what produced it. */
export function describeReceivePath(path: ReceivePath): string {
  return path.kind === 'native'
    ? `native: recvmmsg batches of up to ${BATCH_PACKETS}, kernel receive times`
    : `node:dgram: a read per packet, arrival timed in the event loop (${path.reason})`;
}

/**
 * One UDP socket shared by many synthetic viewers (up to a hundred): the SFU
 * sends every consumer's stream to it and packets are demultiplexed by SSRC
 * (each consumer has its own). Few sockets and one lookup per packet keep
 * the harness's cost per viewer below the SFU's.
 */
export class RtpReceiver {
  readonly #sinks = new Map<number, RtpSink>();
  #socket!: PacketSocket;
  packets = 0;
  unknown = 0;

  private constructor() {}

  static async open(ip = '127.0.0.1', path = receivePath()): Promise<RtpReceiver> {
    const receiver = new RtpReceiver();
    const onPacket = (packet: Buffer, arrival: number): void => receiver.#onPacket(packet, arrival);
    receiver.#socket = path.kind === 'native' ? openBatchSocket(path.addon, ip, onPacket) : await openDgramSocket(ip, onPacket);
    return receiver;
  }

  #onPacket(packet: Buffer, arrival: number): void {
    if (isRtcp(packet)) {
      for (const report of senderReports(packet)) this.#sinks.get(report.ssrc)?.onSenderReport?.(report);
      return;
    }
    if (!isRtp(packet)) return;
    const sink = this.#sinks.get(ssrc(packet));
    this.packets++;
    if (sink) sink.onPacket(packet, arrival);
    else this.unknown++;
  }

  get address(): { ip: string; port: number } {
    return this.#socket.address;
  }

  /** Measures what has arrived by now (native path), so that a stall judged next is one of arrivals, not of the harness reading late. */
  drain(): void {
    this.#socket.drain();
  }

  register(streamSsrc: number, sink: RtpSink): void {
    this.#sinks.set(streamSsrc, sink);
  }

  unregister(streamSsrc: number): void {
    this.#sinks.delete(streamSsrc);
  }

  close(): void {
    this.#socket.close();
  }
}
