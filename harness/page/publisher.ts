/**
 * The publisher page: Chromium's fake camera and microphone, published
 * through mediasoup-client, with outbound stats sampled for the harness.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { SignalingClient } from './signalingClient.js';
import type { AudioOutboundStats, PageConfig, PageReport, VideoOutboundStats } from './reports.js';
import { pick } from './viewer.js';

export interface PublisherControls {
  /** Caps the video encoder's bitrate (bits/s); null lifts the cap back to the configured one. */
  setMaxBitrate(bps: number | null): Promise<void>;
  leave(): void;
}

const now = (): number => performance.timeOrigin + performance.now();

export async function startPublisher(cfg: PageConfig, report: (r: PageReport) => void): Promise<PublisherControls> {
  const media = cfg.media ?? { video: null, audio: true };
  report({ type: 'joining', t: now() });
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: media.audio,
    video: media.video ? { width: media.video.width, height: media.video.height, frameRate: media.video.fps } : false,
  });
  const signaling = await SignalingClient.connect(cfg.signalingUrl);
  const joined = await signaling.request('join', { room: cfg.room, role: 'publisher', peerId: cfg.peerId });
  const device = new Device({ handlerName: 'Chrome111' });
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const info = await signaling.request('createTransport', { direction: 'send' });
  const send = device.createSendTransport(info);
  send.on('connect', ({ dtlsParameters }, ok, fail) => {
    signaling.request('connectTransport', { transportId: send.id, dtlsParameters }).then(ok, fail);
  });
  send.on('produce', ({ kind, rtpParameters }, ok, fail) => {
    signaling.request('produce', { transportId: send.id, kind, rtpParameters }).then(ok, fail);
  });
  send.on('connectionstatechange', (state) => report({ type: 'connectionState', t: now(), state }));

  let videoProducer: types.Producer | undefined;
  const video = stream.getVideoTracks()[0];
  if (media.video && video) {
    const mimeType = `video/${media.video.codec}`.toLowerCase();
    const codec = device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mimeType);
    if (!codec) throw new Error(`publisher: video.codec: ${media.video.codec} is not supported by this browser and SFU`);
    videoProducer = await send.produce({ track: video, codec, encodings: [{ maxBitrate: media.video.maxBitrate }] });
  }
  const audio = stream.getAudioTracks()[0];
  if (media.audio && audio) await send.produce({ track: audio });
  report({ type: 'published', t: now(), kinds: stream.getTracks().map((t) => t.kind) });

  const sampler = setInterval(async () => {
    const stats = await send.getStats().catch(() => undefined);
    let videoStats: VideoOutboundStats | undefined;
    let audioStats: AudioOutboundStats | undefined;
    stats?.forEach((s: any) => {
      if (s.type !== 'outbound-rtp') return;
      if (s.kind === 'video') {
        videoStats = {
          ...(pick(s, VIDEO_FIELDS) as unknown as Omit<VideoOutboundStats, 'qualityLimitationReason'>),
          qualityLimitationReason: String(s.qualityLimitationReason ?? 'none'),
        };
      }
      if (s.kind === 'audio') audioStats = pick(s, ['bytesSent', 'packetsSent']) as unknown as AudioOutboundStats;
    });
    report({ type: 'publisherSample', t: now(), video: videoStats, audio: audioStats });
  }, cfg.sampleIntervalMs);

  return {
    async setMaxBitrate(bps) {
      if (!videoProducer || !media.video) return;
      const sender = videoProducer.rtpSender;
      if (!sender) return;
      const params = sender.getParameters();
      for (const encoding of params.encodings) encoding.maxBitrate = bps ?? media.video.maxBitrate;
      await sender.setParameters(params);
    },
    leave() {
      clearInterval(sampler);
      send.close();
      signaling.close();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

const VIDEO_FIELDS = ['framesEncoded', 'framesSent', 'framesPerSecond', 'bytesSent', 'pliCount', 'firCount', 'nackCount'];
