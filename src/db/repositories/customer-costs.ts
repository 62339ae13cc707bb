import type { Database } from '../client.ts';
import { Prisma, countAsText, instant, sumAsText, type Sql } from '../sql.ts';
import { nanos, type Money } from '../../domain/money.ts';
import type { WhatIfCall } from '../../services/whatif-service.ts';
import type { CustomerSpend } from '../../domain/margin.ts';
import { customerSpendSql, parseCustomerSpend } from './customer-spend.ts';

/** One call with its tokens: the what-if service's own record shape. */
type CallTokens = WhatIfCall;

/**
 * Read side of the ledger for customers and what-ifs (issue 15): per customer, and per call with its
 * tokens. The customer reads are answered from the rollups by `customerRollupQueries` (cost-rollups.ts,
 * issue 25) with the same results; these stay for the benchmark's ledger baseline and the property test.
 */
export function customerCostQueries(db: Database) {
  const { prisma, provider } = db;
  const range = (from: Date, to: Date): Sql => Prisma.sql`"occurredAt" >= ${instant(provider, from)} AND "occurredAt" < ${instant(provider, to)}`;
  const customerIn = (customers: string[]): Sql => (customers.length ? Prisma.sql`"customer" IN (${Prisma.join(customers)})` : Prisma.sql`1 = 0`);

  return {
    /** Direct spend per customer and team, as the sources report the customer (aliases are resolved by the caller). */
    async customerSpend(f: { from: Date; to: Date }): Promise<CustomerSpend[]> {
      return parseCustomerSpend(
        await prisma.$queryRaw<{ rows: unknown }[]>`${customerSpendSql(
          provider,
          Prisma.sql`SELECT "teamId", "customer", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount" FROM "CostEntry" WHERE ${range(f.from, f.to)} GROUP BY "teamId", "customer"`,
        )}`,
      );
    },

    /** Some customer ids' direct spend per (team, customer) (`customer <id>`, issue 25). */
    async teamCustomerSummaryOf(
      f: { from: Date; to: Date },
      names: string[],
    ): Promise<{ teamId: number | null; customer: string | null; amount: Money; count: number }[]> {
      const rows = await prisma.$queryRaw<{ teamId: unknown; customer: string | null; amount: string; count: string }[]>`
        SELECT "teamId", "customer", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count"
        FROM "CostEntry" WHERE ${range(f.from, f.to)} AND ${customerIn(names)} GROUP BY "teamId", "customer"`;
      return rows.map((r) => ({ teamId: r.teamId === null ? null : Number(r.teamId), customer: r.customer, amount: nanos(r.amount), count: Number(r.count) }));
    },

    /**
     * The customer ids (null: none) of the period's negative entries (lower re-costings of a closed month),
     * through the partial index of migration 0016: on both readers, since only they can make a customer's
     * net spend in a team negative.
     */
    async negativeCustomers(f: { from: Date; to: Date }): Promise<(string | null)[]> {
      const rows = await prisma.$queryRaw<{ customer: string | null }[]>`
        SELECT DISTINCT "customer" FROM "CostEntry" WHERE "amount" < 0 AND ${range(f.from, f.to)}`;
      return rows.map((r) => r.customer);
    },

    /** One customer's direct spend per (feature, model) — `customers` are the names it appears under. */
    async customerBreakdown(
      f: { from: Date; to: Date },
      customers: string[],
    ): Promise<{ featureId: number | null; model: string | null; amount: Money; count: number; unpriced: number }[]> {
      const rows = await prisma.$queryRaw<{ featureId: unknown; model: string | null; amount: string; count: string; unpriced: string }[]>`
        SELECT "featureId", "model", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount", ${countAsText(provider)} AS "count",
               ${sumAsText(provider, Prisma.sql`CASE WHEN "pricedBy" = 'unpriced' THEN 1 ELSE 0 END`)} AS "unpriced"
        FROM "CostEntry" WHERE ${range(f.from, f.to)} AND ${customerIn(customers)} GROUP BY "featureId", "model"`;
      return rows.map((r) => ({
        featureId: r.featureId === null ? null : Number(r.featureId),
        model: r.model,
        amount: nanos(r.amount),
        count: Number(r.count),
        unpriced: Number(r.unpriced),
      }));
    },

    /** Whether the ledger has any entry under one of these customer ids. */
    async hasCustomer(names: string[]): Promise<boolean> {
      return (await prisma.$queryRaw<unknown[]>`SELECT 1 FROM "CostEntry" WHERE ${customerIn(names)} LIMIT 1`).length > 0;
    },

    /** Every customer id the ledger has seen (for suggestions). */
    async knownCustomers(): Promise<string[]> {
      const rows = await prisma.$queryRaw<{ customer: string }[]>`SELECT DISTINCT "customer" FROM "CostEntry" WHERE "customer" IS NOT NULL`;
      return rows.map((r) => r.customer);
    },

    /**
     * The calls of some features in a period with their tokens, for re-pricing. Identical calls (same
     * instant, model and token counts) are not merged: the price table prices each call at its own time.
     */
    async featureCalls(f: { from: Date; to: Date }, featureIds: number[]): Promise<CallTokens[]> {
      if (!featureIds.length) return [];
      const rows = await prisma.$queryRaw<
        {
          occurredAt: unknown;
          model: string | null;
          provider: string | null;
          teamId: unknown;
          featureId: unknown;
          inputTokens: unknown;
          outputTokens: unknown;
          cacheReadTokens: unknown;
          cacheWriteTokens: unknown;
          amount: unknown;
          pricedBy: string;
        }[]
      >`
        SELECT "occurredAt", "model", "provider", "teamId", "featureId", "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", CAST("amount" AS TEXT) AS "amount", "pricedBy"
        FROM "CostEntry" WHERE ${range(f.from, f.to)} AND "featureId" IN (${Prisma.join(featureIds)}) AND "category" = 'api'`;
      return rows.map((r) => ({
        occurredAt: r.occurredAt instanceof Date ? r.occurredAt : new Date(String(r.occurredAt)),
        model: r.model,
        provider: r.provider,
        teamId: r.teamId === null ? null : Number(r.teamId),
        featureId: r.featureId === null ? null : Number(r.featureId),
        inputTokens: Number(r.inputTokens),
        outputTokens: Number(r.outputTokens),
        cacheReadTokens: Number(r.cacheReadTokens),
        cacheWriteTokens: Number(r.cacheWriteTokens),
        amount: nanos(String(r.amount)),
        pricedBy: r.pricedBy,
      }));
    },
  };
}
