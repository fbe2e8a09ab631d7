/**
 * Every fault kind as an inject that returns its revert (Chaos Toolkit style:
 * method + rollback). Each acts on the real system: the SFU, its workers,
 * signaling, the publisher's encoder, or the media path relay; on an app's
 * pages, on their client side (media and signaling paths, the source).
 */
import type { ImpairmentSettings } from '../network/Impairment.js';
import { NO_IMPAIRMENT } from '../network/Impairment.js';
import { addPathCounters } from '../network/ImpairedPath.js';
import type { FaultOperations } from '../../server/http/FaultOperations.js';
import type { FaultContext, InjectedFault, MediaPaths } from './Fault.js';
import type { FaultSpec } from '../scenario/faults.js';
import { resolveViewers } from './targets.js';

export function injectFault(spec: FaultSpec, ctx: FaultContext): Promise<InjectedFault> {
  switch (spec.kind) {
    case 'video-freeze':
    case 'audio-drop': {
      const kind = spec.kind === 'video-freeze' ? 'video' : 'audio';
      const targets = resolveViewers(spec.viewers, ctx.viewerIds());
      return ctx.appSignaling ? pauseSource(kind, targets, ctx) : pauseMedia(kind, targets, ctx);
    }
    case 'mass-disconnect':
      return massDisconnect(resolveViewers(spec.viewers, ctx.viewerIds()), ctx);
    case 'worker-crash':
      return crashWorker(spec.worker, ctx);
    case 'signaling-outage':
      return signalingOutage(ctx);
    case 'signaling-delay':
      return slowSignaling(spec.delay, resolveViewers(spec.viewers, ctx.viewerIds()), ctx);
    case 'network':
      return impairNetwork(spec, ctx);
    case 'bitrate-collapse':
      return collapseBitrate(spec.bitrate, ctx);
  }
}

/** livedrill's SFU, which the scenario checks made sure this fault has. */
function sfuOf(ctx: FaultContext): FaultOperations {
  if (!ctx.sfu) throw new Error("needs livedrill's own SFU, and the pages are an app's");
  return ctx.sfu;
}

/** Stops one media kind reaching the targets (everyone: at the source, so new joiners are hit too). */
async function pauseMedia(kind: 'audio' | 'video', targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  const everyone = targets.length === ctx.viewerIds().length;
  const paused = await sfuOf(ctx).pauseMedia(ctx.room, kind, everyone ? 'all' : targets);
  return { targets, revert: () => paused.resume() };
}

/** App pages: the publisher's camera or microphone stops (through the probe), for every viewer. */
async function pauseSource(kind: 'audio' | 'video', targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  await ctx.publisher.pauseSource(kind, true);
  return { targets, revert: () => ctx.publisher.pauseSource(kind, false) };
}

/**
 * Drops the targets' media and signaling at once; they must come back by
 * themselves. livedrill's SFU drops them server-side in one go; an app's
 * pages have both their paths cut for the fault's duration.
 */
async function massDisconnect(targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  const signaling = ctx.appSignaling;
  if (!signaling) {
    sfuOf(ctx).kick(targets);
    return { targets, revert: async () => {} };
  }
  const network = networkOf(ctx);
  const cut = { lossPercent: 0, delayMs: 0, jitterMs: 0, blackhole: true };
  network.impair(targets, { up: cut, down: cut });
  signaling.setOutage(targets, true);
  return {
    targets,
    revert: async () => {
      signaling.setOutage(targets, false);
      network.clear(targets);
    },
  };
}

/** Kills a worker; the SFU replaces it and the peers of its rooms must rejoin. */
async function crashWorker(index: number, ctx: FaultContext): Promise<InjectedFault> {
  const crash = sfuOf(ctx).crashWorker(index);
  // Nothing to undo by hand: the revert checks that the SFU refilled the slot.
  return { targets: crash.peers, revert: () => crash.replaced() };
}

/** Signaling down for everyone: livedrill's SFU refuses it, or every app page's proxy refuses and cuts it. */
async function signalingOutage(ctx: FaultContext): Promise<InjectedFault> {
  const app = ctx.appSignaling;
  if (app) {
    const pages = [ctx.publisherId, ...ctx.viewerIds()];
    app.setOutage(pages, true);
    return { targets: ['signaling'], revert: async () => app.setOutage(pages, false) };
  }
  const sfu = sfuOf(ctx);
  sfu.setSignalingAvailable(false);
  return { targets: ['signaling'], revert: async () => sfu.setSignalingAvailable(true) };
}

/** App pages: every request and WebSocket message of the targets held `delayMs` longer each way. */
async function slowSignaling(delayMs: number, targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  const app = ctx.appSignaling;
  if (!app) throw new Error('needs app pages: only their signaling goes through a proxy');
  app.setDelay(targets, delayMs);
  return { targets, revert: async () => app.setDelay(targets, 0) };
}

function networkOf(ctx: FaultContext): MediaPaths {
  if (!ctx.network) throw new Error('network: no media path relay in this run');
  return ctx.network;
}

async function impairNetwork(spec: Extract<FaultSpec, { kind: 'network' }>, ctx: FaultContext): Promise<InjectedFault> {
  const network = networkOf(ctx);
  const targets = spec.target === 'publisher' ? [ctx.publisherId] : resolveViewers(spec.viewers, ctx.viewerIds());
  const settings: ImpairmentSettings = {
    lossPercent: spec.loss,
    delayMs: spec.delay,
    jitterMs: spec.jitter,
    rateBps: spec.rate,
    blackhole: spec.blackhole,
  };
  const before = new Map(targets.map((id) => [id, network.counters(id)]));
  network.impair(targets, {
    up: spec.direction === 'down' ? NO_IMPAIRMENT : settings,
    down: spec.direction === 'up' ? NO_IMPAIRMENT : settings,
    media: spec.media,
  });
  return {
    targets,
    async revert() {
      network.clear(targets);
      return { relayed: Object.fromEntries(targets.map((id) => [id, addPathCounters(network.counters(id), before.get(id)!, -1)])) };
    },
  };
}

async function collapseBitrate(bps: number, ctx: FaultContext): Promise<InjectedFault> {
  await ctx.publisher.setMaxBitrate(bps);
  return { targets: [ctx.publisherId], revert: () => ctx.publisher.setMaxBitrate(null) };
}
