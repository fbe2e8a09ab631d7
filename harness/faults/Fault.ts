import type { FaultOperations } from '../../server/http/FaultOperations.js';
import type { PathCounters } from '../network/ImpairedPath.js';
import type { PathImpairment } from '../network/NetworkRelay.js';

/** The media paths a network fault impairs, by peer id (livedrill's relay, or app pages' relays to TURN). */
export interface MediaPaths {
  impair(peerIds: string[], impairment: PathImpairment): void;
  clear(peerIds: string[]): void;
  /** Packets forwarded and dropped on a peer's path so far (never decreasing). */
  counters(peerId: string): PathCounters;
}

/** App pages' signaling paths (each page's own proxy), by page id. */
export interface SignalingPaths {
  setOutage(pageIds: string[], on: boolean): void;
  setDelay(pageIds: string[], ms: number): void;
}

/**
 * What a fault may act on: livedrill's SFU (its fault operations) or, for an
 * app's pages, their signaling paths; the publisher's encoder and source; the
 * media paths.
 */
export interface FaultContext {
  sfu?: FaultOperations;
  /** Present when the pages are an app's (scenario `app:`). */
  appSignaling?: SignalingPaths;
  room: string;
  /** Viewer ids in join order. */
  viewerIds(): string[];
  publisher: { setMaxBitrate(bps: number | null): Promise<void>; pauseSource(kind: 'audio' | 'video', paused: boolean): Promise<void> };
  publisherId: string;
  /** Present when the scenario has network faults (the relay is on their paths), and always for app pages. */
  network?: MediaPaths;
}

/** What a fault did, as the harness counted it while the fault lasted. */
export interface FaultOutcome {
  /** A network fault: per target, the packets its path forwarded and dropped from inject to revert (ground truth for loss). */
  relayed?: Record<string, PathCounters>;
}

/** An injected fault: who it hit, and how to undo it. Revert must be safe to call once, always. */
export interface InjectedFault {
  targets: string[];
  revert(): Promise<FaultOutcome | void>;
}
