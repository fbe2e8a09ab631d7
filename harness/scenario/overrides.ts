/**
 * Values given beside a scenario file (the command line's --duration,
 * --browser, --host...) that take the place of the scenario's own. Each is
 * checked by the scenario schema's own rule for that field, so a bad one is
 * refused like a bad file: named by its field.
 */
import { z } from 'zod';
import { describeIssues } from '../../common/validation.js';
import { ScenarioError } from './load.js';
import { scenarioSchema, type Scenario } from './schema.js';

const fields = scenarioSchema.shape;
const viewerFields = fields.viewers.unwrap().shape;
const sfuFields = fields.sfu.unwrap().shape;

// Defaults are unwrapped: an override left out keeps the scenario's value, not the schema's default.
const overridesSchema = z
  .object({
    duration: fields.duration.optional(),
    room: fields.room.unwrap().optional(),
    viewers: z
      .object({ browser: viewerFields.browser.unwrap().optional(), synthetic: viewerFields.synthetic.unwrap().optional() })
      .strict()
      .optional(),
    sfu: z.object({ listenIp: sfuFields.listenIp.unwrap().optional(), announcedIp: sfuFields.announcedIp }).strict().optional(),
  })
  .strict();

/** As the operator says them: a duration is "6h" or a number of seconds, as in a file. */
export type ScenarioOverrides = z.input<typeof overridesSchema>;

/** The scenario with the overrides that are given (not undefined) in place of its own values; `where` names them in errors. */
export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides, where: string): Scenario {
  const parsed = overridesSchema.safeParse(overrides);
  if (!parsed.success) throw new ScenarioError(describeIssues(where, parsed.error));
  const { duration, room, viewers, sfu } = parsed.data;
  return {
    ...scenario,
    duration: duration ?? scenario.duration,
    room: room ?? scenario.room,
    viewers: { ...scenario.viewers, ...given(viewers) },
    sfu: { ...scenario.sfu, ...given(sfu) },
  };
}

function given<T extends object>(values: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}
