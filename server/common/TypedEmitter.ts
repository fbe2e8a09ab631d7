import { EventEmitter } from 'node:events';

/** Event name -> listener argument tuple. */
export type EventMap = Record<string, unknown[]>;

/**
 * EventEmitter with typed event names and arguments, in the style of
 * mediasoup's EnhancedEventEmitter: owners emit on the object itself, while
 * outsiders (metrics, journals) listen on its `observer`.
 */
export class TypedEmitter<E extends EventMap> {
  readonly #emitter = new EventEmitter();

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    return this.#emitter.emit(event, ...args);
  }

  /** 0 = no limit: for emitters with one listener per peer (a room with thousands of viewers). */
  setMaxListeners(n: number): this {
    this.#emitter.setMaxListeners(n);
    return this;
  }

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
