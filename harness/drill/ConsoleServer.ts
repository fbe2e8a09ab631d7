/**
 * The drill console: one self-contained page (console/, no CDN) fed live by
 * Server-Sent Events, and the HTTP API people and `livedrill incident` record
 * actions through.
 *
 *   GET  /               the page (the token comes in the URL fragment, #token=..., never sent here)
 *   GET  /api/state      the console state, with the chart history
 *   GET  /api/events     SSE: `snapshot` (state + history) on connect, then `update`: the state's
 *                        top-level parts that changed, items appended to its lists, the new point
 *   POST /api/actions    {action, who, ...} -> 201 the recorded action
 *
 * Every API call needs the token (Authorization: Bearer <token>, or ?token=
 * for EventSource, which cannot set headers): names, notes and tickets are
 * the team's. The Host header must name this server (no DNS rebinding), and
 * live feeds are capped. Requests are not logged, so nothing a client sends
 * ends up in a log.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeIssues } from '../../common/validation.js';
import { actionRequestSchema } from './actions.js';
import { ActionError, type ConsoleState, type DrillSession, type LivePoint } from './DrillSession.js';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'console');
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};
const MAX_BODY = 64 * 1024;
const HEARTBEAT_MS = 15_000;
/** Live feeds at once: a console per person on call, with room to spare. */
const MAX_FEEDS = 32;

export interface ConsoleServerOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  token: string;
}

export class ConsoleServer {
  readonly #server: Server;
  readonly #clients = new Set<ServerResponse>();
  readonly #token: Buffer;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Each top-level part of the state as last sent, serialized (and a list's length): updates carry only what changed. */
  #sent = new Map<string, { json: string; length?: number }>();
  /** GET /api/state, serialized once per state change, not once per request. */
  #stateCache: { now: number; body: string } | undefined;
  #onUpdate = (state: ConsoleState, point: LivePoint | null): void => this.#broadcastUpdate(state, point);

  private constructor(
    readonly session: DrillSession,
    token: string,
  ) {
    this.#token = Buffer.from(token);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: Error) => {
        if (!res.headersSent) json(res, 500, { error: `internal error: ${error.message}` });
        else res.destroy();
      });
    });
  }

  static async start(session: DrillSession, options: ConsoleServerOptions): Promise<ConsoleServer> {
    if (options.token.length < 16) throw new Error('the console token is too short');
    const server = new ConsoleServer(session, options.token);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.#server.off('error', reject);
        resolve();
      });
    });
    session.observer.on('update', server.#onUpdate);
    server.#heartbeat = setInterval(() => {
      for (const client of server.#clients) client.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    return server;
  }

  /** The page, without the token: append `#token=...` for a console that can record actions. */
  get url(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${port}/`;
  }

  get apiUrl(): string {
    return `${this.url}api`;
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.session.observer.off('update', this.#onUpdate);
    for (const client of this.#clients) {
      client.write(`event: end\ndata: ${JSON.stringify({ ended: this.session.ended })}\n\n`);
      client.end();
    }
    this.#clients.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Names this server may be reached by: loopback names, and the address it listens on. */
  #hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const { address, port } = this.#server.address() as AddressInfo;
    if (address === '0.0.0.0' || address === '::') return true; // exposed on purpose: the token guards it
    const names = ['localhost', '127.0.0.1', '[::1]', address.includes(':') ? `[${address}]` : address];
    return names.some((name) => host === `${name}:${port}`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#hostAllowed(req.headers.host)) {
      req.resume();
      json(res, 421, { error: `Host ${JSON.stringify(req.headers.host ?? '')} is not this console's: open the URL livedrill drill printed` });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    const page = STATIC[path] ?? (path === '/index.html' ? STATIC['/'] : undefined);
    if (page) {
      if (!allow(req, res, ['GET', 'HEAD'])) return;
      res.writeHead(200, {
        'content-type': page.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      });
      res.end(req.method === 'HEAD' ? undefined : readFileSync(join(PAGE_DIR, page.file)));
      return;
    }
    if (path.startsWith('/api/') && !this.#authorized(req, res, url.searchParams.get('token'))) return;
    switch (path) {
      case '/api/state':
        if (!allow(req, res, ['GET'])) return;
        this.#sendState(res);
        return;
      case '/api/events':
        if (!allow(req, res, ['GET'])) return;
        if (this.#clients.size >= MAX_FEEDS) {
          json(res, 503, { error: `${MAX_FEEDS} live consoles are open already: close one, or read GET /api/state` });
          return;
        }
        this.#subscribe(res);
        return;
      case '/api/actions':
        if (!allow(req, res, ['POST'])) return;
        await this.#postAction(req, res);
        return;
      default:
        json(res, 404, { error: `no such resource ${path}: the API is GET /api/state, GET /api/events, POST /api/actions` });
    }
  }

  #sendState(res: ServerResponse): void {
    const state = this.session.state();
    if (this.#stateCache?.now !== state.now) this.#stateCache = { now: state.now, body: `${JSON.stringify({ ...state, history: this.session.history() })}\n` };
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(this.#stateCache.body);
  }

  #subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const state = this.session.state();
    // A new feed starts from the whole state; the updates that follow build on what was last broadcast.
    for (const [key, value] of Object.entries(state)) if (!this.#sent.has(key)) this.#sent.set(key, sent(value, JSON.stringify(value)));
    res.write(`event: snapshot\ndata: ${JSON.stringify({ state: { ...state, ...this.#lastSentState() }, history: this.session.history() })}\n\n`);
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  /**
   * An update carries the top-level parts of the state that changed since the
   * last one (`set`), and for lists that only grew, just the new items
   * (`append`): a drill with a thousand notes does not resend them each second.
   */
  #broadcastUpdate(state: ConsoleState, point: LivePoint | null): void {
    const set: Record<string, unknown> = {};
    const append: Record<string, unknown[]> = {};
    for (const [key, value] of Object.entries(state)) {
      const json = JSON.stringify(value);
      const before = this.#sent.get(key);
      if (json === before?.json) continue;
      this.#sent.set(key, sent(value, json));
      // A list that only grew: the old text, less its closing bracket, then a comma.
      const old = before?.json;
      const grew = Array.isArray(value) && before?.length && old!.startsWith('[') && json.startsWith(old!.slice(0, -1)) && json[old!.length - 1] === ',';
      if (grew) append[key] = value.slice(before.length);
      else set[key] = value;
    }
    this.#broadcast('update', { set, append, point });
  }

  #broadcast(event: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.#clients) client.write(message);
  }

  /** The state as the feeds know it (what the next update's changes apply to). */
  #lastSentState(): Record<string, unknown> {
    return Object.fromEntries([...this.#sent].map(([key, { json }]) => [key, JSON.parse(json) as unknown]));
  }

  #authorized(req: IncomingMessage, res: ServerResponse, queryToken: string | null): boolean {
    const problem = this.#authProblem(queryToken !== null ? `Bearer ${queryToken}` : req.headers.authorization);
    if (!problem) return true;
    res.setHeader('www-authenticate', 'Bearer realm="livedrill drill"');
    req.resume();
    json(res, 401, { error: problem });
    return false;
  }

  async #postAction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      json(res, error instanceof BodyTooLarge ? 413 : 400, { error: error instanceof BodyTooLarge ? error.message : `body: expected JSON: ${(error as Error).message}` });
      return;
    }
    const parsed = actionRequestSchema.safeParse(body);
    if (!parsed.success) {
      json(res, 400, {
        error: describeIssues('POST /api/actions', parsed.error),
        issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
      return;
    }
    try {
      json(res, 201, { recorded: this.session.record(parsed.data) });
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      json(res, error.status, {
        error: `POST /api/actions: ${error.message}`,
        ...(error.field ? { issues: [{ field: error.field, message: error.message }] } : {}),
      });
    }
  }

  #authProblem(header: string | undefined): string | null {
    if (!header) return 'missing "Authorization: Bearer <token>" header: use the token livedrill drill printed (also in the run directory\'s .token file)';
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) return 'malformed Authorization header: expected "Bearer <token>"';
    const given = Buffer.from(match[1]);
    if (given.length !== this.#token.length || !timingSafeEqual(given, this.#token)) return 'wrong token: this is not the token of this drill';
    return null;
  }
}

function sent(value: unknown, json: string): { json: string; length?: number } {
  return Array.isArray(value) ? { json, length: value.length } : { json };
}

function allow(req: IncomingMessage, res: ServerResponse, methods: string[]): boolean {
  if (methods.includes(req.method ?? '')) return true;
  res.setHeader('allow', methods.join(', '));
  req.resume();
  json(res, 405, { error: `${req.method} not allowed here: use ${methods.join(' or ')}` });
  return false;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        // Drain the rest so the answer can still be read.
        reject(new BodyTooLarge(`body: larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
