import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Registry } from 'prom-client';
import { Sfu, type SfuOptions } from '../sfu/Sfu.js';
import { SignalingServer, type SignalingOptions } from '../signaling/SignalingServer.js';
import { registerSfuMetrics } from '../metrics/sfuMetrics.js';
import { FaultOperations } from './FaultOperations.js';
import { serveMetrics } from '../../common/MetricsServer.js';

export interface SfuServerOptions {
  sfu: SfuOptions;
  signaling?: SignalingOptions;
  registry: Registry;
  /** Bind address; loopback unless the operator says otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * Shared secret every signaling connection must present (`?token=`).
   * Required when the SFU binds beyond loopback; loopback runs need none.
   */
  token?: string;
}

/** Signaling frames larger than this close the socket (code 1009). */
const MAX_FRAME_BYTES = 256 * 1024;

export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host.startsWith('127.') || host === '::1';
/** Whether a URL's host is loopback (an IPv6 host comes bracketed); a malformed URL throws. */
export const isLoopbackUrl = (url: string): boolean => isLoopbackHost(new URL(url).hostname.replace(/^\[|\]$/g, ''));

/**
 * Browsers send Origin: only livedrill's own pages (served on localhost, on
 * whichever machine) may open signaling, so a web page in someone's browser
 * cannot reach a loopback SFU. Clients that are not browsers send none.
 */
function originAllowed(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return isLoopbackUrl(origin);
  } catch {
    return false;
  }
}

function tokenMatches(given: string | null, expected: string): boolean {
  return given !== null && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

function refuse(socket: import('node:stream').Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
}

/** What GET /clock answers: the SFU host's clocks at one instant. */
export interface HostClock {
  epochMs: number;
  monotonicMs: number;
}

/**
 * The SFU process's network face: WebSocket signaling on /signaling,
 * Prometheus exposition on /metrics, a liveness probe on /healthz and its
 * host's clocks on /clock (viewer shards on other machines set theirs against it).
 */
export class SfuServer {
  #signalingUp = true;
  /** What faults may do to this SFU (harness/faults acts through this alone). */
  readonly faults: FaultOperations;

  private constructor(
    readonly sfu: Sfu,
    readonly signaling: SignalingServer,
    readonly registry: Registry,
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    private readonly token: string | undefined,
  ) {
    this.faults = new FaultOperations(sfu, signaling, (up) => this.#setSignalingAvailable(up));
  }

  static async start(options: SfuServerOptions): Promise<SfuServer> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopbackHost(host) && !options.token) {
      throw new Error(`SFU: a token is required to listen on ${host} (beyond loopback): anyone who reaches it could publish`);
    }
    const sfu = await Sfu.create(options.sfu);
    const signaling = new SignalingServer(sfu, options.signaling);
    registerSfuMetrics(options.registry, sfu, signaling);
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    const server = http.createServer();
    const self = new SfuServer(sfu, signaling, options.registry, server, wss, options.token);
    server.on('request', (req, res) => self.#onRequest(req, res));
    server.on('clientError', (_error, socket) => refuse(socket, '400 Bad Request'));
    wss.on('error', (error) => signaling.socketError(`upgrade error: ${error.message}`));
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => {}); // a peer that resets mid-upgrade is its own problem
      const url = new URL(req.url ?? '/', 'http://livedrill');
      if (url.pathname !== '/signaling' || !self.#signalingUp) return refuse(socket, '503 Service Unavailable');
      if (options.token && !tokenMatches(url.searchParams.get('token'), options.token)) return refuse(socket, '401 Unauthorized');
      if (!originAllowed(req.headers.origin)) return refuse(socket, '403 Forbidden');
      if (signaling.full) return refuse(socket, '503 Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => signaling.handleConnection(ws, req.socket.remoteAddress ?? ''));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, resolve);
      });
    } catch (error) {
      // A busy port: nothing may outlive the failed start (workers included).
      await self.close();
      throw new Error(`SFU: cannot listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`);
    }
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as AddressInfo).address;
  }

  /** With the token, when there is one: what a client (a page, a shard) connects to. */
  get signalingUrl(): string {
    const token = this.token ? `?token=${encodeURIComponent(this.token)}` : '';
    return `ws://${this.host}:${this.port}/signaling${token}`;
  }

  get metricsUrl(): string {
    return `http://${this.host}:${this.port}/metrics`;
  }

  #setSignalingAvailable(up: boolean): void {
    this.#signalingUp = up;
    if (!up) this.signaling.disconnectAll();
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (serveMetrics(this.registry, req, res)) return;
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else if (req.method === 'GET' && req.url === '/clock') {
      // Wall clock, and the monotonic clock mediasoup's RTCP sender reports carry (uv_hrtime, ms).
      const clock: HostClock = { epochMs: Date.now(), monotonicMs: Number(process.hrtime.bigint()) / 1e6 };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(clock));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  }

  async close(): Promise<void> {
    this.signaling.close();
    this.wss.close();
    this.sfu.close();
    this.server.closeAllConnections();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
