import type { ViewerTargets } from './schema.js';

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
