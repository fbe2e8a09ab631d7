import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MediaKinds } from '../../harness/network/MediaKinds.js';
import { UdpRelay } from '../../harness/network/UdpRelay.js';
import { NO_IMPAIRMENT } from '../../harness/network/Impairment.js';

/** An RTP header (12 bytes) and a payload byte: version 2, `payloadType`, `ssrc`. */
const rtp = (payloadType: number, ssrc: number, marker = false): Buffer => {
  const packet = Buffer.alloc(13);
  packet[0] = 0x80;
  packet[1] = (marker ? 0x80 : 0) | payloadType;
  packet.writeUInt32BE(ssrc, 8);
  return packet;
};
/** An RTCP sender report's first 8 bytes (SRTCP leaves them in the clear). */
const senderReport = (ssrc: number): Buffer => {
  const packet = Buffer.alloc(28);
  packet[0] = 0x80;
  packet[1] = 200;
  packet.writeUInt16BE(6, 2);
  packet.writeUInt32BE(ssrc, 4);
  return packet;
};

describe('media kinds on a bundled path', () => {
  const kinds = (): MediaKinds => {
    const k = new MediaKinds();
    k.learn('audio', { codecs: [{ payloadType: 100 }], encodings: [{ ssrc: 1111 }] });
    k.learn('video', { codecs: [{ payloadType: 101 }, { payloadType: 102 }], encodings: [{ ssrc: 2222, rtx: { ssrc: 2223 } }] });
    return k;
  };

  it('tells RTP apart by payload type or SSRC, marker bit or not', () => {
    const k = kinds();
    expect(k.of(rtp(100, 1111))).toBe('audio');
    expect(k.of(rtp(101, 2222, true))).toBe('video');
    expect(k.of(rtp(102, 2223))).toBe('video'); // RTX
    expect(k.of(rtp(100, 5555))).toBe('audio'); // a simulcast SSRC not announced: by payload type
    expect(k.of(rtp(96, 7777))).toBeUndefined();
  });

  it("tells RTCP apart by its sender's SSRC, learned from RTP too; STUN, DTLS and receiver reports are of no kind", () => {
    const k = kinds();
    expect(k.of(senderReport(1111))).toBe('audio');
    expect(k.of(senderReport(5555))).toBeUndefined();
    k.of(rtp(100, 5555));
    expect(k.of(senderReport(5555))).toBe('audio');
    expect(k.of(senderReport(1))).toBeUndefined(); // a receiver's own SSRC
    const stun = Buffer.alloc(20);
    stun.writeUInt16BE(0x0001, 0);
    expect(k.of(stun)).toBeUndefined();
    const dtls = Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(k.of(dtls)).toBeUndefined();
  });

  it("looks inside TURN, as an app page's path to its TURN server carries media: ChannelData, Send and Data indications", () => {
    const k = kinds();
    const channelData = (inner: Buffer): Buffer => {
      // Channel 0x4001, the payload's length, then the payload padded to 4 bytes (over UDP the padding may be left out).
      const packet = Buffer.alloc(4 + Math.ceil(inner.length / 4) * 4);
      packet.writeUInt16BE(0x4001, 0);
      packet.writeUInt16BE(inner.length, 2);
      inner.copy(packet, 4);
      return packet;
    };
    const indication = (method: number, inner: Buffer): Buffer => {
      // XOR-PEER-ADDRESS (8 bytes of value) first, then DATA: padded attributes after the 20-byte header.
      const peer = Buffer.alloc(12);
      peer.writeUInt16BE(0x0012, 0);
      peer.writeUInt16BE(8, 2);
      const data = Buffer.alloc(4 + Math.ceil(inner.length / 4) * 4);
      data.writeUInt16BE(0x0013, 0);
      data.writeUInt16BE(inner.length, 2);
      inner.copy(data, 4);
      const header = Buffer.alloc(20);
      header.writeUInt16BE(method, 0);
      header.writeUInt16BE(peer.length + data.length, 2);
      header.writeUInt32BE(0x2112a442, 4);
      return Buffer.concat([header, peer, data]);
    };
    expect(k.of(channelData(rtp(100, 1111)))).toBe('audio');
    expect(k.of(channelData(senderReport(2222)))).toBe('video');
    expect(k.of(indication(0x0016, rtp(101, 2222)))).toBe('video'); // Send
    expect(k.of(indication(0x0017, rtp(100, 1111)))).toBe('audio'); // Data
    // What TURN carries besides media: ICE checks, DTLS; and TURN's own requests.
    const stun = Buffer.alloc(20);
    stun.writeUInt16BE(0x0001, 0);
    stun.writeUInt32BE(0x2112a442, 4);
    expect(k.of(channelData(stun))).toBeUndefined();
    expect(k.of(indication(0x0016, Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])))).toBeUndefined();
    const allocate = Buffer.alloc(20);
    allocate.writeUInt16BE(0x0003, 0);
    allocate.writeUInt32BE(0x2112a442, 4);
    expect(k.of(allocate)).toBeUndefined();
  });

  it('a relay delays one kind alone: the other passes at once', async () => {
    const sfu = dgram.createSocket('udp4');
    sfu.bind(0, '127.0.0.1');
    await once(sfu, 'listening');
    const client = dgram.createSocket('udp4');
    client.bind(0, '127.0.0.1');
    await once(client, 'listening');
    const relay = await UdpRelay.open({ ip: '127.0.0.1', port: sfu.address().port });
    try {
      relay.kinds.learn('audio', { codecs: [{ payloadType: 100 }] });
      relay.kinds.learn('video', { codecs: [{ payloadType: 101 }] });
      relay.set('up', { ...NO_IMPAIRMENT, delayMs: 150 }, 'audio');
      const arrivals: Array<[number, number]> = [];
      sfu.on('message', (packet) => arrivals.push([packet[1] & 0x7f, Date.now()]));
      const sent = Date.now();
      client.send(rtp(100, 1), relay.port, '127.0.0.1');
      client.send(rtp(101, 2), relay.port, '127.0.0.1');
      await new Promise((resolve) => setTimeout(resolve, 400));
      const at = Object.fromEntries(arrivals.map(([pt, t]) => [pt, t - sent]));
      expect(at[101]).toBeLessThan(100);
      expect(at[100]).toBeGreaterThanOrEqual(150);
      expect(relay.counters.up.forwarded).toBe(2);
      expect(relay.counters.up.audio).toEqual({ forwarded: 1, dropped: 0 }); // audio RTP apart
    } finally {
      relay.close();
      sfu.close();
      client.close();
    }
  });
});
