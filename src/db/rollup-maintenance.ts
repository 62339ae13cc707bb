import type { Database } from './client.ts';
import { applyLogSql, localMonths, localMonthsSql, recordTzdataSql, switchZoneSql, TZDATA, zoneMonthRows, type MonthScheme } from './rollups.ts';
import { zoneOffsetRows } from './work-items.ts';
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
 * Whether a zone table ("ZoneOffset", "ZoneMonth") holds exactly the rows the application computes for the
 * zone from its own time zone database: after an upgrade of Node's zone data (a country changes its rules)
 * they can differ, and the database would bucket by the old rules while the application plans reads by the
 * new ones.
 */
async function zoneRowsMatch(db: Database, table: 'ZoneOffset' | 'ZoneMonth', rows: { fromSec: number; value: number }[]): Promise<boolean> {
  const value = table === 'ZoneOffset' ? '"offsetSec"' : '"month"';
  const stored = await db.prisma.$queryRawUnsafe<{ n: unknown; s: unknown; v: unknown }[]>(
    `SELECT CAST(COUNT(*) AS TEXT) AS "n", CAST(COALESCE(SUM("fromSec"), 0) AS TEXT) AS "s", CAST(COALESCE(SUM(${value}), 0) AS TEXT) AS "v" FROM "${table}"`,
  );
  const r = stored[0];
  const sum = (f: (x: { fromSec: number; value: number }) => number) => String(rows.reduce((a, x) => a + BigInt(f(x)), 0n));
  return String(r?.n) === String(rows.length) && String(r?.s) === sum((x) => x.fromSec) && String(r?.v) === sum((x) => x.value);
}
const monthRowsOf = (zone: string) => zoneMonthRows(zone).map((r) => ({ fromSec: r.fromSec, value: r.month }));
const offsetRowsOf = (zone: string) => zoneOffsetRows(zone).map((r) => ({ fromSec: r.fromSec, value: r.offsetSec }));

/** The zone the rollups with local dates are built in, whether its months are, and with which zone database. */
async function zoneState(db: Database): Promise<{ zone: string; built: boolean; tzdata: string }> {
  const rows = await db.prisma.$queryRawUnsafe<{ zone: string; built: unknown; tzdata: string }[]>(
    'SELECT "zone", EXISTS (SELECT 1 FROM "ZoneMonth") AS "built", "tzdata" FROM "RollupZone" WHERE "id" = 1',
  );
  const r = rows[0];
  return { zone: r?.zone ?? '', built: Boolean(Number(r?.built ?? 0)), tzdata: r?.tzdata ?? '' };
}

/** Zones whose "ZoneMonth" this process found equal to its own numbering (checked once per zone). */
const verifiedMonths = new Set<string>();

/**
 * The numbering of the local-month buckets (LOCAL_MONTH_GRAIN) when they are built in a zone and by the
 * same rules as the application's, else null (they hold UTC months until the first start after migration
 * 0018; after a change of zone data, until the next start rebuilds them): readers then use UTC months.
 */
export async function localMonthScheme(db: Database): Promise<MonthScheme | null> {
  const r = await zoneState(db);
  if (!r.zone || !r.built) return null;
  if (r.tzdata !== TZDATA && !verifiedMonths.has(r.zone)) {
    if (!(await zoneRowsMatch(db, 'ZoneMonth', monthRowsOf(r.zone)))) return null;
    verifiedMonths.add(r.zone);
  }
  return localMonths(r.zone);
}

/**
 * Builds the rollups that hold local dates (the work-item tables, the local-month buckets) in `zone` when
 * they are in another one (or none), or by other rules than the application's zone data: at start, after
 * a change of REPORT_TIMEZONE or of Node's zone data, and once after migration 0018 added the local-month
 * buckets (only those are built then). Writers are held off meanwhile; readers read the ledger, or UTC
 * buckets, until it is done. Returns whether it rebuilt.
 */
export async function ensureRollupZone(db: Database, zone: string): Promise<boolean> {
  const state = await zoneState(db);
  const current = state.zone;
  // Built in this zone with this zone database: nothing to compare.
  if (current === zone && state.built && state.tzdata === TZDATA) return false;
  const offsetsOk = current === zone && (await zoneRowsMatch(db, 'ZoneOffset', offsetRowsOf(zone)));
  const monthsOk = offsetsOk && state.built && (await zoneRowsMatch(db, 'ZoneMonth', monthRowsOf(zone)));
  if (monthsOk) {
    // Another zone database that changed nothing in this zone.
    await db.prisma.$executeRawUnsafe(recordTzdataSql());
    return false;
  }
  await db.prisma.$transaction(
    async (tx) => {
      if (db.provider === 'postgresql') {
        await tx.$executeRawUnsafe('LOCK TABLE "CostEntry" IN SHARE ROW EXCLUSIVE MODE');
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK.workItems})`);
      }
      // SQLite: what the log holds is folded in the same transaction, so a row written before the rebuild
      // is not counted both by the rebuild (from the ledger) and later by the log.
      const statements = [
        ...(db.provider === 'sqlite' ? applyLogSql() : []),
        ...(offsetsOk ? localMonthsSql(db.provider, zone) : switchZoneSql(db.provider, zone)),
      ];
      for (const sql of statements) await tx.$executeRawUnsafe(sql);
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
  verifiedMonths.add(zone);
  return true;
}
