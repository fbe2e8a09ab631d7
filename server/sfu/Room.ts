import type { types } from '../mediasoup/index.js';
import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Peer } from './Peer.js';

export type RoomEvents = {
  newproducer: [producer: types.Producer, peer: Peer];
  close: [];
};

/** One broadcast: a mediasoup router on one worker and the peers in it. */
export class Room extends TypedEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  /** For outsiders (metrics, journal) so they never interfere with the room's own listeners. */
  readonly observer = new TypedEmitter<RoomEvents>();
  #closed = false;

  constructor(
    readonly name: string,
    readonly router: types.Router,
    readonly workerIndex: number,
  ) {
    super();
    // A router closes with its worker (crash or shutdown): the room goes with it.
    router.observer.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  addPeer(peer: Peer): void {
    this.peers.set(peer.id, peer);
    peer.once('close', () => this.peers.delete(peer.id));
  }

  /** Every producer of every publisher in the room. */
  producers(): Array<{ producer: types.Producer; peer: Peer }> {
    const out: Array<{ producer: types.Producer; peer: Peer }> = [];
    for (const peer of this.peers.values()) {
      for (const producer of peer.producers.values()) out.push({ producer, peer });
    }
    return out;
  }

  findProducer(producerId: string): types.Producer | undefined {
    for (const peer of this.peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return producer;
    }
    return undefined;
  }

  announceProducer(producer: types.Producer, peer: Peer): void {
    this.emit('newproducer', producer, peer);
    this.observer.emit('newproducer', producer, peer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.peers.values()]) peer.close();
    this.router.close();
    this.emit('close');
    this.observer.emit('close');
  }
}
