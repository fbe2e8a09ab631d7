import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { ImpairedPath } from './ImpairedPath.js';

/**
 * A UDP relay on one media path: the client talks to `port`, the relay talks
 * to the SFU from its own socket, so the SFU (ICE-lite) learns the relay as
 * the remote address.
 */
export class UdpRelay extends ImpairedPath {
  #client: { address: string; port: number } | undefined;

  private constructor(
    private readonly clientSide: dgram.Socket,
    private readonly sfuSide: dgram.Socket,
    sfu: { ip: string; port: number },
    client?: { address: string; port: number },
  ) {
    super();
    this.#client = client;
    clientSide.on('message', (packet, from) => {
      this.#client = { address: from.address, port: from.port };
      this.forward('up', packet, (p) => sfuSide.send(p, sfu.port, sfu.ip));
    });
    sfuSide.on('message', (packet) => {
      const client = this.#client;
      if (!client) return;
      this.forward('down', packet, (p) => clientSide.send(p, client.port, client.address));
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clientSide.close();
    this.sfuSide.close();
  }
}
