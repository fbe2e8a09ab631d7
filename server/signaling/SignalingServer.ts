import { randomUUID, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { WebSocket } from 'ws';
import {
  KEYFRAME_REQUEST_DELAY_MS,
  iceSettled,
  plainTransportAddress,
  plainTransportOptions,
  webRtcTransportOptions,
  type types,
} from '../mediasoup/index.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { Sfu } from '../sfu/Sfu.js';
import type { Room } from '../sfu/Room.js';
import { Peer } from '../sfu/Peer.js';
import {
  parseRequest,
  SignalingError,
  type Notification,
  type Request,
  type RequestData,
  type ErrorCode,
} from './protocol.js';

/**
 * Decides which ICE candidates a client is given for a new transport; the
 * harness uses it to put a network-impairment relay on the media path.
 */
export type MediaPath = (transport: types.WebRtcTransport, peerId: string) => Promise<types.IceCandidate[]>;

/** The same for a plain RTP receiver: given where it receives, returns where the SFU must send. */
export type PlainMediaPath = (
  transport: types.PlainTransport,
  peerId: string,
  receiver: { ip: string; port: number },
) => Promise<{ ip: string; port: number }>;

export interface SignalingOptions {
  mediaPath?: MediaPath;
  plainPath?: PlainMediaPath;
  /**
   * How long a peer outlives its dropped signaling socket. Media keeps
   * flowing meanwhile, and a client that reconnects with `resume` gets the
   * same peer back, as production SFUs do across signaling blips.
   */
  sessionGraceMs?: number;
  limits?: Partial<SignalingLimits>;
}

/** What one client may take of the SFU; past a limit its request (or its socket) is refused, nobody else's. */
export interface SignalingLimits {
  /** Signaling connections at once (one per viewer). */
  connections: number;
  rooms: number;
  transportsPerPeer: number;
  producersPerPeer: number;
  consumersPerPeer: number;
  /** Requests waiting on one socket (they are handled one at a time); more closes it. */
  queuedRequests: number;
  /** Messages per second on one socket, averaged over `burst`; faster closes it. */
  messagesPerSecond: number;
  burst: number;
  /** Bytes waiting to be sent to one client that does not read; more closes it. */
  bufferedBytes: number;
}

export const DEFAULT_LIMITS: SignalingLimits = {
  connections: 5000,
  rooms: 100,
  transportsPerPeer: 4,
  producersPerPeer: 4,
  consumersPerPeer: 64,
  queuedRequests: 32,
  messagesPerSecond: 50,
  burst: 200,
  bufferedBytes: 1024 * 1024,
};

const DEFAULT_SESSION_GRACE_MS = 15_000;
/** WebSocket close code 1008: the client broke a rule of the protocol's use. */
const POLICY_VIOLATION = 1008;

export type SignalingEvents = {
  connection: [];
  disconnection: [];
  requesterror: [code: ErrorCode, message: string];
  /** A socket closed by the server: a malformed frame, or a limit it went past. */
  socketerror: [reason: string];
};

/**
 * Turns WebSocket connections into room peers. Each connection is one
 * session; a bad or out-of-order request gets an error reply and nothing
 * else changes, for it or for anyone else.
 */
export class SignalingServer {
  readonly observer = new TypedEmitter<SignalingEvents>();
  readonly limits: SignalingLimits;
  readonly #sessions = new Set<Session>();
  /** Peers whose socket dropped, waiting for their client to resume. */
  readonly #held = new Map<Peer, NodeJS.Timeout>();

  constructor(
    readonly sfu: Sfu,
    readonly options: SignalingOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  get connections(): number {
    return this.#sessions.size;
  }

  /** Whether one more connection fits under the cap. */
  get full(): boolean {
    return this.#sessions.size >= this.limits.connections;
  }

  /** @param remoteAddress where the client connects from: plain RTP may only be sent back there. */
  handleConnection(socket: WebSocket, remoteAddress: string): void {
    const session = new Session(this, socket, remoteAddress);
    this.#sessions.add(session);
    this.observer.emit('connection');
    // A malformed frame (bad UTF-8, unmasked, reserved bits or opcode, too large) ends that socket only.
    socket.on('error', (error) => this.socketError(`protocol error: ${error.message}`));
    socket.on('close', () => {
      this.#sessions.delete(session);
      session.socketClosed();
      this.observer.emit('disconnection');
    });
  }

  socketError(reason: string): void {
    this.observer.emit('socketerror', reason);
  }

  /** Drops every signaling connection (a signaling outage, or shutdown); peers are held for resumption. */
  disconnectAll(): void {
    for (const session of this.#sessions) session.socket.terminate();
  }

  /** Tells every session in `room` that the broadcast is over. */
  endBroadcast(room: string): void {
    for (const session of this.#sessions) session.broadcastEnded(room);
  }

  /** Disconnects these peers for good: media and signaling (a mass disconnect). */
  kick(peerIds: ReadonlySet<string>): void {
    for (const session of this.#sessions) {
      if (session.peerId !== undefined && peerIds.has(session.peerId)) {
        session.closePeer();
        session.socket.terminate();
      }
    }
    for (const peer of [...this.#held.keys()]) if (peerIds.has(peer.id)) this.#release(peer, true);
  }

  hold(peer: Peer): void {
    this.#held.set(peer, setTimeout(() => this.#release(peer, true), this.options.sessionGraceMs ?? DEFAULT_SESSION_GRACE_MS));
  }

  /** Takes a held peer back for a resuming client; false when it is gone. */
  reclaim(peer: Peer): boolean {
    if (!this.#held.has(peer) || peer.closed) return false;
    this.#release(peer, false);
    return true;
  }

  #release(peer: Peer, close: boolean): void {
    clearTimeout(this.#held.get(peer));
    this.#held.delete(peer);
    if (close) peer.close();
  }

  close(): void {
    this.disconnectAll();
    for (const peer of [...this.#held.keys()]) this.#release(peer, true);
  }

  errored(code: ErrorCode, message: string): void {
    this.observer.emit('requesterror', code, message);
  }
}

class Session {
  #peer?: Peer;
  #room?: Room;
  /** Undo the listeners this session put on its peer's room. */
  #detach: Array<() => void> = [];
  /** Requests are handled one at a time, in order: two joins can never both pass the "not joined" check. */
  #queue: string[] = [];
  #busy = false;
  /** Token bucket for the message rate. */
  #tokens: number;
  #refilledAt = Date.now();

  constructor(
    private readonly server: SignalingServer,
    readonly socket: WebSocket,
    readonly remoteAddress: string,
  ) {
    this.#tokens = server.limits.burst;
    socket.on('message', (raw, isBinary) => this.#enqueue(isBinary ? '' : raw.toString()));
  }

  #enqueue(text: string): void {
    const limits = this.server.limits;
    const now = Date.now();
    this.#tokens = Math.min(limits.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * limits.messagesPerSecond);
    this.#refilledAt = now;
    if (--this.#tokens < 0) return this.#refuse(`more than ${limits.messagesPerSecond} messages per second`);
    if (this.#queue.length >= limits.queuedRequests) return this.#refuse(`more than ${limits.queuedRequests} requests waiting`);
    this.#queue.push(text);
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let text = this.#queue.shift(); text !== undefined; text = this.#queue.shift()) await this.#onMessage(text);
    } finally {
      this.#busy = false;
    }
  }

  /** Closes this socket for breaking a limit; its peer is held like any dropped session's. */
  #refuse(reason: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.server.socketError(reason);
    this.#queue = [];
    this.socket.close(POLICY_VIOLATION, reason.slice(0, 120));
  }

  get peerId(): string | undefined {
    return this.#peer?.id;
  }

  get #sfu(): Sfu {
    return this.server.sfu;
  }

  async #onMessage(text: string): Promise<void> {
    let requestId: number | string | null = null;
    try {
      const { id, request } = parseRequest(text);
      requestId = id;
      const data = await this.#handle(request);
      this.#send({ id, ok: true, data });
    } catch (error) {
      const known = error instanceof SignalingError;
      const code: ErrorCode = known ? error.code : 'internal';
      const detail = error instanceof Error ? error.message : String(error);
      // mediasoup's own errors may be empty (no free RTC port): say which request failed.
      const message = known ? detail : `${methodOf(text)}: failed: ${detail || error?.constructor?.name || 'unknown error'}`;
      this.server.errored(code, message);
      this.#send({ id: known ? (error.requestId ?? requestId) : requestId, ok: false, error: { code, message } });
    }
  }

  #send(message: object): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A client that does not read would make the server buffer without end.
    if (this.socket.bufferedAmount > this.server.limits.bufferedBytes) {
      this.server.socketError(`client did not read: over ${this.server.limits.bufferedBytes} bytes waiting`);
      this.socket.terminate();
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  #notify(notification: Notification): void {
    this.#send(notification);
  }

  #handle(request: Request): Promise<unknown> {
    switch (request.method) {
      case 'join':
        return this.#join(request.data);
      case 'createTransport':
        return this.#createTransport(request.data);
      case 'connectTransport':
        return this.#connectTransport(request.data);
      case 'produce':
        return this.#produce(request.data);
      case 'consume':
        return this.#consume(request.data);
      case 'resume':
        return this.#resume(request.data);
      case 'leave':
        this.closePeer();
        return Promise.resolve({});
    }
  }

  #joined(method: string): { peer: Peer; room: Room } {
    if (!this.#peer || !this.#room || this.#peer.closed) {
      throw new SignalingError('bad_state', `${method}: not joined; send "join" first`);
    }
    return { peer: this.#peer, room: this.#room };
  }

  async #join(data: RequestData<'join'>): Promise<unknown> {
    if (this.#peer && !this.#peer.closed) throw new SignalingError('bad_state', 'join: already joined; send "leave" first');
    const sfu = this.#sfu;
    if (!sfu.rooms.has(data.room) && sfu.rooms.size >= this.server.limits.rooms) {
      throw new SignalingError('limit', `join: room: the SFU already holds its limit of ${this.server.limits.rooms} rooms`);
    }
    const room = await sfu.getOrCreateRoom(data.room);
    const existing = data.peerId !== undefined ? room.peers.get(data.peerId) : undefined;
    // A peer id belongs to the session that made it: resuming or replacing it takes that join's secret.
    if (existing && !existing.closed && !sameSecret(data.secret, existing.secret)) {
      throw new SignalingError('forbidden', `join: peerId: "${existing.id}" is in use by another session (resuming or replacing it needs its secret)`);
    }
    let resumed = false;
    let peer: Peer;
    if (existing && data.resume && existing.role === data.role && this.server.reclaim(existing)) {
      peer = existing;
      resumed = true;
    } else {
      // A fresh join under a known id replaces the old peer (a client starting over).
      existing?.close();
      peer = new Peer(data.peerId ?? randomUUID(), data.role);
      await room.admit(peer);
    }
    this.#attach(peer, room);
    return {
      peerId: peer.id,
      secret: peer.secret,
      resumed,
      routerRtpCapabilities: room.rtpCapabilities,
      producers: room.producers().map(({ producer }) => ({ producerId: producer.id, kind: producer.kind })),
    };
  }

  #attach(peer: Peer, room: Room): void {
    this.#peer = peer;
    this.#room = room;
    if (peer.role === 'viewer') {
      const onNewProducer = (producer: types.Producer): void =>
        this.#notify({ notification: 'newProducer', data: { producerId: producer.id, kind: producer.kind } });
      room.on('newproducer', onNewProducer);
      this.#detach.push(() => room.off('newproducer', onNewProducer));
    }
    const onRoomClose = (): void => {
      this.#notify({ notification: 'roomClosed', data: { reason: 'the room closed (SFU worker gone or shutdown)' } });
      this.closePeer();
    };
    const onRouterClose = (workerIndex: number): void => {
      if (workerIndex === peer.workerIndex) onRoomClose();
    };
    room.once('close', onRoomClose);
    room.on('routerclose', onRouterClose);
    this.#detach.push(() => room.off('close', onRoomClose), () => room.off('routerclose', onRouterClose));
  }

  #detachPeer(): Peer | undefined {
    for (const undo of this.#detach) undo();
    this.#detach = [];
    const peer = this.#peer;
    this.#peer = undefined;
    this.#room = undefined;
    return peer;
  }

  async #createTransport(data: RequestData<'createTransport'>): Promise<unknown> {
    const { peer, room } = this.#joined('createTransport');
    if (data.direction === 'send' && (peer.role !== 'publisher' || data.type !== 'webrtc')) {
      throw new SignalingError('forbidden', 'createTransport: direction: only a publisher may create a "send" transport, of type "webrtc"');
    }
    this.#withinLimit('createTransport', peer.transports.size, this.server.limits.transportsPerPeer, 'transports');
    const appData = { direction: data.direction, peerId: peer.id };
    const listen = this.#sfu.options.listen;
    if (data.type === 'plain') {
      const router = await room.routerOf(peer);
      const transport = await router.createPlainTransport({ ...plainTransportOptions(listen), appData });
      this.#own(peer, transport);
      return { id: transport.id, ...plainTransportAddress(transport) };
    }
    const transport = await (await room.routerOf(peer)).createWebRtcTransport({ ...webRtcTransportOptions(listen), appData });
    this.#own(peer, transport);
    const mediaPath = this.server.options.mediaPath;
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: mediaPath ? await mediaPath(transport, peer.id) : transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  #withinLimit(method: string, have: number, limit: number, what: string): void {
    if (have >= limit) throw new SignalingError('limit', `${method}: a peer may hold at most ${limit} ${what}`);
  }

  #own(peer: Peer, transport: types.WebRtcTransport | types.PlainTransport): void {
    peer.transports.set(transport.id, transport);
    transport.observer.on('close', () => peer.transports.delete(transport.id));
  }

  #transport(peer: Peer, method: string, transportId: string): types.WebRtcTransport | types.PlainTransport {
    const transport = peer.transports.get(transportId);
    if (!transport) throw new SignalingError('not_found', `${method}: transportId: no transport "${transportId}" for this peer`);
    return transport;
  }

  async #connectTransport(data: RequestData<'connectTransport'>): Promise<unknown> {
    const { peer } = this.#joined('connectTransport');
    const transport = this.#transport(peer, 'connectTransport', data.transportId);
    const plain = !('iceState' in transport);
    if ('dtlsParameters' in data && !plain) {
      await (transport as types.WebRtcTransport).connect({ dtlsParameters: data.dtlsParameters as unknown as types.DtlsParameters });
    } else if ('ip' in data && plain) {
      if (!mayReceiveAt(data.ip, this.remoteAddress)) {
        throw new SignalingError(
          'forbidden',
          `connectTransport: ip: plain RTP is only sent back to the client's own address (${this.remoteAddress}), not ${data.ip}`,
        );
      }
      const plainPath = this.server.options.plainPath;
      const receiver = { ip: data.ip, port: data.port };
      await (transport as types.PlainTransport).connect(plainPath ? await plainPath(transport as types.PlainTransport, peer.id, receiver) : receiver);
    } else {
      throw new SignalingError('bad_message', `connectTransport: a ${plain ? 'plain transport takes ip and port' : 'WebRTC transport takes dtlsParameters'}`);
    }
    return {};
  }

  async #produce(data: RequestData<'produce'>): Promise<unknown> {
    const { peer, room } = this.#joined('produce');
    if (peer.role !== 'publisher') throw new SignalingError('forbidden', 'produce: only a publisher may produce');
    this.#withinLimit('produce', peer.producers.size, this.server.limits.producersPerPeer, 'producers');
    const transport = this.#transport(peer, 'produce', data.transportId);
    const producer = await transport.produce({
      kind: data.kind,
      rtpParameters: data.rtpParameters as unknown as types.RtpParameters,
      keyFrameRequestDelay: KEYFRAME_REQUEST_DELAY_MS,
    });
    peer.producers.set(producer.id, producer);
    producer.observer.on('close', () => peer.producers.delete(producer.id));
    await room.announceProducer(producer, peer);
    return { id: producer.id };
  }

  async #consume(data: RequestData<'consume'>): Promise<unknown> {
    const { peer, room } = this.#joined('consume');
    this.#withinLimit('consume', peer.consumers.size, this.server.limits.consumersPerPeer, 'consumers');
    const transport = this.#transport(peer, 'consume', data.transportId);
    const rtpCapabilities = data.rtpCapabilities as unknown as types.RtpCapabilities;
    if (!room.findProducer(data.producerId)) {
      throw new SignalingError('not_found', `consume: producerId: no producer "${data.producerId}" in room "${room.name}"`);
    }
    if (!(await room.routerOf(peer)).canConsume({ producerId: data.producerId, rtpCapabilities })) {
      throw new SignalingError('bad_message', 'consume: rtpCapabilities: cannot consume this producer with these capabilities');
    }
    // Paused until the client has wired up its track, so no first keyframe is lost.
    const consumer = await transport.consume({ producerId: data.producerId, rtpCapabilities, paused: true });
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.on('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => this.#notify({ notification: 'consumerClosed', data: { consumerId: consumer.id } }));
    return { id: consumer.id, producerId: data.producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async #resume(data: RequestData<'resume'>): Promise<unknown> {
    const { peer } = this.#joined('resume');
    const consumer = peer.consumers.get(data.consumerId);
    if (!consumer) throw new SignalingError('not_found', `resume: consumerId: no consumer "${data.consumerId}" for this peer`);
    const transport = [...peer.transports.values()].find((t) => t.appData.direction === 'recv');
    if (transport && 'iceState' in transport) await iceSettled(transport);
    await consumer.resume();
    return {};
  }

  broadcastEnded(room: string): void {
    if (this.#room?.name === room) this.#notify({ notification: 'broadcastEnded', data: { room } });
  }

  /** The client left (or was kicked): its peer and media go. */
  closePeer(): void {
    this.#detachPeer()?.close();
  }

  /** The socket dropped without a leave: keep the peer for a while so the client can resume it. */
  socketClosed(): void {
    const peer = this.#detachPeer();
    if (peer && !peer.closed) this.server.hold(peer);
  }
}

function methodOf(text: string): string {
  try {
    const method = (JSON.parse(text) as { method?: unknown }).method;
    return typeof method === 'string' ? method.slice(0, 40) : 'request';
  } catch {
    return 'request';
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

const ipv4 = (ip: string): string => ip.replace(/^::ffff:/, '');
const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

/**
 * Where plain RTP may be sent: back to the client's own address, or, for a
 * client on loopback, to loopback. Never to a broadcast, multicast,
 * unspecified or reserved address (no UDP reflection through the SFU).
 */
export function mayReceiveAt(ip: string, remoteAddress: string): boolean {
  if (!isIPv4(ip)) return false;
  const first = Number(ip.split('.')[0]);
  if (ip === '0.0.0.0' || first >= 224) return false;
  const remote = ipv4(remoteAddress);
  return ip === remote || (isLoopback(remote) && isLoopback(ip));
}
