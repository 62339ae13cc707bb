import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import type { CostStore, IncomingCost } from '../../src/services/ports/cost-store.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

const rec = (id: string, amount: string, at = '2026-10-15T12:00:00Z', team: string | null = 'payments'): IncomingCost => ({
  source: 'helicone',
  sourceId: id,
  occurredAt: new Date(at),
  team,
  feature: team ? 'checkout' : null,
  environment: 'production',
  customer: 'acme',
  workItem: 'T-1',
  model: 'gpt-4o',
  provider: 'openai',
  category: 'api',
  inputTokens: 10,
  outputTokens: 5,
  amount: fromUsd(amount),
  pricedBy: 'source',
});

describe.each(testProviders())('cost store on %s', (provider) => {
  let t: TestDatabase;
  let store: CostStore;
  let now = new Date('2026-11-05T10:00:00Z');
  beforeAll(async () => {
    t = await createTestDatabase(provider);
    store = costStore(t.db, { timeZone: 'America/Los_Angeles', clock: () => now });
  });
  afterAll(async () => {
    store?.close();
    await t?.destroy();
  });

  const total = async () => (await t.db.prisma.costEntry.aggregate({ _sum: { amount: true } }))._sum.amount ?? 0n;

  it('inserts, then re-reading the same records changes nothing', async () => {
    const batch = [rec('a', '0.000123'), rec('b', '1.5'), rec('b', '1.5'), rec('c', '2', '2026-10-16T00:00:00Z', null)];
    expect(await store.upsertCosts(batch)).toMatchObject({ inserted: 3, updated: 0, unchanged: 0 });
    expect(await store.upsertCosts(batch)).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await total()).toBe(fromUsd('3.500123'));
    const team = await t.db.prisma.team.findUnique({ where: { slug: 'payments' } });
    expect(team?.name).toBe('payments');
    expect(await t.db.prisma.costEntry.count({ where: { teamId: null } })).toBe(1);
  });

  it('updates a re-costed record in place', async () => {
    expect(await store.upsertCosts([rec('b', '1.75')])).toMatchObject({ inserted: 0, updated: 1 });
    expect(await total()).toBe(fromUsd('3.750123'));
    expect(await t.db.prisma.costEntry.count()).toBe(3);
  });

  it('books late and re-costed records of a closed month as corrections in the open month', async () => {
    await t.db.prisma.accountingPeriod.create({ data: { month: '2026-10', status: 'closed' } });
    now = new Date('2026-11-06T10:00:00Z');
    const r = await store.upsertCosts([rec('b', '2.00'), rec('late', '4', '2026-10-20T00:00:00Z')]);
    expect(r).toMatchObject({ inserted: 1, corrections: 2 });
    const october = { gte: new Date('2026-10-01T07:00:00Z'), lt: new Date('2026-11-01T07:00:00Z') };
    const oct = await t.db.prisma.costEntry.aggregate({ where: { occurredAt: october }, _sum: { amount: true } });
    expect(oct._sum.amount).toBe(fromUsd('3.750123'));
    const corrections = await t.db.prisma.costEntry.findMany({ where: { originalAt: { not: null } }, orderBy: { sourceId: 'asc' } });
    expect(corrections.map((c) => [c.sourceId, c.amount, c.occurredAt.toISOString()])).toEqual([
      ['b#correction-1', fromUsd('0.25'), now.toISOString()],
      ['late', fromUsd('4'), now.toISOString()],
    ]);
    // Reading the same again books nothing more.
    expect(await store.upsertCosts([rec('b', '2.00'), rec('late', '4', '2026-10-20T00:00:00Z')])).toMatchObject({ inserted: 0, corrections: 0, unchanged: 2 });
    expect(await total()).toBe(fromUsd('8.000123'));
  });
});
