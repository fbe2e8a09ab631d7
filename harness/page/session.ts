/**
 * A peer's session with the SFU, as a production SDK keeps it:
 * - signaling lost (socket closed): reconnect with backoff and resume the
 *   same server-side peer, so media keeps flowing meanwhile;
 * - session lost (peer gone on the server, room closed, media transport
 *   failed): tear media down and join again from scratch, with backoff.
 * Every attempt and its outcome is reported.
 */
import { SignalingClient } from './signalingClient.js';
import type { PageConfig, PageReport } from './reports.js';

export interface SessionHooks {
  /** Builds media (transports, producers or consumers) after a fresh join. */
  setup(joined: JoinReply): Promise<void>;
  /** Drops media; the session is joining again. */
  teardown(): void;
  /** Server notifications the media side handles (e.g. newProducer). */
  notifications: Record<string, (data: any) => void>;
}

export interface JoinReply {
  peerId: string;
  /** Proves later joins under this peer id are ours (resume, or starting over). */
  secret: string;
  resumed: boolean;
  routerRtpCapabilities: any;
  producers: Array<{ producerId: string; kind: string }>;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PeerSession {
  #signaling: SignalingClient | undefined;
  #secret: string | undefined;
  #left = false;
  #recovering = false;

  constructor(
    private readonly cfg: PageConfig,
    private readonly report: (r: PageReport) => void,
    private readonly hooks: SessionHooks,
    /** The WebSocket class: the browser's in pages, the `ws` package's in Node. */
    private readonly WebSocketImpl: typeof WebSocket = globalThis.WebSocket,
  ) {}

  /** The first join, retried like any other. */
  start(): void {
    void this.#recover('join', undefined);
  }

  request<T = any>(method: string, data: object = {}): Promise<T> {
    if (!this.#signaling) return Promise.reject(new Error(`${method}: no signaling connection`));
    return this.#signaling.request<T>(method, data);
  }

  /** The media side saw the session die (room closed, transport failed): join again. */
  lost(reason: string): void {
    if (this.#left || this.#recovering) return;
    const since = now();
    this.report({ type: 'sessionLost', t: since, since, reason });
    this.#dropSignaling();
    this.hooks.teardown();
    void this.#recover('join', since);
  }

  leave(): void {
    this.#left = true;
    this.#dropSignaling();
    this.hooks.teardown();
  }

  async #connect(resume: boolean): Promise<JoinReply> {
    const signaling = await SignalingClient.connect(this.cfg.signalingUrl, 5000, this.WebSocketImpl);
    try {
      if (!resume) this.report({ type: 'joining', t: now() });
      const joined = await signaling.request<JoinReply>('join', {
        room: this.cfg.room,
        role: this.cfg.role,
        peerId: this.cfg.peerId,
        resume,
        ...(this.#secret ? { secret: this.#secret } : {}),
      });
      this.#secret = joined.secret;
      this.#adopt(signaling);
      return joined;
    } catch (error) {
      signaling.onClose = () => {};
      signaling.close();
      throw error;
    }
  }

  #adopt(signaling: SignalingClient): void {
    this.#signaling = signaling;
    for (const [name, handler] of Object.entries(this.hooks.notifications)) signaling.on(name, handler);
    signaling.on('broadcastEnded', () => {
      this.report({ type: 'broadcastEnded', t: now() });
      this.leave();
    });
    signaling.on('roomClosed', () => {
      this.report({ type: 'roomClosed', t: now() });
      this.lost('room closed');
    });
    signaling.onClose = () => {
      if (this.#left || this.#signaling !== signaling) return;
      const since = now();
      this.#signaling = undefined;
      this.report({ type: 'signalingClosed', t: since });
      void this.#recover('resume', since);
    };
  }

  #dropSignaling(): void {
    const signaling = this.#signaling;
    this.#signaling = undefined;
    if (!signaling) return;
    signaling.onClose = () => {};
    signaling.close();
  }

  /**
   * Retries with exponential backoff. `resume` first tries to take the
   * server-side peer back; if the server no longer has it, the session is
   * lost and the next attempts are full joins.
   */
  async #recover(mode: 'join' | 'resume', since: number | undefined): Promise<void> {
    if (this.#recovering) return;
    this.#recovering = true;
    const { initialDelayMs, maxDelayMs, factor, maxAttempts } = this.cfg.reconnect;
    // First attempt at once, then initialDelay, growing by factor up to maxDelay.
    let delay = 0;
    try {
      for (let attempt = 1; attempt <= Math.max(1, maxAttempts) && !this.#left; attempt++) {
        if (delay > 0) await sleep(delay);
        delay = delay === 0 ? initialDelayMs : Math.min(maxDelayMs, delay * factor);
        try {
          const joined = await this.#connect(mode === 'resume');
          if (mode === 'resume' && joined.resumed) {
            this.report({ type: 'reconnectAttempt', t: now(), attempt, mode, outcome: 'success' });
            this.report({ type: 'signalingResumed', t: now(), since: since ?? now() });
            return;
          }
          if (mode === 'resume') {
            // The server dropped our peer: media is gone too, start over.
            this.report({ type: 'sessionLost', t: now(), since: since ?? now(), reason: 'server no longer has this peer' });
            this.hooks.teardown();
            // The resume request already joined afresh: media setup starts now.
            this.report({ type: 'joining', t: now() });
            mode = 'join';
          }
          await this.hooks.setup(joined);
          if (since !== undefined) this.report({ type: 'reconnectAttempt', t: now(), attempt, mode, outcome: 'success' });
          return;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.report({ type: 'reconnectAttempt', t: now(), attempt, mode, outcome: 'failure', error: message });
          this.#dropSignaling();
          if (mode === 'join') this.hooks.teardown();
        }
      }
      this.report({ type: 'gaveUp', t: now(), since });
    } finally {
      this.#recovering = false;
    }
  }
}
