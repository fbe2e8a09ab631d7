/**
 * Every fault kind as an inject that returns its revert (Chaos Toolkit style:
 * method + rollback). Each acts on the real system: the SFU, its workers,
 * signaling, the publisher's encoder, or the media path relay.
 */
import type { ImpairmentSettings } from '../network/Impairment.js';
import { NO_IMPAIRMENT } from '../network/Impairment.js';
import type { FaultContext, InjectedFault } from './Fault.js';
import type { FaultSpec } from '../scenario/faults.js';
import { resolveViewers } from './targets.js';

export function injectFault(spec: FaultSpec, ctx: FaultContext): Promise<InjectedFault> {
  switch (spec.kind) {
    case 'video-freeze':
      return pauseMedia('video', resolveViewers(spec.viewers, ctx.viewerIds()), ctx);
    case 'audio-drop':
      return pauseMedia('audio', resolveViewers(spec.viewers, ctx.viewerIds()), ctx);
    case 'mass-disconnect':
      return massDisconnect(resolveViewers(spec.viewers, ctx.viewerIds()), ctx);
    case 'worker-crash':
      return crashWorker(spec.worker, ctx);
    case 'signaling-outage':
      return signalingOutage(ctx);
    case 'network':
      return impairNetwork(spec, ctx);
    case 'bitrate-collapse':
      return collapseBitrate(spec.bitrate, ctx);
  }
}

/** Stops one media kind reaching the targets (everyone: at the source, so new joiners are hit too). */
async function pauseMedia(kind: 'audio' | 'video', targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  const everyone = targets.length === ctx.viewerIds().length;
  const paused = await ctx.sfu.pauseMedia(ctx.room, kind, everyone ? 'all' : targets);
  return { targets, revert: () => paused.resume() };
}

/** Drops the targets' media and signaling at once, server-side; they must come back by themselves. */
async function massDisconnect(targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  ctx.sfu.kick(targets);
  return { targets, revert: async () => {} };
}

/** Kills a worker; the SFU replaces it and the peers of its rooms must rejoin. */
async function crashWorker(index: number, ctx: FaultContext): Promise<InjectedFault> {
  const crash = ctx.sfu.crashWorker(index);
  // Nothing to undo by hand: the revert checks that the SFU refilled the slot.
  return { targets: crash.peers, revert: () => crash.replaced() };
}

async function signalingOutage(ctx: FaultContext): Promise<InjectedFault> {
  ctx.sfu.setSignalingAvailable(false);
  return { targets: ['signaling'], revert: async () => ctx.sfu.setSignalingAvailable(true) };
}

async function impairNetwork(spec: Extract<FaultSpec, { kind: 'network' }>, ctx: FaultContext): Promise<InjectedFault> {
  const network = ctx.network;
  if (!network) throw new Error('network: no media path relay in this run');
  const targets = spec.target === 'publisher' ? [ctx.publisherId] : resolveViewers(spec.viewers, ctx.viewerIds());
  const settings: ImpairmentSettings = {
    lossPercent: spec.loss,
    delayMs: spec.delay,
    jitterMs: spec.jitter,
    rateBps: spec.rate,
    blackhole: spec.blackhole,
  };
  network.impair(targets, {
    up: spec.direction === 'down' ? NO_IMPAIRMENT : settings,
    down: spec.direction === 'up' ? NO_IMPAIRMENT : settings,
  });
  return { targets, revert: async () => network.clear(targets) };
}

async function collapseBitrate(bps: number, ctx: FaultContext): Promise<InjectedFault> {
  await ctx.publisher.setMaxBitrate(bps);
  return { targets: [ctx.publisherId], revert: () => ctx.publisher.setMaxBitrate(null) };
}
