/**
 * A team's own web app under test (scenario `app:`): its server, if the
 * scenario starts one; livedrill's TURN server; and for each of its pages a
 * media relay in front of TURN (network faults, mass disconnects) and a
 * signaling proxy (signaling outages and delays), so every client-side fault
 * reaches one page alone. It opens the pages with the probe injected, and
 * tells each page's relay which of its packets are audio and which video.
 */
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { appPage, type PageOpener } from '../browser/MeasuredPage.js';
import type { SignalingPaths } from '../faults/Fault.js';
import type { NetworkRelay } from '../network/NetworkRelay.js';
import { SignalingProxy } from '../network/SignalingProxy.js';
import { TurnServer } from '../network/TurnServer.js';
import type { ProbeConfig } from '../page/reports.js';
import { fillPage, type AppSpec } from '../scenario/app.js';
import { AppServer } from './AppServer.js';

/** What a page's probe is told beyond what this object decides (its role, id, paths). */
export type ProbeSettings = Pick<ProbeConfig, 'sampleIntervalMs' | 'readStamps' | 'stampedSource'>;

export class AppUnderTest {
  readonly #proxies = new Map<string, SignalingProxy>();

  readonly signaling: SignalingPaths = {
    setOutage: (pageIds, on) => pageIds.forEach((id) => this.#proxy(id).setOutage(on)),
    setDelay: (pageIds, ms) => pageIds.forEach((id) => this.#proxy(id).setDelay(ms)),
  };

  private constructor(
    readonly spec: AppSpec,
    private readonly room: string,
    private readonly server: AppServer | undefined,
    private readonly turn: TurnServer,
    private readonly relay: NetworkRelay,
  ) {}

  /** Starts the app's server (in the scenario file's folder; a viewer shard starts none) and the TURN server. */
  static async start(spec: AppSpec, options: { scenarioFile: string; room: string; relay: NetworkRelay; startServer: boolean }): Promise<AppUnderTest> {
    const server = spec.start && options.startServer ? await AppServer.start(spec.start, dirname(options.scenarioFile)) : undefined;
    try {
      // An app whose servers are beyond loopback gets TURN allocations on an outside address.
      const turn = await TurnServer.start(spec.allowRemote ? { relayIp: outsideAddress() } : {});
      return new AppUnderTest(spec, options.room, server, turn, options.relay);
    } catch (error) {
      await server?.close();
      throw error;
    }
  }

  /** The publisher's page or viewer `index`'s (from 1), with paths of its own. */
  async page(role: ProbeConfig['role'], peerId: string, index: number, probe: ProbeSettings): Promise<PageOpener> {
    const media = await this.relay.relayTo({ ip: this.turn.ip, port: this.turn.port }, peerId);
    const proxy = await SignalingProxy.start({ allowRemote: this.spec.allowRemote });
    this.#proxies.set(peerId, proxy);
    const open = appPage({
      url: this.url(role, peerId, index),
      probe: { ...probe, role, peerId, turn: this.turn.iceServer({ port: media.port }), sdkVersion: this.spec.sdkVersion },
      proxyServer: proxy.url,
      loadTimeoutMs: this.spec.joinTimeout,
    });
    // What the probe learns of the page's RTP streams tells the page's media path which packets are audio.
    return (browser, onReport) =>
      open(browser, (report) => {
        if (report.type !== 'rtpKinds') return onReport(report);
        media.kinds.learn(report.kind, { codecs: report.payloadTypes.map((payloadType) => ({ payloadType })), encodings: report.ssrcs.map((ssrc) => ({ ssrc })) });
      });
  }

  url(role: ProbeConfig['role'], peerId: string, index: number): string {
    const template = role === 'publisher' ? this.spec.publisherPage : this.spec.viewerPage;
    return fillPage(template, { room: this.room, peerId, index, port: this.server?.port ?? '' });
  }

  /** The app, its SDK's version as its pages said (when the scenario says how to read it), and the TURN server. */
  versions(sdkVersion: string | undefined): Record<string, string> {
    return {
      app: this.spec.name,
      ...(this.spec.sdkVersion ? { appSdk: sdkVersion ?? `not exposed (${this.spec.sdkVersion})` } : {}),
      turn: this.turn.version,
    };
  }

  /** What each page's signaling proxy carried and refused. */
  signalingCounters(): Record<string, SignalingProxy['counters']> {
    return Object.fromEntries([...this.#proxies].map(([id, proxy]) => [id, { ...proxy.counters }]));
  }

  #proxy(pageId: string): SignalingProxy {
    const proxy = this.#proxies.get(pageId);
    if (!proxy) throw new Error(`signaling: no app page ${pageId}`);
    return proxy;
  }

  /** Everything it started, each step even if another fails. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#proxies.values()].map((proxy) => proxy.close()));
    await Promise.allSettled([this.turn.close(), this.server?.close()]);
  }
}

/** This machine's first IPv4 address beyond loopback, for TURN allocations that reach the internet. */
function outsideAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('app.allowRemote: this machine has no IPv4 address beyond loopback for the TURN server to relay from');
  return address;
}
