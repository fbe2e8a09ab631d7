import { randomBytes } from 'node:crypto';
import type { types } from '../mediasoup/index.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';

export type PeerRole = 'publisher' | 'viewer';

export type PeerEvents = { close: [] };

/** One signaling participant in a room, owning its transports, producers and consumers. */
export class Peer extends TypedEmitter<PeerEvents> {
  readonly transports = new Map<string, types.WebRtcTransport | types.PlainTransport>();
  readonly producers = new Map<string, types.Producer>();
  readonly consumers = new Map<string, types.Consumer>();
  /** The worker slot whose router this peer's transports live on (set by Room.admit). */
  workerIndex = 0;
  /** Proves a later join (resume, or starting over) under this id comes from the session that made it. */
  readonly secret = randomBytes(16).toString('hex');
  #closed = false;

  constructor(
    readonly id: string,
    readonly role: PeerRole,
  ) {
    super();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closing the transports cascades to their producers and consumers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.emit('close');
  }
}
