/**
 * The probe: injected into an app's pages before any of their scripts runs
 * (DevTools "evaluate on new document"), it measures a page it knows nothing
 * about as livedrill's own pages measure themselves, and reports the same
 * PageReports: peer connections (peers.ts), the remote <video> and its frames
 * (videos.ts, RenderedFrames, the stamp reader), signaling WebSockets
 * (signaling.ts), and on the publisher the source and its faults (source.ts).
 * Only the top frame is probed.
 */
import type { PageReport, ProbeConfig } from '../reports.js';
import { RenderedFrames } from '../renderedFrames.js';
import { StampReader } from '../StampReader.js';
import { PeerWatch } from './peers.js';
import { watchWebSockets } from './signaling.js';
import { overrideGetUserMedia, sourceControls } from './source.js';
import { watchRemoteVideo } from './videos.js';

/** What the harness puts on the page's window (the report function is exposed through DevTools). */
const page = window as unknown as { livedrillReport?(json: string): void; livedrillProbeConfig?: ProbeConfig; livedrillProbe?: unknown };

const now = (): number => performance.timeOrigin + performance.now();
const cfg = page.livedrillProbeConfig;
if (cfg && window.top === window) probe(cfg);

function probe(cfg: ProbeConfig): void {
  delete page.livedrillProbeConfig;
  const report = (r: PageReport): void => page.livedrillReport?.(JSON.stringify(r));
  const stamps = cfg.role === 'viewer' && cfg.readStamps ? new StampReader() : undefined;
  let listening = false;
  const peers = new PeerWatch(cfg.turn, {
    remoteTrack(track) {
      if (track.kind !== 'audio') return;
      if (cfg.role === 'viewer') setTimeout(() => ensurePlayedOut(track), AUDIO_PLAYOUT_WAIT_MS);
      if (!stamps || listening) return;
      listening = true;
      try {
        stamps.listen(track);
      } catch (error) {
        report({ type: 'error', t: now(), message: `probe: audio markers: ${(error as Error).message}` });
      }
    },
    state: (state) => report({ type: 'connectionState', t: now(), state }),
    rtpIds: (kind, ids) => report({ type: 'rtpKinds', t: now(), kind, ...ids }),
  });
  peers.install();
  watchWebSockets(report);
  if (cfg.sdkVersion) reportSdkVersion(cfg.sdkVersion, report);

  if (cfg.role === 'viewer') {
    // Join time runs from the page's load: opening the app's page is joining.
    report({ type: 'joining', t: performance.timeOrigin });
    const frames = new RenderedFrames((t) => {
      report({ type: 'firstFrame', t });
      report({ type: 'joined', t, peerId: cfg.peerId });
    }, stamps);
    const videos = watchRemoteVideo(
      (track) => peers.remoteTracks.has(track.id),
      (video, track) => {
        peers.watchedVideo.add(track.id);
        frames.watch(video);
      },
    );
    const sample = async (): Promise<void> => {
      videos.check();
      const batch = frames.take();
      const { video, audio } = await peers.sample();
      report({ type: 'viewerSample', t: now(), frames: batch, video, audio, stamps: stamps?.take() });
    };
    setInterval(() => void sample(), cfg.sampleIntervalMs);
    page.livedrillProbe = { flush: sample };
  } else {
    report({ type: 'joining', t: performance.timeOrigin });
    // Ready to publish once it has its camera and microphone (a peer-to-peer app sends
    // only when viewers come), or once media leaves it (an app with a source of its own).
    let published = false;
    const publishing = (kinds: string[]): void => {
      if (published) return;
      published = true;
      report({ type: 'published', t: now(), kinds });
    };
    const workletUrl = URL.createObjectURL(new Blob([cfg.workletCode], { type: 'text/javascript' }));
    overrideGetUserMedia(cfg.stampedSource, workletUrl, (stream) => publishing(stream.getTracks().map((t) => t.kind)));
    setInterval(async () => {
      const { outVideo, outAudio } = await peers.sample();
      if ((outVideo?.bytesSent ?? 0) > 0 || (outAudio?.bytesSent ?? 0) > 0) publishing([...(outVideo ? ['video'] : []), ...(outAudio ? ['audio'] : [])]);
      report({ type: 'publisherSample', t: now(), video: outVideo, audio: outAudio });
    }, cfg.sampleIntervalMs);
    page.livedrillProbe = sourceControls(() => peers.connections);
  }
}

/** How long the app has to play a remote audio track before the probe plays it itself. */
const AUDIO_PLAYOUT_WAIT_MS = 2000;

/**
 * Headless Chromium counts a remote track's audio samples (and their
 * concealment) only while something plays it out. An app that plays it in a
 * media element (or through WebAudio) is left alone; one that does not
 * element-play it gets it played here, as livedrill's own viewer does.
 */
function ensurePlayedOut(track: MediaStreamTrack): void {
  if (track.readyState !== 'live') return;
  const played = [...document.querySelectorAll<HTMLMediaElement>('audio, video')].some(
    (element) => !element.paused && element.srcObject instanceof MediaStream && element.srcObject.getAudioTracks().includes(track),
  );
  if (played) return;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = new MediaStream([track]);
  audio.dataset.livedrillProbe = 'playout';
  document.documentElement.append(audio);
}

/** The app's SDK version, once its script has defined it (tried for a minute). */
function reportSdkVersion(expression: string, report: (r: PageReport) => void): void {
  let tries = 0;
  const timer = setInterval(() => {
    let version: unknown;
    try {
      version = (0, eval)(expression);
    } catch {
      // not defined yet
    }
    if ((typeof version === 'string' || typeof version === 'number') && String(version) !== '') {
      report({ type: 'sdkVersion', t: now(), version: String(version) });
      clearInterval(timer);
    } else if (++tries >= 120) clearInterval(timer);
  }, 500);
}
