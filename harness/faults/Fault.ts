import type { FaultOperations } from '../../server/http/FaultOperations.js';
import type { NetworkRelay } from '../network/NetworkRelay.js';

/** What a fault may act on: the SFU's fault operations, the publisher's encoder, the media path relay. */
export interface FaultContext {
  sfu: FaultOperations;
  room: string;
  /** Viewer ids in join order. */
  viewerIds(): string[];
  publisher: { setMaxBitrate(bps: number | null): Promise<void> };
  publisherId: string;
  /** Present when the scenario has network faults (the relay is on every media path). */
  network?: NetworkRelay;
}

/** An injected fault: who it hit, and how to undo it. Revert must be safe to call once, always. */
export interface InjectedFault {
  targets: string[];
  revert(): Promise<void>;
}
