import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxyCounters {
  /** Plain HTTP requests forwarded. */
  requests: number;
  /** CONNECT tunnels opened (ws://, wss://, https://). */
  tunnels: number;
  /** Requests and CONNECTs turned away by an outage. */
  refused: number;
  /** Requests and CONNECTs to a destination not allowed (not loopback, without allowRemote). */
  forbidden: number;
  /** Connections from the page cut by an outage. */
  cut: number;
  /** Bytes from the page, and to it (headers included). */
  bytesUp: number;
  bytesDown: number;
}

/** Headers that describe one hop, not the message (RFC 9110 7.6.1), and Chromium's proxy-only one. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * A forward HTTP proxy in front of one app page (its browser context's
 * proxyServer), so a fault can reach that page's signaling alone: an outage
 * (new requests get a 503, new tunnels are refused, open ones are cut) or
 * added delay on every chunk, either way, order kept.
 *
 * Own code on node:http and node:net rather than a library: the `proxy`
 * package (TooTallNate) and proxy-chain forward well but own the sockets
 * and pipes, and every control here (a delay on each chunk, cutting every
 * connection, refusing destinations before any connect) sits exactly there.
 *
 * Forwards only to loopback unless `allowRemote`: a page under test must not
 * reach the internet unless the operator says so.
 */
export class SignalingProxy {
  readonly #server: http.Server;
  readonly #allowRemote: boolean;
  /** The page's connections to us; their upstream sockets close with them. */
  readonly #clients = new Set<net.Socket>();
  readonly #counts = { requests: 0, tunnels: 0, refused: 0, forbidden: 0, cut: 0 };
  readonly #closedBytes = { up: 0, down: 0 };
  #outage = false;
  #delayMs = 0;

  private constructor(server: http.Server, allowRemote: boolean) {
    this.#server = server;
    this.#allowRemote = allowRemote;
    server.on('connection', (socket: net.Socket) => this.#accept(socket));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.#request(req, res));
    server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.#tunnel(req, socket as net.Socket, head));
    server.on('clientError', (_error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  static async start(options: { allowRemote?: boolean; listenIp?: string } = {}): Promise<SignalingProxy> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, options.listenIp ?? '127.0.0.1', resolve);
    });
    return new SignalingProxy(server, options.allowRemote ?? false);
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** For `browser.createBrowserContext({ proxyServer })`. */
  get url(): string {
    const { address, port } = this.#server.address() as net.AddressInfo;
    return `http://${net.isIPv6(address) ? `[${address}]` : address}:${port}`;
  }

  get counters(): ProxyCounters {
    let [up, down] = [this.#closedBytes.up, this.#closedBytes.down];
    for (const socket of this.#clients) [up, down] = [up + socket.bytesRead, down + socket.bytesWritten];
    return { ...this.#counts, bytesUp: up, bytesDown: down };
  }

  /** On: every open connection is cut now, and new ones are turned away until off. */
  setOutage(on: boolean): void {
    this.#outage = on;
    if (!on) return;
    this.#counts.cut += this.#clients.size;
    for (const socket of this.#clients) socket.destroy();
  }

  /** Every chunk, either way, and every connection set-up is held this much longer; 0 = none. */
  setDelay(ms: number): void {
    this.#delayMs = Math.max(0, ms);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#clients) socket.destroy();
    await closed;
  }

  #accept(socket: net.Socket): void {
    this.#clients.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => {
      this.#clients.delete(socket);
      this.#closedBytes.up += socket.bytesRead;
      this.#closedBytes.down += socket.bytesWritten;
    });
  }

  /** Why a destination is turned away (the status to answer), or undefined to forward. */
  #turnAway(host: string): 503 | 403 | undefined {
    if (this.#outage) {
      this.#counts.refused++;
      return 503;
    }
    if (!this.#allowRemote && !isLoopback(host)) {
      this.#counts.forbidden++;
      return 403;
    }
    return undefined;
  }

  /** A plain HTTP request, absolute URI (RFC 9112 3.2.2). */
  #request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const client = req.socket;
    const url = URL.canParse(req.url ?? '') ? new URL(req.url!) : undefined;
    if (url?.protocol !== 'http:') return void res.writeHead(400, { connection: 'close' }).end('livedrill proxy: an absolute http:// URI is expected\n');
    const status = this.#turnAway(url.hostname);
    if (status) return void res.writeHead(status, { connection: 'close' }).end(`livedrill proxy: ${status === 503 ? 'signaling outage' : 'not a loopback destination'}\n`);

    const up = new DelayLine(() => this.#delayMs, res);
    const down = new DelayLine(() => this.#delayMs, res);
    let upstream: http.ClientRequest;
    up.push(() => {
      this.#counts.requests++;
      const path = `${url.pathname}${url.search}`;
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      upstream = http.request({ hostname, port: url.port || 80, method: req.method, path, headers: endToEnd(req.headers), agent: false });
      upstream.on('error', () => (res.headersSent ? client.destroy() : res.writeHead(502).end('livedrill proxy: the destination did not answer\n')));
      upstream.on('response', (answer) => {
        answer.on('error', () => client.destroy());
        down.push(() => res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers)));
        relay(answer, res, down);
      });
      res.once('close', () => upstream.destroy());
    });
    relay(req, { write: (chunk) => upstream.write(chunk), end: () => upstream.end(), once: (_, listener) => upstream.once('drain', listener) }, up);
  }

  /** CONNECT host:port: a byte tunnel (WebSocket, TLS). */
  #tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer): void {
    const target = authority(req.url ?? '');
    if (!target) return void client.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    const status = this.#turnAway(target.host);
    if (status) return void client.end(`HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);

    const up = new DelayLine(() => this.#delayMs, client);
    const down = new DelayLine(() => this.#delayMs, client);
    if (head.length > 0) client.unshift(head);
    up.push(() => {
      const upstream = net.connect({ host: target.host, port: target.port });
      client.once('close', () => upstream.destroy());
      let established = false;
      upstream.on('error', () => (established ? client.destroy() : client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n')));
      upstream.once('connect', () => {
        established = true;
        this.#counts.tunnels++;
        down.push(() => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'));
        relay(upstream, client, down);
        relay(client, upstream, up);
      });
    });
  }
}

/** What relay() writes to: a socket, a response, or a request made later. */
interface Sink {
  write(chunk: Buffer): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
}

/** Copies `from` to `to` through the line, pausing `from` while `to` is full. */
function relay(from: NodeJS.ReadableStream, to: Sink, line: DelayLine): void {
  from.on('data', (chunk: Buffer) =>
    line.push(() => {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => from.resume());
    }),
  );
  from.on('end', () => line.push(() => to.end()));
}

/**
 * Runs actions in the order pushed, each `delayMs` after it was pushed (and
 * never before the one ahead of it), until `owner` (the page's side) closes. One timer for
 * the line: timers of different lengths need not fire in order.
 */
class DelayLine {
  readonly #queue: Array<{ at: number; action: () => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly delayMs: () => number,
    owner: { once(event: 'close', listener: () => void): unknown },
  ) {
    owner.once('close', () => {
      this.#closed = true;
      clearTimeout(this.#timer);
      this.#queue.length = 0;
    });
  }

  push(action: () => void): void {
    if (this.#closed) return;
    this.#queue.push({ at: Date.now() + this.delayMs(), action });
    if (!this.#timer) this.#run();
  }

  readonly #run = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    while (this.#queue.length > 0 && this.#queue[0].at <= now && !this.#closed) this.#queue.shift()!.action();
    if (this.#queue.length > 0) this.#timer = setTimeout(this.#run, this.#queue[0].at - now);
  };
}

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const listed = String(headers.connection ?? '').toLowerCase().split(',').map((h) => h.trim());
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !listed.includes(name)));
}

/** "host:port" or "[v6]:port" of a CONNECT. */
function authority(target: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(target);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

/** By name or address only, never resolved: a name is no proof (and the lookup itself would leave the machine). */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}
