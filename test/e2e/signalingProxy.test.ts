/**
 * Real Chromium behind a SignalingProxy, as an app page would be: its page
 * load and its WebSocket go through the proxy (loopback too, given
 * "<-loopback>"), a delay lengthens the echo's round trip, an outage cuts
 * the socket and turns new requests away, and a destination off loopback
 * is refused before anything is sent to it.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { WebSocketServer } from 'ws';
import { launchChromium } from '../../harness/browser/chromium.js';
import { SignalingProxy } from '../../harness/network/SignalingProxy.js';

const PAGE = `<!doctype html><title>proxied</title><script>
window.openSocket = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { window.socket = ws; window.socketClosed = false; ws.onclose = () => { window.socketClosed = true; }; resolve('open'); };
  ws.onerror = () => reject(new Error('the WebSocket did not open'));
});
window.echoMs = () => new Promise((resolve) => {
  const sent = performance.now();
  window.socket.onmessage = () => resolve(performance.now() - sent);
  window.socket.send('ping');
});
window.fetchStatus = (url) => fetch(url, { cache: 'no-store' }).then((r) => r.status, (e) => 'failed: ' + e.message);
</script>`;

/** Chromium never proxies loopback unless told: "<-loopback>" takes that implicit bypass rule away. */
const PROXY_LOOPBACK_TOO = ['<-loopback>'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Sends raw bytes to the proxy and returns its answer's first line. */
async function rawAnswer(port: number, request: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(request);
  let answer = '';
  for await (const chunk of socket) answer += String(chunk);
  return answer.split('\r\n')[0];
}

describe('SignalingProxy', { timeout: 30_000 }, () => {
  let browser: Browser;
  let origin: string;
  let wsUrl: string;
  const proxies: SignalingProxy[] = [];
  const site = http.createServer((req, res) => {
    if (req.url === '/ping') res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  echo.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));

  beforeAll(async () => {
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    wsUrl = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(proxies.map((p) => p.close()));
    echo.close();
    site.close();
  });

  async function proxiedPage(bypass?: string[]): Promise<{ proxy: SignalingProxy; page: Page }> {
    const proxy = await SignalingProxy.start();
    proxies.push(proxy);
    const context = await browser.createBrowserContext({ proxyServer: proxy.url, proxyBypassList: bypass });
    const page = await context.newPage();
    await page.goto(origin);
    return { proxy, page };
  }

  const echoMs = (page: Page) => page.evaluate('echoMs()') as Promise<number>;
  const fetchStatus = (page: Page, url: string) => page.evaluate(`fetchStatus(${JSON.stringify(url)})`) as Promise<number | string>;

  it('without "<-loopback>", Chromium goes to loopback directly: the proxy sees nothing', async () => {
    const { proxy, page } = await proxiedPage();
    await page.evaluate(`openSocket(${JSON.stringify(wsUrl)})`);
    expect(proxy.counters).toMatchObject({ requests: 0, tunnels: 0, bytesUp: 0 });
  });

  it("with it, the page's load, its fetch and its WebSocket all go through the proxy", async () => {
    const { proxy, page } = await proxiedPage(PROXY_LOOPBACK_TOO);
    expect(proxy.counters.requests).toBeGreaterThanOrEqual(1);
    expect(await fetchStatus(page, `${origin}ping`)).toBe(200);
    expect(await page.evaluate(`openSocket(${JSON.stringify(wsUrl)})`)).toBe('open');
    expect(await echoMs(page)).toBeLessThan(100);
    const c = proxy.counters;
    expect(c.requests).toBeGreaterThanOrEqual(2);
    expect(c.tunnels).toBe(1);
    expect(c.bytesUp).toBeGreaterThan(0);
    expect(c.bytesDown).toBeGreaterThan(PAGE.length);
  });

  it('a delay of 200 ms lengthens the echo round trip by about 400 ms (each way), and 0 takes it away', async () => {
    const { proxy, page } = await proxiedPage(PROXY_LOOPBACK_TOO);
    await page.evaluate(`openSocket(${JSON.stringify(wsUrl)})`);
    const before = Math.max(await echoMs(page), await echoMs(page));
    proxy.setDelay(200);
    const delayed = [await echoMs(page), await echoMs(page), await echoMs(page)];
    for (const ms of delayed) {
      expect(ms - before).toBeGreaterThanOrEqual(350);
      expect(ms - before).toBeLessThan(1000);
    }
    // A request: its set-up held on the way up, its answer on the way down.
    const started = Date.now();
    expect(await fetchStatus(page, `${origin}ping`)).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    proxy.setDelay(0);
    expect(await echoMs(page)).toBeLessThan(before + 100);
  });

  it('an outage cuts the open WebSocket and turns new requests away; after it, a new WebSocket connects', async () => {
    const { proxy, page } = await proxiedPage(PROXY_LOOPBACK_TOO);
    await page.evaluate(`openSocket(${JSON.stringify(wsUrl)})`);
    proxy.setOutage(true);
    await waitFor('the WebSocket closes', () => page.evaluate('window.socketClosed') as Promise<boolean>, 2000);
    expect(proxy.counters.cut).toBeGreaterThanOrEqual(1);
    expect(await fetchStatus(page, `${origin}ping`)).toBe(503);
    await expect(page.evaluate(`openSocket(${JSON.stringify(wsUrl)})`)).rejects.toThrow(/did not open/);
    expect(proxy.counters.refused).toBeGreaterThanOrEqual(2);

    proxy.setOutage(false);
    expect(await page.evaluate(`openSocket(${JSON.stringify(wsUrl)})`)).toBe('open');
    expect(await echoMs(page)).toBeLessThan(100);
    expect(await fetchStatus(page, `${origin}ping`)).toBe(200);
  });

  it('a destination off loopback gets a 403 at once, without a connection tried', async () => {
    const { proxy, page } = await proxiedPage(PROXY_LOOPBACK_TOO);
    const requests = proxy.counters.requests;
    const started = Date.now();
    // 10.255.255.1 is routed nowhere here: a connection tried would hang, not answer.
    const answer = await page.goto('http://10.255.255.1/');
    expect(answer?.status()).toBe(403);
    expect(await rawAnswer(proxy.port, 'CONNECT 10.255.255.1:443 HTTP/1.1\r\nHost: 10.255.255.1:443\r\n\r\n')).toBe('HTTP/1.1 403 Forbidden');
    expect(await rawAnswer(proxy.port, 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n')).toMatch(/^HTTP\/1.1 403/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(proxy.counters.forbidden).toBe(3);
    expect(proxy.counters.requests).toBe(requests);
  });

  it('malformed requests get a 400, and the proxy goes on', async () => {
    const { proxy, page } = await proxiedPage(PROXY_LOOPBACK_TOO);
    expect(await rawAnswer(proxy.port, 'HELLO\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawAnswer(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(await rawAnswer(proxy.port, 'CONNECT nowhere HTTP/1.1\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawAnswer(proxy.port, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n')).toBe('HTTP/1.1 502 Bad Gateway');
    expect(await fetchStatus(page, `${origin}ping`)).toBe(200);
  });
});
