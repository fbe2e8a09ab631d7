/**
 * Page entry point, bundled by esbuild and served on localhost (a secure
 * origin, so media devices work). The harness reads reports through the
 * exposed `livedrillReport` function and drives the page through `livedrill`.
 */
import type { PageConfig, PageReport } from './reports.js';
import { startViewer } from './viewer.js';
import { startPublisher } from './publisher.js';

declare global {
  interface Window {
    livedrillReport(json: string): void;
    livedrill: unknown;
  }
}

const cfg = JSON.parse(new URLSearchParams(location.search).get('cfg') ?? '{}') as PageConfig;
const report = (r: PageReport): void => window.livedrillReport(JSON.stringify(r));

if (cfg.role === 'viewer') {
  window.livedrill = startViewer(cfg, report);
} else {
  window.livedrill = startPublisher(cfg, report).catch((error: Error) => {
    report({ type: 'error', t: Date.now(), message: error.message });
    throw error;
  });
}
