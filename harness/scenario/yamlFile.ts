import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { describeIssues } from '../../server/common/validation.js';

type ErrorClass = new (message: string) => Error;

/** Parses YAML text against a schema; every problem names the file, the field and what was expected. */
export function parseYaml<S extends z.ZodType>(text: string, file: string, schema: S, ErrorType: ErrorClass): z.output<S> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ErrorType(doc.errors.map((e) => `${file}: YAML syntax: ${e.message}`).join('\n'));
  const parsed = schema.safeParse(doc.toJS());
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
