/**
 * Malformed signaling, protocol-level and JSON-level, fired at a live SFU
 * while a real broadcast flows (Chromium publisher and viewer): every frame
 * or message closes at most its own socket, /healthz answers after each, and
 * the viewer never notices. Loopback only; bounded in count and time.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseScenario } from '../../harness/scenario/load.js';
import { Run } from '../../harness/run/Run.js';
import type { RunSummary } from '../../harness/run/summary.js';
import { useTempDirs } from '../tempDirs.js';

const tempDir = useTempDirs();

/** One client frame: FIN/RSV bits and opcode in `first`, masked unless told otherwise. */
function frame(first: number, payload: Buffer, options: { mask?: boolean; length?: Buffer } = {}): Buffer {
  const mask = options.mask ?? true;
  let header: Buffer;
  if (options.length) header = Buffer.concat([Buffer.from([first, (mask ? 0x80 : 0) | 127]), options.length]);
  else if (payload.length < 126) header = Buffer.from([first, (mask ? 0x80 : 0) | payload.length]);
  else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  return Buffer.concat([header, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
}

const text = (s: string | Buffer, fin = true) => frame((fin ? 0x80 : 0) | 0x1, Buffer.isBuffer(s) ? s : Buffer.from(s));

/** Raw bytes at the signaling port: a real handshake (unless `handshake` is given), then `bytes`; resolves when the server ends it or after 1 s. */
async function rawSession(port: number, bytes: Buffer[], handshake?: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d.toString('latin1')));
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  socket.write(
    handshake ??
      `GET /signaling HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  if (!handshake) {
    for (let i = 0; i < 50 && !received.includes('\r\n\r\n'); i++) await sleep(20);
  }
  for (const b of bytes) socket.write(b);
  await Promise.race([new Promise((r) => socket.once('close', r)), sleep(1000)]);
  socket.destroy();
  return received;
}

async function wsSession(url: string, messages: Array<string | Buffer>, options: WebSocket.ClientOptions = {}): Promise<{ replies: any[]; closeCode: number | null }> {
  const ws = new WebSocket(url, options);
  const replies: any[] = [];
  let closeCode: number | null = null;
  ws.on('message', (raw) => replies.push(JSON.parse(raw.toString())));
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => {});
  await new Promise((resolve) => ws.once('open', resolve).once('error', resolve).once('unexpected-response', resolve));
  if (ws.readyState !== ws.OPEN) return { replies, closeCode: -1 };
  for (const m of messages) ws.send(m);
  for (let i = 0; i < 100 && replies.length < messages.length && closeCode === null; i++) await sleep(20);
  ws.close();
  return { replies, closeCode };
}

describe('malformed signaling against a live broadcast', () => {
  let run: Run;
  let urls: { signaling: string; metrics: string };
  let summaryPromise: Promise<RunSummary>;
  let port: number;
  const healthChecks: number[] = [];

  const healthy = async (): Promise<void> => {
    const res = await fetch(urls.metrics.replace('/metrics', '/healthz'));
    healthChecks.push(res.status);
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    const scenario = parseScenario('name: fuzz\nduration: 25s\nviewers: { browser: 1 }\n', 'fuzz.yaml');
    run = new Run({ scenario, scenarioFile: 'fuzz.yaml', outDir: tempDir('livedrill-fuzz-') });
    const broadcasting = new Promise<void>((resolve) => run.observer.on('phase', (p) => p === 'broadcasting' && resolve()));
    run.observer.on('ready', (u) => (urls = u));
    summaryPromise = run.execute(new AbortController().signal);
    await broadcasting;
    port = Number(new URL(urls.signaling).port);
  }, 60_000);

  afterAll(async () => {
    await summaryPromise;
  }, 60_000);

  const protocolCases: Array<[string, Buffer[]]> = [
    ['unmasked client frame', [frame(0x81, Buffer.from('{"id":1}'), { mask: false })]],
    ['RSV1 set (no extension agreed)', [frame(0x80 | 0x40 | 0x1, Buffer.from('{}'))]],
    ['RSV2 set', [frame(0x80 | 0x20 | 0x1, Buffer.from('{}'))]],
    ['RSV3 set', [frame(0x80 | 0x10 | 0x1, Buffer.from('{}'))]],
    ['reserved data opcode 0x3', [frame(0x83, Buffer.from('x'))]],
    ['reserved control opcode 0xB', [frame(0x8b, Buffer.from('x'))]],
    ['invalid UTF-8 in a text frame', [text(Buffer.from([0xc3, 0x28, 0xff, 0xfe]))]],
    ['a frame over the 256 KiB limit', [text(Buffer.alloc(300 * 1024, 0x61))]],
    ['a 64-bit length with its top bit set', [frame(0x81, Buffer.alloc(0), { length: Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1]) })]],
    ['a declared 8 EiB payload', [frame(0x81, Buffer.alloc(0), { length: Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) })]],
    ['a ping over 125 bytes', [frame(0x89, Buffer.alloc(126))]],
    ['a fragmented ping', [frame(0x09, Buffer.from('x'))]],
    ['a continuation with nothing to continue', [frame(0x80, Buffer.from('x'))]],
    ['a new text frame inside a fragmented one', [text('{"id":', false), text('1}')]],
    ['a close frame with code 999', [frame(0x88, Buffer.from([0x03, 0xe7]))]],
    ['a close frame with a 1-byte payload', [frame(0x88, Buffer.from([0x03]))]],
    ['a close reason in invalid UTF-8', [frame(0x88, Buffer.from([0x03, 0xe8, 0xff, 0xfe]))]],
    ['a truncated frame, then the socket ends', [frame(0x81, Buffer.from('{"id":1,"method":"join"}')).subarray(0, 9)]],
    ['random bytes after the handshake', [randomBytes(4096)]],
  ];

  it.each(protocolCases)('%s: closes that socket only; /healthz answers', async (_name, bytes) => {
    await rawSession(port, bytes);
    await healthy();
  });

  const handshakeCases: Array<[string, string, RegExp]> = [
    ['garbage instead of HTTP', 'GARBAGE\x00\x01\x02\r\n\r\n', /400/],
    ['an unsupported WebSocket version', `GET /signaling HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 7\r\n\r\n`, /400|426/],
    ['an upgrade to another path', `GET /admin HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`, /503/],
    ['an upgrade from a web page elsewhere (Origin)', `GET /signaling HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`, /403/],
    ['a header block over the size limit', `GET /signaling HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`, /431|400/],
  ];

  it.each(handshakeCases)('%s: refused before any session; /healthz answers', async (_name, handshake, status) => {
    const reply = await rawSession(port, [], handshake);
    expect(reply.split('\r\n')[0]).toMatch(status);
    await healthy();
  });

  const messageCases: Array<[string, string, string]> = [
    ['not JSON', '{oops', 'bad_message'],
    ['a JSON array', '[1,2,3]', 'bad_message'],
    ['JSON null', 'null', 'bad_message'],
    ['no id', '{"method":"join","data":{}}', 'bad_message'],
    ['an unknown method', '{"id":1,"method":"teleport","data":{}}', 'bad_message'],
    ['a room name over 128 characters', JSON.stringify({ id: 1, method: 'join', data: { room: 'r'.repeat(500), role: 'viewer' } }), 'bad_message'],
    ['a room name with a path in it', JSON.stringify({ id: 1, method: 'join', data: { room: '../../etc', role: 'viewer' } }), 'bad_message'],
    ['transport before join', '{"id":1,"method":"createTransport","data":{"direction":"recv"}}', 'bad_state'],
    ['a peer id taken by the publisher', JSON.stringify({ id: 1, method: 'join', data: { room: 'livedrill', role: 'publisher', peerId: 'publisher' } }), 'forbidden'],
    ['resuming another peer without its secret', JSON.stringify({ id: 1, method: 'join', data: { room: 'livedrill', role: 'viewer', peerId: 'browser-1', resume: true } }), 'forbidden'],
    ['10,000 levels of nesting', `{"id":1,"method":"join","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'bad_message'],
    ['a binary frame', '\u0000binary', 'bad_message'],
  ];

  it.each(messageCases)('%s: an error naming it, the socket stays usable; /healthz answers', async (_name, message, code) => {
    const { replies } = await wsSession(urls.signaling, [message, '{"id":"after","method":"leave"}']);
    expect(replies[0]?.error?.code, JSON.stringify(replies[0])).toBe(code);
    expect(replies[1]).toMatchObject({ id: 'after', ok: true });
    await healthy();
  });

  it('pipelined joins on one socket make one peer', async () => {
    const room = 'fuzz-pipelined';
    const joins = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: i, method: 'join', data: { room, role: 'viewer' } }));
    const { replies } = await wsSession(urls.signaling, joins);
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => r.error?.code === 'bad_state')).toHaveLength(19);
    await healthy();
  });

  it('a flood of messages closes that socket (1008); /healthz answers', async () => {
    const flood = Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: i, method: 'leave' }));
    const { closeCode } = await wsSession(urls.signaling, flood);
    expect(closeCode).toBe(1008);
    await healthy();
  });

  it('plain RTP is only sent back to the client itself (no UDP reflection)', async () => {
    const ws = new WebSocket(urls.signaling);
    await new Promise((r) => ws.once('open', r));
    const replies = new Map<number, any>();
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      replies.set(m.id, m);
    });
    const ask = async (id: number, method: string, data: object) => {
      ws.send(JSON.stringify({ id, method, data }));
      for (let i = 0; i < 100 && !replies.has(id); i++) await sleep(20);
      return replies.get(id);
    };
    await ask(1, 'join', { room: 'fuzz-plain', role: 'viewer' });
    const t = await ask(2, 'createTransport', { direction: 'recv', type: 'plain' });
    for (const [i, ip] of ['8.8.8.8', '255.255.255.255', '0.0.0.0', '224.0.0.1', '10.1.2.3'].entries()) {
      const r = await ask(10 + i, 'connectTransport', { transportId: t.data.id, ip, port: 5004 });
      expect(r.error?.code, ip).toBe('forbidden');
    }
    const ok = await ask(20, 'connectTransport', { transportId: t.data.id, ip: '127.0.0.1', port: 5004 });
    expect(ok.ok).toBe(true);
    // Transports per peer are capped.
    for (let i = 0; i < 3; i++) await ask(30 + i, 'createTransport', { direction: 'recv', type: 'plain' });
    expect((await ask(40, 'createTransport', { direction: 'recv', type: 'plain' })).error?.code).toBe('limit');
    ws.close();
    await healthy();
  });

  it('the broadcast flowed throughout: the viewer never disconnected, the run ended cleanly', async () => {
    const summary = await summaryPromise;
    expect(summary.error).toBeNull();
    const v = summary.viewers[0];
    expect(v.disconnects).toBe(0);
    expect(v.connectedAtEnd).toBe(true);
    expect(v.fps).toBeGreaterThan(20);
    expect(healthChecks.length).toBeGreaterThanOrEqual(30);
    expect(healthChecks.every((s) => s === 200)).toBe(true);
  }, 60_000);
});
