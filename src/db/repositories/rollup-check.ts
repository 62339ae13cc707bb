import type { Database } from '../client.ts';
import { monthPeriod } from '../../domain/periods.ts';
import { applyRollupLog, localMonthScheme, rollupZone } from '../rollup-maintenance.ts';
import {
  BUMP_REBUILDS_SQL,
  applyLogSql,
  CUBES,
  DAY_MS,
  UTC_MONTHS,
  allGrainsOf,
  expectedRowsSql,
  insertExpectedSql,
  storedRowsSql,
  type Grain,
  type MonthScheme,
} from '../rollups.ts';
import { dayNumbering, expectedWorkItemDaysSql, expectedWorkItemSpansSql, rebuildWorkItemsSql } from '../work-items.ts';
import { ADVISORY_LOCK } from '../locks.ts';

/**
 * `aicost verify`: compares the rollups with what the ledger implies, bucket by bucket, and rebuilds the
 * buckets that differ (`repair`). A month is checked as the whole UTC days that cover it in the report
 * time zone; without one, everything is. Triggers keep the rollups exact on every write; this is for an
 * operator after a crash, a restore, a TRUNCATE, or any write made with the triggers disabled.
 * The work-item tables (by local day, src/db/work-items.ts) are compared over the month's local days
 * and, when they differ, rebuilt whole: an item's previous active day can lie in any earlier month.
 */
export interface RollupCheck {
  table: string;
  grain: number;
  /** Rollup rows that are missing, extra or different. */
  differences: number;
}

export function rollupChecks(db: Database) {
  const { prisma, provider } = db;
  const literal = (at: Date) =>
    provider === 'sqlite' ? `'${at.toISOString().replace('Z', '+00:00')}'` : `TIMESTAMP '${at.toISOString().replace('T', ' ').replace('Z', '')}'`;

  /**
   * The time range and buckets a grain is checked over: whole UTC days (or UTC months, or the local months
   * of the zone the local-month buckets are built in) covering the range.
   */
  function scope(range: { from: Date; to: Date } | null, local: MonthScheme | null) {
    if (!range) return () => ({ time: null, buckets: null });
    return (g: Grain) => {
      if (g.months) {
        const months = g.months === 'local' && local ? local : UTC_MONTHS;
        const from = months.of(range.from.getTime());
        const last = months.of(range.to.getTime() - 1);
        return {
          time: { from: literal(new Date(months.start(from))), to: literal(new Date(months.start(last + 1))) },
          buckets: { from, to: last + 1 },
        };
      }
      const dayFrom = Math.floor(range.from.getTime() / DAY_MS);
      const dayTo = Math.ceil(range.to.getTime() / DAY_MS);
      return {
        time: { from: literal(new Date(dayFrom * DAY_MS)), to: literal(new Date(dayTo * DAY_MS)) },
        buckets: { from: (dayFrom * DAY_MS) / g.ms, to: (dayTo * DAY_MS) / g.ms },
      };
    };
  }

  const differing = async (expected: string, stored: string) => {
    const rows = await prisma.$queryRawUnsafe<{ n: unknown }[]>(
      `SELECT (SELECT COUNT(*) FROM (SELECT * FROM (${expected}) e1 EXCEPT SELECT * FROM (${stored}) s1) a)
            + (SELECT COUNT(*) FROM (SELECT * FROM (${stored}) s2 EXCEPT SELECT * FROM (${expected}) e2) b) AS "n"`,
    );
    return Number(rows[0]?.n ?? 0);
  };

  async function compareWorkItems(range: { from: Date; to: Date } | null): Promise<RollupCheck[]> {
    const zone = await rollupZone(db);
    // Not built yet (the application builds them at start): nothing reads them, nothing to compare.
    if (!zone) return [];
    const days = dayNumbering(zone);
    const inRange = range ? ` WHERE "day" >= ${days.dayOf(range.from)} AND "day" < ${days.dayOf(range.to)}` : '';
    return [
      {
        table: 'WorkItemDay',
        grain: 3,
        differences: await differing(
          `SELECT * FROM (${expectedWorkItemDaysSql(provider)}) x${inRange}`,
          `SELECT "scope", "key", "workItem", "day", "calls", "prev" FROM "WorkItemDay"${inRange}`,
        ),
      },
      {
        table: 'WorkItemSpan',
        grain: 3,
        differences: await differing(
          `SELECT * FROM (${expectedWorkItemSpansSql(provider)}) x${inRange}`,
          `SELECT "scope", "day", "prev", "key", "items" FROM "WorkItemSpan" WHERE "items" <> 0${inRange ? inRange.replace(' WHERE', ' AND') : ''}`,
        ),
      },
    ];
  }

  async function compare(range: { from: Date; to: Date } | null): Promise<RollupCheck[]> {
    await applyRollupLog(db);
    const s = scope(range, await localMonthScheme(db));
    const out: RollupCheck[] = [];
    for (const c of CUBES) {
      for (const g of allGrainsOf(c)) {
        const { time, buckets } = s(g);
        const expected = expectedRowsSql(provider, c, g, time);
        const stored = storedRowsSql(c, g, buckets);
        out.push({ table: c.table, grain: g.id, differences: await differing(expected, stored) });
      }
    }
    return [...out, ...(await compareWorkItems(range))];
  }

  return {
    compare,

    /** Rebuilds the rollups of the range from the ledger, with writers held off meanwhile. */
    async repair(range: { from: Date; to: Date } | null): Promise<void> {
      const s = scope(range, await localMonthScheme(db));
      const items = (await compareWorkItems(range)).some((c) => c.differences > 0);
      await applyRollupLog(db);
      await prisma.$transaction(
        async (tx) => {
          if (provider === 'postgresql') {
            await tx.$executeRawUnsafe('LOCK TABLE "CostEntry" IN SHARE ROW EXCLUSIVE MODE');
            await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK.workItems})`);
          }
          // SQLite: the log is folded in this transaction, so a row logged before the rebuild is not counted twice.
          if (provider === 'sqlite') for (const sql of applyLogSql()) await tx.$executeRawUnsafe(sql);
          if (items) for (const sql of rebuildWorkItemsSql(provider)) await tx.$executeRawUnsafe(sql);
          for (const c of CUBES) {
            for (const g of allGrainsOf(c)) {
              const { time, buckets: b } = s(g);
              await tx.$executeRawUnsafe(`DELETE FROM "${c.table}" WHERE "grain" = ${g.id}${b ? ` AND "bucket" >= ${b.from} AND "bucket" < ${b.to}` : ''}`);
              await tx.$executeRawUnsafe(insertExpectedSql(provider, c, g, time));
            }
          }
          await tx.$executeRawUnsafe(BUMP_REBUILDS_SQL);
        },
        { timeout: 600_000, maxWait: 60_000 },
      );
    },
  };
}

/** What `aicost verify` runs and prints. */
export async function verifyRollups(
  db: Database,
  opts: { month?: string; repair: boolean; timeZone: string },
): Promise<{ differences: number; lines: string[] }> {
  const checks = rollupChecks(db);
  const range = opts.month ? monthPeriod(opts.month, opts.timeZone) : null;
  const scope = opts.month ? `month ${opts.month}` : 'every period';
  const before = await checks.compare(range);
  const differences = before.reduce((n, c) => n + c.differences, 0);
  const lines = [`Checked the rollups against the cost ledger for ${scope}.`];
  for (const c of before) if (c.differences) lines.push(`  ${c.table} (${GRAIN_NAMES[c.grain]}): ${c.differences} rows differ`);
  if (!differences) return { differences, lines: [...lines, 'No differences: nothing to repair.'] };
  if (!opts.repair) return { differences, lines: [...lines, `${differences} rows differ. Run again with --repair to rebuild them from the ledger.`] };
  await checks.repair(range);
  const after = (await checks.compare(range)).reduce((n, c) => n + c.differences, 0);
  return {
    differences,
    lines: [
      ...lines,
      after
        ? `Repair left ${after} rows different; run it again while no sync is writing.`
        : `Repaired: ${differences} rows rebuilt from the ledger; the rollups now match it.`,
    ],
  };
}

const GRAIN_NAMES: Record<number, string> = { 0: 'quarter hours', 1: 'hours', 2: 'days', 3: 'local days', 4: 'months', 5: 'local months' };
