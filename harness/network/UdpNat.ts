import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { ImpairedPath } from './ImpairedPath.js';

/**
 * A UDP relay for many clients behind one port, like a home router's NAT:
 * each client address gets a socket of its own toward the target, so the
 * target tells the clients apart. It is what an app page's TURN traffic
 * needs: coturn keys an allocation by the client's address, and a page has
 * a socket per RTCPeerConnection (through a UdpRelay, which shows every
 * client as one, a page's second connection never gets a candidate). All
 * clients share the impairments and the counters: they are one page on one link.
 */
export class UdpNat extends ImpairedPath {
  /** Client "address:port" -> its socket toward the target. */
  readonly #mappings = new Map<string, Promise<dgram.Socket>>();

  private constructor(
    private readonly clientSide: dgram.Socket,
    target: { ip: string; port: number },
    private readonly bindIp: string,
  ) {
    super();
    clientSide.on('message', (packet, from) => {
      void this.#mapping(from.address, from.port).then((outside) => this.forward('up', packet, (p) => outside.send(p, target.port, target.ip)));
    });
    // A send to a vanished peer must not take the harness down.
    clientSide.on('error', () => {});
  }

  static async open(target: { ip: string; port: number }, bindIp = '127.0.0.1'): Promise<UdpNat> {
    return new UdpNat(await bindUdp(bindIp), target, bindIp);
  }

  /** Where the clients send. */
  get port(): number {
    return (this.clientSide.address() as AddressInfo).port;
  }

  /** Client addresses seen so far (each has its own socket toward the target). */
  get clients(): number {
    return this.#mappings.size;
  }

  #mapping(address: string, port: number): Promise<dgram.Socket> {
    const key = `${address}:${port}`;
    let mapping = this.#mappings.get(key);
    if (!mapping) {
      mapping = bindUdp(this.bindIp).then((outside) => {
        outside.on('error', () => {});
        outside.on('message', (packet) => this.forward('down', packet, (p) => this.clientSide.send(p, port, address)));
        return outside;
      });
      this.#mappings.set(key, mapping);
    }
    return mapping;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clientSide.close();
    for (const mapping of this.#mappings.values()) void mapping.then((outside) => outside.close());
  }
}

async function bindUdp(ip: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
  return socket;
}
