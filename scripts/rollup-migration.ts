import { mkdirSync, writeFileSync } from 'node:fs';
import { migration0018Sql } from '../src/db/rollups.ts';

/**
 * Writes the 0018_local_month_rollups migrations from the definitions in src/db/rollups.ts (run once; the
 * SQL is committed): the table of local month starts and, on PostgreSQL, the trigger functions with every
 * rollup grain in them. 0005_rollups, 0010_work_item_days and 0014_customer_rollups were written the same
 * way by earlier versions of this script.
 */
for (const [provider, dir] of [
  ['sqlite', 'sqlite'],
  ['postgresql', 'postgres'],
] as const) {
  const folder = `prisma/migrations/${dir}/0018_local_month_rollups`;
  mkdirSync(folder, { recursive: true });
  writeFileSync(`${folder}/migration.sql`, migration0018Sql(provider));
}
