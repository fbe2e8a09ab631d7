/**
 * The app's signaling as the probe sees it: every WebSocket the page opens.
 * One that closes after it was open is signaling lost (unless the page closed
 * it itself); the next one to the same address opening is signaling back.
 */
import type { PageReport } from '../reports.js';

const now = (): number => performance.timeOrigin + performance.now();

export function watchWebSockets(report: (r: PageReport) => void): void {
  const Native = window.WebSocket;
  /** Per address (host and path): since when it has been down. */
  const downSince = new Map<string, number>();
  class ProbedWebSocket extends Native {
    #closedByPage = false;

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const parsed = new URL(String(url), location.href);
      const key = parsed.host + parsed.pathname;
      let opened = false;
      this.addEventListener('open', () => {
        opened = true;
        const since = downSince.get(key);
        if (since === undefined) return;
        downSince.delete(key);
        report({ type: 'signalingResumed', t: now(), since });
      });
      this.addEventListener('close', () => {
        if (!opened || this.#closedByPage || downSince.has(key)) return;
        downSince.set(key, now());
        report({ type: 'signalingClosed', t: now() });
      });
    }

    override close(code?: number, reason?: string): void {
      this.#closedByPage = true;
      super.close(code, reason);
    }
  }
  Object.defineProperty(window, 'WebSocket', { value: ProbedWebSocket, writable: true, configurable: true });
}
