/**
 * The `faults:` list of a scenario. Each entry is one fault with a kind,
 * when it strikes (`at`, counted from the start of the steady broadcast,
 * once every viewer has joined) and, for faults that last, a `duration`.
 */
import { z } from 'zod';
import { bitrateBps, durationMs } from './units.js';
import { appFaultProblem } from './app.js';

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
  /** On app pages it lasts `duration` (both paths cut); livedrill's SFU drops its targets at once. */
  z.object({ kind: z.literal('mass-disconnect'), ...base, duration: durationMs.optional(), viewers: viewerTargets }).strict(),
  z.object({ kind: z.literal('worker-crash'), ...base, worker: z.number().int().min(0).default(0) }).strict(),
  z.object({ kind: z.literal('signaling-outage'), ...lasting }).strict(),
  /** App pages only: their signaling (HTTP and WebSocket, through livedrill's proxy) slowed by `delay` each way. */
  z.object({ kind: z.literal('signaling-delay'), ...lasting, delay: durationMs, viewers: viewerTargets }).strict(),
  z
    .object({
      kind: z.literal('network'),
      ...lasting,
      /** Impair the media path of these viewers, or of the publisher. */
      target: z.enum(['viewers', 'publisher']).default('viewers'),
      viewers: viewerTargets,
      direction: z.enum(['both', 'down', 'up']).default('both'),
      /** Impair one media kind's packets alone (RTP and RTCP); needs livedrill's SFU. */
      media: z.enum(['all', 'audio', 'video']).default('all'),
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

/** Something a viewer goes through: a freeze, concealed audio, a disconnection, a signaling drop. */
export type EffectKind = 'freeze' | 'audio' | 'disconnect' | 'signaling';

/** Which effects each kind of fault can cause. A signaling outage keeps media flowing by design. */
export const FAULT_EFFECTS: Record<FaultKind, readonly EffectKind[]> = {
  'video-freeze': ['freeze'],
  'audio-drop': ['audio'],
  'mass-disconnect': ['disconnect', 'freeze', 'audio', 'signaling'],
  'worker-crash': ['disconnect', 'freeze', 'audio'],
  'signaling-outage': ['signaling'],
  'signaling-delay': ['signaling', 'disconnect'],
  network: ['freeze', 'audio', 'disconnect'],
  'bitrate-collapse': ['freeze'],
};

/** A fault's id: the one it was given, or its place and kind (`2-network`). */
export function faultIdOf(spec: FaultSpec, index: number): string {
  return spec.id ?? `${index + 1}-${spec.kind}`;
}

/** How long a fault lasts; 0 for one-shot faults (mass-disconnect, worker-crash). */
export const faultDuration = (spec: FaultShape): number => spec.duration ?? 0;

/** What the checks read of a fault: a scheduled one (FaultSpec) or a drill's hidden one. */
interface FaultShape {
  kind: string;
  duration?: number;
  viewers?: ViewerTargets;
  target?: string;
  worker?: number;
}

/** A fault (starting at the latest at `latestStart`) that can end after the time limit: why; else undefined. */
export function spanProblem(fault: FaultShape, latestStart: number, limit: { limit: number; limitName: string; may?: boolean }): string | undefined {
  const end = latestStart + faultDuration(fault);
  if (end <= limit.limit) return undefined;
  return `${limit.may ? 'may end' : 'ends'} at ${end / 1000} s, after ${limit.limitName} (duration ${limit.limit / 1000} s)`;
}

/**
 * What the schema of one fault cannot check: the fault against the scenario
 * around it (its end against the time limit, its targets, its worker).
 * One home for the rule, used by the scenario's schema and by drills (whose
 * latest start is the end of their window). Returns [field, problem] pairs;
 * field `end` is the fault as a whole.
 */
export function faultProblems(
  fault: FaultShape,
  latestStart: number,
  around: {
    limit: number;
    limitName: string;
    may?: boolean;
    scenario: { viewers: { browser: number; synthetic: number }; sfu: { workers: number }; app?: unknown };
  },
): Array<[field: string, message: string]> {
  const problems: Array<[string, string]> = [];
  const span = spanProblem(fault, latestStart, around);
  if (span) problems.push(['end', span]);
  if (fault.viewers !== undefined && fault.target !== 'publisher') {
    const problem = targetProblem(fault.viewers, around.scenario.viewers);
    if (problem) problems.push(['viewers', problem]);
  }
  const app = appFaultProblem(fault, around.scenario.app !== undefined);
  if (app) problems.push(['kind', app]);
  if (fault.worker !== undefined && fault.worker >= around.scenario.sfu.workers && !app) {
    problems.push(['worker', `no worker ${fault.worker}: sfu.workers is ${around.scenario.sfu.workers}`]);
  }
  return problems;
}

/**
 * Whether a fault's targets can be found among the scenario's viewers.
 * Viewers brought by shards (a scenario with none of its own) are known only
 * at run time; so are ids of shard viewers (`s1-browser-2`).
 */
export function targetProblem(spec: ViewerTargets, viewers: { browser: number; synthetic: number }): string | undefined {
  const total = viewers.browser + viewers.synthetic;
  if (total === 0 || spec === 'all') return undefined;
  if (typeof spec === 'number') return spec > total ? `${spec} viewers, but the scenario has ${total}` : undefined;
  if (typeof spec === 'string') {
    return Math.round((total * Number(spec.slice(0, -1))) / 100) === 0 ? `${spec} of ${total} viewers is none of them` : undefined;
  }
  const unknown = spec.filter((id) => {
    const m = /^(s\d+-)?(browser|synthetic)-(\d+)$/.exec(id);
    if (!m) return true;
    return m[1] === undefined && (Number(m[3]) < 1 || Number(m[3]) > viewers[m[2] as 'browser' | 'synthetic']);
  });
  return unknown.length ? `no viewer ${unknown.join(', ')}: the scenario has browser-1..${viewers.browser} and synthetic-1..${viewers.synthetic}` : undefined;
}
