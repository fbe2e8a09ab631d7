import type { types } from '../mediasoup/index.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { Peer } from './Peer.js';

export type RoomEvents = {
  newproducer: [producer: types.Producer, peer: Peer];
  /** A non-origin router went (its worker died): only its viewers are cut off. */
  routerclose: [workerIndex: number];
  /** The last peer left (a held peer still counts as in the room). */
  empty: [];
  close: [];
};

/** Makes a router for this room on a given worker slot. */
export type RouterFactory = (workerIndex: number) => Promise<types.Router>;

/**
 * One broadcast. Publishers produce on the origin router; viewers are
 * spread over one router per worker, each fed through pipe transports
 * (mediasoup's pipeToRouter), so a broadcast uses every core. Losing the
 * origin router ends the room; losing another cuts off only its viewers.
 */
export class Room extends TypedEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  /** For outsiders (metrics, journal) so they never interfere with the room's own listeners. */
  readonly observer = new TypedEmitter<RoomEvents>();
  readonly routers = new Map<number, types.Router>();
  readonly #creating = new Map<number, Promise<types.Router>>();
  #closed = false;

  constructor(
    readonly name: string,
    readonly origin: types.Router,
    readonly originWorker: number,
    private readonly workerCount: number,
    private readonly makeRouter: RouterFactory,
  ) {
    super();
    // Every session of the room listens here: one listener per peer is expected.
    this.setMaxListeners(0);
    this.#adopt(originWorker, origin);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Router capabilities are the same on every router of the room. */
  get rtpCapabilities(): types.RtpCapabilities {
    return this.origin.rtpCapabilities;
  }

  #adopt(workerIndex: number, router: types.Router): void {
    this.routers.set(workerIndex, router);
    router.observer.on('close', () => {
      this.routers.delete(workerIndex);
      if (router === this.origin) this.close();
      else if (!this.#closed) {
        this.emit('routerclose', workerIndex);
        this.observer.emit('routerclose', workerIndex);
      }
    });
  }

  /** Puts a peer on a router: publishers on the origin, viewers on the worker with the fewest viewers. */
  async admit(peer: Peer): Promise<void> {
    peer.workerIndex = peer.role === 'publisher' ? this.originWorker : this.#quietestWorker();
    await this.routerOf(peer);
    this.peers.set(peer.id, peer);
    peer.once('close', () => {
      if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
      if (this.peers.size === 0 && !this.#closed) this.emit('empty');
    });
  }

  #quietestWorker(): number {
    const viewers = new Map<number, number>();
    for (const p of this.peers.values()) if (p.role === 'viewer') viewers.set(p.workerIndex, (viewers.get(p.workerIndex) ?? 0) + 1);
    let best = this.originWorker;
    for (let i = 0; i < this.workerCount; i++) if ((viewers.get(i) ?? 0) < (viewers.get(best) ?? 0)) best = i;
    return best;
  }

  /** The peer's router, made (and fed every producer) on first use. */
  async routerOf(peer: Peer): Promise<types.Router> {
    const existing = this.routers.get(peer.workerIndex);
    if (existing) return existing;
    let creating = this.#creating.get(peer.workerIndex);
    if (!creating) {
      creating = this.#createRouter(peer.workerIndex).finally(() => this.#creating.delete(peer.workerIndex));
      this.#creating.set(peer.workerIndex, creating);
    }
    return creating;
  }

  async #createRouter(workerIndex: number): Promise<types.Router> {
    const router = await this.makeRouter(workerIndex);
    this.#adopt(workerIndex, router);
    for (const { producer } of this.producers()) await this.origin.pipeToRouter({ producerId: producer.id, router });
    return router;
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

  /** A new producer on the origin: piped to every other router before viewers hear of it. */
  async announceProducer(producer: types.Producer, peer: Peer): Promise<void> {
    for (const router of this.routers.values()) {
      // A router whose worker just died fails here; its close handler already cut its viewers off.
      if (router !== this.origin) await this.origin.pipeToRouter({ producerId: producer.id, router }).catch(() => {});
    }
    this.emit('newproducer', producer, peer);
    this.observer.emit('newproducer', producer, peer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.peers.values()]) peer.close();
    for (const router of this.routers.values()) router.close();
    this.emit('close');
    this.observer.emit('close');
  }
}
