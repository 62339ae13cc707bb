import { Prisma } from '../generated/sqlite/client.ts';
import type { Provider } from './client.ts';

/**
 * The few places where SQLite and PostgreSQL differ in raw SQL, kept in one module.
 * Raw SQL is used only for aggregates Prisma's query API cannot express (exact text sums, interval sums).
 */
export { Prisma };
export type Sql = Prisma.Sql;

/**
 * An instant as a bound parameter that compares correctly with stored DateTime values. Prisma's
 * SQLite adapter stores DateTime as ISO text with "+00:00"; binding the same text keeps string
 * comparison exact at the boundaries (a "Z" suffix would sort after "+00:00").
 */
export function instant(provider: Provider, at: Date): Date | string {
  return provider === 'sqlite' ? at.toISOString().replace('Z', '+00:00') : at;
}

/** A SUM of a BigInt money column as exact text (SQLite would hand back a lossy number past 2^53). */
export function sumAsText(provider: Provider, column: Sql): Sql {
  return provider === 'sqlite' ? Prisma.sql`CAST(COALESCE(SUM(${column}), 0) AS TEXT)` : Prisma.sql`COALESCE(SUM(${column}), 0)::text`;
}

export function countAsText(provider: Provider): Sql {
  return provider === 'sqlite' ? Prisma.sql`CAST(COUNT(*) AS TEXT)` : Prisma.sql`COUNT(*)::text`;
}
