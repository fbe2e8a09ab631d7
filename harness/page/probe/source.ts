/**
 * The publisher side of an app page: livedrill's stamped source behind
 * getUserMedia, and the faults that act at the source through the app's own
 * senders (so they work whatever the SDK): a bitrate cap on every video
 * encoding, and a camera or microphone stopped (the sender's track taken
 * away: nothing is sent, as when a device dies). Senders created while a
 * fault lasts get it too.
 */
import type { ProbeConfig } from '../reports.js';
import { stampedSource } from '../stampedSource.js';

export interface SourceControls {
  setMaxBitrate(bps: number | null): Promise<void>;
  pause(kind: 'audio' | 'video', paused: boolean): Promise<void>;
}

/**
 * The page's getUserMedia: livedrill's stamped source when given its
 * settings, else the browser's own devices; `captured` hears of each stream.
 */
export function overrideGetUserMedia(
  settings: ProbeConfig['stampedSource'],
  workletUrl: string,
  captured: (stream: MediaStream) => void,
): void {
  const devices = navigator.mediaDevices;
  const native = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
    const stream = settings
      ? (await stampedSource({ video: constraints?.video ? settings.video : null, audio: Boolean(constraints?.audio) && settings.audio }, workletUrl)).stream
      : await native(constraints);
    captured(stream);
    return stream;
  };
}

const ENFORCE_MS = 200;

export function sourceControls(connections: () => RTCPeerConnection[]): SourceControls {
  let cap: number | null = null;
  const paused = new Set<'audio' | 'video'>();
  /** What a fault changed on each sender, to put back. */
  const originalBitrates = new WeakMap<RTCRtpSender, Array<number | undefined>>();
  const originalTracks = new Map<RTCRtpSender, MediaStreamTrack>();
  let timer: ReturnType<typeof setInterval> | undefined;

  const senders = (kind: string): RTCRtpSender[] =>
    connections()
      .filter((pc) => pc.connectionState !== 'closed')
      .flatMap((pc) => pc.getSenders())
      .filter((s) => (s.track ?? originalTracks.get(s))?.kind === kind);

  const enforce = async (): Promise<void> => {
    for (const sender of senders('video')) {
      const params = sender.getParameters();
      if (!params.encodings?.length) continue;
      if (!originalBitrates.has(sender)) originalBitrates.set(sender, params.encodings.map((e) => e.maxBitrate));
      const wanted = originalBitrates.get(sender)!.map((original) => cap ?? original);
      if (params.encodings.every((e, i) => e.maxBitrate === wanted[i])) continue;
      params.encodings.forEach((e, i) => {
        if (wanted[i] === undefined) delete e.maxBitrate;
        else e.maxBitrate = wanted[i];
      });
      await sender.setParameters(params).catch(() => {});
    }
    for (const kind of paused) {
      for (const sender of senders(kind)) {
        if (!sender.track) continue;
        originalTracks.set(sender, sender.track);
        await sender.replaceTrack(null).catch(() => {});
      }
    }
    if (cap === null && paused.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const start = async (): Promise<void> => {
    timer ??= setInterval(() => void enforce(), ENFORCE_MS);
    await enforce();
  };

  return {
    async setMaxBitrate(bps) {
      cap = bps;
      await start();
    },
    async pause(kind, on) {
      if (on) paused.add(kind);
      else {
        paused.delete(kind);
        for (const [sender, track] of originalTracks) {
          if (track.kind !== kind) continue;
          originalTracks.delete(sender);
          await sender.replaceTrack(track).catch(() => {});
        }
      }
      await start();
    },
  };
}
