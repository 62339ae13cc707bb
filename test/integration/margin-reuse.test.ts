import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import { customerRollupQueries } from '../../src/db/repositories/cost-rollups.ts';
import { customerCostQueries } from '../../src/db/repositories/customer-costs.ts';
import { dataVersions } from '../../src/db/repositories/data-versions.ts';
import { revenueRepository } from '../../src/db/repositories/revenue.ts';
import { verifyRollups } from '../../src/db/repositories/rollup-check.ts';
import { marginService, type MarginDeps } from '../../src/services/margin-service.ts';
import type { Viewer } from '../../src/services/visibility.ts';
import type { NormalizedCost } from '../../src/services/ports/source.ts';
import { heliconeCall } from '../support/cost-records.ts';
import { testProviders } from '../support/database.ts';
import { recordSlack } from '../support/recording.ts';
import { blocksText, startHarness, type Harness } from '../support/app-harness.ts';

/**
 * A complete month's margin is computed once and reused while nothing it reads changed (issue 25): every
 * kind of change to its inputs (a new call, an entry changed behind the application's back, revenue, a
 * hidden cost, a customer alias) makes the next answer compute it again, equal to a margin computed from
 * scratch, and a change elsewhere (another month) does not. A running month is computed every time.
 */
const FINANCE = 'U0FINANCE';
const NOW = new Date('2026-11-20T15:00:00Z');
const finance = { finance: true } as Viewer;

let seq = 0;
const call = (at: string, team: string, customer: string | null, amount: string): NormalizedCost =>
  heliconeCall({ sourceId: `r${++seq}`, at, team, feature: `${team}-main`, customer, amount });

describe.each(testProviders())('a month’s margin is reused until what it reads changes, on %s', (provider) => {
  let h: Harness;
  let computed = 0;
  let deps: MarginDeps;
  const say = async (text: string) => blocksText((await h.command(text, { userId: FINANCE })).reply.blocks);
  const write = async (calls: NormalizedCost[]) => {
    const store = costStore(h.db.db, { timeZone: 'America/New_York', clock: () => new Date(NOW.getTime() - 60_000) });
    await store.upsertCosts(calls);
    store.close();
  };

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'America/New_York', SCHEDULER_ENABLED: 'false', FINANCE_USER_IDS: FINANCE }, () => NOW);
    await write([
      call('2026-10-01T02:00:00Z', 'payments', 'acme', '1.111111111'), // 30 September in New York
      call('2026-10-03T15:00:00Z', 'payments', 'acme', '50.005'),
      call('2026-10-04T15:00:00Z', 'payments', 'globex', '10.0033'),
      call('2026-10-05T15:00:00Z', 'support', 'initech', '12.3456789'),
      call('2026-10-06T15:00:00Z', 'support', 'hooli', '9.99999999'),
      call('2026-11-01T02:00:00Z', 'support', 'hooli', '4.25'), // 31 October in New York
      call('2026-11-03T15:00:00Z', 'payments', 'globex', '5'),
    ]);
    expect(await say('add 300 vector_db monthly 2026-10 payments "Pinecone"')).toContain('Added');
    const revenue = await h.services.revenue.importCsv(
      ['customer,month,revenue,plan', 'acme,2026-10,1000,pro', 'globex,2026-10,150,pro', 'initech,2026-10,25,starter', 'hooli,2026-10,40,starter'].join('\n'),
      { actor: FINANCE, source: 'test', now: NOW, slackUser: true },
    );
    expect(revenue.ok).toBe(true);
    const rollups = customerRollupQueries(h.db.db);
    deps = {
      revenue: revenueRepository(h.db.db),
      costs: {
        ...customerCostQueries(h.db.db),
        ...rollups,
        customerSpend: async (f) => {
          computed++;
          return rollups.customerSpend(f);
        },
      },
      trueCost: h.services.trueCost,
      features: () => h.services.teams.listFeatures(),
      versions: dataVersions(h.db.db),
      timeZone: 'America/New_York',
    };
  });
  afterAll(async () => {
    if (h) recordSlack(h.slack, `margin-reuse-${provider}`);
    await h?.stop();
  });

  it('recomputes October after each change to what it reads, and only then', async () => {
    const kept = marginService(deps);
    const ask = () => kept.margin(finance, ['2026-10'], NOW);
    const fromScratch = () => marginService({ ...deps, versions: undefined }).margin(finance, ['2026-10'], NOW);

    const first = await ask();
    expect(computed).toBe(1);
    expect(await ask()).toEqual(first);
    expect(computed).toBe(1);
    expect(first).toEqual(await fromScratch());
    computed = 0;

    let before = first;
    const changes: [string, () => Promise<unknown>][] = [
      ['a new call', () => write([call('2026-10-09T15:00:00Z', 'payments', 'globex', '7.77')])],
      [
        'an entry changed in the ledger by hand',
        () => h.db.db.prisma.$executeRawUnsafe(`UPDATE "CostEntry" SET "amount" = "amount" + 2000000000 WHERE "customer" = 'initech'`),
      ],
      ['a call on the last evening of October in New York (November in UTC)', () => write([call('2026-11-01T03:00:00Z', 'support', 'initech', '3')])],
      [
        'revenue re-imported with another plan',
        () =>
          h.services.revenue.importCsv(
            ['customer,month,revenue,plan', 'acme,2026-10,1000,pro', 'globex,2026-10,150,pro', 'initech,2026-10,25,pro', 'hooli,2026-10,40,starter'].join('\n'),
            { actor: FINANCE, source: 'test', now: NOW, slackUser: true },
          ),
      ],
      ['a hidden cost', () => say('add 50 other monthly 2026-10 support "review"')],
      ['a customer alias', () => say('admin customer alias hooli initech')],
    ];
    for (const [what, change] of changes) {
      await change();
      const after = await ask();
      expect(computed, what).toBe(1);
      expect(after, what).not.toEqual(before);
      expect(after, what).toEqual(await fromScratch());
      expect(await ask(), what).toEqual(after);
      expect(computed, what).toBe(2); // the one from scratch; the second ask reused it
      computed = 0;
      before = after;
    }

    // A write to another month (and its calls) leaves October as it was.
    await write([call('2026-11-10T15:00:00Z', 'payments', 'acme', '99')]);
    expect(await ask()).toEqual(before);
    expect(computed).toBe(0);

    // Rollups rebuilt by `aicost verify --repair` (after drift no write caused): computed again.
    await h.db.db.prisma.$executeRawUnsafe(
      `UPDATE "CustomerTeamRollup" SET "amount" = "amount" + 5000000000 WHERE "grain" = 5 AND "bucket" = ${(2026 - 1970) * 12 + 9} AND "customer" = 'acme'`,
    );
    expect(await ask()).toEqual(before);
    expect(computed).toBe(0);
    expect((await verifyRollups(h.db.db, { month: '2026-10', repair: true, timeZone: 'America/New_York' })).differences).toBeGreaterThan(0);
    expect(await ask()).toEqual(before);
    expect(computed).toBe(1);
  });

  it('computes a running month every time', async () => {
    const kept = marginService(deps);
    computed = 0;
    await kept.margin(finance, ['2026-11'], NOW);
    await kept.margin(finance, ['2026-11'], NOW);
    expect(computed).toBe(2);
  });

  it('answers /aicost margin with a change made after the last answer', async () => {
    const before = await say('margin 2026-10');
    expect(before).not.toContain('newco');
    await write([call('2026-10-12T15:00:00Z', 'payments', 'newco', '12.34')]);
    const after = await say('margin 2026-10');
    expect(after).toContain('newco');
    expect(after).toContain('$12.34');
  });
});
