import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { Impairment, NO_IMPAIRMENT, type DropReason, type ImpairmentSettings } from './Impairment.js';

export interface RelayCounters {
  forwarded: number;
  dropped: Record<DropReason, number>;
}

export const zeroCounters = (): RelayCounters => ({ forwarded: 0, dropped: { loss: 0, blackhole: 0, queue: 0 } });

/**
 * A UDP relay on one media path: the client talks to `port`, the relay talks
 * to the SFU from its own socket, so the SFU (ICE-lite) learns the relay as
 * the remote address. Each direction has its own Impairment, changeable at
 * any time, and counts what it forwarded and dropped (ground truth for loss).
 */
export class UdpRelay {
  readonly down = new Impairment(NO_IMPAIRMENT);
  readonly up = new Impairment(NO_IMPAIRMENT);
  readonly counters = { up: zeroCounters(), down: zeroCounters() };
  /** Packets handled, and the harness's event-loop time spent handling them (ns): the relay's own cost. */
  readonly cost = { packets: 0, busyNs: 0n };
  #client: { address: string; port: number } | undefined;
  #closed = false;

  private constructor(
    private readonly clientSide: dgram.Socket,
    private readonly sfuSide: dgram.Socket,
    sfu: { ip: string; port: number },
    client?: { address: string; port: number },
  ) {
    this.#client = client;
    clientSide.on('message', (packet, from) => {
      this.#client = { address: from.address, port: from.port };
      this.#timed(() => this.#forward(packet, this.up, this.counters.up, (p) => sfuSide.send(p, sfu.port, sfu.ip)));
    });
    sfuSide.on('message', (packet) => {
      const client = this.#client;
      if (!client) return;
      this.#timed(() => this.#forward(packet, this.down, this.counters.down, (p) => clientSide.send(p, client.port, client.address)));
    });
    // A send to a vanished peer must not take the harness down.
    clientSide.on('error', () => {});
    sfuSide.on('error', () => {});
  }

  /**
   * @param client known up front for a receive-only client that never sends
   *   (a plain RTP receiver); otherwise learned from its first packet.
   */
  static async open(sfu: { ip: string; port: number }, bindIp = '127.0.0.1', client?: { ip: string; port: number }): Promise<UdpRelay> {
    const bind = async (): Promise<dgram.Socket> => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, bindIp, resolve));
      return socket;
    };
    return new UdpRelay(await bind(), await bind(), sfu, client && { address: client.ip, port: client.port });
  }

  /** Where the client sends. */
  get port(): number {
    return (this.clientSide.address() as AddressInfo).port;
  }

  /** Where the SFU sends, for a client the SFU is told to send to (plain RTP). */
  get sfuFacingPort(): number {
    return (this.sfuSide.address() as AddressInfo).port;
  }

  set(direction: 'up' | 'down', settings: ImpairmentSettings): void {
    this[direction].settings = settings;
  }

  #timed(handle: () => void): void {
    const started = process.hrtime.bigint();
    handle();
    this.cost.packets++;
    this.cost.busyNs += process.hrtime.bigint() - started;
  }

  #forward(packet: Buffer, impairment: Impairment, counters: RelayCounters, send: (p: Buffer) => void): void {
    if (this.#closed) return;
    const now = Date.now();
    const departure = impairment.schedule(packet.length, now);
    if (typeof departure === 'string') {
      counters.dropped[departure]++;
      return;
    }
    counters.forwarded++;
    if (departure <= now) send(packet);
    else setTimeout(() => !this.#closed && send(packet), departure - now);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.clientSide.close();
    this.sfuSide.close();
  }
}
