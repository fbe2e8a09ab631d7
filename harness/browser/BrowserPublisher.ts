import type { Browser, Page } from 'puppeteer-core';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { PageConfig, PageReport, VideoOutboundStats } from '../page/reports.js';
import { openReportingPage } from './chromium.js';
import type { PageServer } from './PageServer.js';

export type PublisherEvents = {
  report: [report: PageReport];
};

/** The broadcaster: a Chromium page publishing its fake camera and microphone. */
export class BrowserPublisher {
  readonly observer = new TypedEmitter<PublisherEvents>();
  #page: Page | undefined;
  #published: Promise<void>;
  #resolvePublished!: () => void;
  #rejectPublished!: (error: Error) => void;
  /** Latest outbound video stats, e.g. for the publisher's frame rate. */
  lastVideo: VideoOutboundStats | undefined;

  constructor(
    readonly id: string,
    private readonly config: Omit<PageConfig, 'role' | 'peerId'>,
  ) {
    this.#published = new Promise((resolve, reject) => {
      this.#resolvePublished = resolve;
      this.#rejectPublished = reject;
    });
  }

  /** Opens the page and resolves once its producers exist on the SFU. */
  async open(browser: Browser, pages: PageServer, timeoutMs = 20_000): Promise<void> {
    const url = pages.urlFor({ ...this.config, role: 'publisher', peerId: this.id });
    this.#page = await openReportingPage<PageReport>(browser, url, (report) => this.#onReport(report));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`publisher did not publish within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([this.#published, timeout]).finally(() => clearTimeout(timer));
  }

  #onReport(report: PageReport): void {
    if (report.type === 'published') this.#resolvePublished();
    if (report.type === 'error') this.#rejectPublished(new Error(`publisher: ${report.message}`));
    if (report.type === 'gaveUp') this.#rejectPublished(new Error('publisher: could not join the SFU (gave up retrying)'));
    if (report.type === 'publisherSample' && report.video) this.lastVideo = report.video;
    this.observer.emit('report', report);
  }

  /** Caps the video bitrate (bits/s), or restores the configured one with null. */
  async setMaxBitrate(bps: number | null): Promise<void> {
    await this.#page?.evaluate((value) => (window as any).livedrill.then((c: any) => c.setMaxBitrate(value)), bps);
  }

  async close(): Promise<void> {
    await this.#page?.evaluate(() => (window as any).livedrill?.then((c: any) => c.leave())).catch(() => {});
    await this.#page?.close().catch(() => {});
  }
}
