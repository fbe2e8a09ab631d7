import dgram from 'node:dgram';

/** Gets a packet and when it arrived (epoch ms); the packet's bytes are valid only during the call. */
export type OnPacket = (packet: Buffer, arrival: number) => void;

/** A bound UDP socket handing every packet it receives to an `OnPacket`. */
export interface PacketSocket {
  readonly address: { ip: string; port: number };
  /** Hands over what has arrived by now before returning, where reading can be synchronous (else nothing). */
  drain(): void;
  close(): void;
}

/**
 * Each socket's kernel receive buffer: the queue that holds packets while the
 * harness is busy (up to about a second of a hundred viewers' media).
 */
export const RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024;

/** The fallback: node:dgram, one read and one callback per packet, arrival timed when the event loop gets to it. */
export async function openDgramSocket(ip: string, onPacket: OnPacket): Promise<PacketSocket> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  socket.on('message', (packet) => onPacket(packet, Date.now()));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
  const { address, port } = socket.address();
  return { address: { ip: address, port }, drain: () => {}, close: () => socket.close() };
}
