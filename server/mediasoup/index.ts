/**
 * The one module that knows which mediasoup this is. Everything that differs
 * between mediasoup releases (codec list, transport option shapes, resource
 * usage fields) is here, so moving off 3.8.4 (pinned because it is the last
 * release that builds offline, see README) is a local change.
 */
import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

export type { types };
export const mediasoupVersion: string = mediasoup.version;

export const mediaCodecs: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 500 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];

export interface WorkerSettings {
  rtcMinPort: number;
  rtcMaxPort: number;
}

export function createWorker(settings: WorkerSettings): Promise<types.Worker> {
  return mediasoup.createWorker({ logLevel: 'warn', ...settings });
}

export interface ListenAddress {
  ip: string;
  /** Address put in ICE candidates; needed when viewers reach the SFU through NAT. */
  announcedIp?: string;
}

export function webRtcTransportOptions(listen: ListenAddress): types.WebRtcTransportOptions {
  return {
    listenIps: [{ ip: listen.ip, announcedIp: listen.announcedIp }],
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 1_000_000,
  };
}

/**
 * Chromium ignores a keyframe request that comes within ~300 ms of the
 * previous one; mediasoup then retries only after 1 s, so a viewer joining
 * just after another waited a second for its first frame. With a delay,
 * mediasoup holds requests that come too soon and sends one when it ends.
 */
export const KEYFRAME_REQUEST_DELAY_MS = 400;

/** A plain RTP transport a synthetic viewer receives on (no ICE/DTLS; RTCP muxed). */
export function plainTransportOptions(listen: ListenAddress): types.PlainTransportOptions {
  return { listenIp: { ip: listen.ip, announcedIp: listen.announcedIp }, rtcpMux: true, comedia: false };
}

/** The address a plain transport listens on, as clients must reach it. */
export function plainTransportAddress(transport: types.PlainTransport): { ip: string; port: number } {
  return { ip: transport.tuple.localIp, port: transport.tuple.localPort };
}

/** CPU seconds (user + system) the worker process has used so far. */
export async function workerCpuSeconds(worker: types.Worker): Promise<number> {
  const usage = await worker.getResourceUsage();
  // 3.8.x reports ru_utime/ru_stime in milliseconds.
  return (usage.ru_utime + usage.ru_stime) / 1000;
}

/**
 * Resolves once the transport's ICE state has settled ('completed').
 *
 * mediasoup 3.8.x treats ICE 'connected' -> 'completed' as a new connection
 * when DTLS is already up: every consumer re-syncs and asks for a keyframe.
 * Chromium ignores a keyframe request that follows another within 300 ms, so
 * video that started in between stalls for a second until mediasoup retries.
 * Resuming consumers only after 'completed' avoids that. Later mediasoup
 * releases do not re-sync here, so this becomes a no-op wait there.
 */
export function iceSettled(transport: types.WebRtcTransport, timeoutMs = 3000): Promise<void> {
  if (transport.iceState === 'completed' || transport.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      transport.observer.off('icestatechange', onState);
      transport.observer.off('close', done);
      resolve();
    };
    const onState = (state: string): void => {
      if (state === 'completed') done();
    };
    const timer = setTimeout(done, timeoutMs);
    transport.observer.on('icestatechange', onState);
    transport.observer.on('close', done);
  });
}
