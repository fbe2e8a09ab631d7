import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Registry } from 'prom-client';
import { Sfu, type SfuOptions } from '../sfu/Sfu.js';
import { SignalingServer, type SignalingOptions } from '../signaling/SignalingServer.js';
import { registerSfuMetrics } from '../metrics/sfuMetrics.js';

export interface SfuServerOptions {
  sfu: SfuOptions;
  signaling?: SignalingOptions;
  registry: Registry;
  /** Bind address; loopback unless the operator says otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

/**
 * The SFU process's network face: WebSocket signaling on /signaling,
 * Prometheus exposition on /metrics and a liveness probe on /healthz.
 */
export class SfuServer {
  #signalingUp = true;

  private constructor(
    readonly sfu: Sfu,
    readonly signaling: SignalingServer,
    readonly registry: Registry,
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
  ) {}

  static async start(options: SfuServerOptions): Promise<SfuServer> {
    const sfu = await Sfu.create(options.sfu);
    const signaling = new SignalingServer(sfu, options.signaling);
    registerSfuMetrics(options.registry, sfu, signaling);
    const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
    const server = http.createServer();
    const self = new SfuServer(sfu, signaling, options.registry, server, wss);
    server.on('request', (req, res) => void self.#onRequest(req, res));
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/signaling' || !self.#signalingUp) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => signaling.handleConnection(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as AddressInfo).address;
  }

  get signalingUrl(): string {
    return `ws://${this.host}:${this.port}/signaling`;
  }

  get metricsUrl(): string {
    return `http://${this.host}:${this.port}/metrics`;
  }

  /** Signaling outage on/off: refuses new connections and drops current ones; media keeps flowing. */
  setSignalingAvailable(up: boolean): void {
    this.#signalingUp = up;
    if (!up) this.signaling.disconnectAll();
  }

  async #onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/metrics') {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(body);
    } else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
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
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
