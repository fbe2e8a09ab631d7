import { isVp8KeyframeStart, marker, sequenceNumber } from './rtp.js';
import type { PathLatency } from './PathLatency.js';
import type { RtpSink } from './RtpReceiver.js';
import type { SenderReport } from './rtp.js';

/** Sequence accounting shared by both stream kinds: received, expected, lost (RFC 3550 style). */
class SequenceCounter {
  received = 0;
  bytes = 0;
  #base = -1;
  #highest = -1; // extended (with wrap-around cycles)

  /** Returns how many packets were skipped before this one (0 when in order). */
  count(packet: Buffer): number {
    this.received++;
    this.bytes += packet.length;
    const seq = sequenceNumber(packet);
    if (this.#highest < 0) {
      this.#base = this.#highest = seq;
      return 0;
    }
    const cycles = this.#highest & ~0xffff;
    let ext = cycles | seq;
    if (ext < this.#highest - 0x8000) ext += 0x10000;
    else if (ext > this.#highest + 0x8000) ext -= 0x10000;
    const skipped = Math.max(0, ext - this.#highest - 1);
    if (ext > this.#highest) this.#highest = ext;
    return skipped;
  }

  get lost(): number {
    return this.#highest < 0 ? 0 : Math.max(0, this.#highest - this.#base + 1 - this.received);
  }
}

/**
 * Video as a receiver sees it: a frame is complete at its marker bit;
 * frames show only from the first keyframe on, and a frame with a hole in
 * its sequence numbers is not shown (no retransmission here). With `path`,
 * its packets and the SFU's sender reports also time the network path.
 */
export class VideoStream implements RtpSink {
  readonly seq = new SequenceCounter();
  frames = 0;
  #started = false;
  #frameBroken = false;

  constructor(
    private readonly onFrame: (t: number) => void,
    readonly path?: PathLatency,
  ) {}

  onSenderReport(report: SenderReport): void {
    this.path?.onSenderReport(report);
  }

  onPacket(packet: Buffer, arrival: number): void {
    this.path?.onPacket(packet, arrival);
    if (this.seq.count(packet) > 0) this.#frameBroken = true;
    if (!this.#started && isVp8KeyframeStart(packet)) {
      this.#started = true;
      this.#frameBroken = false;
    }
    if (!marker(packet)) return;
    if (this.#started && !this.#frameBroken) {
      this.frames++;
      this.onFrame(arrival);
    }
    this.#frameBroken = false;
  }
}

const SAMPLES_PER_PACKET = 960; // 20 ms of Opus at 48 kHz
const PACKET_MS = 20;
/** Arrival gaps up to this are absorbed by a jitter buffer; longer ones are heard as concealment. */
const JITTER_ALLOWANCE_MS = 60;

/**
 * Audio as a player would render it: every 20 ms packet is 960 samples; a
 * lost packet, or a stall in arrivals beyond what a jitter buffer absorbs,
 * is time the player had to conceal (as NetEq's concealedSamples counts).
 * A stall is concealed while it lasts: `settle` books it up to now, so a
 * drop still open when a sample is taken, or when the run ends, counts
 * (packets that had arrived by then must have been handed over first).
 */
export class AudioStream implements RtpSink {
  readonly seq = new SequenceCounter();
  samplesReceived = 0;
  concealedSamples = 0;
  concealmentEvents = 0;
  #lastArrival: number | undefined;
  /** Concealment already booked for the stall since #lastArrival (ms). */
  #bookedInStall = 0;

  onPacket(packet: Buffer, arrival: number): void {
    const skipped = this.seq.count(packet);
    // Lost packets and a stall describe the same missing time: count it once.
    const concealedMs = Math.max(skipped * PACKET_MS, this.#stallMs(arrival));
    this.#book(concealedMs - this.#bookedInStall, this.#bookedInStall === 0);
    this.#lastArrival = arrival;
    this.#bookedInStall = 0;
    this.samplesReceived += SAMPLES_PER_PACKET;
  }

  /** Books the stall still open at `now` as concealed so far. */
  settle(now: number): void {
    const stall = this.#stallMs(now);
    if (stall <= this.#bookedInStall) return;
    this.#book(stall - this.#bookedInStall, this.#bookedInStall === 0);
    this.#bookedInStall = stall;
  }

  #stallMs(now: number): number {
    if (this.#lastArrival === undefined) return 0;
    const gap = now - this.#lastArrival;
    return gap > JITTER_ALLOWANCE_MS ? gap - PACKET_MS : 0;
  }

  #book(concealedMs: number, newEvent: boolean): void {
    if (concealedMs <= 0) return;
    const samples = Math.round((concealedMs * SAMPLES_PER_PACKET) / PACKET_MS);
    this.concealedSamples += samples;
    this.samplesReceived += samples; // concealed samples are played too, as in getStats
    if (newEvent) this.concealmentEvents++;
  }
}
