/**
 * A viewer page: joins the room, consumes every producer, plays audio and
 * video, timestamps every rendered frame and samples getStats(). When its
 * media transport fails or its room closes it rejoins with exponential
 * backoff, as a production SDK would.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { SignalingClient } from './signalingClient.js';
import type { AudioInboundStats, PageConfig, PageReport, VideoInboundStats } from './reports.js';

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

  let frames: number[] = [];
  let sawFirstFrame = false;
  const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
    const t = performance.timeOrigin + meta.presentationTime;
    frames.push(t);
    if (!sawFirstFrame) {
      sawFirstFrame = true;
      report({ type: 'firstFrame', t });
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);

  let transport: types.Transport | undefined;
  let signaling: SignalingClient | undefined;
  let left = false;

  const sample = async (): Promise<void> => {
    const batch = frames;
    frames = [];
    let videoStats: VideoInboundStats | undefined;
    let audioStats: AudioInboundStats | undefined;
    if (transport && !transport.closed) {
      const stats = await transport.getStats().catch(() => undefined);
      stats?.forEach((s: any) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') videoStats = pick(s, VIDEO_FIELDS) as unknown as VideoInboundStats;
        if (s.kind === 'audio') audioStats = pick(s, AUDIO_FIELDS) as unknown as AudioInboundStats;
      });
    }
    report({ type: 'viewerSample', t: now(), frames: batch, video: videoStats, audio: audioStats });
  };
  const sampler = setInterval(() => void sample(), cfg.sampleIntervalMs);

  const join = async (): Promise<void> => {
    report({ type: 'joining', t: now() });
    signaling = await SignalingClient.connect(cfg.signalingUrl);
    signaling.onClose = () => report({ type: 'signalingClosed', t: now() });
    const joined = await signaling.request('join', { room: cfg.room, role: 'viewer', peerId: cfg.peerId });
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const info = await signaling.request('createTransport', { direction: 'recv' });
    const recv = device.createRecvTransport(info);
    transport = recv;
    const sig = signaling;
    recv.on('connect', ({ dtlsParameters }, ok, fail) => {
      sig.request('connectTransport', { transportId: recv.id, dtlsParameters }).then(ok, fail);
    });
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    recv.on('connectionstatechange', (state) => {
      report({ type: 'connectionState', t: now(), state });
      clearTimeout(graceTimer);
      // 'disconnected' can heal by itself (ICE consent); give it a grace period first.
      if (state === 'disconnected') graceTimer = setTimeout(() => void rejoin(), cfg.reconnect.disconnectGraceMs);
      if (state === 'failed' || state === 'closed') void rejoin();
    });

    // Consumers are resumed only once every consume has renegotiated: a renegotiation
    // after video started makes Chromium drop video until the next keyframe.
    const consume = async (producerId: string): Promise<string> => {
      const data = await sig.request('consume', { transportId: recv.id, producerId, rtpCapabilities: device.rtpCapabilities });
      const consumer = await recv.consume(data);
      const element = consumer.kind === 'video' ? video : audio;
      element.srcObject = new MediaStream([consumer.track]);
      return consumer.id;
    };
    const resume = (consumerId: string): Promise<unknown> => sig.request('resume', { consumerId });
    sig.on('newProducer', ({ producerId }) => void consume(producerId).then(resume).catch(fail));
    sig.on('roomClosed', () => {
      report({ type: 'roomClosed', t: now() });
      void rejoin();
    });
    const consumerIds: string[] = [];
    for (const { producerId } of joined.producers) consumerIds.push(await consume(producerId));
    await Promise.all(consumerIds.map(resume));
    report({ type: 'joined', t: now(), peerId: joined.peerId });
  };

  const fail = (error: unknown): void => {
    report({ type: 'error', t: now(), message: error instanceof Error ? error.message : String(error) });
  };

  const teardown = (): void => {
    transport?.close();
    transport = undefined;
    if (signaling) signaling.onClose = () => {};
    signaling?.close();
    signaling = undefined;
  };

  // Exponential backoff between attempts; an attempt that fails counts as one.
  let rejoining = false;
  const rejoin = async (): Promise<void> => {
    if (rejoining || left) return;
    rejoining = true;
    teardown();
    const { initialDelayMs, maxDelayMs, factor, maxAttempts } = cfg.reconnect;
    let delay = initialDelayMs;
    for (let attempt = 1; attempt <= maxAttempts && !left; attempt++) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        await join();
        rejoining = false;
        return;
      } catch (error) {
        fail(error);
        teardown();
        delay = Math.min(maxDelayMs, delay * factor);
      }
    }
    rejoining = false;
  };

  return {
    join(): void {
      join().catch((error) => {
        fail(error);
        void rejoin();
      });
    },
    flush: sample,
    leave(): void {
      left = true;
      clearInterval(sampler);
      teardown();
    },
  };
}

const VIDEO_FIELDS = [
  'framesDecoded', 'framesDropped', 'framesPerSecond', 'freezeCount', 'totalFreezesDuration', 'jitter',
  'packetsLost', 'packetsReceived', 'nackCount', 'pliCount', 'firCount', 'bytesReceived',
] as const;
const AUDIO_FIELDS = [
  'totalSamplesReceived', 'concealedSamples', 'concealmentEvents', 'audioLevel', 'packetsLost', 'packetsReceived',
  'jitter', 'bytesReceived',
] as const;

/** Copies the named numeric fields; a field the browser does not report is 0. */
export function pick(stats: Record<string, unknown>, fields: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) out[f] = typeof stats[f] === 'number' ? (stats[f] as number) : 0;
  return out;
}
