import { scenarioSchema, type Scenario } from './schema.js';
import { loadYaml, parseYaml } from './yamlFile.js';

/** A scenario that cannot be run; its message names the file, the field and what was expected. */
export class ScenarioError extends Error {}

export function loadScenario(file: string): Promise<Scenario> {
  return loadYaml(file, 'scenario', scenarioSchema, ScenarioError);
}

export function parseScenario(text: string, file: string): Scenario {
  return parseYaml(text, file, scenarioSchema, ScenarioError);
}
