import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { OwnedProcess } from '../../common/OwnedProcess.js';

export interface TurnIceServer {
  urls: string;
  username: string;
  credential: string;
}

const READY_TIMEOUT_MS = 5000;
/** Relay ports above Linux's ephemeral range (32768-60999): ports the kernel hands out to relays and browsers never take an allocation's. */
const RELAY_PORTS = { min: 61000, max: 65535 };
const REALM = 'livedrill';
const USERNAME = 'livedrill';

/**
 * A real TURN server (Debian's coturn) for app pages, whose own WebRTC SDKs
 * take ICE servers but no media relay of ours: a page is told to use TURN,
 * through a UdpRelay in front of it, and the relay impairs that page alone.
 * UDP only (that is what the relay carries), on loopback unless told
 * otherwise, with a password made up per run, and nothing written outside
 * its own temporary directory.
 */
export class TurnServer {
  #closing: Promise<void> | undefined;

  private constructor(
    private readonly process: OwnedProcess,
    private readonly dir: string,
    readonly ip: string,
    readonly port: number,
    readonly version: string,
    private readonly password: string,
  ) {}

  /**
   * @param options.relayIp where allocations are made, i.e. the address peers
   *   see (default: the listening one); beyond loopback for an app whose media
   *   servers are elsewhere
   */
  static async start(options: { listenIp?: string; relayIp?: string } = {}): Promise<TurnServer> {
    const ip = options.listenIp ?? '127.0.0.1';
    const port = await freeUdpPort(ip);
    const password = randomBytes(16).toString('hex');
    const dir = await mkdtemp(join(tmpdir(), 'livedrill-turn-'));
    const args = [
      '-n', // no configuration file: everything is on this line
      '--listening-ip', ip,
      '--listening-port', String(port),
      // Allocations on the listening address: the pages' peers (the SFU, other pages) reach it there.
      '--relay-ip', options.relayIp ?? ip,
      '--min-port', String(RELAY_PORTS.min),
      '--max-port', String(RELAY_PORTS.max),
      '--lt-cred-mech', '--user', `${USERNAME}:${password}`, '--realm', REALM,
      // The peers are on loopback, which coturn refuses by default.
      '--allow-loopback-peers',
      '--no-tcp', '--no-tcp-relay', '--no-tls', '--no-dtls', '--no-cli',
      '--pidfile', join(dir, 'turnserver.pid'),
      '--userdb', join(dir, 'turndb'),
      '--log-file', 'stdout', '--simple-log',
    ];
    const child = new OwnedProcess('turnserver', args);
    const exited = child.exited.then(() => Promise.reject(new Error(child.ended)));
    exited.catch(() => {}); // read only while it starts: a later, normal exit is no error
    try {
      const version = await Promise.race([stunSoftware(ip, port, READY_TIMEOUT_MS), exited]);
      return new TurnServer(child, dir, ip, port, version, password);
    } catch (error) {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`TURN server (coturn) did not start on ${ip}:${port}: ${reason}\n${child.logTail}`);
    }
  }

  /**
   * The ICE server for a page's RTCPeerConnection. `via`: the UdpRelay in
   * front of this server, whose port the page is given instead of ours.
   */
  iceServer(via?: { port: number; ip?: string }): TurnIceServer {
    return {
      urls: `turn:${via?.ip ?? this.ip}:${via?.port ?? this.port}?transport=udp`,
      username: USERNAME,
      credential: this.password,
    };
  }

  /** Stops coturn (see OwnedProcess) and removes its directory; resolves once it has exited. */
  close(): Promise<void> {
    this.#closing ??= this.process.stop().then(() => rm(this.dir, { recursive: true, force: true }));
    return this.#closing;
  }
}

async function freeUdpPort(ip: string): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

const MAGIC_COOKIE = 0x2112a442;
const SOFTWARE_ATTRIBUTE = 0x8022;

/**
 * Asks for a STUN binding (RFC 5389) until the server answers, which it does
 * once it serves: its answer's SOFTWARE attribute is the running version.
 */
async function stunSoftware(ip: string, port: number, timeoutMs: number): Promise<string> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => {}); // ICMP port unreachable until it listens
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // binding request, no attributes
  request.writeUInt32BE(MAGIC_COOKIE, 4);
  const transactionId = randomBytes(12);
  transactionId.copy(request, 8);
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.on('message', (message) => {
        if (message.length >= 20 && message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(transactionId)) resolve(softwareOf(message));
      });
      const send = (): void => socket.send(request, port, ip);
      send();
      const resend = setInterval(send, 100);
      const timeout = setTimeout(() => reject(new Error(`no answer to a STUN binding request within ${timeoutMs / 1000} s`)), timeoutMs);
      socket.once('close', () => {
        clearInterval(resend);
        clearTimeout(timeout);
      });
    });
  } finally {
    socket.close();
  }
}

function softwareOf(message: Buffer): string {
  for (let at = 20; at + 4 <= message.length; ) {
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 2);
    if (type === SOFTWARE_ATTRIBUTE) return message.toString('utf8', at + 4, at + 4 + length).replace(/\0+$/, '');
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return 'coturn (version not given)';
}
