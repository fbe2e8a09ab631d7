/**
 * The `app:` section of a scenario: the team's own web app (and its vendor's
 * SDK) under test instead of livedrill's pages and SFU. livedrill opens the
 * app's publisher and viewer pages with its probe injected, steers their media
 * through its TURN server and their signaling through its proxy, and injects
 * the faults that act on the client side.
 *
 *   app:
 *     name: fixture-app
 *     start: node test/fixtures/app/server.mjs     # optional: started before, stopped after
 *     publisherPage: http://127.0.0.1:{port}/publisher.html?room={room}
 *     viewerPage: http://127.0.0.1:{port}/viewer.html?room={room}&user={peerId}
 *     sdkVersion: FixtureRTC.VERSION               # optional: an expression the page evaluates
 */
import { z } from 'zod';
import { durationBetween } from './units.js';

export const PAGE_PLACEHOLDERS = ['room', 'peerId', 'index', 'port'] as const;
export type PagePlaceholder = (typeof PAGE_PLACEHOLDERS)[number];

const pageTemplate = z
  .string()
  .max(2000)
  .superRefine((template, ctx) => {
    for (const [, name] of template.matchAll(/\{(\w*)\}/g)) {
      if (!(PAGE_PLACEHOLDERS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; expected ${PAGE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` });
      }
    }
    let url: URL | undefined;
    try {
      url = new URL(fillPage(template, { room: 'room', peerId: 'browser-1', index: 1, port: 8000 }));
    } catch {
      // reported below
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) ctx.addIssue({ code: 'custom', message: `expected an http:// or https:// URL, got ${JSON.stringify(template)}` });
  });

export const appSchema = z
  .object({
    /** What the report calls the app under test. */
    name: z.string().min(1).max(100),
    publisherPage: pageTemplate,
    viewerPage: pageTemplate,
    /** A JavaScript expression the pages evaluate to the SDK's version, e.g. `AgoraRTC.VERSION`. */
    sdkVersion: z.string().min(1).max(200).optional(),
    /** A command livedrill starts before the run (in the scenario file's folder) and stops after; it gets a free port as $PORT and {port}. */
    start: z.string().min(1).max(1000).optional(),
    /** A viewer page with no remote video by then is reported not joined, with its console errors. */
    joinTimeout: durationBetween(1000, 600_000).default(30_000),
    /** Let the pages' HTTP and WebSocket traffic leave loopback (a vendor's cloud); off, the proxy refuses it. */
    allowRemote: z.boolean().default(false),
  })
  .strict()
  .superRefine((app, ctx) => {
    for (const field of ['publisherPage', 'viewerPage'] as const) {
      if (app[field].includes('{port}') && !app.start) ctx.addIssue({ code: 'custom', path: [field], message: '{port} is the port of app.start: give a start command, or write the port' });
    }
  });

export type AppSpec = z.output<typeof appSchema>;

export function fillPage(template: string, values: Record<PagePlaceholder, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? encodeURIComponent(String(values[name as PagePlaceholder])) : whole));
}

/**
 * A fault that app pages cannot take, or that needs them: why; else undefined.
 * On app pages faults act on the client side: the pages' media and signaling
 * paths, and the publisher's source through the probe.
 */
export function appFaultProblem(fault: { kind: string; viewers?: unknown; duration?: number }, onApp: boolean): string | undefined {
  if (onApp) {
    if (fault.kind === 'worker-crash') return "needs livedrill's own SFU (it kills an SFU worker); an app brings its own servers";
    if ((fault.kind === 'video-freeze' || fault.kind === 'audio-drop') && fault.viewers !== 'all') {
      return 'on app pages this fault acts at the source (the publisher\'s camera or microphone), so it reaches every viewer: use viewers: all';
    }
    if (fault.kind === 'mass-disconnect' && !fault.duration) return 'on app pages give a duration: how long both paths of the targets stay cut (the app must reconnect by itself)';
    return undefined;
  }
  if (fault.kind === 'signaling-delay') return "needs app pages (app:): livedrill's own pages talk to its SFU directly, with no proxy to slow";
  if (fault.kind === 'mass-disconnect' && fault.duration) return "a lasting cut needs app pages (app:); on livedrill's own stack the SFU drops the targets at once: leave duration out";
  return undefined;
}
