import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { customerRollupQueries } from '../../src/db/repositories/cost-rollups.ts';
import { customerCostQueries } from '../../src/db/repositories/customer-costs.ts';
import { ensureRollupZone } from '../../src/db/rollup-maintenance.ts';
import { nanos, type Money } from '../../src/domain/money.ts';
import { monthPeriod } from '../../src/domain/periods.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/**
 * The margin's spend read (`customerSpend`, src/db/repositories/customer-spend.ts) packs every customer and
 * its teams into one text in the database and parses it back: customer ids that look like its separators,
 * like JSON or like nothing printable come back as they were written, amounts past 2^53 and below zero to
 * the nanodollar, "no customer" and "no team" as null, each customer once. From the rollups (a stored
 * local month, and a period of days and hours around it) and from the ledger, against sums made here.
 */
const ZONE = 'America/New_York';
const HOSTILE = [
  'a,b:"c"',
  '1:2,3:4',
  'line\nbreak\ttab',
  'back\\slash "quoted"',
  '{"json":[1,2]}',
  'null',
  '🚀 émoji',
  '\u0001control\u001f',
  'x'.repeat(300),
  ' spaced ',
];

describe.each(testProviders())('customer spend on %s', (provider) => {
  let t: TestDatabase;
  let teamId: number;
  const rows: { occurredAt: Date; teamId: number | null; customer: string | null; amount: Money }[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    expect(await ensureRollupZone(t.db, ZONE)).toBe(true);
    teamId = (await t.db.prisma.team.create({ data: { slug: 'alpha', name: 'Alpha' } })).id;
    const october = monthPeriod('2026-10', ZONE);
    const at = (h: number) => new Date(october.from.getTime() + h * 3_600_000 + 17 * 60_000);
    let h = 0;
    for (const customer of [...HOSTILE, null]) {
      for (const team of [teamId, null]) {
        rows.push({ occurredAt: at((h += 7)), teamId: team, customer, amount: nanos(BigInt(1_234_567 + h)) });
        rows.push({ occurredAt: at((h += 5)), teamId: team, customer, amount: nanos(-BigInt(1_000 + h)) });
      }
    }
    // Past 2^53 nanodollars (about $9.0M): floats would lose the last digits.
    rows.push({ occurredAt: at(100), teamId, customer: HOSTILE[0]!, amount: nanos(9_007_199_254_740_993n) });
    // Either side of the month's edges: only the period around it reads them.
    rows.push({ occurredAt: new Date(october.from.getTime() - 60_000), teamId, customer: HOSTILE[1]!, amount: nanos(5n) });
    rows.push({ occurredAt: new Date(october.to.getTime() + 60_000), teamId, customer: HOSTILE[1]!, amount: nanos(7n) });
    await costWrites(t.db).insertMany(
      rows.map((r, i) => ({
        source: 'helicone',
        sourceId: `s${i}`,
        occurredAt: r.occurredAt,
        teamId: r.teamId,
        featureId: null,
        customer: r.customer,
        amount: r.amount,
      })),
    );
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** (customer, team) → amount, summed here from what was written. */
  function expected(f: { from: Date; to: Date }): string[] {
    const sums = new Map<string, bigint>();
    for (const r of rows) {
      if (r.occurredAt < f.from || r.occurredAt >= f.to) continue;
      const k = JSON.stringify([r.customer, r.teamId]);
      sums.set(k, (sums.get(k) ?? 0n) + r.amount);
    }
    return [...sums].map(([k, v]) => `${k}=${v}`).sort();
  }
  function got(spend: { customer: string | null; teamIds: (number | null)[]; amounts: bigint[] }[]): string[] {
    const customers = spend.map((s) => s.customer);
    expect(new Set(customers).size, 'each customer once').toBe(customers.length);
    return spend.flatMap((s) => s.teamIds.map((team, k) => `${JSON.stringify([s.customer, team])}=${s.amounts[k]}`)).sort();
  }

  it('reads every customer id and amount back as written, from the rollups and from the ledger', async () => {
    const october = monthPeriod('2026-10', ZONE);
    const around = { from: new Date(october.from.getTime() - 3_600_000), to: new Date(october.to.getTime() + 3_600_000) };
    for (const f of [october, around]) {
      const want = expected(f);
      expect(want.length).toBe((HOSTILE.length + 1) * 2);
      expect(got(await customerRollupQueries(t.db).customerSpend(f))).toEqual(want);
      expect(got(await customerCostQueries(t.db).customerSpend(f))).toEqual(want);
    }
    expect(got(await customerRollupQueries(t.db).customerSpend({ from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-02-01T00:00:00Z') }))).toEqual([]);
  });
});
