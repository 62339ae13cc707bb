/** A unique-constraint violation (Prisma P2002), raised by the insert that loses a race. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (e.code === 'P2002') return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /UNIQUE constraint failed|duplicate key value violates unique constraint|Unique constraint failed/i.test(msg);
}
