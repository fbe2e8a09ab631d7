/**
 * Just enough RTP parsing for a receiver that measures: header fields, the
 * payload offset past CSRCs and header extensions, and VP8 keyframe start.
 * Works on the packet buffer in place; allocates nothing.
 */

/** RTCP shares the port (rtcp-mux): payload types 200-206 are RTCP, not media. */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 2 && packet[1] >= 200 && packet[1] <= 206;
}

export function isRtp(packet: Buffer): boolean {
  return packet.length >= 12 && packet[0] >> 6 === 2 && !isRtcp(packet);
}

export const marker = (packet: Buffer): boolean => (packet[1] & 0x80) !== 0;
export const sequenceNumber = (packet: Buffer): number => packet.readUInt16BE(2);
export const timestamp = (packet: Buffer): number => packet.readUInt32BE(4);
export const ssrc = (packet: Buffer): number => packet.readUInt32BE(8);

/** Offset of the payload, or -1 for a malformed packet. */
export function payloadOffset(packet: Buffer): number {
  const csrcs = packet[0] & 0x0f;
  let offset = 12 + 4 * csrcs;
  if (packet[0] & 0x10) {
    if (packet.length < offset + 4) return -1;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  const padding = packet[0] & 0x20 ? packet[packet.length - 1] : 0;
  return offset < packet.length - padding ? offset : -1;
}

/** Whether this packet starts a VP8 keyframe (RFC 7741 payload descriptor, then the P bit). */
export function isVp8KeyframeStart(packet: Buffer): boolean {
  let i = payloadOffset(packet);
  if (i < 0) return false;
  const first = packet[i];
  const start = (first & 0x10) !== 0;
  const partition = first & 0x07;
  if (!start || partition !== 0) return false;
  if (first & 0x80) {
    const ext = packet[++i];
    if (ext & 0x80) i += packet[i + 1] & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (ext & 0x40) i += 1; // TL0PICIDX
    if (ext & 0x30) i += 1; // TID / KEYIDX
  }
  i += 1;
  return i < packet.length && (packet[i] & 0x01) === 0;
}

/** An RTCP sender report: at `ntpMs` on the sender's clock, its RTP clock read `rtpTimestamp`. */
export interface SenderReport {
  ssrc: number;
  /** The report's NTP timestamp in ms (mediasoup's worker writes its monotonic clock there: uv_hrtime). */
  ntpMs: number;
  rtpTimestamp: number;
}

const RTCP_SR = 200;
const NTP_FRACTION = 2 ** 32;

/** The sender reports in a (compound) RTCP packet; a malformed one ends the walk. */
export function senderReports(packet: Buffer): SenderReport[] {
  const reports: SenderReport[] = [];
  for (let at = 0; at + 4 <= packet.length; ) {
    if (packet[at] >> 6 !== 2) break;
    const end = at + 4 * (packet.readUInt16BE(at + 2) + 1);
    if (end > packet.length) break;
    if (packet[at + 1] === RTCP_SR && end - at >= 28) {
      reports.push({
        ssrc: packet.readUInt32BE(at + 4),
        ntpMs: packet.readUInt32BE(at + 8) * 1000 + (packet.readUInt32BE(at + 12) / NTP_FRACTION) * 1000,
        rtpTimestamp: packet.readUInt32BE(at + 16),
      });
    }
    at = end;
  }
  return reports;
}
