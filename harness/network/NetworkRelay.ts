import type { types } from '../../server/mediasoup/index.js';
import type { MediaPath, PlainMediaPath } from '../../server/signaling/SignalingServer.js';
import { NO_IMPAIRMENT, type ImpairmentSettings } from './Impairment.js';
import type { MediaSelector } from './MediaKinds.js';
import { UdpRelay } from './UdpRelay.js';
import { UdpNat } from './UdpNat.js';
import { addPathCounters, zeroCounters, type ImpairedPath, type PathCounters } from './ImpairedPath.js';

export interface RelayCost {
  relayedPeers: number;
  packets: number;
  busySeconds: number;
}

export interface PathImpairment {
  up: ImpairmentSettings;
  down: ImpairmentSettings;
  /** One media kind's packets alone (MediaKinds: the SFU's consumers and producers, or an app page's probe, say which are whose). */
  media?: MediaSelector;
}

/**
 * Puts a user-space UDP relay on the media path of the peers a network fault
 * can reach, so a fault can impair one peer's packets (this kernel has no
 * netem); every other peer talks to the SFU directly, at no cost to the
 * harness. Impairments are set per peer id and follow the peer across
 * rejoins: a new transport of an impaired peer is impaired from its first packet.
 */
export class NetworkRelay {
  readonly #relays = new Map<string, Set<ImpairedPath>>();
  readonly #rules = new Map<string, PathImpairment>();
  /** Totals of relays already closed, so counts survive a rejoin. */
  readonly #closedTotals = new Map<string, PathCounters>();
  readonly #closedCost = { packets: 0, busyNs: 0n };

  /** The signaling server's hook for WebRTC: relay this transport and hand the client the relay's address. */
  readonly mediaPath: MediaPath = async (transport, peerId) => {
    if (!this.reaches(peerId)) return transport.iceCandidates;
    const direct = transport.iceCandidates.find((c) => c.protocol === 'udp');
    if (!direct) throw new Error('network relay: the transport has no UDP candidate');
    const relay = await UdpRelay.open({ ip: direct.ip, port: direct.port }, this.bindIp);
    this.#track(relay, transport, peerId);
    // Only the relayed UDP path is offered: no TCP candidate to bypass it.
    return [{ ...direct, ip: direct.ip, port: relay.port } as types.IceCandidate];
  };

  /** The hook for plain RTP receivers: the SFU sends to the relay, the relay to the receiver. */
  readonly plainPath: PlainMediaPath = async (transport, peerId, receiver) => {
    if (!this.reaches(peerId)) return receiver;
    const relay = await UdpRelay.open({ ip: transport.tuple.localIp, port: transport.tuple.localPort }, this.bindIp, receiver);
    this.#track(relay, transport, peerId);
    return { ip: transport.tuple.localIp, port: relay.sfuFacingPort };
  };

  /**
   * @param reaches the peers a network fault can reach (the others are not relayed)
   * @param bindIp where relays listen: the SFU's listen address, so clients reach them as they would the SFU.
   */
  constructor(
    readonly reaches: (peerId: string) => boolean,
    private readonly bindIp = '127.0.0.1',
  ) {}

  /**
   * A relay on a peer's path to `target` outside the SFU (an app page's way to
   * the TURN server), impaired as the peer's other paths, until the run ends.
   * A NAT, not a UdpRelay: the page may have several peer connections.
   */
  async relayTo(target: { ip: string; port: number }, peerId: string): Promise<UdpNat> {
    const relay = await UdpNat.open(target, this.bindIp);
    this.#adopt(relay, peerId);
    return relay;
  }

  #track(relay: UdpRelay, transport: types.Transport, peerId: string): void {
    this.#adopt(relay, peerId);
    const learn = (media: types.Producer | types.Consumer): void => relay.kinds.learn(media.kind, media.rtpParameters);
    transport.observer.on('newproducer', learn);
    transport.observer.on('newconsumer', learn);
    transport.observer.on('close', () => this.#release(relay, peerId));
  }

  #adopt(relay: ImpairedPath, peerId: string): void {
    this.#apply(relay, this.#rules.get(peerId));
    const set = this.#relays.get(peerId) ?? new Set<UdpRelay>();
    set.add(relay);
    this.#relays.set(peerId, set);
  }

  /** Keeps a closing relay's counts and cost, so they survive a rejoin. */
  #release(relay: ImpairedPath, peerId: string): void {
    if (!this.#relays.get(peerId)?.has(relay)) return; // released already
    this.#accumulate(peerId, relay.counters);
    this.#closedCost.packets += relay.cost.packets;
    this.#closedCost.busyNs += relay.cost.busyNs;
    this.#relays.get(peerId)?.delete(relay);
    relay.close();
  }

  impair(peerIds: string[], impairment: PathImpairment): void {
    const unreachable = peerIds.filter((id) => !this.reaches(id));
    if (unreachable.length > 0) throw new Error(`network: ${unreachable.join(', ')} not on the relay (no network fault of the scenario targets them)`);
    for (const id of peerIds) {
      this.#rules.set(id, impairment);
      for (const relay of this.#relays.get(id) ?? []) this.#apply(relay, impairment);
    }
  }

  clear(peerIds: string[]): void {
    for (const id of peerIds) {
      this.#rules.delete(id);
      for (const relay of this.#relays.get(id) ?? []) this.#apply(relay, undefined);
    }
  }

  /** Packets forwarded and dropped on a peer's media path so far, per direction. */
  counters(peerId: string): PathCounters {
    const total = structuredClone(this.#closedTotals.get(peerId) ?? { up: zeroCounters(), down: zeroCounters() });
    for (const relay of this.#relays.get(peerId) ?? []) addPathCounters(total, relay.counters);
    return total;
  }

  /**
   * What the relay cost the harness: the peers relayed, the packets handled,
   * and the event-loop time spent on them (the socket reads and writes around
   * it are not in it; the self-watch's harness CPU has them).
   */
  cost(): RelayCost {
    const relays = [...this.#relays.values()].flatMap((set) => [...set]);
    const busyNs = relays.reduce((a, r) => a + r.cost.busyNs, this.#closedCost.busyNs);
    return {
      relayedPeers: [...this.#relays.keys(), ...this.#closedTotals.keys()].filter((id, i, all) => all.indexOf(id) === i).length,
      packets: relays.reduce((a, r) => a + r.cost.packets, this.#closedCost.packets),
      busySeconds: Number(busyNs) / 1e9,
    };
  }

  #apply(relay: ImpairedPath, impairment: PathImpairment | undefined): void {
    relay.set('up', impairment?.up ?? NO_IMPAIRMENT, impairment?.media);
    relay.set('down', impairment?.down ?? NO_IMPAIRMENT, impairment?.media);
  }

  #accumulate(peerId: string, counters: PathCounters): void {
    const total = this.#closedTotals.get(peerId) ?? { up: zeroCounters(), down: zeroCounters() };
    addPathCounters(total, counters);
    this.#closedTotals.set(peerId, total);
  }

  /** Closes every relay; their counts and cost stay readable. */
  close(): void {
    for (const [peerId, set] of this.#relays) for (const relay of set) this.#release(relay, peerId);
    this.#relays.clear();
  }
}
