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

/**
 * Many rows read as one: the rows of `inner` (its columns `cols`, in order) as a JSON array of arrays in
 * one text value, to be read with `parseRows`. Prisma's driver adapters cost about 4 µs per value they
 * hand back, 0.15 s for a month of 10,000 customers × teams (issue 25); one text and `JSON.parse` cost a
 * tenth of that. Keep exact money as text inside (`sumAsText`): JSON numbers are floats.
 */
export function asJsonRows(provider: Provider, cols: string[], inner: Sql, orderBy?: string[]): Sql {
  const list = Prisma.raw(cols.map((c) => `"${c}"`).join(', '));
  const order = Prisma.raw(orderBy?.length ? ` ORDER BY ${orderBy.map((c) => `"${c}"`).join(', ')}` : '');
  return provider === 'sqlite'
    ? Prisma.sql`SELECT COALESCE(json_group_array(json_array(${list})${order}), '[]') AS "rows" FROM (${inner}) j`
    : Prisma.sql`SELECT COALESCE(json_agg(json_build_array(${list})${order}), '[]')::text AS "rows" FROM (${inner}) j`;
}

/** The rows `asJsonRows` packed, each an array of its columns' values. */
export function parseRows(result: { rows: unknown }[]): unknown[][] {
  const text = result[0]?.rows;
  return typeof text === 'string' ? (JSON.parse(text) as unknown[][]) : [];
}
