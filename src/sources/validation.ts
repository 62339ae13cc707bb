import type { z } from 'zod';

/** A short, single-line summary of a zod error ("data.0.request_id: Invalid input; …"), for error messages. */
export function validationMessage(error: z.ZodError, maxIssues = 3): string {
  const issues = error.issues.slice(0, maxIssues).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  const more = error.issues.length > maxIssues ? ` (+${error.issues.length - maxIssues} more)` : '';
  return issues.join('; ') + more;
}

/** More tokens than any model takes or gives in one call: a count above it is a broken record, not a call. */
export const MAX_TOKENS_PER_CALL = 1_000_000_000;

/**
 * A token count as a source sends it (a number, numeric text, or null/absent for none), as a whole
 * number of tokens. The documents type counts as plain numbers (`double`), so what is valid JSON for
 * them is not always a count: a fraction is rounded (tokens are whole); a negative count, one that is
 * not a number, or one above MAX_TOKENS_PER_CALL throws, and the record is kept aside with the reason
 * (a negative count would re-price a call below zero; an overflowing one cannot be stored).
 */
export function tokenCount(raw: unknown, field: string): number {
  if (raw === null || raw === undefined || raw === '') return 0;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new RangeError(`${field} is not a token count (${String(raw).slice(0, 40)})`);
  if (n < 0) throw new RangeError(`${field} is a negative token count (${n})`);
  if (n > MAX_TOKENS_PER_CALL) throw new RangeError(`${field} is ${n} tokens, more than the ${MAX_TOKENS_PER_CALL.toLocaleString('en-US')} one call can have`);
  return Math.round(n);
}
