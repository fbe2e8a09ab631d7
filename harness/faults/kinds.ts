/**
 * Every fault kind as an inject that returns its revert (Chaos Toolkit style:
 * method + rollback). Each acts on the real system: the SFU, its workers,
 * signaling, the publisher's encoder, or the media path relay.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImpairmentSettings } from '../network/Impairment.js';
import { NO_IMPAIRMENT } from '../network/Impairment.js';
import type { FaultContext, InjectedFault } from './Fault.js';
import type { FaultSpec } from '../scenario/faults.js';
import { resolveViewers } from './targets.js';
import { hold, release, type Pausable } from './pauseHolds.js';

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

function room(ctx: FaultContext) {
  const r = ctx.server.sfu.rooms.get(ctx.room);
  if (!r) throw new Error(`room "${ctx.room}" does not exist`);
  return r;
}

/**
 * Stops one media kind reaching the targets: for every viewer the publisher's
 * producer is paused (new joiners are hit too); for some, their consumers.
 * Two faults pausing the same media overlap: it resumes when both are reverted.
 */
async function pauseMedia(kind: 'audio' | 'video', targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  const r = room(ctx);
  const everyone = targets.length === ctx.viewerIds().length;
  const paused: Pausable[] = everyone
    ? r.producers().map((p) => p.producer).filter((p) => p.kind === kind)
    : targets.flatMap((id) => [...(r.peers.get(id)?.consumers.values() ?? [])].filter((c) => c.kind === kind));
  if (paused.length === 0) throw new Error(`${kind}: nothing to pause for ${targets.join(', ') || 'no viewers'}`);
  await Promise.all(paused.map(hold));
  return { targets, revert: async () => void (await Promise.all(paused.map(release))) };
}

/** Drops the targets' media and signaling at once, server-side; they must come back by themselves. */
async function massDisconnect(targets: string[], ctx: FaultContext): Promise<InjectedFault> {
  ctx.server.signaling.kick(new Set(targets));
  return { targets, revert: async () => {} };
}

/** SIGKILLs a worker; the SFU replaces it and the peers of its rooms must rejoin. */
async function crashWorker(index: number, ctx: FaultContext): Promise<InjectedFault> {
  const slot = ctx.server.sfu.workers[index];
  // Its peers, and every peer of a room whose origin (publishers) it carried.
  const targets = [...ctx.server.sfu.rooms.values()].flatMap((r) =>
    [...r.peers.values()].filter((p) => r.originWorker === index || p.workerIndex === index).map((p) => p.id),
  );
  const pid = slot.worker.pid;
  process.kill(pid, 'SIGKILL');
  return {
    targets,
    // Nothing to undo by hand: the revert checks that the SFU refilled the slot.
    revert: async () => {
      for (let i = 0; i < 50 && ctx.server.sfu.workers[index].worker.pid === pid; i++) await sleep(100);
      if (ctx.server.sfu.workers[index].worker.pid === pid) throw new Error(`worker ${index} was not replaced`);
    },
  };
}

async function signalingOutage(ctx: FaultContext): Promise<InjectedFault> {
  ctx.server.setSignalingAvailable(false);
  return { targets: ['signaling'], revert: async () => ctx.server.setSignalingAvailable(true) };
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
