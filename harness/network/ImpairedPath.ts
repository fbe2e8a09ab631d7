import { Impairment, NO_IMPAIRMENT, type DropReason, type ImpairmentSettings } from './Impairment.js';
import { MediaKinds, type MediaSelector } from './MediaKinds.js';

export interface RelayCounters {
  forwarded: number;
  dropped: Record<DropReason, number>;
  /**
   * Of those, the audio RTP packets (as the path's MediaKinds tells them):
   * forwarded, and dropped for any reason. Audio is not retransmitted, so a
   * receiver's audio loss can be set against these exactly. Absent in older journals.
   */
  audio?: { forwarded: number; dropped: number };
}

export const zeroCounters = (): RelayCounters => ({ forwarded: 0, dropped: { loss: 0, blackhole: 0, queue: 0 }, audio: { forwarded: 0, dropped: 0 } });

/** The share of the packets that came to a path it dropped (for `reason`, or for any); null when none came. */
export function droppedShare(c: RelayCounters, reason?: DropReason): number | null {
  const all = c.dropped.loss + c.dropped.blackhole + c.dropped.queue;
  const total = c.forwarded + all;
  return total > 0 ? (reason ? c.dropped[reason] : all) / total : null;
}

/** The share of the audio RTP packets that came to a path it dropped; null when none came (or an older journal). */
export function audioDroppedShare(c: RelayCounters): number | null {
  const total = c.audio ? c.audio.forwarded + c.audio.dropped : 0;
  return total > 0 ? c.audio!.dropped / total : null;
}

/** A peer's media path, both directions. */
export interface PathCounters {
  up: RelayCounters;
  down: RelayCounters;
}

/** Adds `add` into `total`, each count times `sign` (−1: what `total` counted since `add` was read). */
export function addPathCounters(total: PathCounters, add: PathCounters, sign = 1): PathCounters {
  for (const dir of ['up', 'down'] as const) {
    total[dir].forwarded += sign * add[dir].forwarded;
    for (const reason of ['loss', 'blackhole', 'queue'] as const) total[dir].dropped[reason] += sign * add[dir].dropped[reason];
    const audio = (total[dir].audio ??= { forwarded: 0, dropped: 0 });
    audio.forwarded += sign * (add[dir].audio?.forwarded ?? 0);
    audio.dropped += sign * (add[dir].audio?.dropped ?? 0);
  }
  return total;
}

/**
 * One peer's media path through the harness (UdpRelay, UdpNat): each
 * direction has its own Impairment, changeable at any time, and counts what it
 * forwarded and dropped (ground truth for loss; audio RTP apart); the harness's own time spent
 * on the packets is its cost. An impairment may apply to one media kind's
 * packets alone; the others then pass untouched.
 */
export abstract class ImpairedPath {
  readonly up = new Impairment(NO_IMPAIRMENT);
  readonly down = new Impairment(NO_IMPAIRMENT);
  readonly counters = { up: zeroCounters(), down: zeroCounters() };
  /** Which packets are audio and which video; learned by whoever knows the path's media (NetworkRelay). */
  readonly kinds = new MediaKinds();
  readonly #media: Record<'up' | 'down', MediaSelector> = { up: 'all', down: 'all' };
  /** Packets handled, and the harness's event-loop time spent handling them (ns). */
  readonly cost = { packets: 0, busyNs: 0n };
  protected closed = false;

  set(direction: 'up' | 'down', settings: ImpairmentSettings, media: MediaSelector = 'all'): void {
    this[direction].settings = settings;
    this.#media[direction] = media;
  }

  /** Impairs one packet going `direction`, then sends it on (at once, later, or never). */
  protected forward(direction: 'up' | 'down', packet: Buffer, send: (p: Buffer) => void): void {
    if (this.closed) return;
    const started = process.hrtime.bigint();
    const counters = this.counters[direction];
    const now = Date.now();
    const media = this.#media[direction];
    const { kind, rtp } = this.kinds.classify(packet);
    const departure = media === 'all' || kind === media ? this[direction].schedule(packet.length, now) : now;
    const audio = rtp && kind === 'audio' ? counters.audio! : undefined;
    if (typeof departure === 'string') {
      counters.dropped[departure]++;
      if (audio) audio.dropped++;
    } else {
      counters.forwarded++;
      if (audio) audio.forwarded++;
      if (departure <= now) send(packet);
      else setTimeout(() => !this.closed && send(packet), departure - now);
    }
    this.cost.packets++;
    this.cost.busyNs += process.hrtime.bigint() - started;
  }

  abstract close(): void;
}
