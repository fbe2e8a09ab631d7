import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { RECEIVE_BUFFER_BYTES, type OnPacket, type PacketSocket } from './PacketSocket.js';

/** The addon's socket (native/udp_batch.c). */
export interface UdpBatchSocket {
  readonly port: number;
  /** The receive buffer the kernel granted (it counts about twice the bytes it queues). */
  readonly receiveBufferBytes: number;
  /** The last batch: packet i is `lengths[i]` bytes of `packets` from i × slot bytes on, received at `times[i]` (epoch ms, the kernel's clock). */
  readonly packets: Buffer;
  readonly lengths: Uint32Array;
  readonly times: Float64Array;
  drain(): void;
  /** Packets the kernel dropped at this socket because its receive buffer was full. */
  drops(): number;
  close(): void;
}

export interface UdpBatchAddon {
  UdpBatchSocket: new (
    ip: string,
    port: number,
    receiveBufferBytes: number,
    batch: number,
    slotBytes: number,
    restMs: number,
    onBatch: (count: number) => void,
  ) => UdpBatchSocket;
}

/** Where set-up puts the addon it built (gitignored). */
export const ADDON_FILE = fileURLToPath(new URL('./native/build/udp_batch.node', import.meta.url));

/**
 * Packets per recvmmsg call: a system call costs about as much as copying a
 * few packets, so beyond a few dozen a larger batch saves nothing and only
 * makes each JavaScript call longer. A slot holds any RTP packet of the SFU
 * (it keeps them within a 1500-byte MTU).
 */
export const BATCH_PACKETS = 64;
const SLOT_BYTES = 2048;
/**
 * The pause after each drain before the socket is polled again, so packets
 * are read by the batch rather than one wake-up each (on loopback at 15,000
 * packets/s: about 3 µs of CPU per packet without it, 1 µs with 10 ms). The
 * arrival times are the kernel's, so the pause changes no figure; the kernel
 * buffer holds seconds of it.
 */
const REST_MS = 10;

/** The addon, or why it cannot be used. */
export function loadUdpBatch(file = ADDON_FILE): UdpBatchAddon | string {
  if (!existsSync(file)) return `the udp_batch addon is not built: ${file} (harness/setup/setup.sh builds it)`;
  try {
    return createRequire(import.meta.url)(file) as UdpBatchAddon;
  } catch (error) {
    return `the udp_batch addon did not load: ${(error as Error).message}`;
  }
}

/** The native path: packets read in batches, each with the kernel's receive time as its arrival. */
export function openBatchSocket(addon: UdpBatchAddon, ip: string, onPacket: OnPacket): PacketSocket {
  const socket = new addon.UdpBatchSocket(ip, 0, RECEIVE_BUFFER_BYTES, BATCH_PACKETS, SLOT_BYTES, REST_MS, (count) => {
    for (let i = 0; i < count; i++) {
      const start = i * SLOT_BYTES;
      onPacket(socket.packets.subarray(start, start + socket.lengths[i]), socket.times[i]);
    }
  });
  return { address: { ip, port: socket.port }, drain: () => socket.drain(), close: () => socket.close() };
}
