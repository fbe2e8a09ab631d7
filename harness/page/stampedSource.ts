/**
 * livedrill's own camera and microphone for the publisher page: a canvas
 * drawing a moving picture and, on every frame, the stamp (stamp.ts) of its
 * number and capture time; a generated tone with a marker burst every period
 * (audioMarkers.ts). Each drawn frame is captured once (captureStream(0) and
 * requestFrame), so frame numbers count the frames the encoder was given.
 */
import { AUDIO_WORKLET_PATH, MARKER_WORKLET } from './audioMarkers.js';
import { encodeStamp, STAMP_LAYOUT } from './stamp.js';

/** What the publisher sends, and how to stop it. */
export interface PublisherSource {
  stream: MediaStream;
  stop(): void;
}

const now = (): number => performance.timeOrigin + performance.now();

/** @param workletUrl where the audio worklet module is: livedrill's page server, or a blob in app pages. */
export async function stampedSource(
  media: { video: { width: number; height: number; fps: number } | null; audio: boolean },
  workletUrl = AUDIO_WORKLET_PATH,
): Promise<PublisherSource> {
  const video = media.video ? stampedVideo(media.video) : undefined;
  const audio = media.audio ? await markedAudio(workletUrl) : undefined;
  const tracks = [video?.track, audio?.track].filter((t): t is MediaStreamTrack => t !== undefined);
  return {
    stream: new MediaStream(tracks),
    stop() {
      video?.stop();
      void audio?.context.close();
      for (const track of tracks) track.stop();
    },
  };
}

function stampedVideo({ width, height, fps }: { width: number; height: number; fps: number }): { track: MediaStreamTrack; stop(): void } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { alpha: false })!;
  const track = canvas.captureStream(0).getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  const intervalMs = 1000 / fps;
  let frame = 0;
  let due = performance.now();
  let timer: ReturnType<typeof setTimeout>;
  const tick = (): void => {
    const capturedAt = now();
    drawPicture(ctx, width, height, frame, fps);
    drawStamp(ctx, width, encodeStamp(frame, capturedAt));
    track.requestFrame();
    frame++;
    // On schedule, without catching up in a burst after a stall.
    due = Math.max(due + intervalMs, performance.now());
    timer = setTimeout(tick, due - performance.now());
  };
  tick();
  return { track, stop: () => clearTimeout(timer) };
}

/** Something that moves, for the codec to work on and a person to look at: a drifting hue and a bouncing square. */
function drawPicture(ctx: CanvasRenderingContext2D, width: number, height: number, frame: number, fps: number): void {
  const seconds = frame / fps;
  ctx.fillStyle = `hsl(${(seconds * 20) % 360} 45% 35%)`;
  ctx.fillRect(0, 0, width, height);
  const size = Math.round(height / 4);
  const x = ((Math.sin(seconds * 1.3) + 1) / 2) * (width - size);
  const y = height / 3 + ((Math.cos(seconds * 1.7) + 1) / 2) * (height * (2 / 3) - size);
  ctx.fillStyle = '#f5d142';
  ctx.fillRect(x, y, size, size);
  ctx.fillStyle = '#fff';
  ctx.font = `${Math.round(height / 16)}px sans-serif`;
  ctx.fillText(`livedrill frame ${frame}`, width / 2, height - height / 16);
}

function drawStamp(ctx: CanvasRenderingContext2D, width: number, bits: Uint8Array): void {
  const { blocksAcross, columns, rows, margin } = STAMP_LAYOUT;
  const block = width / blocksAcross;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, (columns + 2 * margin) * block, (rows + 2 * margin) * block);
  ctx.fillStyle = '#fff';
  bits.forEach((bit, i) => {
    if (bit) ctx.fillRect((margin + (i % columns)) * block, (margin + Math.floor(i / columns)) * block, block, block);
  });
}

async function markedAudio(workletUrl: string): Promise<{ track: MediaStreamTrack; context: AudioContext }> {
  const context = new AudioContext();
  await context.audioWorklet.addModule(workletUrl);
  const tone = new AudioWorkletNode(context, MARKER_WORKLET.tone, { numberOfInputs: 0, outputChannelCount: [1] });
  const destination = context.createMediaStreamDestination();
  tone.connect(destination);
  return { track: destination.stream.getAudioTracks()[0], context };
}
