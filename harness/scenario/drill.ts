/**
 * The `drill:` key of a scenario: an outage drill. The broadcast is the
 * scenario's; the faults are hidden. Each strikes at a time drawn (from a
 * seeded PRNG, see schedule.ts) inside its `window`, so the people on call
 * cannot know when, nor what, until the detectors or the viewers tell them.
 *
 * ```yaml
 * drill:
 *   seed: 42                          # optional; the CLI's --seed wins; random when neither
 *   timeLimit: 10m                    # the broadcast's length (default: the scenario's duration)
 *   slaProfile: sla/twilio-base.yaml  # relative to the scenario file
 *   vendor: Twilio                    # the name tickets use (default: the profile's vendor)
 *   alerts: { freezeRatio: { threshold: 0.2, for: 2s } }
 *   faults:
 *     - { kind: video-freeze, window: [1m, 4m], duration: 30s, viewers: 50% }
 * ```
 *
 * Windows count, like `at`, from the start of the steady broadcast.
 */
import { z } from 'zod';
import { faultSchema, spanProblem, type FaultSpec } from './faults.js';
import { durationMs } from './units.js';

const ratio = z.number().min(0).max(1);

/** livedrill's own alert rules (detectors.ts), evaluated once a second on live QoE. */
export const alertSettingsSchema = z
  .object({
    /** Frozen / connected viewers over `threshold` for `for`. */
    freezeRatio: z
      .object({ threshold: ratio.default(0.2), for: durationMs.default(2000), clearAfter: durationMs.default(2000) })
      .strict()
      .prefault({}),
    /** Concealed / played audio samples, summed over viewers for the last `window`, over `threshold`. */
    audioDrop: z
      .object({
        threshold: ratio.default(0.1),
        window: durationMs.default(5000),
        for: durationMs.default(0),
        clearAfter: durationMs.default(2000),
      })
      .strict()
      .prefault({}),
    /** Share of joined viewers disconnected now at or over `threshold` for `for`. */
    disconnects: z
      .object({ threshold: ratio.default(0.2), for: durationMs.default(0), clearAfter: durationMs.default(2000) })
      .strict()
      .prefault({}),
    /** Some joined viewer disconnected for longer than `after`. */
    unrecovered: z.object({ after: durationMs.default(10_000), clearAfter: durationMs.default(2000) }).strict().prefault({}),
  })
  .strict();

export type AlertSettings = z.output<typeof alertSettingsSchema>;

const window = z
  .tuple([durationMs, durationMs])
  .refine(([from, to]) => from <= to, { message: 'expected [from, to] with from <= to' });

/** A fault spec of faults/schema.ts with `window: [from, to]` where the scenario's have `at`. */
const drillFaultOptions = (faultSchema.options as readonly z.ZodObject[]).map((option) =>
  option.omit({ at: true }).extend({
    window,
    at: z.never({ error: 'a drill fault strikes at a hidden time: give window: [from, to] instead of at' }).optional(),
  }),
);

type Windowed<T> = T extends unknown ? Omit<T, 'at'> & { window: [number, number] } : never;
export type DrillFaultSpec = Windowed<FaultSpec>;

export const drillFaultSchema = z.discriminatedUnion(
  'kind',
  drillFaultOptions as unknown as [(typeof drillFaultOptions)[number], ...Array<(typeof drillFaultOptions)[number]>],
) as unknown as z.ZodType<DrillFaultSpec, unknown>;

export const drillSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffff_ffff).optional(),
    /** Ends the drill when the incidents are not all resolved by then; default: the scenario's duration. */
    timeLimit: durationMs.optional(),
    /** An SLA profile file (scenarios/sla/), relative to the scenario file. */
    slaProfile: z.string().min(1).optional(),
    /** The vendor name tickets are raised with (default: the profile's vendor). */
    vendor: z.string().min(1).optional(),
    alerts: alertSettingsSchema.prefault({}),
    faults: z.array(drillFaultSchema).min(1, 'expected at least one hidden fault'),
  })
  .strict()
  .superRefine((drill, ctx) => {
    if (drill.timeLimit === undefined) return; // checked against the scenario's duration by drill/load.ts
    drill.faults.forEach((fault, i) => {
      const problem = spanProblem(fault, fault.window[1], { limit: drill.timeLimit!, limitName: 'the time limit', may: true });
      if (problem) ctx.addIssue({ code: 'custom', path: ['faults', i, 'window'], message: problem });
    });
  });

export type DrillSpec = z.output<typeof drillSchema>;
