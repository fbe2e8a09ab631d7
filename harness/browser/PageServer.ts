import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { PageConfig } from '../page/reports.js';
import { AUDIO_WORKLET_PATH } from '../page/audioMarkers.js';

const bundles = new Map<string, Promise<string>>();

/**
 * A page script, bundled once per process: main.ts is mediasoup-client and our page code,
 * audioWorklet.ts the audio worklet module, probe/main.ts the probe for app pages.
 */
export function pageBundle(file: 'main.ts' | 'audioWorklet.ts' | 'probe/main.ts' = 'main.ts'): Promise<string> {
  let bundle = bundles.get(file);
  if (!bundle) {
    bundle = build({
      entryPoints: [fileURLToPath(new URL(`../page/${file}`, import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome100',
      write: false,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    bundles.set(file, bundle);
  }
  return bundle;
}

const HTML = '<!doctype html><meta charset="utf-8"><title>livedrill</title><body><script src="/page.js"></script></body>';

/** Serves the page on localhost: a secure origin, so getUserMedia works without TLS. */
export class PageServer {
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<PageServer> {
    const scripts: Record<string, string> = { '/page.js': await pageBundle(), [AUDIO_WORKLET_PATH]: await pageBundle('audioWorklet.ts') };
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(HTML);
      } else if (scripts[path] !== undefined) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(scripts[path]);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new PageServer(server);
  }

  urlFor(cfg: PageConfig): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://localhost:${port}/?cfg=${encodeURIComponent(JSON.stringify(cfg))}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
