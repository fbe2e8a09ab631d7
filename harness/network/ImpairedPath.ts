import { Impairment, NO_IMPAIRMENT, type DropReason, type ImpairmentSettings } from './Impairment.js';

export interface RelayCounters {
  forwarded: number;
  dropped: Record<DropReason, number>;
}

export const zeroCounters = (): RelayCounters => ({ forwarded: 0, dropped: { loss: 0, blackhole: 0, queue: 0 } });

/**
 * One peer's media path through the harness (UdpRelay, UdpNat): each
 * direction has its own Impairment, changeable at any time, and counts what it
 * forwarded and dropped (ground truth for loss); the harness's own time spent
 * on the packets is its cost.
 */
export abstract class ImpairedPath {
  readonly up = new Impairment(NO_IMPAIRMENT);
  readonly down = new Impairment(NO_IMPAIRMENT);
  readonly counters = { up: zeroCounters(), down: zeroCounters() };
  /** Packets handled, and the harness's event-loop time spent handling them (ns). */
  readonly cost = { packets: 0, busyNs: 0n };
  protected closed = false;

  set(direction: 'up' | 'down', settings: ImpairmentSettings): void {
    this[direction].settings = settings;
  }

  /** Impairs one packet going `direction`, then sends it on (at once, later, or never). */
  protected forward(direction: 'up' | 'down', packet: Buffer, send: (p: Buffer) => void): void {
    if (this.closed) return;
    const started = process.hrtime.bigint();
    const counters = this.counters[direction];
    const now = Date.now();
    const departure = this[direction].schedule(packet.length, now);
    if (typeof departure === 'string') counters.dropped[departure]++;
    else {
      counters.forwarded++;
      if (departure <= now) send(packet);
      else setTimeout(() => !this.closed && send(packet), departure - now);
    }
    this.cost.packets++;
    this.cost.busyNs += process.hrtime.bigint() - started;
  }

  abstract close(): void;
}
