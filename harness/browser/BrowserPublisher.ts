import type { Browser } from 'puppeteer-core';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { PageReport, VideoOutboundStats } from '../page/reports.js';
import type { MeasuredPage, PageOpener } from './MeasuredPage.js';

export type PublisherEvents = {
  report: [report: PageReport];
};

/** The broadcaster: a Chromium page publishing, livedrill's own or an app's (MeasuredPage). */
export class BrowserPublisher {
  readonly observer = new TypedEmitter<PublisherEvents>();
  #page: MeasuredPage | undefined;
  #published: Promise<void>;
  #resolvePublished!: () => void;
  #rejectPublished!: (error: Error) => void;
  /** Latest outbound video stats, e.g. for the publisher's frame rate. */
  lastVideo: VideoOutboundStats | undefined;

  constructor(
    readonly id: string,
    private readonly openPage: PageOpener,
  ) {
    this.#published = new Promise((resolve, reject) => {
      this.#resolvePublished = resolve;
      this.#rejectPublished = reject;
    });
  }

  /** Opens the page and resolves once it publishes (media leaves it). */
  async open(browser: Browser, timeoutMs = 20_000): Promise<void> {
    this.#page = await this.openPage(browser, (report) => this.#onReport(report));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const errors = this.#page?.consoleErrors.length ? `; its console errors: ${this.#page.consoleErrors.join(' | ')}` : '';
        reject(new Error(`publisher did not publish within ${timeoutMs} ms${errors}`));
      }, timeoutMs);
    });
    await Promise.race([this.#page.join().then(() => this.#published), timeout]).finally(() => clearTimeout(timer));
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
    await this.#page?.call('setMaxBitrate', bps);
  }

  /** Stops (or restarts) the camera or microphone at the source: app pages only, through the probe. */
  async pauseSource(kind: 'audio' | 'video', paused: boolean): Promise<void> {
    await this.#page?.call('pause', kind, paused);
  }

  async close(): Promise<void> {
    await this.#page?.call('leave').catch(() => {});
    await this.#page?.close();
  }
}
