/** A unique-constraint violation (Prisma P2002), raised by the insert that loses a race. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (e.code === 'P2002') return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /UNIQUE constraint failed|duplicate key value violates unique constraint|Unique constraint failed/i.test(msg);
}

/**
 * Makes a write that creates a row on first sight race-free on both databases. Prisma's `upsert` reads
 * then inserts unless it can use the database's own upsert (PostgreSQL, non-empty update only), so two
 * writers creating the same row at once made the loser fail with a unique violation. The loser runs the
 * write again: the row now exists, so the upsert updates it (or the create-or-read finds it). Not for
 * use inside a PostgreSQL transaction, which a failed statement aborts.
 */
export async function onceMoreOnConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return write();
  }
}
