/**
 * The `faults:` list of a scenario. Each entry is one fault with a kind,
 * when it strikes (`at`, counted from the start of the steady broadcast,
 * once every viewer has joined) and, for faults that last, a `duration`.
 */
import { z } from 'zod';
import { bitrateBps, durationMs } from '../scenario/units.js';

/** Which viewers: "50%", a count, a list of ids, or "all" (default). */
export const viewerTargets = z
  .union([
    z.literal('all'),
    z.number().int().min(1, 'a fault must target at least 1 viewer'),
    z
      .string()
      .regex(/^\d+(\.\d+)?%$/, 'expected a percentage like "50%"')
      .refine((s) => Number(s.slice(0, -1)) > 0 && Number(s.slice(0, -1)) <= 100, 'expected a percentage above 0% and at most 100%'),
    z.array(z.string().min(1).max(128)).min(1),
  ])
  .default('all');
export type ViewerTargets = z.output<typeof viewerTargets>;

const percent = z.union([
  z.number().min(0).max(100),
  z
    .string()
    .regex(/^\d+(\.\d+)?%$/, 'expected a percentage like "10%"')
    .transform((s) => Number(s.slice(0, -1)))
    .pipe(z.number().max(100, 'expected at most 100%')),
]);

const base = { at: durationMs, id: z.string().regex(/^[\w.-]+$/).optional() };
const lasting = { ...base, duration: durationMs };

export const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('video-freeze'), ...lasting, viewers: viewerTargets }).strict(),
  z.object({ kind: z.literal('audio-drop'), ...lasting, viewers: viewerTargets }).strict(),
  z.object({ kind: z.literal('mass-disconnect'), ...base, viewers: viewerTargets }).strict(),
  z.object({ kind: z.literal('worker-crash'), ...base, worker: z.number().int().min(0).default(0) }).strict(),
  z.object({ kind: z.literal('signaling-outage'), ...lasting }).strict(),
  z
    .object({
      kind: z.literal('network'),
      ...lasting,
      /** Impair the media path of these viewers, or of the publisher. */
      target: z.enum(['viewers', 'publisher']).default('viewers'),
      viewers: viewerTargets,
      direction: z.enum(['both', 'down', 'up']).default('both'),
      loss: percent.default(0),
      delay: durationMs.default(0),
      jitter: durationMs.default(0),
      rate: bitrateBps.optional(),
      blackhole: z.boolean().default(false),
    })
    .strict(),
  z.object({ kind: z.literal('bitrate-collapse'), ...lasting, bitrate: bitrateBps }).strict(),
]);

export type FaultSpec = z.output<typeof faultSchema>;
export type FaultKind = FaultSpec['kind'];

/** A fault's id: the one it was given, or its place and kind (`2-network`). */
export function faultIdOf(spec: FaultSpec, index: number): string {
  return spec.id ?? `${index + 1}-${spec.kind}`;
}
