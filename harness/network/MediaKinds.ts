/**
 * Which media kind a packet on a bundled media path carries, so a network
 * fault can impair one kind alone (`media: audio`): RTP by its payload type
 * (the transport's consumers and producers say whose each is) or its SSRC,
 * RTCP by its sender's SSRC. SRTP and SRTCP leave these header fields in the
 * clear. STUN, DTLS, receiver reports (sent from the receiver's own SSRC) and
 * anything unknown are of no kind.
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

  of(packet: Buffer): MediaKind | undefined {
    // RTP and RTCP are version 2: the first byte is 128 to 191 (RFC 7983).
    if (packet.length < 8 || packet[0] < 128 || packet[0] > 191) return undefined;
    const type = packet[1];
    // RTCP packet types are 192 to 223 where RTP's marker bit and payload type would be (RFC 5761).
    if (type >= 192 && type <= 223) return this.#ssrcs.get(packet.readUInt32BE(4));
    if (packet.length < 12) return undefined;
    const ssrc = packet.readUInt32BE(8);
    const kind = this.#ssrcs.get(ssrc) ?? this.#payloadTypes.get(type & 0x7f);
    // Learned for its RTCP (a simulcast producer's SSRCs are not known up front).
    if (kind) this.#ssrcs.set(ssrc, kind);
    return kind;
  }
}
