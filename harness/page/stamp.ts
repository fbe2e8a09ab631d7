/**
 * The stamp livedrill's own video source draws on every frame and viewers
 * read back: the frame's number and capture time, CRC-checked, as black and
 * white square blocks at the picture's top-left. A block is 1/40 of the
 * picture's width (16 px at 640, aligned on the codecs' 16 px macroblocks),
 * so it is still 8 px when libwebrtc halves the resolution at a low bitrate.
 * Pure code: the page draws and samples, this encodes and checks.
 */
import { mod, signedMod } from '../../common/wrapping.js';

export const STAMP_LAYOUT = {
  /** A block's edge is the picture's width divided by this. */
  blocksAcross: 40,
  columns: 24,
  rows: 3,
  /** Black margin around the blocks, in blocks: the moving picture's ringing stays off them. */
  margin: 1,
} as const;

const FRAME_BITS = 24;
const TIME_BITS = 32;
const CRC_BITS = 16;
export const STAMP_BITS = FRAME_BITS + TIME_BITS + CRC_BITS;
const FRAME_RANGE = 2 ** FRAME_BITS;
const TIME_RANGE = 2 ** TIME_BITS;
/** A block's luma (0–255) at or above this reads as 1 (white). */
const WHITE_FROM = 128;

export interface Stamp {
  /** The source's frame number, modulo 2^24. */
  frame: number;
  /** Capture time, epoch ms modulo 2^32 (whole ms): captureTimeNear gives it back in full. */
  captureMs: number;
}

/** The stamp's bits, most significant first, row by row: 1 is a white block. */
export function encodeStamp(frame: number, captureEpochMs: number): Uint8Array {
  const payload = payloadBytes(mod(frame, FRAME_RANGE), mod(Math.round(captureEpochMs), TIME_RANGE));
  const bits = new Uint8Array(STAMP_BITS);
  const bytes = [...payload, ...crcBytes(payload)];
  bytes.forEach((byte, i) => {
    for (let b = 0; b < 8; b++) bits[i * 8 + b] = (byte >> (7 - b)) & 1;
  });
  return bits;
}

/** The stamp from the blocks' luma (one value per block, in bit order); null when its CRC does not hold. */
export function decodeStamp(luma: ArrayLike<number>): Stamp | null {
  if (luma.length !== STAMP_BITS) return null;
  const bytes = new Uint8Array(STAMP_BITS / 8);
  for (let i = 0; i < STAMP_BITS; i++) if (luma[i] >= WHITE_FROM) bytes[i >> 3] |= 0x80 >> (i & 7);
  const payload = bytes.subarray(0, 7);
  const crc = crcBytes(payload);
  if (crc[0] !== bytes[7] || crc[1] !== bytes[8]) return null;
  const frame = (payload[0] << 16) | (payload[1] << 8) | payload[2];
  const captureMs = ((payload[3] << 24) >>> 0) + ((payload[4] << 16) | (payload[5] << 8) | payload[6]);
  return { frame, captureMs };
}

/** The full capture time (epoch ms) of a stamp read at `now`: the instant with its residue nearest to now. */
export function captureTimeNear(captureMs: number, now: number): number {
  const whole = Math.round(now);
  return whole - signedMod(whole - captureMs, TIME_RANGE);
}

/** Frames from `from` to `to` (stamp frame numbers), across the 2^24 wrap: negative when `to` is older. */
export function frameStep(from: number, to: number): number {
  return signedMod(to - from, FRAME_RANGE);
}

function payloadBytes(frame: number, time: number): Uint8Array {
  return Uint8Array.of(frame >> 16, (frame >> 8) & 0xff, frame & 0xff, Math.floor(time / 2 ** 24), (time >> 16) & 0xff, (time >> 8) & 0xff, time & 0xff);
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF): every error of up to 3 bits in a stamp is caught. */
function crcBytes(bytes: Uint8Array): [number, number] {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return [crc >> 8, crc & 0xff];
}
