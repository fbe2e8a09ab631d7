import type { z } from 'zod';

/** One line per problem: `where: field.path: what was expected`. */
export function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `${where}: ${path}: ${issue.message}`;
    })
    .join('\n');
}
