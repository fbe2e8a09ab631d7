/**
 * Which media kind a packet on a bundled media path carries, so a network
 * fault can impair one kind alone (`media: audio`): RTP by its payload type
 * or its SSRC, RTCP by its sender's SSRC. SRTP and SRTCP leave these header
 * fields in the clear. Who says whose each is: on livedrill's SFU the
 * transport's consumers and producers; on an app page's path the probe
 * (getStats). A page's path to its TURN server carries them wrapped in TURN
 * (ChannelData, Send and Data indications): the datagram inside is the one
 * looked at. STUN, DTLS, receiver reports (sent from the receiver's own
 * SSRC) and anything unknown are of no kind.
 */
export type MediaKind = 'audio' | 'video';
/** What an impairment applies to: every packet, or one media kind's RTP and RTCP. */
export type MediaSelector = 'all' | MediaKind;

interface RtpParametersShape {
  codecs: Array<{ payloadType: number }>;
  encodings?: Array<{ ssrc?: number; rtx?: { ssrc: number } }>;
}

export class MediaKinds {
  readonly #payloadTypes = new Map<number, MediaKind>();
  readonly #ssrcs = new Map<number, MediaKind>();

  /** A consumer's or producer's RTP parameters on this path. */
  learn(kind: MediaKind, rtp: RtpParametersShape): void {
    for (const codec of rtp.codecs) this.#payloadTypes.set(codec.payloadType, kind);
    for (const encoding of rtp.encodings ?? []) {
      if (encoding.ssrc !== undefined) this.#ssrcs.set(encoding.ssrc, kind);
      if (encoding.rtx) this.#ssrcs.set(encoding.rtx.ssrc, kind);
    }
  }

  of(datagram: Buffer): MediaKind | undefined {
    return this.classify(datagram).kind;
  }

  /** A datagram's media kind (undefined: none known), and whether it is RTP (a media packet, what receivers count) rather than RTCP or anything else. */
  classify(datagram: Buffer): { kind: MediaKind | undefined; rtp: boolean } {
    const packet = turnPayload(datagram) ?? datagram;
    // RTP and RTCP are version 2: the first byte is 128 to 191 (RFC 7983).
    if (packet.length < 8 || packet[0] < 128 || packet[0] > 191) return { kind: undefined, rtp: false };
    const type = packet[1];
    // RTCP packet types are 192 to 223 where RTP's marker bit and payload type would be (RFC 5761).
    if (type >= 192 && type <= 223) return { kind: this.#ssrcs.get(packet.readUInt32BE(4)), rtp: false };
    if (packet.length < 12) return { kind: undefined, rtp: false };
    const ssrc = packet.readUInt32BE(8);
    const kind = this.#ssrcs.get(ssrc) ?? this.#payloadTypes.get(type & 0x7f);
    // Learned for its RTCP (a simulcast producer's SSRCs are not known up front).
    if (kind) this.#ssrcs.set(ssrc, kind);
    return { kind, rtp: true };
  }
}

/** STUN's magic cookie, and the methods and attribute that carry a peer's datagram through TURN (RFC 8656). */
const MAGIC_COOKIE = 0x2112a442;
const SEND_INDICATION = 0x0016;
const DATA_INDICATION = 0x0017;
const DATA_ATTRIBUTE = 0x0013;

/** The peer's datagram a TURN message carries: ChannelData's payload, or a Send or Data indication's DATA; undefined for anything else. */
function turnPayload(packet: Buffer): Buffer | undefined {
  // ChannelData: channel numbers 0x4000 to 0x7FFF put the first byte at 64 to 127 (RFC 7983), length after the channel.
  if (packet.length >= 4 && packet[0] >= 64 && packet[0] <= 127) return packet.subarray(4, 4 + packet.readUInt16BE(2));
  if (packet.length < 20 || packet[0] > 3 || packet.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const method = packet.readUInt16BE(0);
  if (method !== SEND_INDICATION && method !== DATA_INDICATION) return undefined;
  const end = Math.min(packet.length, 20 + packet.readUInt16BE(2));
  // Attributes: type, length, value padded to 4 bytes.
  for (let at = 20; at + 4 <= end; at += 4 + Math.ceil(packet.readUInt16BE(at + 2) / 4) * 4) {
    if (packet.readUInt16BE(at) === DATA_ATTRIBUTE) return packet.subarray(at + 4, Math.min(end, at + 4 + packet.readUInt16BE(at + 2)));
  }
  return undefined;
}
