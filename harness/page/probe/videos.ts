/**
 * Finds the <video> element that plays the app's remote video, without the
 * app's help: every srcObject assignment is seen as it happens, and the
 * page's videos are looked over at each sample (a stream can gain its track
 * later, an element can be replaced). The first element showing a remote
 * video track is the one measured, as livedrill's own viewer measures its host.
 */
export function watchRemoteVideo(isRemote: (track: MediaStreamTrack) => boolean, found: (video: HTMLVideoElement, track: MediaStreamTrack) => void): { check(): void } {
  const remoteTrackOf = (element: Element): MediaStreamTrack | undefined => {
    if (!(element instanceof HTMLVideoElement) || !element.isConnected) return undefined;
    const stream = element.srcObject;
    if (!(stream instanceof MediaStream)) return undefined;
    return stream.getVideoTracks().find((t) => t.readyState === 'live' && isRemote(t));
  };
  let current: { video: HTMLVideoElement; track: MediaStreamTrack } | undefined;
  const check = (): void => {
    if (current && remoteTrackOf(current.video) === current.track) return;
    for (const video of document.querySelectorAll('video')) {
      const track = remoteTrackOf(video);
      if (!track) continue;
      current = { video, track };
      found(video, track);
      return;
    }
  };
  const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...descriptor,
    set(this: HTMLMediaElement, value: MediaProvider | null) {
      descriptor.set!.call(this, value);
      // After the app's own code has attached the element.
      queueMicrotask(check);
    },
  });
  return { check };
}
