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

  /** Every sender at once: the fault's ground truth is when livedrill asked, so it must act within a frame. */
  const capBitrates = (): Promise<unknown> =>
    Promise.all(
      senders('video').map((sender) => {
        const params = sender.getParameters();
        if (!params.encodings?.length) return undefined;
        if (!originalBitrates.has(sender)) originalBitrates.set(sender, params.encodings.map((e) => e.maxBitrate));
        const wanted = originalBitrates.get(sender)!.map((original) => cap ?? original);
        if (params.encodings.every((e, i) => e.maxBitrate === wanted[i])) return undefined;
        params.encodings.forEach((e, i) => {
          if (wanted[i] === undefined) delete e.maxBitrate;
          else e.maxBitrate = wanted[i];
        });
        return sender.setParameters(params).catch(() => {});
      }),
    );
  const stopSenders = (): Promise<unknown> =>
    Promise.all(
      [...paused].flatMap((kind) =>
        senders(kind)
          .filter((sender) => sender.track)
          .map((sender) => {
            originalTracks.set(sender, sender.track!);
            return sender.replaceTrack(null).catch(() => {});
          }),
      ),
    );
  const enforce = async (): Promise<void> => {
    await Promise.all([capBitrates(), stopSenders()]);
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
        const restore = [...originalTracks].filter(([, track]) => track.kind === kind);
        for (const [sender] of restore) originalTracks.delete(sender);
        await Promise.all(restore.map(([sender, track]) => sender.replaceTrack(track).catch(() => {})));
      }
      await start();
    },
  };
}
