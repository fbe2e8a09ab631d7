/**
 * What a page tells the harness (through the exposed `livedrillReport`
 * function). Shared by the page bundle and the Node side, types only.
 */
export interface VideoInboundStats {
  framesDecoded: number;
  framesDropped: number;
  framesPerSecond: number;
  freezeCount: number;
  totalFreezesDuration: number;
  /** libwebrtc's pauses: frame gaps with no packet for 5 s (see probes/freeze.ts). */
  pauseCount: number;
  totalPausesDuration: number;
  jitter: number;
  packetsLost: number;
  packetsReceived: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  bytesReceived: number;
}

export interface AudioInboundStats {
  totalSamplesReceived: number;
  concealedSamples: number;
  concealmentEvents: number;
  audioLevel: number;
  packetsLost: number;
  packetsReceived: number;
  jitter: number;
  bytesReceived: number;
}

export interface VideoOutboundStats {
  framesEncoded: number;
  framesSent: number;
  framesPerSecond: number;
  bytesSent: number;
  pliCount: number;
  firCount: number;
  nackCount: number;
  qualityLimitationReason: string;
}

export interface AudioOutboundStats {
  bytesSent: number;
  packetsSent: number;
}

/** Epoch milliseconds, from performance.timeOrigin + performance.now() in the page. */
export type EpochMs = number;

export type PageReport =
  | { type: 'joining'; t: EpochMs }
  | { type: 'joined'; t: EpochMs; peerId: string }
  | { type: 'firstFrame'; t: EpochMs }
  | { type: 'connectionState'; t: EpochMs; state: string }
  | { type: 'roomClosed'; t: EpochMs }
  | { type: 'broadcastEnded'; t: EpochMs }
  | { type: 'signalingClosed'; t: EpochMs }
  | { type: 'signalingResumed'; t: EpochMs; since: EpochMs }
  /** Media had to be rebuilt from a fresh join; `since` is when the loss was first seen. */
  | { type: 'sessionLost'; t: EpochMs; since: EpochMs; reason: string }
  | { type: 'reconnectAttempt'; t: EpochMs; attempt: number; mode: 'join' | 'resume'; outcome: 'success' | 'failure'; error?: string }
  | { type: 'gaveUp'; t: EpochMs; since?: EpochMs }
  | { type: 'error'; t: EpochMs; message: string }
  | {
      type: 'viewerSample';
      t: EpochMs;
      /** Rendered frame times since the last sample (browser viewers). */
      frames: EpochMs[];
      /** Frames since the last sample, when their times were measured elsewhere (synthetic viewers). */
      frameCount?: number;
      video?: VideoInboundStats;
      audio?: AudioInboundStats;
    }
  | { type: 'published'; t: EpochMs; kinds: string[] }
  | { type: 'publisherSample'; t: EpochMs; video?: VideoOutboundStats; audio?: AudioOutboundStats };

/** Page settings, passed in the page URL's query string as JSON (`?cfg=`). */
export interface PageConfig {
  role: 'publisher' | 'viewer';
  signalingUrl: string;
  room: string;
  peerId: string;
  sampleIntervalMs: number;
  /** How a viewer comes back after losing its media connection or its room. */
  reconnect: {
    initialDelayMs: number;
    maxDelayMs: number;
    factor: number;
    maxAttempts: number;
    disconnectGraceMs: number;
  };
  /** Publisher only. */
  media?: {
    video: { codec: 'VP8' | 'H264'; width: number; height: number; fps: number; maxBitrate: number } | null;
    audio: boolean;
  };
}
