import type { z } from 'zod';

/** A short, single-line summary of a zod error ("data.0.request_id: Invalid input; …"), for error messages. */
export function validationMessage(error: z.ZodError, maxIssues = 3): string {
  const issues = error.issues.slice(0, maxIssues).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  const more = error.issues.length > maxIssues ? ` (+${error.issues.length - maxIssues} more)` : '';
  return issues.join('; ') + more;
}
