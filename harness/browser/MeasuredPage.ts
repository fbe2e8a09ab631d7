/**
 * A page livedrill measures, whoever wrote it: its own viewer and publisher
 * pages (served by PageServer, controls on `window.livedrill`) or an app's
 * pages with the probe injected (controls on `window.livedrillProbe`). Either
 * way the page's reports arrive parsed, and its console errors are kept for
 * when it fails to join.
 */
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import type { PageConfig, PageReport, ProbeConfig } from '../page/reports.js';
import { pageBundle, type PageServer } from './PageServer.js';

export interface MeasuredPage {
  /** A viewer starts joining (an app page: it is opened now). */
  join(): Promise<void>;
  /** Calls one of the page's controls (flush, leave, setMaxBitrate, pause); absent ones do nothing. */
  call(method: string, ...args: unknown[]): Promise<unknown>;
  /** The last console errors and uncaught exceptions of the page. */
  readonly consoleErrors: readonly string[];
  close(): Promise<void>;
}

export type PageOpener = (browser: Browser, onReport: (report: PageReport) => void) => Promise<MeasuredPage>;

const KEPT_CONSOLE_ERRORS = 20;

/** livedrill's own page: loaded at once; a viewer joins when told. */
export function livedrillPage(pages: PageServer, cfg: PageConfig): PageOpener {
  return async (browser, onReport) => {
    const opened = await reportingPage(browser, onReport);
    await opened.page.goto(pages.urlFor(cfg), { waitUntil: 'load' });
    return controlled(opened, 'livedrill', async (call) => {
      await call('join');
    });
  };
}

export interface AppPageSettings {
  url: string;
  probe: Omit<ProbeConfig, 'workletCode'>;
  /** The page's own forward proxy (its signaling path), in a browser context of its own. */
  proxyServer?: string;
  /** How long opening the page may take. */
  loadTimeoutMs: number;
}

/** An app's page: the probe goes in before any of the page's scripts; opening the page is joining. */
export function appPage(settings: AppPageSettings): PageOpener {
  return async (browser, onReport) => {
    const context = await browser.createBrowserContext(
      // Chromium never proxies loopback unless told to: "<-loopback>" removes that implicit bypass.
      settings.proxyServer ? { proxyServer: settings.proxyServer, proxyBypassList: ['<-loopback>'] } : {},
    );
    const opened = await reportingPage(context, onReport, context);
    const probe: ProbeConfig = { ...settings.probe, workletCode: await pageBundle('audioWorklet.ts') };
    await opened.page.evaluateOnNewDocument(`window.livedrillProbeConfig = ${JSON.stringify(probe)};\n${await pageBundle('probe/main.ts')}`);
    return controlled(opened, 'livedrillProbe', async () => {
      await opened.page.goto(settings.url, { waitUntil: 'load', timeout: settings.loadTimeoutMs });
    });
  };
}

interface Opened {
  page: Page;
  consoleErrors: string[];
  context?: BrowserContext;
}

/** A page in a window of its own: a background tab is hidden, and hidden pages render no video frames. */
export function newWindow(owner: Browser | BrowserContext): Promise<Page> {
  return owner.newPage({ type: 'window', windowBounds: { width: 360, height: 300 } });
}

/** A page whose reports arrive at `onReport`: the function is exposed before navigation, so the first report is not lost. */
async function reportingPage(owner: Browser | BrowserContext, onReport: (report: PageReport) => void, context?: BrowserContext): Promise<Opened> {
  const page = await newWindow(owner);
  const consoleErrors: string[] = [];
  const keep = (text: string): void => {
    consoleErrors.push(text.slice(0, 500));
    if (consoleErrors.length > KEPT_CONSOLE_ERRORS) consoleErrors.shift();
  };
  await page.exposeFunction('livedrillReport', (json: string) => onReport(JSON.parse(json) as PageReport));
  page.on('pageerror', (error) => {
    keep(`uncaught: ${String(error)}`);
    onReport({ type: 'error', t: Date.now(), message: `page error: ${String(error)}` });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') keep(message.text());
  });
  return { page, consoleErrors, context };
}

type Call = MeasuredPage['call'];

function controlled(opened: Opened, global: string, join: (call: Call) => Promise<void>): MeasuredPage {
  const { page, consoleErrors, context } = opened;
  const call: Call = (method, ...args) =>
    page.evaluate(
      (name, m, a) => Promise.resolve((window as any)[name]).then((controls: any) => controls?.[m]?.(...a)),
      global,
      method,
      args,
    );
  return {
    join: () => join(call),
    call,
    consoleErrors,
    async close() {
      await page.close().catch(() => {});
      await context?.close().catch(() => {});
    },
  };
}
