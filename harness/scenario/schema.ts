/**
 * What a scenario file may say. A scenario is declarative (k6-style): what
 * broadcast, how many viewers, which thresholds; the runner decides how.
 */
import { z } from 'zod';
import { bitrateBps, durationBetween } from './units.js';
import { parseCondition } from '../run/thresholds.js';
import { VIEWER_METRICS } from '../run/viewerSummary.js';
import { FAULT_METRICS } from '../run/impact.js';
import { faultIdOf, faultSchema, type ViewerTargets } from '../faults/schema.js';
import { drillSchema } from '../drill/schema.js';

const condition = z.string().superRefine((text, ctx) => {
  const parsed = parseCondition(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const metricNames = [...Object.keys(VIEWER_METRICS), ...Object.keys(FAULT_METRICS)];

export const scenarioSchema = z
  .object({
    /** Names the default output directory (runs/<time>-<name>): no path in it. */
    name: z.string().min(1).max(100).regex(/^\w[\w.-]*$/, 'use letters, digits, "_", "-" and "." (not first): it names a directory'),
    description: z.string().max(10_000).default(''),
    duration: durationBetween(1000, 7 * 24 * 3_600_000),
    room: z.string().max(128).regex(/^[\w.-]+$/).default('livedrill'),
    sfu: z
      .object({
        workers: z.number().int().min(1).max(64).default(1),
        listenIp: z.ipv4().default('127.0.0.1'),
        announcedIp: z.ipv4().optional(),
      })
      .strict()
      .prefault({}),
    publisher: z
      .object({
        video: z.union([
          z.literal(false),
          z
            .object({
              codec: z.enum(['VP8', 'H264']).default('VP8'),
              width: z.number().int().min(64).max(3840).default(640),
              height: z.number().int().min(64).max(2160).default(480),
              fps: z.number().int().min(1).max(60).default(30),
              maxBitrate: bitrateBps.default(500_000),
            })
            .strict(),
        ]).prefault({}),
        audio: z.boolean().default(true),
        /** Publishers with these settings (speakers of a voice room, participants of a call); the first is the host. */
        count: z.number().int().min(1).max(16).default(1),
      })
      .strict()
      .prefault({}),
    viewers: z
      .object({
        browser: z.number().int().min(0).max(200).default(0),
        /** Viewers without a browser that receive the real streams over plain RTP (see harness/synthetic). */
        synthetic: z.number().int().min(0).max(20_000).default(0),
        /** Pause between two browser viewers' joins; 0 joins them all at once. */
        joinSpacing: durationBetween(0, 60_000).default(100),
        syntheticJoinSpacing: durationBetween(0, 60_000).default(10),
      })
      .strict()
      .prefault({}),
    reconnect: z
      .object({
        initialDelay: durationBetween(10, 300_000).default(500),
        maxDelay: durationBetween(10, 300_000).default(8000),
        factor: z.number().min(1).max(10).default(2),
        maxAttempts: z.number().int().min(0).max(100).default(10),
        disconnectGrace: durationBetween(0, 60_000).default(2000),
      })
      .strict()
      .prefault({}),
    measurement: z
      .object({
        sampleInterval: durationBetween(100, 60_000).default(500),
        /** Synthetic viewers report less often: there can be thousands of them. */
        syntheticSampleInterval: durationBetween(100, 60_000).default(1000),
        /** Gaps over these are reported too, beside the W3C rule (vendor dashboards use 500 ms). */
        fixedFreezeThresholds: z.array(durationBetween(1, 60_000)).max(8).default([500]),
      })
      .strict()
      .prefault({}),
    faults: z.array(faultSchema).default([]),
    thresholds: z
      .record(z.string(), z.array(condition).min(1))
      .superRefine((thresholds, ctx) => {
        for (const metric of Object.keys(thresholds)) {
          if (!metricNames.includes(metric)) {
            ctx.addIssue({ code: 'custom', path: [metric], message: `unknown metric; expected one of ${metricNames.join(', ')}` });
          }
        }
      })
      .default({}),
    /** An outage drill: hidden faults, alerts, people's actions timed against a vendor SLA (harness/drill/). */
    drill: drillSchema.optional(),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    if (scenario.sfu.listenIp === '0.0.0.0' && !scenario.sfu.announcedIp) {
      ctx.addIssue({ code: 'custom', path: ['sfu', 'announcedIp'], message: 'required with listenIp 0.0.0.0: the address viewers send media to' });
    }
    if (scenario.reconnect.maxDelay < scenario.reconnect.initialDelay) {
      ctx.addIssue({ code: 'custom', path: ['reconnect', 'maxDelay'], message: 'must not be shorter than reconnect.initialDelay' });
    }
    const firstWithId = new Map<string, number>();
    scenario.faults.forEach((fault, i) => {
      const id = faultIdOf(fault, i);
      const first = firstWithId.get(id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'id'], message: `"${id}" is already the id of faults[${first}]; fault ids must be unique` });
      } else firstWithId.set(id, i);
      const end = fault.at + ('duration' in fault ? fault.duration : 0);
      if (end > scenario.duration) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i],
          message: `ends at ${end / 1000} s, after the broadcast (duration ${scenario.duration / 1000} s)`,
        });
      }
      if ('viewers' in fault && !('target' in fault && fault.target === 'publisher')) {
        const problem = targetProblem(fault.viewers, scenario.viewers);
        if (problem) ctx.addIssue({ code: 'custom', path: ['faults', i, 'viewers'], message: problem });
      }
      if ('worker' in fault && fault.worker >= scenario.sfu.workers) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'worker'], message: `no worker ${fault.worker}: sfu.workers is ${scenario.sfu.workers}` });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;

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
