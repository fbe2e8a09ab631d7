import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { describeIssues } from '../../server/common/validation.js';
import { scenarioSchema, type Scenario } from './schema.js';

/** A scenario that cannot be run; its message names the file, the field and what was expected. */
export class ScenarioError extends Error {}

export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ScenarioError(`${file}: cannot read the scenario: ${(error as Error).message}`);
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file: string): Scenario {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(doc.errors.map((e) => `${file}: YAML syntax: ${e.message}`).join('\n'));
  }
  const parsed = scenarioSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new ScenarioError(describeIssues(file, parsed.error));
  return parsed.data;
}
