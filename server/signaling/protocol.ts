/**
 * The signaling protocol: JSON over WebSocket, request/response with ids,
 * plus server notifications. Every request is validated here before the
 * server acts on it.
 *
 *   client -> { id, method, data }
 *   server -> { id, ok: true, data } | { id, ok: false, error: { code, message } }
 *   server -> { notification, data }
 */
import { z } from 'zod';
import { describeIssues } from '../../common/validation.js';

const id = z.string().min(1).max(128);
const json = z.record(z.string(), z.unknown());

export const requestSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('join'),
    data: z.object({
      room: z.string().min(1).max(128).regex(/^[\w.-]+$/, 'room names use letters, digits, "_", "-" and "."'),
      role: z.enum(['publisher', 'viewer']),
      peerId: id.optional(),
      /** Take back this peerId's server-side peer after a lost signaling connection. */
      resume: z.boolean().optional(),
      /** The secret the join that made this peerId's peer was given: needed to resume or replace it. */
      secret: z.string().max(128).optional(),
    }),
  }),
  z.object({
    method: z.literal('createTransport'),
    data: z.object({
      direction: z.enum(['send', 'recv']),
      /** 'plain': plain RTP to the client's UDP socket, for synthetic viewers (receive only). */
      type: z.enum(['webrtc', 'plain']).default('webrtc'),
    }),
  }),
  z.object({
    method: z.literal('connectTransport'),
    data: z.union([
      z.object({ transportId: id, dtlsParameters: json }),
      /** A plain transport: where the client receives. */
      z.object({ transportId: id, ip: z.ipv4(), port: z.number().int().min(1).max(65535) }),
    ]),
  }),
  z.object({
    method: z.literal('produce'),
    data: z.object({ transportId: id, kind: z.enum(['audio', 'video']), rtpParameters: json }),
  }),
  z.object({ method: z.literal('consume'), data: z.object({ transportId: id, producerId: id, rtpCapabilities: json }) }),
  z.object({ method: z.literal('resume'), data: z.object({ consumerId: id }) }),
  z.object({ method: z.literal('leave'), data: z.object({}).optional() }),
]);

export type Request = z.infer<typeof requestSchema>;
export type Method = Request['method'];
export type RequestData<M extends Method> = Extract<Request, { method: M }>['data'];

export type Notification =
  | { notification: 'newProducer'; data: { producerId: string; kind: 'audio' | 'video' } }
  | { notification: 'producerClosed'; data: { producerId: string } }
  | { notification: 'consumerClosed'; data: { consumerId: string } }
  | { notification: 'roomClosed'; data: { reason: string } }
  /** The broadcast is over: leave, do not rejoin (viewer shards end their run on it). */
  | { notification: 'broadcastEnded'; data: { room: string } };

export type ErrorCode = 'bad_message' | 'bad_state' | 'not_found' | 'forbidden' | 'limit' | 'internal';

/** An error meant for the client: its message says what is wrong with its request. */
export class SignalingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The id of the request it answers, when the request had one. */
    readonly requestId: number | string | null = null,
  ) {
    super(message);
  }
}

/** Parses one text frame into a request; throws SignalingError naming the bad field. */
export function parseRequest(text: string): { id: number | string | null; request: Request } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SignalingError('bad_message', `message is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SignalingError('bad_message', 'message must be a JSON object { id, method, data }');
  }
  const envelope = raw as Record<string, unknown>;
  const msgId = typeof envelope.id === 'number' || typeof envelope.id === 'string' ? envelope.id : null;
  if (msgId === null) throw new SignalingError('bad_message', 'message: id: expected a number or string');
  const parsed = requestSchema.safeParse({ method: envelope.method, data: envelope.data });
  if (!parsed.success) {
    const where = typeof envelope.method === 'string' ? `${envelope.method}` : 'message';
    throw new SignalingError('bad_message', describeIssues(where, parsed.error), msgId);
  }
  return { id: msgId, request: parsed.data };
}
