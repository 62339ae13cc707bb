import type { Database } from '../client.ts';
import { Prisma, countAsText, instant, sumAsText, type Sql } from '../sql.ts';
import { nanos, type Money } from '../../domain/money.ts';
import type { Dimension, CostFilter, GroupRow, CostQueries } from '../../services/ports/costs.ts';
import { intervalGroups } from './interval-groups.ts';

const column: Record<Dimension, Sql> = {
  team: Prisma.sql`"teamId"`,
  feature: Prisma.sql`"featureId"`,
  model: Prisma.sql`"model"`,
  customer: Prisma.sql`"customer"`,
  environment: Prisma.sql`"environment"`,
  source: Prisma.sql`"source"`,
  category: Prisma.sql`"category"`,
};

/**
 * The same aggregates summed from the raw ledger: the reference the rollups are proven against
 * (test/integration/rollups.test.ts), and what `aicost verify` trusts.
 */
export function ledgerCostQueries(db: Database): CostQueries {
  const { prisma, provider } = db;

  function where(f: CostFilter): Sql {
    const parts: Sql[] = [Prisma.sql`"occurredAt" >= ${instant(provider, f.from)}`, Prisma.sql`"occurredAt" < ${instant(provider, f.to)}`];
    if (f.teamIds) {
      const ids = f.teamIds.filter((t): t is number => t !== null);
      const withNull = f.teamIds.includes(null);
      const alternatives: Sql[] = [];
      if (ids.length) alternatives.push(Prisma.sql`"teamId" IN (${Prisma.join(ids)})`);
      if (withNull) alternatives.push(Prisma.sql`"teamId" IS NULL`);
      parts.push(alternatives.length ? Prisma.sql`(${Prisma.join(alternatives, ' OR ')})` : Prisma.sql`1 = 0`);
    }
    if (f.featureIds) {
      parts.push(f.featureIds.length ? Prisma.sql`"featureId" IN (${Prisma.join(f.featureIds)})` : Prisma.sql`1 = 0`);
    }
    if (f.models) parts.push(f.models.length ? Prisma.sql`"model" IN (${Prisma.join(f.models)})` : Prisma.sql`1 = 0`);
    if (f.customers) parts.push(f.customers.length ? Prisma.sql`"customer" IN (${Prisma.join(f.customers)})` : Prisma.sql`1 = 0`);
    return Prisma.join(parts, ' AND ');
  }

  return {
    /** Sum and count per value of one dimension, largest first. */
    async groupBy(dimension: Dimension, f: CostFilter): Promise<GroupRow[]> {
      const col = column[dimension];
      const rows = await prisma.$queryRaw<{ key: unknown; amount: string; count: string }[]>`
        SELECT ${col} AS "key", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count"
        FROM "CostEntry" WHERE ${where(f)} GROUP BY ${col}`;
      return rows
        .map((r) => ({ key: r.key === null ? null : String(r.key), amount: nanos(r.amount), count: Number(r.count) }))
        .sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1));
    },

    /**
     * Sums between consecutive instants (e.g. local midnights): one index range scan per interval,
     * so day boundaries are exact in any time zone and no per-row date function runs.
     * Returns one amount per interval (boundaries.length - 1 of them).
     */
    async intervalTotals(f: Omit<CostFilter, 'from' | 'to'>, boundaries: Date[]): Promise<Money[]> {
      const out: Money[] = [];
      // SQLite allows 500 terms in a compound SELECT; stay well below.
      for (let start = 0; start < boundaries.length - 1; start += 100) {
        const parts: Sql[] = [];
        for (let i = start; i < Math.min(boundaries.length - 1, start + 100); i++) {
          const filter = where({ ...f, from: boundaries[i]!, to: boundaries[i + 1]! });
          parts.push(Prisma.sql`SELECT ${i} AS "i", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount" FROM "CostEntry" WHERE ${filter}`);
        }
        const rows = await prisma.$queryRaw<{ i: unknown; amount: string }[]>`${Prisma.join(parts, ' UNION ALL ')}`;
        for (const r of rows.sort((a, b) => Number(a.i) - Number(b.i))) out.push(nanos(r.amount));
      }
      return out;
    },

    /** `groupBy` per interval, as one UNION ALL of the same grouped range scans (100 intervals a statement). */
    async groupByIntervals(dimension, f, boundaries) {
      const col = column[dimension];
      const sums: { i: number; key: string | null; amount: bigint; count: number }[] = [];
      for (let start = 0; start < boundaries.length - 1; start += 100) {
        const parts: Sql[] = [];
        for (let i = start; i < Math.min(boundaries.length - 1, start + 100); i++) {
          if (boundaries[i + 1]! < boundaries[i]!) throw new Error('groupByIntervals: boundaries must not decrease');
          parts.push(Prisma.sql`SELECT ${Prisma.raw(String(i))} AS "i", ${col} AS "key", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count"
            FROM "CostEntry" WHERE ${where({ ...f, from: boundaries[i]!, to: boundaries[i + 1]! })} GROUP BY ${col}`);
        }
        const rows = await prisma.$queryRaw<{ i: unknown; key: unknown; amount: string; count: string }[]>`${Prisma.join(parts, ' UNION ALL ')}`;
        for (const r of rows) sums.push({ i: Number(r.i), key: r.key === null ? null : String(r.key), amount: BigInt(r.amount), count: Number(r.count) });
      }
      return intervalGroups(Math.max(0, boundaries.length - 1), sums);
    },

    /** Sum, count and unpriced count per (team, feature): one covering-index scan serves every report total. */
    async teamFeatureSummary(f: CostFilter): Promise<{ teamId: number | null; featureId: number | null; amount: Money; count: number; unpriced: number }[]> {
      const rows = await prisma.$queryRaw<{ teamId: unknown; featureId: unknown; amount: string; count: string; unpriced: string }[]>`
        SELECT "teamId", "featureId", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count",
               ${provider === 'sqlite' ? Prisma.sql`CAST(SUM(CASE WHEN "pricedBy" = 'unpriced' THEN 1 ELSE 0 END) AS TEXT)` : Prisma.sql`SUM(CASE WHEN "pricedBy" = 'unpriced' THEN 1 ELSE 0 END)::text`} AS "unpriced"
        FROM "CostEntry" WHERE ${where(f)} GROUP BY "teamId", "featureId"`;
      return rows.map((r) => ({
        teamId: r.teamId === null ? null : Number(r.teamId),
        featureId: r.featureId === null ? null : Number(r.featureId),
        amount: nanos(r.amount),
        count: Number(r.count),
        unpriced: Number(r.unpriced),
      }));
    },

    /**
     * Usage per team and per feature: requests, tokens and distinct work items, for per-unit hidden costs,
     * usage-based allocation and cost per work item.
     */
    async usage(f: CostFilter, by: 'team' | 'feature'): Promise<{ key: number | null; requests: number; tokens: bigint; workItems: number }[]> {
      const col = by === 'team' ? Prisma.sql`"teamId"` : Prisma.sql`"featureId"`;
      const rows = await prisma.$queryRaw<{ key: unknown; requests: string; tokens: string; workItems: string }[]>`
        SELECT ${col} AS "key", ${countAsText(provider)} AS "requests",
               ${sumAsText(provider, Prisma.sql`"inputTokens" + "outputTokens"`)} AS "tokens",
               ${provider === 'sqlite' ? Prisma.sql`CAST(COUNT(DISTINCT "workItem") AS TEXT)` : Prisma.sql`COUNT(DISTINCT "workItem")::text`} AS "workItems"
        FROM "CostEntry" WHERE ${where(f)} GROUP BY ${col}`;
      return rows.map((r) => ({
        key: r.key === null ? null : Number(r.key),
        requests: Number(r.requests),
        tokens: BigInt(r.tokens),
        workItems: Number(r.workItems),
      }));
    },

    /**
     * Direct cost per (team, source), split into regular entries and corrections (entries booked into
     * this period for a month that was already closed).
     */
    async teamSourceSummary(f: CostFilter): Promise<{ teamId: number | null; source: string; correction: boolean; amount: Money; count: number }[]> {
      const rows = await prisma.$queryRaw<{ teamId: unknown; source: string; correction: unknown; amount: string; count: string }[]>`
        SELECT "teamId", "source", CASE WHEN "originalAt" IS NULL THEN 0 ELSE 1 END AS "correction",
               ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count"
        FROM "CostEntry" WHERE ${where(f)} GROUP BY "teamId", "source", CASE WHEN "originalAt" IS NULL THEN 0 ELSE 1 END`;
      return rows.map((r) => ({
        teamId: r.teamId === null ? null : Number(r.teamId),
        source: r.source,
        correction: Number(r.correction) === 1,
        amount: nanos(r.amount),
        count: Number(r.count),
      }));
    },

    async total(f: CostFilter): Promise<{ amount: Money; count: number }> {
      const rows = await prisma.$queryRaw<{ amount: string; count: string }[]>`
        SELECT ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count"
        FROM "CostEntry" WHERE ${where(f)}`;
      const r = rows[0];
      return { amount: nanos(r?.amount ?? '0'), count: Number(r?.count ?? 0) };
    },
  };
}
