/**
 * What a scenario file may say. A scenario is declarative (k6-style): what
 * broadcast, how many viewers, which thresholds; the runner decides how.
 */
import { z } from 'zod';
import { bitrateBps, durationMs } from './units.js';
import { parseCondition } from '../run/thresholds.js';
import { VIEWER_METRICS } from '../run/viewerSummary.js';
import { FAULT_METRICS } from '../run/impact.js';
import { faultIdOf, faultSchema } from '../faults/schema.js';
import { drillSchema } from '../drill/schema.js';

const condition = z.string().superRefine((text, ctx) => {
  const parsed = parseCondition(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const metricNames = [...Object.keys(VIEWER_METRICS), ...Object.keys(FAULT_METRICS)];

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    duration: durationMs,
    room: z.string().regex(/^[\w.-]+$/).default('livedrill'),
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
        joinSpacing: durationMs.default(100),
        syntheticJoinSpacing: durationMs.default(10),
      })
      .strict()
      .prefault({}),
    reconnect: z
      .object({
        initialDelay: durationMs.default(500),
        maxDelay: durationMs.default(8000),
        factor: z.number().min(1).max(10).default(2),
        maxAttempts: z.number().int().min(0).max(100).default(10),
        disconnectGrace: durationMs.default(2000),
      })
      .strict()
      .prefault({}),
    measurement: z
      .object({
        sampleInterval: durationMs.default(500),
        /** Synthetic viewers report less often: there can be thousands of them. */
        syntheticSampleInterval: durationMs.default(1000),
        /** Gaps over these are reported too, beside the W3C rule (vendor dashboards use 500 ms). */
        fixedFreezeThresholds: z.array(durationMs).default([500]),
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
      if ('worker' in fault && fault.worker >= scenario.sfu.workers) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'worker'], message: `no worker ${fault.worker}: sfu.workers is ${scenario.sfu.workers}` });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
