/**
 * A viewer page: joins the room, consumes every producer, plays audio and
 * video, timestamps every rendered frame (and, from the stamped source, reads
 * its stamp and hears its audio markers) and samples getStats(). Losing
 * signaling or the session is handled by PeerSession, like a production SDK.
 */
import { Device, type types } from 'mediasoup-client';
import { PeerSession, type JoinReply } from './session.js';
import type { AudioInboundStats, PageConfig, PageReport, VideoInboundStats } from './reports.js';
import { StampReader } from './StampReader.js';
import { RenderedFrames } from './renderedFrames.js';
import { AUDIO_INBOUND_FIELDS, pick, sum, VIDEO_INBOUND_FIELDS } from './statsFields.js';

export interface ViewerControls {
  /** Starts joining; the page is loaded first so browser start-up cost never overlaps measurement. */
  join(): void;
  /** Reports the frames and stats gathered since the last sample, now. */
  flush(): Promise<void>;
  leave(): void;
}

const now = (): number => performance.timeOrigin + performance.now();

export function startViewer(cfg: PageConfig, report: (r: PageReport) => void): ViewerControls {
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  document.body.append(video, audio);

  const stamps = cfg.readStamps ? new StampReader(cfg.clockOffsetMs) : undefined;
  const frames = new RenderedFrames((t) => report({ type: 'firstFrame', t }), stamps);
  frames.watch(video);

  let transport: types.Transport | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;

  // The first video is the one measured (the host); others are rendered but not timed.
  let mainVideoTrack: MediaStreamTrack | undefined;
  const extraElements: HTMLMediaElement[] = [];

  const sample = async (): Promise<void> => {
    const batch = frames.take();
    let videoStats: VideoInboundStats | undefined;
    let audioStats: AudioInboundStats | undefined;
    if (transport && !transport.closed) {
      const stats = await transport.getStats().catch(() => undefined);
      stats?.forEach((s: any) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video' && s.trackIdentifier === mainVideoTrack?.id) {
          videoStats = pick(s, VIDEO_INBOUND_FIELDS) as unknown as VideoInboundStats;
        }
        // Every speaker's audio counts: concealment anywhere is heard.
        if (s.kind === 'audio') audioStats = sum(audioStats, pick(s, AUDIO_INBOUND_FIELDS) as unknown as AudioInboundStats);
      });
    }
    report({ type: 'viewerSample', t: now(), frames: batch, video: videoStats, audio: audioStats, stamps: stamps?.take() });
  };
  const sampler = setInterval(() => void sample(), cfg.sampleIntervalMs);

  const fail = (error: unknown): void =>
    report({ type: 'error', t: now(), message: error instanceof Error ? error.message : String(error) });

  let recv: types.Transport | undefined;
  // Consumers are resumed once every consume has renegotiated.
  const consume = async (producerId: string): Promise<string> => {
    if (!recv) throw new Error('consume: no receive transport');
    const data = await session.request('consume', { transportId: recv.id, producerId, rtpCapabilities: device!.rtpCapabilities });
    const consumer = await recv.consume(data);
    let element: HTMLMediaElement;
    if (consumer.kind === 'video' && !mainVideoTrack) {
      mainVideoTrack = consumer.track;
      element = video;
    } else if (consumer.kind === 'audio' && !audio.srcObject) {
      element = audio;
      try {
        stamps?.listen(consumer.track);
      } catch (error) {
        fail(error);
      }
    } else {
      element = document.createElement(consumer.kind);
      element.autoplay = true;
      element.muted = consumer.kind === 'video';
      document.body.append(element);
      extraElements.push(element);
    }
    element.srcObject = new MediaStream([consumer.track]);
    return consumer.id;
  };
  const resume = (consumerId: string): Promise<unknown> => session.request('resume', { consumerId });
  let device: Device | undefined;

  // Producers announced while the receive transport is still being built wait here.
  let pending: string[] = [];
  const session = new PeerSession(cfg, report, {
    notifications: {
      newProducer: ({ producerId }) => {
        if (!recv) pending.push(producerId);
        else void consume(producerId).then(resume).catch(fail);
      },
    },
    async setup(joined: JoinReply) {
      device = new Device({ handlerName: 'Chrome111' });
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
      const info = await session.request('createTransport', { direction: 'recv' });
      recv = device.createRecvTransport(info);
      transport = recv;
      const mine = recv;
      mine.on('connect', ({ dtlsParameters }, ok, err) => {
        session.request('connectTransport', { transportId: mine.id, dtlsParameters }).then(ok, err);
      });
      mine.on('connectionstatechange', (state) => {
        if (mine !== recv) return;
        report({ type: 'connectionState', t: now(), state });
        clearTimeout(graceTimer);
        // 'disconnected' can heal by itself (ICE consent); give it a grace period first.
        if (state === 'disconnected') graceTimer = setTimeout(() => session.lost('media disconnected'), cfg.reconnect.disconnectGraceMs);
        if (state === 'failed' || state === 'closed') session.lost(`media ${state}`);
      });
      const producerIds = new Set([...joined.producers.map((p) => p.producerId), ...pending]);
      pending = [];
      const consumerIds: string[] = [];
      for (const producerId of producerIds) consumerIds.push(await consume(producerId));
      await Promise.all(consumerIds.map(resume));
      report({ type: 'joined', t: now(), peerId: joined.peerId });
    },
    teardown() {
      clearTimeout(graceTimer);
      recv?.close();
      recv = undefined;
      transport = undefined;
      mainVideoTrack = undefined;
      audio.srcObject = null;
      for (const element of extraElements.splice(0)) element.remove();
    },
  });

  return {
    join: () => session.start(),
    flush: sample,
    leave(): void {
      clearInterval(sampler);
      session.leave();
      stamps?.close();
    },
  };
}
