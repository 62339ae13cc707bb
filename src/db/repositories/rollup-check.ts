import type { Database } from '../client.ts';
import { monthPeriod } from '../../domain/periods.ts';
import { CUBES, DAY_MS, expectedRowsSql, grainsOf, insertExpectedSql, storedRowsSql } from '../rollups.ts';

/**
 * `aicost verify`: compares the rollups with what the ledger implies, bucket by bucket, and rebuilds the
 * buckets that differ (`repair`). A month is checked as the whole UTC days that cover it in the report
 * time zone; without one, everything is. Triggers keep the rollups exact on every write; this is for an
 * operator after a crash, a restore, a TRUNCATE, or any write made with the triggers disabled.
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

  function scope(range: { from: Date; to: Date } | null) {
    if (!range) return { time: null, bucketsOf: () => null };
    const dayFrom = Math.floor(range.from.getTime() / DAY_MS);
    const dayTo = Math.ceil(range.to.getTime() / DAY_MS);
    return {
      time: { from: literal(new Date(dayFrom * DAY_MS)), to: literal(new Date(dayTo * DAY_MS)) },
      bucketsOf: (ms: number) => ({ from: (dayFrom * DAY_MS) / ms, to: (dayTo * DAY_MS) / ms }),
    };
  }

  async function compare(range: { from: Date; to: Date } | null): Promise<RollupCheck[]> {
    const s = scope(range);
    const out: RollupCheck[] = [];
    for (const c of CUBES) {
      for (const g of grainsOf(c)) {
        const expected = expectedRowsSql(provider, c, g, s.time);
        const stored = storedRowsSql(c, g, s.bucketsOf(g.ms));
        const rows = await prisma.$queryRawUnsafe<{ n: unknown }[]>(
          `SELECT (SELECT COUNT(*) FROM (SELECT * FROM (${expected}) e1 EXCEPT SELECT * FROM (${stored}) s1) a)
                + (SELECT COUNT(*) FROM (SELECT * FROM (${stored}) s2 EXCEPT SELECT * FROM (${expected}) e2) b) AS "n"`,
        );
        out.push({ table: c.table, grain: g.id, differences: Number(rows[0]?.n ?? 0) });
      }
    }
    return out;
  }

  return {
    compare,

    /** Rebuilds the rollups of the range from the ledger, with writers held off meanwhile. */
    async repair(range: { from: Date; to: Date } | null): Promise<void> {
      const s = scope(range);
      await prisma.$transaction(
        async (tx) => {
          if (provider === 'postgresql') await tx.$executeRawUnsafe('LOCK TABLE "CostEntry" IN SHARE ROW EXCLUSIVE MODE');
          for (const c of CUBES) {
            for (const g of grainsOf(c)) {
              const b = s.bucketsOf(g.ms);
              await tx.$executeRawUnsafe(`DELETE FROM "${c.table}" WHERE "grain" = ${g.id}${b ? ` AND "bucket" >= ${b.from} AND "bucket" < ${b.to}` : ''}`);
              await tx.$executeRawUnsafe(insertExpectedSql(provider, c, g, s.time));
            }
          }
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

const GRAIN_NAMES: Record<number, string> = { 0: 'quarter hours', 1: 'hours', 2: 'days' };
