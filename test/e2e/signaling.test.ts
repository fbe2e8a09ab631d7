/**
 * The real SFU and signaling server, driven over a real WebSocket: bad or
 * out-of-order messages get a clear error and nobody else is disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { SfuServer } from '../../server/http/SfuServer.js';

class Client {
  #nextId = 1;
  readonly #replies = new Map<unknown, (m: any) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      this.#replies.get(message.id)?.(message);
      this.#replies.delete(message.id);
    });
  }
  static async connect(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Client(ws);
  }
  /** Sends raw text and waits for the reply carrying `id`. */
  raw(text: string, id: unknown): Promise<any> {
    return new Promise((resolve) => {
      this.#replies.set(id, resolve);
      this.ws.send(text);
    });
  }
  request(method: string, data: object = {}): Promise<any> {
    const id = this.#nextId++;
    return this.raw(JSON.stringify({ id, method, data }), id);
  }
}

describe('signaling against the real SFU', () => {
  let server: SfuServer;
  beforeAll(async () => {
    server = await SfuServer.start({ sfu: { workers: 1, listen: { ip: '127.0.0.1' } }, registry: new Registry() });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on loopback by default', () => {
    expect(server.host).toBe('127.0.0.1');
  });

  it('answers malformed messages with an error naming what is wrong, and keeps the connection', async () => {
    const c = await Client.connect(server.signalingUrl);
    const notJson = await c.raw('{oops', null);
    expect(notJson).toMatchObject({ ok: false, error: { code: 'bad_message' } });
    expect(notJson.error.message).toMatch(/not JSON/);

    const badRole = await c.request('join', { room: 'r1', role: 'admin' });
    expect(badRole).toMatchObject({ ok: false, error: { code: 'bad_message' } });
    expect(badRole.error.message).toBe('join: data.role: Invalid option: expected one of "publisher"|"viewer"');

    const unknown = await c.request('teleport', {});
    expect(unknown.error.message).toMatch(/method: Invalid discriminator value/);

    // Same connection still works.
    const joined = await c.request('join', { room: 'r1', role: 'viewer' });
    expect(joined.ok).toBe(true);
    expect(joined.data.routerRtpCapabilities.codecs.map((x: any) => x.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8']),
    );
    c.ws.close();
  });

  it('rejects out-of-order and forbidden requests without touching the room', async () => {
    const c = await Client.connect(server.signalingUrl);
    const early = await c.request('createTransport', { direction: 'recv' });
    expect(early).toMatchObject({ ok: false, error: { code: 'bad_state', message: 'createTransport: not joined; send "join" first' } });

    await c.request('join', { room: 'r2', role: 'viewer' });
    const again = await c.request('join', { room: 'r2', role: 'viewer' });
    expect(again.error).toMatchObject({ code: 'bad_state' });
    const send = await c.request('createTransport', { direction: 'send' });
    expect(send.error).toMatchObject({ code: 'forbidden' });
    const ghost = await c.request('consume', { transportId: 'nope', producerId: 'nope', rtpCapabilities: {} });
    expect(ghost.error).toMatchObject({ code: 'not_found', message: 'consume: transportId: no transport "nope" for this peer' });

    // Another peer joining the same room is unaffected.
    const other = await Client.connect(server.signalingUrl);
    const ok = await other.request('join', { room: 'r2', role: 'publisher' });
    expect(ok.ok).toBe(true);
    const transport = await other.request('createTransport', { direction: 'send' });
    expect(transport.ok).toBe(true);
    expect(transport.data.iceCandidates[0].ip).toBe('127.0.0.1');
    expect(server.sfu.rooms.get('r2')?.peers.size).toBe(2);
    c.ws.close();
    other.ws.close();
  });

  it('counts request errors in /metrics by code', async () => {
    const text = await (await fetch(server.metricsUrl)).text();
    expect(text).toMatch(/livedrill_signaling_errors_total\{code="bad_message"\} [3-9]/);
    expect(text).toMatch(/livedrill_signaling_errors_total\{code="bad_state"\} [2-9]/);
  });
});
