import type { SfuServer } from '../../server/http/SfuServer.js';
import type { BrowserPublisher } from '../browser/BrowserPublisher.js';
import type { NetworkRelay } from '../network/NetworkRelay.js';

/** What a fault may act on. */
export interface FaultContext {
  server: SfuServer;
  room: string;
  /** Viewer ids in join order. */
  viewerIds(): string[];
  publisher: BrowserPublisher;
  publisherId: string;
  /** Present when the scenario has network faults (the relay is on every media path). */
  network?: NetworkRelay;
}

/** An injected fault: who it hit, and how to undo it. Revert must be safe to call once, always. */
export interface InjectedFault {
  targets: string[];
  revert(): Promise<void>;
}
