import { readFileSync, writeFileSync } from 'node:fs';
import { migration0014Sql } from '../src/db/rollups.ts';

/**
 * Writes the 0014_customer_rollups migrations from the definitions in src/db/rollups.ts (run once; the
 * SQL is committed): the tables' DDL `prisma migrate diff` wrote into the migration files (kept), then
 * the backfill and, on PostgreSQL, the trigger functions with every rollup in them. 0005_rollups and
 * 0010_work_item_days were written the same way by earlier versions of this script.
 */
for (const [provider, dir] of [
  ['sqlite', 'sqlite'],
  ['postgresql', 'postgres'],
] as const) {
  const file = `prisma/migrations/${dir}/0014_customer_rollups/migration.sql`;
  const ddl = readFileSync(file, 'utf8');
  const tables = ddl.includes('-- Backfill') ? ddl.slice(ddl.indexOf('\n\n') + 2, ddl.indexOf('-- Backfill')) : ddl;
  writeFileSync(file, migration0014Sql(provider, tables));
}
