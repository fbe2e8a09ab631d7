/**
 * What a network does to packets in one direction: random loss, added delay
 * with jitter, a bandwidth cap (with a bounded queue, like a router's) and
 * a blackhole. Pure: given a packet and the time, it says when the packet
 * leaves, or that it is dropped. Order is kept, as on a single path.
 */
export interface ImpairmentSettings {
  /** Packet loss, percent. */
  lossPercent: number;
  delayMs: number;
  jitterMs: number;
  /** Bandwidth cap in bits/s; undefined = unlimited. */
  rateBps?: number;
  blackhole: boolean;
}

export const NO_IMPAIRMENT: ImpairmentSettings = { lossPercent: 0, delayMs: 0, jitterMs: 0, blackhole: false };

/** A packet queued behind the cap for longer than this is dropped (tail drop). */
const MAX_QUEUE_MS = 400;

export type DropReason = 'loss' | 'blackhole' | 'queue';

export class Impairment {
  /** When the (rate-capped) link is next free, epoch ms. */
  #linkFreeAt = 0;
  /** Departure time of the previous packet, so jitter never reorders. */
  #lastDeparture = 0;

  constructor(
    public settings: ImpairmentSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** Departure time (epoch ms) for a packet of `bytes` arriving at `now`, or why it is dropped. */
  schedule(bytes: number, now: number): number | DropReason {
    const s = this.settings;
    if (s.blackhole) return 'blackhole';
    if (s.lossPercent > 0 && this.random() * 100 < s.lossPercent) return 'loss';
    let departure = now;
    if (s.rateBps !== undefined) {
      const start = Math.max(now, this.#linkFreeAt);
      if (start - now > MAX_QUEUE_MS) return 'queue';
      this.#linkFreeAt = start + (bytes * 8 * 1000) / s.rateBps;
      departure = this.#linkFreeAt;
    }
    if (s.delayMs > 0 || s.jitterMs > 0) {
      const jitter = s.jitterMs > 0 ? (this.random() * 2 - 1) * s.jitterMs : 0;
      departure += Math.max(0, s.delayMs + jitter);
    }
    departure = Math.max(departure, this.#lastDeparture);
    this.#lastDeparture = departure;
    return departure;
  }
}
