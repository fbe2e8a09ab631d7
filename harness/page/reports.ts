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

/**
 * What the stamped source told a browser viewer since its last sample: the
 * frame stamps read at each rendered frame, and the audio markers heard.
 * Latencies are in ms to 0.1 ms, in the order they were measured.
 */
export interface StampBatch {
  /** Glass-to-glass latency of each newly shown frame whose stamp was read: capture → presentation. */
  videoLatencyMs: number[];
  /**
   * For the same frames, capture → the frame's arrival at the viewer (its
   * receiveTime: the transport without the receiver's buffering); empty
   * where the browser gives no receiveTime.
   */
  receiveLatencyMs: number[];
  /** Rendered frames whose stamp was read, and whose stamp failed its CRC. */
  read: number;
  unreadable: number;
  /**
   * Rendered frames read too late: the picture had changed to a newer frame
   * before the page read it (a busy page), so the stamp was another frame's
   * and is not used. Absent in older journals, which counted these unreadable.
   */
  stale?: number;
  /** Source frames never shown: frame numbers passed over between two read frames, beyond the frames presented between them. */
  neverShown: number;
  /**
   * The same, gap by gap: [capture time of the frame shown after the gap
   * (epoch ms), frames never shown in it], so a gap is given to the fault it
   * falls in, not to the sample period that reported it. Absent in older journals.
   */
  neverShownGaps?: Array<[capturedAfter: EpochMs, frames: number]>;
  /** Presentations that showed no newer frame than the one before. */
  repeated: number;
  /** Read frames older than one already shown. */
  outOfOrder: number;
  /** Per audio marker heard: emission → heard. */
  audioLatencyMs: number[];
  /** Per audio marker heard while the picture moved: audio latency − the picture's latency then (positive: sound behind picture). */
  avOffsetMs: number[];
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
      /** Browser viewers of the stamped source (absent when nothing was read). */
      stamps?: StampBatch;
      /**
       * Synthetic viewers of livedrill's own SFU: network-path
       * latency (SFU → viewer, from the SFU's RTCP sender reports; not glass
       * to glass) of each newer video frame's first packet since the last
       * sample, as [whole ms, frames] pairs (absent when none was timed).
       */
      pathLatencyMs?: Array<[ms: number, frames: number]>;
    }
  /**
   * An app page (harness/page/probe): SSRCs and payload types of one media
   * kind its connections send or receive, each told once, for the relay in
   * front of its TURN server (a network fault on one kind); not journaled.
   */
  | { type: 'rtpKinds'; t: EpochMs; kind: 'audio' | 'video'; ssrcs: number[]; payloadTypes: number[] }
  /** An app page (harness/page/probe): the app's SDK version, as the scenario's `app.sdkVersion` expression gave it. */
  | { type: 'sdkVersion'; t: EpochMs; version: string }
  /** An app page the probe saw nothing of in time: the page's console errors. */
  | { type: 'notJoined'; t: EpochMs; waitedMs: number; consoleErrors: string[] }
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
  /** Viewer only: read the stamped source's frame stamps and audio markers. */
  readStamps?: boolean;
  /** Viewer of a shard: the SFU host's clock minus this machine's (ms), added to the times stamps and markers are set against. */
  clockOffsetMs?: number;
  /** Publisher only. */
  media?: {
    video: { codec: 'VP8' | 'H264'; width: number; height: number; fps: number; maxBitrate: number } | null;
    audio: boolean;
    /** stamped: livedrill's own source (stamp.ts, audioMarkers.ts); fake: Chromium's fake camera and microphone. */
    source: 'stamped' | 'fake';
  };
}

/**
 * What the probe in an app page is told (harness/page/probe), set before the
 * page's own scripts run.
 */
export interface ProbeConfig {
  role: 'publisher' | 'viewer';
  peerId: string;
  sampleIntervalMs: number;
  /** Every peer connection is steered through this TURN server with relay forced; absent: the app's own ICE path. */
  turn?: { urls: string; username: string; credential: string };
  /** Viewer: read the stamped source's frame stamps and audio markers. */
  readStamps: boolean;
  /** Publisher: getUserMedia gives livedrill's stamped source with these settings (absent: the app's own devices). */
  stampedSource?: { video: { width: number; height: number; fps: number } | null; audio: boolean };
  /** The audio worklet module's code (app pages are not served by livedrill: it loads from a blob). */
  workletCode: string;
  /** A JavaScript expression the page evaluates to its SDK's version (e.g. `AgoraRTC.VERSION`). */
  sdkVersion?: string;
}
