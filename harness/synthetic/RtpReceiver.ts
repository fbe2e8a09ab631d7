import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isRtp, ssrc } from './rtp.js';

/** Gets the packets of one SSRC. `now` is the arrival time (epoch ms). */
export interface RtpSink {
  onPacket(packet: Buffer, now: number): void;
}

/**
 * One UDP socket shared by many synthetic viewers (up to a hundred): the SFU
 * sends every consumer's stream to it and packets are demultiplexed by SSRC
 * (each consumer has its own). Few sockets and one lookup per packet keep
 * the harness's cost per viewer below the SFU's.
 */
export class RtpReceiver {
  readonly #sinks = new Map<number, RtpSink>();
  packets = 0;
  unknown = 0;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (packet) => {
      if (!isRtp(packet)) return;
      const sink = this.#sinks.get(ssrc(packet));
      this.packets++;
      if (sink) sink.onPacket(packet, Date.now());
      else this.unknown++;
    });
    socket.on('error', () => {});
  }

  static async open(ip = '127.0.0.1'): Promise<RtpReceiver> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
    return new RtpReceiver(socket);
  }

  get address(): { ip: string; port: number } {
    const a = this.socket.address() as AddressInfo;
    return { ip: a.address, port: a.port };
  }

  register(streamSsrc: number, sink: RtpSink): void {
    this.#sinks.set(streamSsrc, sink);
  }

  unregister(streamSsrc: number): void {
    this.#sinks.delete(streamSsrc);
  }

  close(): void {
    this.socket.close();
  }
}
