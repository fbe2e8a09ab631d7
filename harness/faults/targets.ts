import type { FaultSpec, ViewerTargets } from '../scenario/faults.js';

/**
 * Resolves a target spec against the viewers in join order: a count or a
 * percentage takes the first ones (reproducible run to run), a list names them.
 */
export function resolveViewers(spec: ViewerTargets, viewerIds: readonly string[]): string[] {
  if (spec === 'all') return [...viewerIds];
  if (typeof spec === 'number') return viewerIds.slice(0, Math.min(spec, viewerIds.length));
  if (typeof spec === 'string') return viewerIds.slice(0, Math.round((viewerIds.length * Number(spec.slice(0, -1))) / 100));
  const unknown = spec.filter((id) => !viewerIds.includes(id));
  if (unknown.length > 0) throw new Error(`viewers: unknown viewer id(s) ${unknown.join(', ')}; known: ${viewerIds.join(', ')}`);
  return [...spec];
}

/**
 * Which peers a scenario's network faults can reach: only their media paths
 * need the relay (a hop that costs the harness CPU on every packet). Targets
 * by count or percentage resolve against the viewers in join order, as at
 * injection; `viewerIds` null means the viewers are not known here (shards on
 * other machines), so any viewer may be reached.
 */
export function networkFaultReach(faults: readonly FaultSpec[], viewerIds: readonly string[] | null): (peerId: string) => boolean {
  const network = faults.filter((f) => f.kind === 'network');
  const publishers = network.some((f) => f.target === 'publisher');
  const viewerFaults = network.filter((f) => f.target !== 'publisher');
  const anyViewer = viewerFaults.length > 0 && (viewerIds === null || viewerFaults.some((f) => f.viewers === 'all'));
  const viewers = new Set(anyViewer || viewerIds === null ? [] : viewerFaults.flatMap((f) => resolveViewers(f.viewers, viewerIds)));
  return (peerId) => (/^publisher(-\d+)?$/.test(peerId) ? publishers : anyViewer || viewers.has(peerId));
}
