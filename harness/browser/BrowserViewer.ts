import type { Browser, Page } from 'puppeteer-core';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { PageConfig, PageReport } from '../page/reports.js';
import type { Viewer, ViewerEvents, ViewerMeasurement } from '../probes/Viewer.js';
import { ViewerQoe } from '../probes/ViewerQoe.js';
import { applyReport } from '../probes/applyReport.js';
import { openReportingPage } from './chromium.js';
import type { PageServer } from './PageServer.js';


export interface ViewerSettings extends ViewerMeasurement {
  page: Omit<PageConfig, 'role' | 'peerId' | 'media' | 'readStamps'>;
}

/**
 * A real viewer: one Chromium page receiving the broadcast. Its page measures
 * (frames, getStats) and this object turns the reports into QoE.
 */
export class BrowserViewer implements Viewer {
  readonly kind = 'browser' as const;
  readonly observer = new TypedEmitter<ViewerEvents>();
  readonly qoe: ViewerQoe;
  #page: Page | undefined;
  #closed = false;

  constructor(
    readonly id: string,
    private readonly settings: ViewerSettings,
  ) {
    this.qoe = new ViewerQoe(settings.fixedFreezeThresholdsMs, settings.audioOnly, settings.readsStamps);
  }

  /** Loads the viewer page; it does not join until `join()`. */
  async open(browser: Browser, pages: PageServer): Promise<void> {
    const url = pages.urlFor({ ...this.settings.page, role: 'viewer', peerId: this.id, readStamps: this.settings.readsStamps });
    this.#page = await openReportingPage<PageReport>(browser, url, (report) => this.#onReport(report));
  }

  async join(): Promise<void> {
    await this.control('window.livedrill.join()');
  }

  #onReport(report: PageReport): void {
    if (this.#closed) return;
    applyReport(this.qoe, report);
    this.observer.emit('report', this.id, report);
  }

  /** Runs a control on the page (see harness/page/viewer.ts ViewerControls). */
  async control(script: string): Promise<void> {
    await this.#page?.evaluate(script);
  }

  /**
   * Leaves and closes the page. Measurement ends at `end`: the page's last
   * frames are flushed first, so a gap still open then is a real freeze.
   */
  async close(end = Date.now()): Promise<void> {
    if (this.#closed) return;
    await this.control('window.livedrill?.flush()').catch(() => {});
    await this.control('window.livedrill?.leave()').catch(() => {});
    this.#closed = true;
    this.qoe.finish(end);
    await this.#page?.close().catch(() => {});
    this.observer.emit('close');
  }
}
