import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppGraph } from '../../src/app.ts';
import { loadAppConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import { rollupChecks } from '../../src/db/repositories/rollup-check.ts';
import { fromUsd, sum } from '../../src/domain/money.ts';
import { createLogger } from '../../src/logger.ts';
import type { IncomingCost } from '../../src/services/ports/cost-store.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';
import { startHeliconeStandIn, syntheticHeliconeRows, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * Issue 23, item 3: syncs started at the same time (two operators, a cron and an operator, several
 * replicas) on a database that has not seen a team yet all create it on first sight. On PostgreSQL the
 * losers failed with "Unique constraint failed on the fields: (`slug`)" in `team.upsert`. Each writer
 * here has its own connection pool, so their statements truly run at the same time.
 */
describe.each(testProviders())('concurrent syncs on %s', (provider) => {
  let db: TestDatabase;
  let helicone: HeliconeStandIn;
  const teams = Array.from({ length: 12 }, (_, i) => `team-${i}`);
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    helicone = await startHeliconeStandIn({
      rows: syntheticHeliconeRows(600, { start: new Date('2026-10-01T00:00:00Z'), spanMs: 20 * 86_400_000, teams, seed: 3 }).rows,
    });
  }, 60_000);
  afterAll(async () => {
    await helicone?.close();
    await db?.destroy();
  });

  // PostgreSQL only: six clients in one process on one SQLite file block each other (a synchronous
  // better-sqlite3 writer waits on a lock another client of the same event loop holds); SQLite
  // deployments write from one process, and the four-graph sync below runs on SQLite too.
  it.skipIf(provider === 'sqlite')(
    'six writers storing the same new teams and features at once all succeed',
    async () => {
      const writers: Database[] = Array.from({ length: 6 }, () => openDatabase(db.url));
      try {
        for (const w of writers) await w.prisma.$queryRaw`SELECT 1`;
        for (let round = 0; round < 4; round++) {
          const batch = (writer: number): IncomingCost[] =>
            Array.from({ length: 3 }, (_, i) => ({
              source: 'helicone',
              sourceId: `w${writer}-r${round}-${i}`,
              occurredAt: new Date('2026-10-05T12:00:00Z'),
              team: `new-team-${round}-${i}`,
              teamName: null,
              feature: `new-feature-${round}-${i}`,
              featureName: null,
              environment: null,
              customer: null,
              workItem: null,
              model: 'gpt-4o-mini',
              provider: 'openai',
              category: 'api',
              inputTokens: 1,
              outputTokens: 1,
              amount: fromUsd('0.01'),
              pricedBy: 'source',
            }));
          const results = await Promise.allSettled(writers.map((w, n) => costStore(w, { timeZone: 'UTC' }).upsertCosts(batch(n))));
          expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message).slice(-200) : 'ok'))).toEqual(writers.map(() => 'ok'));
        }
        expect(await db.db.prisma.team.count({ where: { slug: { startsWith: 'new-team-' } } })).toBe(12);
        expect(await db.db.prisma.costEntry.count({ where: { sourceId: { startsWith: 'w' } } })).toBe(6 * 4 * 3);
      } finally {
        await Promise.all(writers.map((w) => w.close()));
      }
    },
    60_000,
  );

  it('four syncs from Helicone started together all succeed and store every record once', async () => {
    const config = loadAppConfig({ DATABASE_URL: db.url, HELICONE_API_KEY: helicone.apiKey, HELICONE_BASE_URL: helicone.url, REPORT_TIMEZONE: 'UTC' });
    // Four processes' worth of app graphs (what four `aicost sync` runs build), each with its own pool.
    const graphs: AppGraph[] = [];
    for (let i = 0; i < 4; i++) graphs.push(await buildApp(config, { slack: false, log: createLogger('silent') }));
    try {
      const window = { from: new Date('2026-09-30T00:00:00Z'), to: new Date('2026-10-25T00:00:00Z') };
      const runs = await Promise.all(graphs.map((g) => g.sync.run(new Date('2026-10-25T00:00:00Z'), window)));
      expect(runs.flat().map((r) => (r.ok ? 'ok' : r.error))).toEqual(graphs.map(() => 'ok'));
      expect(await db.db.prisma.costEntry.count({ where: { source: 'helicone', sourceId: { startsWith: 'req-' } } })).toBe(600);
      expect(await db.db.prisma.team.count({ where: { slug: { in: teams } } })).toBe(12);
      const stored = await db.db.prisma.costEntry.aggregate({ where: { sourceId: { startsWith: 'req-' } }, _sum: { amount: true } });
      expect(stored._sum.amount).toBe(sum(helicone.rows.map((r) => fromUsd(r.cost ?? 0))));
      expect((await rollupChecks(db.db).compare(null)).filter((c) => c.differences)).toEqual([]);
    } finally {
      for (const g of graphs) await g.close();
    }
  }, 120_000);
});
