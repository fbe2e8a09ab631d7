/**
 * Every RTCPeerConnection an app page creates: steered through livedrill's
 * TURN server with relay forced (so network faults reach it), its remote
 * tracks and connection states followed, and its getStats() summed into
 * counters that only grow, whatever the app does with its connections
 * (SDKs replace them on reconnect: a closed one keeps its last figures).
 */
import type { AudioInboundStats, AudioOutboundStats, ProbeConfig, VideoInboundStats, VideoOutboundStats } from '../reports.js';
import { AUDIO_INBOUND_FIELDS, audioOutbound, pick, sum, VIDEO_INBOUND_FIELDS, videoOutbound } from '../statsFields.js';

/** A sender's outbound-rtp entry, named for as long as its connection lives. */
type Sent<T> = { key: string; stats: T };

interface Last {
  /** Inbound video of the watched tracks, inbound audio of all, the busiest outbound sender of each kind. */
  video?: VideoInboundStats;
  audio?: AudioInboundStats;
  outVideo?: Sent<VideoOutboundStats>;
  outAudio?: Sent<AudioOutboundStats>;
}

export interface Sample {
  video?: VideoInboundStats;
  audio?: AudioInboundStats;
  outVideo?: VideoOutboundStats;
  outAudio?: AudioOutboundStats;
}

export interface PeerEvents {
  remoteTrack(track: MediaStreamTrack): void;
  state(state: RTCPeerConnectionState): void;
  /** SSRCs or payload types of one kind seen for the first time (sent or received): the relay in front of TURN sorts packets by them. */
  rtpIds(kind: 'audio' | 'video', ids: RtpIds): void;
}

export interface RtpIds {
  ssrcs: number[];
  payloadTypes: number[];
}

export class PeerWatch {
  readonly #peers = new Map<RTCPeerConnection, Last>();
  /** Connections in the order they were made, to name their senders. */
  #made = 0;
  readonly #names = new WeakMap<RTCPeerConnection, number>();
  readonly #outVideo = new OneSender<VideoOutboundStats>(['framesEncoded', 'framesSent', 'bytesSent', 'pliCount', 'firCount', 'nackCount']);
  readonly #outAudio = new OneSender<AudioOutboundStats>(['bytesSent', 'packetsSent']);
  /** Video tracks that have been the watched one: only their inbound stats are the viewer's video. */
  readonly watchedVideo = new Set<string>();
  readonly remoteTracks = new Set<string>();
  /** Every SSRC and payload type told so far (`ssrcs:N`, `payloadTypes:N`). */
  readonly #rtpIds = new Set<string>();

  constructor(
    private readonly turn: ProbeConfig['turn'],
    private readonly events: PeerEvents,
  ) {}

  /** Replaces the page's RTCPeerConnection before any of its scripts runs. */
  install(): void {
    const watch = this;
    const Native = window.RTCPeerConnection;
    const forced = (config: RTCConfiguration = {}): RTCConfiguration =>
      watch.turn ? { ...config, iceServers: [watch.turn], iceTransportPolicy: 'relay' } : config;
    class ProbedPeerConnection extends Native {
      constructor(config?: RTCConfiguration) {
        super(forced(config));
        watch.#add(this);
      }

      override setConfiguration(config?: RTCConfiguration): void {
        super.setConfiguration(forced(config));
      }
    }
    for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
      Object.defineProperty(window, name, { value: ProbedPeerConnection, writable: true, configurable: true });
    }
  }

  #add(pc: RTCPeerConnection): void {
    this.#peers.set(pc, {});
    this.#names.set(pc, ++this.#made);
    pc.addEventListener('track', (event) => {
      this.remoteTracks.add(event.track.id);
      this.events.remoteTrack(event.track);
    });
    pc.addEventListener('connectionstatechange', () => this.events.state(pc.connectionState));
  }

  get connections(): RTCPeerConnection[] {
    return [...this.#peers.keys()];
  }

  /** Samples every open connection; the totals over all connections ever made, and the live ones' gauges. */
  async sample(): Promise<Sample> {
    await Promise.all(
      [...this.#peers].map(async ([pc, last]) => {
        if (pc.connectionState === 'closed' || pc.signalingState === 'closed') return;
        const report = await pc.getStats().catch(() => undefined);
        if (report) this.#peers.set(pc, this.#read(report, this.#names.get(pc)!));
      }),
    );
    const all = [...this.#peers.values()];
    const live = [...this.#peers].filter(([pc]) => pc.connectionState !== 'closed').map(([, last]) => last);
    const video = all.reduce<VideoInboundStats | undefined>((a, l) => (l.video ? sum(a, l.video) : a), undefined);
    const gauges = live.find((l) => l.video)?.video;
    if (video && gauges) Object.assign(video, { framesPerSecond: gauges.framesPerSecond, jitter: gauges.jitter });
    return {
      video,
      audio: all.reduce<AudioInboundStats | undefined>((a, l) => (l.audio ? sum(a, l.audio) : a), undefined),
      outVideo: this.#outVideo.next(live.map((l) => l.outVideo), (v) => v.framesEncoded),
      outAudio: this.#outAudio.next(live.map((l) => l.outAudio), (a) => a.packetsSent),
    };
  }

  #read(report: RTCStatsReport, pc: number): Last {
    const last: Last = {};
    const fresh: Record<'audio' | 'video', RtpIds> = { audio: { ssrcs: [], payloadTypes: [] }, video: { ssrcs: [], payloadTypes: [] } };
    report.forEach((s: Record<string, unknown>) => {
      this.#learnRtpIds(report, s, fresh);
      if (s.type === 'inbound-rtp' && s.kind === 'video' && this.watchedVideo.has(String(s.trackIdentifier))) {
        last.video = sum(last.video, pick(s, VIDEO_INBOUND_FIELDS) as unknown as VideoInboundStats);
      }
      // Every speaker's audio counts: concealment anywhere is heard.
      if (s.type === 'inbound-rtp' && s.kind === 'audio') last.audio = sum(last.audio, pick(s, AUDIO_INBOUND_FIELDS) as unknown as AudioInboundStats);
      const key = `${pc}/${String(s.id)}`;
      if (s.type === 'outbound-rtp' && s.kind === 'video') last.outVideo = busiest([last.outVideo, { key, stats: videoOutbound(s) }], (v) => v.stats.framesEncoded);
      if (s.type === 'outbound-rtp' && s.kind === 'audio') last.outAudio = busiest([last.outAudio, { key, stats: audioOutbound(s) }], (a) => a.stats.packetsSent);
    });
    for (const kind of ['audio', 'video'] as const) {
      if (fresh[kind].ssrcs.length + fresh[kind].payloadTypes.length > 0) this.events.rtpIds(kind, fresh[kind]);
    }
    return last;
  }

  /** The SSRCs (media, retransmission, FEC) and payload types of an RTP stream's entry `s` not told before, into `fresh`. */
  #learnRtpIds(report: RTCStatsReport, s: Record<string, unknown>, fresh: Record<'audio' | 'video', RtpIds>): void {
    if ((s.type !== 'inbound-rtp' && s.type !== 'outbound-rtp') || (s.kind !== 'audio' && s.kind !== 'video')) return;
    const kind = s.kind;
    const add = (into: keyof RtpIds, value: unknown): void => {
      if (typeof value !== 'number' || this.#rtpIds.has(`${into}:${value}`)) return;
      this.#rtpIds.add(`${into}:${value}`);
      fresh[kind][into].push(value);
    };
    for (const ssrc of [s.ssrc, s.rtxSsrc, s.fecSsrc]) add('ssrcs', ssrc);
    add('payloadTypes', (report.get(String(s.codecId)) as { payloadType?: number } | undefined)?.payloadType);
  }
}

/**
 * One encoder stands for the publisher (a peer-to-peer app has one per
 * viewer, an SFU app one): the same sender for as long as it lives, its
 * counters continued from the last one's when another takes over, so they
 * only grow and a change of sender is no burst of bitrate.
 */
class OneSender<T extends object> {
  #key: string | undefined;
  #last: T | undefined;
  #totals: Partial<Record<keyof T, number>> = {};

  constructor(private readonly cumulative: ReadonlyArray<keyof T>) {}

  next(senders: Array<Sent<T> | undefined>, size: (stats: T) => number): T | undefined {
    const live = senders.filter((s): s is Sent<T> => s !== undefined);
    const chosen = live.find((s) => s.key === this.#key) ?? busiest(live, (s) => size(s.stats));
    if (!chosen) return undefined;
    const same = chosen.key === this.#key && this.#last !== undefined;
    for (const field of this.cumulative) {
      const grew = same ? Math.max(0, (chosen.stats[field] as number) - (this.#last![field] as number)) : 0;
      this.#totals[field] = (this.#totals[field] ?? (chosen.stats[field] as number)) + grew;
    }
    this.#key = chosen.key;
    this.#last = chosen.stats;
    return { ...chosen.stats, ...this.#totals };
  }
}

function busiest<T>(items: Array<T | undefined>, size: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, item) => (item && (!best || size(item) > size(best)) ? item : best), undefined);
}
