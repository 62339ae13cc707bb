import type { Database } from './client.ts';
import { applyLogSql } from './rollups.ts';
import { switchZoneSql } from './work-items.ts';
import { ADVISORY_LOCK } from './locks.ts';

/**
 * Keeping the rollups current outside the write statements themselves (src/db/rollups.ts):
 * SQLite's trigger log is folded in before a read, and the work-item tables follow REPORT_TIMEZONE.
 */

/** Folds SQLite's "RollupLog" into the rollups when it holds anything (PostgreSQL's triggers need nothing). */
export async function applyRollupLog(db: Database): Promise<void> {
  if (db.provider !== 'sqlite') return;
  const pending = await db.prisma.$queryRawUnsafe<{ n: unknown }[]>('SELECT EXISTS (SELECT 1 FROM "RollupLog") AS "n"');
  if (!Number(pending[0]?.n ?? 0)) return;
  // One write transaction: a second reader finds the log empty afterwards, and a writer waits.
  await db.prisma.$transaction(applyLogSql().map((sql) => db.prisma.$executeRawUnsafe(sql)));
}

/** The zone the work-item tables are built in ('' before the first start after migration 0010). */
export async function rollupZone(db: Database): Promise<string> {
  const rows = await db.prisma.$queryRawUnsafe<{ zone: string }[]>('SELECT "zone" FROM "RollupZone" WHERE "id" = 1');
  return rows[0]?.zone ?? '';
}

/**
 * Builds the work-item tables in `zone` when they are in another one (or none): at start, after a
 * change of REPORT_TIMEZONE. Writers are held off meanwhile; readers read the ledger until it is done.
 * Returns whether it rebuilt.
 */
export async function ensureRollupZone(db: Database, zone: string): Promise<boolean> {
  if ((await rollupZone(db)) === zone) return false;
  await applyRollupLog(db);
  await db.prisma.$transaction(
    async (tx) => {
      if (db.provider === 'postgresql') {
        await tx.$executeRawUnsafe('LOCK TABLE "CostEntry" IN SHARE ROW EXCLUSIVE MODE');
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK.workItems})`);
      }
      for (const sql of switchZoneSql(db.provider, zone)) await tx.$executeRawUnsafe(sql);
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
  return true;
}
