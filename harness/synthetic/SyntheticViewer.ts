import WebSocket from 'ws';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { PeerSession, type JoinReply } from '../page/session.js';
import type { PageConfig, PageReport } from '../page/reports.js';
import { ViewerQoe } from '../probes/ViewerQoe.js';
import { applyReport } from '../probes/applyReport.js';
import type { Viewer, ViewerEvents, ViewerMeasurement } from '../probes/Viewer.js';
import type { RtpReceiver } from './RtpReceiver.js';
import { PathLatency } from './PathLatency.js';
import { AudioStream, VideoStream } from './streams.js';

/** What a synthetic viewer can receive: Opus and VP8, as the SFU's router offers them. */
const RTP_CAPABILITIES = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, rtcpFeedback: [] },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101, rtcpFeedback: [] },
  ],
  headerExtensions: [],
};

export interface SyntheticViewerSettings extends ViewerMeasurement {
  session: Omit<PageConfig, 'role' | 'peerId' | 'media'>;
  /**
   * Epoch ms here minus the SFU host's monotonic ms, which its RTCP sender
   * reports carry: the network path is timed only when it is known (the SFU
   * runs here, or a shard measured its clock against the SFU host's).
   */
  sfuMonotonicToEpochMs?: () => number;
}

/**
 * A viewer without a browser that loads the SFU exactly like a real
 * subscriber: it joins over signaling, gets a plain RTP transport and
 * consumes the real streams into a shared UDP socket. Frames, freezes and
 * audio gaps come from the packets, under the same definitions as browser
 * viewers (ViewerQoe), and it reconnects with the same session code.
 */
export class SyntheticViewer implements Viewer {
  readonly kind = 'synthetic' as const;
  readonly observer = new TypedEmitter<ViewerEvents>();
  readonly qoe: ViewerQoe;
  readonly #session: PeerSession;
  #ssrcs: number[] = [];
  #video: VideoStream | undefined;
  #audio: AudioStream | undefined;
  #sampler: NodeJS.Timeout | undefined;
  #transportId: string | undefined;
  #framesAtLastSample = 0;
  #closed = false;

  constructor(
    readonly id: string,
    private readonly settings: SyntheticViewerSettings,
    private readonly receiver: RtpReceiver,
  ) {
    this.qoe = new ViewerQoe(settings.fixedFreezeThresholdsMs, settings.audioOnly);
    const cfg: PageConfig = { ...settings.session, role: 'viewer', peerId: id };
    this.#session = new PeerSession(cfg, (r) => this.#report(r), {
      notifications: { newProducer: ({ producerId }) => void this.#consume(producerId).catch((e) => this.#fail(e)) },
      setup: (joined) => this.#setup(joined),
      teardown: () => this.#teardown(),
    }, WebSocket as unknown as typeof globalThis.WebSocket);
  }

  async #setup(joined: JoinReply): Promise<void> {
    const transport = await this.#session.request<{ id: string }>('createTransport', { direction: 'recv', type: 'plain' });
    this.#transportId = transport.id;
    await this.#session.request('connectTransport', { transportId: transport.id, ...this.receiver.address });
    for (const { producerId } of joined.producers) await this.#consume(producerId);
    this.#report({ type: 'joined', t: Date.now(), peerId: joined.peerId });
  }

  async #consume(producerId: string): Promise<void> {
    if (!this.#transportId) return;
    const consumer = await this.#session.request<{ id: string; kind: 'audio' | 'video'; rtpParameters: any }>('consume', {
      transportId: this.#transportId,
      producerId,
      rtpCapabilities: RTP_CAPABILITIES,
    });
    const ssrc: number = consumer.rtpParameters.encodings[0].ssrc;
    if (consumer.kind === 'video' && !this.#video) {
      this.#video = new VideoStream(
        (t) => {
          if (this.qoe.totals.framesRendered === 0) this.#report({ type: 'firstFrame', t });
          this.qoe.onFrame(t);
        },
        this.settings.sfuMonotonicToEpochMs && new PathLatency(this.settings.sfuMonotonicToEpochMs),
      );
      this.receiver.register(ssrc, this.#video);
      this.#ssrcs.push(ssrc);
    } else if (consumer.kind === 'audio' && !this.#audio) {
      this.#audio = new AudioStream();
      this.receiver.register(ssrc, this.#audio);
      this.#ssrcs.push(ssrc);
    }
    await this.#session.request('resume', { consumerId: consumer.id });
  }

  #teardown(): void {
    for (const ssrc of this.#ssrcs) this.receiver.unregister(ssrc);
    this.#ssrcs = [];
    this.#transportId = undefined;
    this.#video = undefined;
    this.#audio = undefined;
  }

  #report(report: PageReport): void {
    if (this.#closed) return;
    applyReport(this.qoe, report);
    this.observer.emit('report', this.id, report);
  }

  #fail(error: unknown): void {
    this.#report({ type: 'error', t: Date.now(), message: error instanceof Error ? error.message : String(error) });
  }

  /**
   * Cumulative stats in getStats() shape, reported like a page's, so both kinds
   * are measured alike. What had arrived is measured first: a stall still open
   * is then one of arrivals, not of the harness reading late.
   */
  #sample(end?: number): void {
    this.receiver.drain();
    const now = end ?? Date.now();
    const v = this.#video;
    const a = this.#audio;
    a?.settle(now);
    const frames = this.qoe.totals.framesRendered;
    const frameCount = frames - this.#framesAtLastSample;
    this.#framesAtLastSample = frames;
    this.#report({
      type: 'viewerSample',
      t: now,
      frames: [], // frames went to the QoE as they completed
      frameCount,
      video: v && {
        framesDecoded: v.frames,
        framesDropped: 0,
        framesPerSecond: 0,
        freezeCount: 0,
        totalFreezesDuration: 0,
        pauseCount: 0,
        totalPausesDuration: 0,
        jitter: 0,
        packetsLost: v.seq.lost,
        packetsReceived: v.seq.received,
        nackCount: 0,
        pliCount: 0,
        firCount: 0,
        bytesReceived: v.seq.bytes,
      },
      audio: a && {
        totalSamplesReceived: a.samplesReceived,
        concealedSamples: a.concealedSamples,
        concealmentEvents: a.concealmentEvents,
        audioLevel: 0,
        packetsLost: a.seq.lost,
        packetsReceived: a.seq.received,
        jitter: 0,
        bytesReceived: a.seq.bytes,
      },
      pathLatencyMs: v?.path?.take(),
    });
  }

  async join(): Promise<void> {
    this.#session.start();
    this.#sampler = setInterval(() => this.#sample(), this.settings.session.sampleIntervalMs);
  }

  async close(end = Date.now()): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#sampler);
    this.#sample(end);
    this.#closed = true;
    this.#session.leave();
    this.qoe.finish(end);
    this.observer.emit('close');
  }
}
