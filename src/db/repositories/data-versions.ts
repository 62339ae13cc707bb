import type { Database } from '../client.ts';
import { applyRollupLog } from '../rollup-maintenance.ts';
import { DAY_MS, VERSION_SCOPE } from '../rollups.ts';
import { Prisma } from '../sql.ts';

/**
 * Change counters (issue 25): "DataVersion" holds, per UTC day, how many times the ledger's entries of that
 * day were written (scope 0, bumped by the rollup folds and triggers of src/db/rollups.ts, so no write path
 * skips it) and, per month, how many times its revenue rows were (scope 1, the revenue table's triggers).
 * A month computed from those reads can be reused while the counters are unchanged; the sum of the
 * counters over the days only grows, so any write in the range changes it. Scope 2 (key 0) counts rebuilds
 * of the rollups (`aicost verify --repair`, a change of report time zone; `BUMP_REBUILDS_SQL`): they
 * change what a month reads without a write to the ledger.
 */

export function dataVersions(db: Database) {
  const { prisma, provider } = db;
  const text = (e: Prisma.Sql) => (provider === 'sqlite' ? Prisma.sql`CAST(${e} AS TEXT)` : Prisma.sql`(${e})::text`);
  return {
    /**
     * The counters of the ledger's days that [from, to) touches and of the month's revenue, as one key.
     * Read it before the data it stands for: a write between the two then only makes the key older than
     * the data, never the other way round.
     */
    async monthKey(f: { from: Date; to: Date }, month: string): Promise<string> {
      await applyRollupLog(db);
      const first = Math.floor(f.from.getTime() / DAY_MS);
      const last = Math.floor((f.to.getTime() - 1) / DAY_MS);
      const [y, m] = month.split('-').map(Number) as [number, number];
      const rows = await prisma.$queryRaw<{ ledger: string; revenue: string; rebuilds: string }[]>`
        SELECT ${text(Prisma.sql`(SELECT COALESCE(SUM("version"), 0) FROM "DataVersion" WHERE "scope" = ${VERSION_SCOPE.ledgerDay} AND "key" >= ${first} AND "key" <= ${last})`)} AS "ledger",
               ${text(Prisma.sql`(SELECT COALESCE(MAX("version"), 0) FROM "DataVersion" WHERE "scope" = ${VERSION_SCOPE.revenueMonth} AND "key" = ${(y - 1970) * 12 + m - 1})`)} AS "revenue",
               ${text(Prisma.sql`(SELECT COALESCE(MAX("version"), 0) FROM "DataVersion" WHERE "scope" = ${VERSION_SCOPE.rebuilds} AND "key" = 0)`)} AS "rebuilds"`;
      const r = rows[0];
      return `${r?.ledger ?? '0'}:${r?.revenue ?? '0'}:${r?.rebuilds ?? '0'}`;
    },
  };
}
