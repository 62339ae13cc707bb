import type { Database } from '../client.ts';
import { Prisma, countAsText, epochBucket, instant, sumAsText, type Sql } from '../sql.ts';
import type { Money } from '../../domain/money.ts';

export type Dimension = 'team' | 'feature' | 'model' | 'customer' | 'environment' | 'source' | 'category';

export interface CostFilter {
  from: Date;
  to: Date;
  /** Restrict to these teams; `null` inside the list means the unattributed bucket. */
  teamIds?: (number | null)[];
  featureIds?: number[];
}

export interface GroupRow {
  /** Team or feature id as text, the model/customer/... value, or null when the record has none. */
  key: string | null;
  amount: Money;
  count: number;
}

export interface BucketRow {
  /** Seconds since the epoch / bucket size. */
  bucket: number;
  amount: Money;
}

const column: Record<Dimension, Sql> = {
  team: Prisma.sql`"teamId"`,
  feature: Prisma.sql`"featureId"`,
  model: Prisma.sql`"model"`,
  customer: Prisma.sql`"customer"`,
  environment: Prisma.sql`"environment"`,
  source: Prisma.sql`"source"`,
  category: Prisma.sql`"category"`,
};

/** Read side of the cost entries: the aggregates every report is built from. */
export function costQueries(db: Database) {
  const { prisma, provider } = db;

  function where(f: CostFilter): Sql {
    const parts: Sql[] = [
      Prisma.sql`"occurredAt" >= ${instant(provider, f.from)}`,
      Prisma.sql`"occurredAt" < ${instant(provider, f.to)}`,
    ];
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
        .map((r) => ({ key: r.key === null ? null : String(r.key), amount: BigInt(r.amount) as Money, count: Number(r.count) }))
        .sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1));
    },

    /** Sums per fixed-size time bucket (15 minutes fits every real UTC offset, so buckets roll up to local days). */
    async buckets(f: CostFilter, seconds = 900): Promise<BucketRow[]> {
      const bucket = epochBucket(provider, Prisma.sql`"occurredAt"`, seconds);
      const rows = await prisma.$queryRaw<{ bucket: unknown; amount: string }[]>`
        SELECT ${bucket} AS "bucket", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount"
        FROM "CostEntry" WHERE ${where(f)} GROUP BY 1`;
      return rows.map((r) => ({ bucket: Number(r.bucket), amount: BigInt(r.amount) as Money }));
    },

    async total(f: CostFilter): Promise<{ amount: Money; count: number }> {
      const rows = await prisma.$queryRaw<{ amount: string; count: string }[]>`
        SELECT ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count"
        FROM "CostEntry" WHERE ${where(f)}`;
      const r = rows[0];
      return { amount: BigInt(r?.amount ?? '0') as Money, count: Number(r?.count ?? 0) };
    },

    /** Records that carry tokens but could not be priced (no source cost, unknown model): shown, never $0. */
    async unpricedCount(f: CostFilter): Promise<number> {
      const rows = await prisma.$queryRaw<{ count: string }[]>`
        SELECT ${countAsText(provider)} AS "count" FROM "CostEntry" WHERE ${where(f)} AND "pricedBy" = 'unpriced'`;
      return Number(rows[0]?.count ?? 0);
    },
  };
}

export type CostQueries = ReturnType<typeof costQueries>;
