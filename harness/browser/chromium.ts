import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Debian's chromium-headless-shell (the old headless shell: about a third less
 * CPU per viewer page than chromium's new headless mode, and faster joins)
 * unless LIVEDRILL_CHROMIUM names another binary; never downloaded.
 */
export function chromiumPath(): string {
  return process.env.LIVEDRILL_CHROMIUM ?? '/usr/bin/chromium-headless-shell';
}

/** The shell only has the old headless mode; a full chromium binary runs the new one. */
function headlessMode(path: string): true | 'shell' {
  return /headless[-_]shell/.test(path) ? 'shell' : true;
}

const ARGS = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  // Headless Chromium counts received audio samples only when audio is played out.
  '--autoplay-policy=no-user-gesture-required',
  // The SFU listens on loopback; without this Chromium gathers no loopback candidates.
  '--allow-loopback-in-peer-connection',
  // Many pages in one browser must all render at full rate, none throttled as "background".
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // This machine has no outside network: keep Chromium from trying.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // Host candidates as .local names announce themselves by mDNS: multicast off loopback, for nothing
  // (the SFU is ICE-lite, app pages are relayed through TURN).
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--no-first-run',
  '--disable-gpu',
];

/**
 * One headless Chromium process. `pipe: true` ties it to our process: if the
 * harness dies, the pipe closes and Chromium exits, leaving no orphan.
 */
export function launchChromium(options: { fakeCameraFps?: number } = {}): Promise<Browser> {
  // The fake camera runs at 20 fps unless told otherwise.
  const fakeDevice = `--use-fake-device-for-media-stream=fps=${options.fakeCameraFps ?? 30}`;
  const executablePath = chromiumPath();
  return puppeteer.launch({
    executablePath,
    headless: headlessMode(executablePath),
    pipe: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [...ARGS, fakeDevice],
  });
}
