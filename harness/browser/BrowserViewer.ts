import type { Browser } from 'puppeteer-core';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { PageReport } from '../page/reports.js';
import type { Viewer, ViewerEvents, ViewerMeasurement } from '../probes/Viewer.js';
import { ViewerQoe } from '../probes/ViewerQoe.js';
import { applyReport } from '../probes/applyReport.js';
import type { MeasuredPage, PageOpener } from './MeasuredPage.js';

/**
 * A real viewer: one Chromium page receiving the broadcast, livedrill's own
 * or an app's (MeasuredPage). Its page measures (frames, getStats) and this
 * object turns the reports into QoE.
 */
export class BrowserViewer implements Viewer {
  readonly kind = 'browser' as const;
  readonly observer = new TypedEmitter<ViewerEvents>();
  readonly qoe: ViewerQoe;
  #page: MeasuredPage | undefined;
  #joinWatch: NodeJS.Timeout | undefined;
  #closed = false;

  /** @param joinTimeoutMs a viewer with no media this long after joining is reported not joined, with its page's console errors */
  constructor(
    readonly id: string,
    settings: ViewerMeasurement,
    private readonly openPage: PageOpener,
    private readonly joinTimeoutMs = 30_000,
  ) {
    this.qoe = new ViewerQoe(settings.fixedFreezeThresholdsMs, settings.audioOnly, settings.readsStamps);
  }

  /** Opens the page; it does not join until `join()`. */
  async open(browser: Browser): Promise<void> {
    this.#page = await this.openPage(browser, (report) => this.#onReport(report));
  }

  async join(): Promise<void> {
    const started = Date.now();
    this.#joinWatch = setTimeout(() => {
      if (this.qoe.firstMediaAt !== undefined || this.#closed) return;
      this.#onReport({ type: 'notJoined', t: Date.now(), waitedMs: Date.now() - started, consoleErrors: [...(this.#page?.consoleErrors ?? [])] });
    }, this.joinTimeoutMs);
    // A page that fails to load is a viewer that did not join: reported, and the run goes on.
    await this.#page?.join().catch((error: Error) => this.#onReport({ type: 'error', t: Date.now(), message: `page: ${error.message}` }));
  }

  #onReport(report: PageReport): void {
    if (this.#closed) return;
    applyReport(this.qoe, report);
    this.observer.emit('report', this.id, report);
  }

  /**
   * Leaves and closes the page. Measurement ends at `end`: the page's last
   * frames are flushed first, so a gap still open then is a real freeze.
   */
  async close(end = Date.now()): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#joinWatch);
    await this.#page?.call('flush').catch(() => {});
    await this.#page?.call('leave').catch(() => {});
    this.#closed = true;
    this.qoe.finish(end);
    await this.#page?.close();
    this.observer.emit('close');
  }
}
