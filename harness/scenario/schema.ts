/**
 * What a scenario file may say. A scenario is declarative (k6-style): what
 * broadcast, how many viewers, which thresholds; the runner decides how.
 */
import { z } from 'zod';
import { bitrateBps, durationBetween } from './units.js';
import { parseCondition, THRESHOLD_METRICS, type ThresholdMetric } from './thresholds.js';
import { faultIdOf, faultProblems, faultSchema } from './faults.js';
import { drillSchema } from './drill.js';
import { appSchema } from './app.js';

const condition = z.string().superRefine((text, ctx) => {
  const parsed = parseCondition(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

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
        /** stamped: livedrill's own source, whose frames and sound viewers time (latency, frames never shown); fake: Chromium's fake devices. */
        source: z.enum(['stamped', 'fake']).default('stamped'),
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
        /** Browser viewers read the stamped source's stamps and audio markers (false saves their CPU, and measures no latency). */
        stamps: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    faults: z.array(faultSchema).default([]),
    thresholds: z
      .record(z.string(), z.array(condition).min(1))
      .superRefine((thresholds, ctx) => {
        for (const metric of Object.keys(thresholds)) {
          if (!(THRESHOLD_METRICS as readonly string[]).includes(metric)) {
            ctx.addIssue({ code: 'custom', path: [metric], message: `unknown metric; expected one of ${THRESHOLD_METRICS.join(', ')}` });
          }
        }
      })
      .transform((thresholds) => thresholds as Partial<Record<ThresholdMetric, string[]>>)
      .default({}),
    /** A team's own web app under test instead of livedrill's pages and SFU (harness/scenario/app.ts). */
    app: appSchema.optional(),
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
    if (scenario.app && scenario.viewers.synthetic > 0) {
      ctx.addIssue({ code: 'custom', path: ['viewers', 'synthetic'], message: "must be 0 with app: synthetic viewers receive plain RTP from livedrill's own SFU, and an app brings its own" });
    }
    if (scenario.app && scenario.publisher.count > 1) {
      ctx.addIssue({ code: 'custom', path: ['publisher', 'count'], message: 'must be 1 with app: the app has one publisher page' });
    }
    const firstWithId = new Map<string, number>();
    scenario.faults.forEach((fault, i) => {
      const id = faultIdOf(fault, i);
      const first = firstWithId.get(id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'id'], message: `"${id}" is already the id of faults[${first}]; fault ids must be unique` });
      } else firstWithId.set(id, i);
      for (const [field, message] of faultProblems(fault, fault.at, { limit: scenario.duration, limitName: 'the broadcast', scenario })) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, ...(field === 'end' ? [] : [field])], message });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
