import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { monthPeriod } from '../../src/domain/periods.ts';
import { loadAppConfig } from '../../src/config.ts';
import { createServices, serviceSettings, type Services } from '../../src/container.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/**
 * UNOBSERVED_UNMAPPED=line keeps unmapped unobserved spend as its own unallocated line (still in the
 * total, on no team); Anthropic spend observed by Langfuse (no provider, a claude model) is reconciled.
 */
describe.each(testProviders())('unobserved spend kept as its own line, Anthropic via Langfuse, on %s', (provider) => {
  let t: TestDatabase;
  let s: Services;
  beforeAll(async () => {
    t = await createTestDatabase(provider);
    s = createServices(t.db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: 'UTC' })), unobservedUnmapped: 'line' });
    const team = await s.teams.upsert({ slug: 'search', name: 'Search' });
    await costWrites(t.db).insertMany([
      {
        source: 'langfuse',
        sourceId: 'o1',
        occurredAt: new Date('2026-10-04T10:00:00Z'),
        teamId: team.id,
        featureId: null,
        model: 'claude-sonnet-4',
        provider: null,
        amount: fromUsd('4'),
      },
      {
        source: 'langfuse',
        sourceId: 'o2',
        occurredAt: new Date('2026-10-04T11:00:00Z'),
        teamId: team.id,
        featureId: null,
        model: 'llama-3',
        provider: null,
        amount: fromUsd('1'),
      },
    ]);
    const fetchedAt = new Date('2026-10-06T00:00:00Z');
    await t.db.prisma.billedCost.createMany({
      data: [
        { provider: 'anthropic', day: '2026-10-04', scope: 'wrkspc_x', lineItem: 'Claude Sonnet 4 Usage', amount: fromUsd('10'), fetchedAt },
        { provider: 'anthropic', day: '2026-10-04', scope: '', lineItem: 'Web search', amount: fromUsd('0.5'), fetchedAt },
      ],
    });
  }, 60_000);
  afterAll(async () => t?.destroy());

  it('shows the gap as unallocated, on no team, and the chargeback still reconciles', async () => {
    const cb = await s.chargeback.build('2026-10');
    expect(cb.reconcile().ok).toBe(true);
    expect(cb.unallocated).toBe(fromUsd('6.5')); // 10.5 billed − 4 observed (llama is not on Anthropic's bill)
    expect(cb.lines.find((l) => l.slug === 'search')!.hiddenByCategory.get('unobserved (Anthropic bill)')).toBeUndefined();
    expect(cb.totals.total).toBe(fromUsd('5') + fromUsd('6.5'));
    const cost = await s.trueCost.periodCost(monthPeriod('2026-10', 'UTC'), new Date('2026-11-02T00:00:00Z'));
    expect(cost.unallocatedReasons.map((r) => r.reason)).toContain('unobserved anthropic spend of unmapped projects');
  });

  it("after finance maps the workspace, the gap is the team's", async () => {
    expect((await s.reconcile.map(['anthropic', 'workspace', 'wrkspc_x', 'search'], 'UCLI', new Date())).ok).toBe(false); // not finance
    const fin = createServices(t.db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: 'UTC' })), unobservedUnmapped: 'line', financeUserIds: ['U0FIN'] });
    expect((await fin.reconcile.map(['anthropic', 'workspace', 'wrkspc_x', 'search'], 'U0FIN', new Date())).ok).toBe(true);
    const cb = await fin.chargeback.build('2026-10');
    expect(cb.lines.find((l) => l.slug === 'search')!.hiddenByCategory.get('unobserved (Anthropic bill)')).toBe(fromUsd('6'));
    expect(cb.unallocated).toBe(fromUsd('0.5'));
    expect(cb.reconcile().ok).toBe(true);
    const audit = await t.db.prisma.auditLog.findMany({ where: { action: 'billing.map' } });
    expect(audit).toHaveLength(1);
  });
});
