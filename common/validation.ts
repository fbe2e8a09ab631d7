import type { z } from 'zod';
import { maxOf } from './stats.js';

type Issue = z.core.$ZodIssue;

/**
 * One line per problem: `where: field.path: what was expected`. For a value
 * that matched no alternative of a union, the alternative it came closest to
 * (the one whose complaint is deepest) explains what was wrong.
 */
export function describeIssues(where: string, error: z.ZodError): string {
  return flatten(error.issues, [])
    .map(({ path, message }) => (path.length > 0 ? `${where}: ${path.join('.')}: ${message}` : `${where}: ${message}`))
    .join('\n');
}

function flatten(issues: readonly Issue[], prefix: PropertyKey[]): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = issue.errors.reduce((best, branch) => (depth(branch) > depth(best) ? branch : best));
      if (depth(closest) > 0) return flatten(closest, path);
    }
    return [{ path, message: issue.message }];
  });
}

function depth(issues: readonly Issue[]): number {
  return maxOf(issues.map((i) => i.path.length), 0);
}
