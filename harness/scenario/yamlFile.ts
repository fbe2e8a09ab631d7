import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { describeIssues } from '../../common/validation.js';

type ErrorClass = new (message: string) => Error;

/** Scenario and profile files are small; anything larger is a mistake or an attack. */
const MAX_BYTES = 1024 * 1024;

/** Parses YAML text against a schema; every problem names the file, the field and what was expected. */
export function parseYaml<S extends z.ZodType>(text: string, file: string, schema: S, ErrorType: ErrorClass): z.output<S> {
  if (text.length > MAX_BYTES) throw new ErrorType(`${file}: over ${MAX_BYTES / 1024} KiB: not a scenario file`);
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ErrorType(doc.errors.map((e) => `${file}: YAML syntax: ${e.message}`).join('\n'));
  let value: unknown;
  try {
    // Aliases are expanded up to a bound: a "billion laughs" file is refused, not expanded.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ErrorType(`${file}: YAML: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ErrorType(describeIssues(file, parsed.error));
  return parsed.data;
}

/** Reads then parses a YAML file; `what` names it in the error when it cannot be read. */
export async function loadYaml<S extends z.ZodType>(file: string, what: string, schema: S, ErrorType: ErrorClass): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ErrorType(`${file}: cannot read the ${what}: ${(error as Error).message}`);
  }
  return parseYaml(text, file, schema, ErrorType);
}
