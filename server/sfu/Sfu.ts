import {
  createWorker,
  mediaCodecs,
  type ListenAddress,
  type types,
} from '../mediasoup/index.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { Room } from './Room.js';

export interface SfuOptions {
  /** mediasoup worker processes (one core each). */
  workers: number;
  /** How long a room may stay empty before it is freed (default 10 s). */
  emptyRoomMs?: number;
  listen: ListenAddress;
  rtcMinPort?: number;
  rtcMaxPort?: number;
}

export interface SfuWorker {
  index: number;
  worker: types.Worker;
}

export type SfuEvents = {
  workerdied: [index: number, pid: number, error: Error];
  workerreplaced: [index: number, pid: number];
  roomcreated: [room: Room];
  close: [];
};

/**
 * The SFU: a fixed number of mediasoup worker slots and the rooms on them.
 * A worker that dies is replaced in its slot; its rooms close with it, so
 * peers are told and can rejoin (a new room is made on demand).
 */
export class Sfu extends TypedEmitter<SfuEvents> {
  readonly observer = new TypedEmitter<SfuEvents>();
  readonly workers: SfuWorker[] = [];
  readonly rooms = new Map<string, Room>();
  readonly #pendingRooms = new Map<string, Promise<Room>>();
  #closed = false;

  private constructor(readonly options: SfuOptions) {
    super();
  }

  static async create(options: SfuOptions): Promise<Sfu> {
    const sfu = new Sfu(options);
    for (let index = 0; index < options.workers; index++) await sfu.#startWorker(index);
    return sfu;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #startWorker(index: number): Promise<void> {
    const worker = await createWorker({
      rtcMinPort: this.options.rtcMinPort ?? 40000,
      rtcMaxPort: this.options.rtcMaxPort ?? 49999,
    });
    this.workers[index] = { index, worker };
    worker.on('died', (error: Error) => {
      if (this.#closed) return;
      this.#fire('workerdied', index, worker.pid, error);
      void this.#startWorker(index).then(() => this.#fire('workerreplaced', index, this.workers[index].worker.pid));
    });
  }

  #fire<K extends keyof SfuEvents & string>(event: K, ...args: SfuEvents[K]): void {
    this.emit(event, ...args);
    this.observer.emit(event, ...args);
  }

  /** Room names are the broadcast's identity; the first join creates it. */
  getOrCreateRoom(name: string): Promise<Room> {
    const existing = this.rooms.get(name);
    if (existing && !existing.closed) return Promise.resolve(existing);
    const pending = this.#pendingRooms.get(name);
    if (pending) return pending;
    const creating = this.#createRoom(name).finally(() => this.#pendingRooms.delete(name));
    this.#pendingRooms.set(name, creating);
    return creating;
  }

  async #createRoom(name: string): Promise<Room> {
    if (this.#closed) throw new Error('SFU is closed');
    const originWorker = this.#leastLoadedWorker();
    const makeRouter = (index: number): Promise<types.Router> => this.workers[index].worker.createRouter({ mediaCodecs });
    const room = new Room(name, await makeRouter(originWorker), originWorker, this.workers.length, makeRouter);
    this.rooms.set(name, room);
    room.once('close', () => {
      if (this.rooms.get(name) === room) this.rooms.delete(name);
    });
    // Empty rooms are freed (a room made by a join that then failed is empty from the start).
    let idle: NodeJS.Timeout | undefined;
    const freeIfStillEmpty = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => room.peers.size === 0 && room.close(), this.options.emptyRoomMs ?? 10_000);
      idle.unref();
    };
    room.on('empty', freeIfStillEmpty);
    room.once('close', () => clearTimeout(idle));
    freeIfStillEmpty();
    this.#fire('roomcreated', room);
    return room;
  }

  /** New rooms' origins go to the worker with the fewest origins. */
  #leastLoadedWorker(): number {
    const load = new Map<number, number>();
    for (const room of this.rooms.values()) load.set(room.originWorker, (load.get(room.originWorker) ?? 0) + 1);
    return this.workers.reduce((best, w) => ((load.get(w.index) ?? 0) < (load.get(best.index) ?? 0) ? w : best)).index;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.rooms.values()]) room.close();
    for (const { worker } of this.workers) worker.close();
    this.#fire('close');
  }
}
