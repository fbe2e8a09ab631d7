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

  /**
   * Calls every listener, each in turn; one that throws is reported and the
   * others still run (mediasoup's safeEmit): a faulty output must not stop
   * the journal or the run that emits to it.
   */
  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    // Raw listeners: a `once` wrapper removes itself when called.
    const listeners = this.#emitter.rawListeners(event) as Array<(...a: unknown[]) => void>;
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`livedrill: a listener of "${event}" threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return listeners.length > 0;
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
