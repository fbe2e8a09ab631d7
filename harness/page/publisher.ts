/**
 * The publisher page: livedrill's stamped source (stampedSource.ts) or
 * Chromium's fake camera and microphone, published
 * through mediasoup-client, with outbound stats sampled for the harness.
 * After a lost session (e.g. its SFU worker died) it joins again and
 * republishes the same tracks.
 */
import { Device, type types } from 'mediasoup-client';
import { PeerSession, type JoinReply } from './session.js';
import type { AudioOutboundStats, PageConfig, PageReport, VideoOutboundStats } from './reports.js';
import { audioOutbound, videoOutbound } from './statsFields.js';
import { stampedSource, type PublisherSource } from './stampedSource.js';

export interface PublisherControls {
  /** Caps the video encoder's bitrate (bits/s); null lifts the cap back to the configured one. */
  setMaxBitrate(bps: number | null): Promise<void>;
  leave(): void;
}

const now = (): number => performance.timeOrigin + performance.now();

export async function startPublisher(cfg: PageConfig, report: (r: PageReport) => void): Promise<PublisherControls> {
  const media = cfg.media ?? { video: null, audio: true, source: 'fake' };
  const source = media.source === 'stamped' ? await stampedSource(media) : await fakeDevices(media);
  const { stream } = source;
  let send: types.Transport | undefined;
  let videoProducer: types.Producer | undefined;
  let bitrateCap: number | null = null;

  const session = new PeerSession(cfg, report, {
    notifications: {},
    async setup(joined: JoinReply) {
      const device = new Device({ handlerName: 'Chrome111' });
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
      const info = await session.request('createTransport', { direction: 'send' });
      const transport = device.createSendTransport(info);
      send = transport;
      transport.on('connect', ({ dtlsParameters }, ok, fail) => {
        session.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(ok, fail);
      });
      transport.on('produce', ({ kind, rtpParameters }, ok, fail) => {
        session.request('produce', { transportId: transport.id, kind, rtpParameters }).then(ok, fail);
      });
      transport.on('connectionstatechange', (state) => {
        if (transport !== send) return;
        report({ type: 'connectionState', t: now(), state });
        if (state === 'failed' || state === 'closed') session.lost(`media ${state}`);
      });
      const video = stream.getVideoTracks()[0];
      if (media.video && video) {
        const mimeType = `video/${media.video.codec}`.toLowerCase();
        const codec = device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mimeType);
        if (!codec) throw new Error(`publisher: video.codec: ${media.video.codec} is not supported by this browser and SFU`);
        const maxBitrate = bitrateCap ?? media.video.maxBitrate;
        // stopTracks: false keeps the camera alive across a republish.
        videoProducer = await transport.produce({ track: video, codec, encodings: [{ maxBitrate }], stopTracks: false });
      }
      const audio = stream.getAudioTracks()[0];
      if (media.audio && audio) await transport.produce({ track: audio, stopTracks: false });
      report({ type: 'published', t: now(), kinds: stream.getTracks().map((t) => t.kind) });
    },
    teardown() {
      send?.close();
      send = undefined;
      videoProducer = undefined;
    },
  });
  session.start();

  const sampler = setInterval(async () => {
    const stats = await send?.getStats().catch(() => undefined);
    let videoStats: VideoOutboundStats | undefined;
    let audioStats: AudioOutboundStats | undefined;
    stats?.forEach((s: any) => {
      if (s.type !== 'outbound-rtp') return;
      if (s.kind === 'video') videoStats = videoOutbound(s);
      if (s.kind === 'audio') audioStats = audioOutbound(s);
    });
    report({ type: 'publisherSample', t: now(), video: videoStats, audio: audioStats });
  }, cfg.sampleIntervalMs);

  return {
    async setMaxBitrate(bps) {
      bitrateCap = bps;
      const sender = videoProducer?.rtpSender;
      if (!sender || !media.video) return;
      const params = sender.getParameters();
      for (const encoding of params.encodings) encoding.maxBitrate = bps ?? media.video.maxBitrate;
      await sender.setParameters(params);
    },
    leave() {
      clearInterval(sampler);
      session.leave();
      source.stop();
    },
  };
}

/** Chromium's fake camera and microphone (--use-fake-device-for-media-stream). */
async function fakeDevices(media: NonNullable<PageConfig['media']>): Promise<PublisherSource> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: media.audio,
    video: media.video ? { width: media.video.width, height: media.video.height, frameRate: media.video.fps } : false,
  });
  return { stream, stop: () => stream.getTracks().forEach((track) => track.stop()) };
}
