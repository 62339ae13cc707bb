import type { Database } from './client.ts';
import { applyLogSql, localMonths, localMonthsSql, switchZoneSql, type MonthScheme } from './rollups.ts';
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
 * The numbering of the local-month buckets (LOCAL_MONTH_GRAIN) when they are built in a zone, else null
 * (they hold UTC months until the first start after migration 0018, and are not read then).
 */
export async function localMonthScheme(db: Database): Promise<MonthScheme | null> {
  const rows = await db.prisma.$queryRawUnsafe<{ zone: string; built: unknown }[]>(
    'SELECT "zone", EXISTS (SELECT 1 FROM "ZoneMonth") AS "built" FROM "RollupZone" WHERE "id" = 1',
  );
  const r = rows[0];
  return r?.zone && Number(r.built) ? localMonths(r.zone) : null;
}

/**
 * Builds the rollups that hold local dates (the work-item tables, the local-month buckets) in `zone` when
 * they are in another one (or none): at start, after a change of REPORT_TIMEZONE, and once after migration
 * 0018 added the local-month buckets (only those are built then). Writers are held off meanwhile; readers
 * read the ledger, or UTC buckets, until it is done. Returns whether it rebuilt.
 */
export async function ensureRollupZone(db: Database, zone: string): Promise<boolean> {
  const current = await rollupZone(db);
  const months = await db.prisma.$queryRawUnsafe<{ n: unknown }[]>('SELECT EXISTS (SELECT 1 FROM "ZoneMonth") AS "n"');
  const monthsBuilt = Boolean(Number(months[0]?.n ?? 0));
  if (current === zone && monthsBuilt) return false;
  await applyRollupLog(db);
  await db.prisma.$transaction(
    async (tx) => {
      if (db.provider === 'postgresql') {
        await tx.$executeRawUnsafe('LOCK TABLE "CostEntry" IN SHARE ROW EXCLUSIVE MODE');
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK.workItems})`);
      }
      const statements = current === zone ? localMonthsSql(db.provider, zone) : switchZoneSql(db.provider, zone);
      for (const sql of statements) await tx.$executeRawUnsafe(sql);
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
  return true;
}
