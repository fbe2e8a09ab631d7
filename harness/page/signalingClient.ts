/**
 * Client side of the signaling protocol (see server/signaling/protocol.ts).
 * Runs in the page with the browser's WebSocket, and in Node (synthetic
 * viewers) with the `ws` package's, which has the same interface.
 */
type Pending = { resolve: (data: any) => void; reject: (error: Error) => void };

export class SignalingClient {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #handlers = new Map<string, (data: any) => void>();
  onClose: () => void = () => {};

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (event) => this.#onMessage(String(event.data));
    ws.onclose = () => {
      for (const p of this.#pending.values()) p.reject(new Error('signaling connection closed'));
      this.#pending.clear();
      this.onClose();
    };
  }

  static connect(url: string, timeoutMs = 5000, Impl: typeof WebSocket = WebSocket): Promise<SignalingClient> {
    return new Promise((resolve, reject) => {
      const ws = new Impl(url);
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`signaling connect timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(new SignalingClient(ws));
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`signaling connect to ${url} failed`));
      };
    });
  }

  request<T = any>(method: string, data: object = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, data }));
    });
  }

  on(notification: string, handler: (data: any) => void): void {
    this.#handlers.set(notification, handler);
  }

  close(): void {
    this.ws.close();
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text);
    if (message.notification) {
      this.#handlers.get(message.notification)?.(message.data);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.data);
    else pending.reject(new Error(`${message.error.code}: ${message.error.message}`));
  }
}
