import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRepository } from '../../src/db/repositories/admin.ts';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import type { CostStore, IncomingCost } from '../../src/services/ports/cost-store.ts';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { costQueries, customerRollupQueries } from '../../src/db/repositories/cost-rollups.ts';
import { customerCostQueries } from '../../src/db/repositories/customer-costs.ts';
import { ledgerCostQueries } from '../../src/db/repositories/costs.ts';
import type { CostFilter, CostQueries, Dimension } from '../../src/services/ports/costs.ts';
import { rollupChecks, verifyRollups } from '../../src/db/repositories/rollup-check.ts';
import { ensureRollupZone } from '../../src/db/rollup-maintenance.ts';
import { nanos } from '../../src/domain/money.ts';
import { dayStart, daysOf, monthPeriod } from '../../src/domain/periods.ts';
import { main } from '../../src/cli.ts';
import { addDays } from '../../src/domain/calendar.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/**
 * Property test of the rollups: random entries go in through every write path (sync inserts and
 * re-costed updates, corrections for a closed month, plain bulk inserts as the demo does, team and
 * feature merges, deletions, rows written straight into the ledger table), and after each step every
 * aggregate the reports are built from, read from the rollups, equals the same aggregate summed from the
 * raw ledger — to the nanodollar — for random periods (unaligned instants, and local days and months in
 * zones with 30- and 45-minute offsets), random filters and every dimension.
 */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const START = Date.parse('2026-08-01T00:00:00Z');
const END = Date.parse('2026-11-28T15:00:00Z');
const ZONES = ['America/New_York', 'Asia/Kathmandu', 'Australia/Eucla', 'Asia/Kolkata', 'UTC'];
const DIMENSIONS: Dimension[] = ['team', 'feature', 'model', 'customer', 'environment', 'source', 'category'];

const canon = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
const sorted = <T>(xs: T[]) => [...xs].map(canon).sort();
/** Per-customer spend rows as (customer, team, amount) triples, sorted; each customer once. */
const spendRows = (xs: { customer: string | null; teamIds: (number | null)[]; amounts: bigint[] }[]) => {
  const customers = xs.map((x) => x.customer);
  expect(new Set(customers).size).toBe(customers.length);
  return sorted(xs.flatMap((x) => x.teamIds.map((t, k) => [x.customer, t, x.amounts[k]])));
};

// Each step checks every read against the ledger for many periods and filters; on a shared 2-core
// machine a PostgreSQL step takes 20-40 s, so the suite has its own timeout.
describe.each(testProviders())('rollups on %s', { timeout: 180_000 }, (provider) => {
  let t: TestDatabase;
  let store: CostStore;
  let rolled: CostQueries;
  let ledger: CostQueries;
  let now = new Date(END);
  const r = rng(provider === 'sqlite' ? 13 : 31);
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    store = costStore(t.db, { timeZone: 'Asia/Kathmandu', clock: () => now });
    rolled = costQueries(t.db);
    ledger = ledgerCostQueries(t.db);
    expect(await ensureRollupZone(t.db, 'Asia/Kathmandu')).toBe(true);
    expect(await ensureRollupZone(t.db, 'Asia/Kathmandu')).toBe(false);
  });
  /** The zone the work-item tables are built in: periods of whole local days there read them. */
  let itemZone = 'Asia/Kathmandu';
  afterAll(async () => {
    store?.close();
    await t?.destroy();
  });

  const teams = ['payments', 'search', 'support', 'growth'];
  const features = ['checkout', 'ranker', 'triage', 'emails', 'summaries'];
  function record(id = `r${++seq}`): IncomingCost {
    const team = r.next() < 0.1 ? null : r.pick(teams);
    return {
      source: r.pick(['helicone', 'langfuse']),
      sourceId: id,
      occurredAt: new Date(START + r.int(END - START)),
      team,
      feature: team && r.next() < 0.9 ? r.pick(features) : null,
      environment: r.pick(['production', 'staging', null]),
      customer: r.pick(['acme', 'globex', 'initech', 'acme-eu', null]),
      workItem: r.next() < 0.3 ? null : `T-${r.int(40)}`,
      model: r.pick(['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', null]),
      provider: 'openai',
      category: r.pick(['api', 'embeddings']),
      inputTokens: r.int(5000),
      outputTokens: r.int(2000),
      amount: r.next() < 0.05 ? null : nanos(BigInt(r.int(2_000_000_000)) - 1_000_000n),
      pricedBy: r.pick(['source', 'source', 'aicost', 'unpriced'] as const),
    };
  }

  async function filters(): Promise<Omit<CostFilter, 'from' | 'to'>[]> {
    const teamIds = (await t.db.prisma.team.findMany({ select: { id: true } })).map((x) => x.id);
    const featureIds = (await t.db.prisma.feature.findMany({ select: { id: true } })).map((x) => x.id);
    return [
      {},
      { teamIds: [r.pick(teamIds)] },
      { teamIds: [null, r.pick(teamIds)] },
      { featureIds: [r.pick(featureIds), r.pick(featureIds)] },
      { models: ['gpt-4o'] },
      { teamIds: [] },
    ];
  }

  function periods(): { from: Date; to: Date }[] {
    const zone = r.pick(ZONES);
    const a = START - 86_400_000 + r.int(END - START + 2 * 86_400_000);
    const b = a + r.int(40 * 86_400_000);
    return [
      { from: new Date(a), to: new Date(b) },
      { from: new Date(a), to: new Date(a + r.int(3_600_000)) },
      monthPeriod(r.pick(['2026-08', '2026-09', '2026-10', '2026-11']), zone),
      { from: monthPeriod('2026-11', zone).from, to: now },
      { from: new Date(START - 10 * 86_400_000), to: new Date(END + 86_400_000) },
      // Whole local days in the work-item tables' zone: ending at midnight, at `now` (nothing later
      // that day, or entries later that day), and a single running day.
      monthPeriod(r.pick(['2026-08', '2026-09', '2026-10']), itemZone),
      { from: dayStart(`2026-${r.pick(['08', '09', '10'])}-${String(1 + r.int(28)).padStart(2, '0')}`, itemZone), to: now },
      { from: monthPeriod('2026-11', itemZone).from, to: new Date(END - r.int(20) * 3_600_000 - r.int(3_600_000)) },
      { from: dayStart(daysOf({ from: new Date(END - 86_400_000), to: new Date(END) }, itemZone)[0]!, itemZone), to: new Date(END - r.int(10 * 3_600_000)) },
    ];
  }

  /**
   * The customer answers' reads (issue 25: margin, `customer <id>`), from the customer rollups and from
   * the ledger: per (team, customer), one customer's breakdown under the ids it appears under (a
   * customer and its aliases, as the margin service resolves them), and which customers exist.
   */
  async function expectSameCustomers(period: { from: Date; to: Date }): Promise<void> {
    const rolledC = customerRollupQueries(t.db);
    const ledgerC = customerCostQueries(t.db);
    expect(spendRows(await rolledC.customerSpend(period))).toEqual(spendRows(await ledgerC.customerSpend(period)));
    for (const names of [['acme'], ['globex', 'initech', 'acme-eu'], ['nobody'], []]) {
      expect(sorted(await rolledC.customerBreakdown(period, names))).toEqual(sorted(await ledgerC.customerBreakdown(period, names)));
      expect(await rolledC.hasCustomer(names)).toBe(await ledgerC.hasCustomer(names));
    }
    expect((await rolledC.knownCustomers()).sort()).toEqual((await ledgerC.knownCustomers()).sort());
  }

  /**
   * "30d" and two local months (read from UTC months ± their edges, or local-month buckets when the zone is
   * the one they are built in), and one local month of the zone the buckets are built in (read as one
   * stored bucket, the margin's month).
   */
  async function expectSameCustomerMonths(): Promise<void> {
    const zone = r.pick(ZONES);
    const teamIds = (await t.db.prisma.team.findMany({ select: { id: true } })).map((x) => x.id);
    for (const period of [
      { from: dayStart(daysOf({ from: new Date(END - 29 * 86_400_000), to: new Date(END) }, zone)[0]!, zone), to: now },
      { from: monthPeriod('2026-09', zone).from, to: monthPeriod('2026-10', zone).to },
      monthPeriod(r.pick(['2026-09', '2026-10']), itemZone),
    ]) {
      // A few customers: the previous period of the customers `top customers` shows (their buckets probed).
      for (const filter of [{}, { teamIds: [null, r.pick(teamIds)] }, { customers: ['acme', 'globex', 'acme-eu', 'nobody'] }]) {
        const f = { ...period, ...filter };
        expect(sorted(await rolled.groupBy('customer', f))).toEqual(sorted(await ledger.groupBy('customer', f)));
      }
      await expectSameCustomers(period);
    }
  }

  /** Every aggregate, from both sides, for random periods and filters. */
  async function expectSame(): Promise<void> {
    for (const period of periods()) {
      for (const filter of await filters()) {
        const f = { ...period, ...filter };
        expect(canon(await rolled.total(f))).toBe(canon(await ledger.total(f)));
        for (const dim of DIMENSIONS) expect(sorted(await rolled.groupBy(dim, f))).toEqual(sorted(await ledger.groupBy(dim, f)));
        expect(sorted(await rolled.teamFeatureSummary(f))).toEqual(sorted(await ledger.teamFeatureSummary(f)));
        expect(sorted(await rolled.teamSourceSummary(f))).toEqual(sorted(await ledger.teamSourceSummary(f)));
        for (const by of ['team', 'feature'] as const) expect(sorted(await rolled.usage(f, by))).toEqual(sorted(await ledger.usage(f, by)));
      }
      await expectSameCustomers(period);
    }
    // Local days (and hours) in odd zones, the last one running up to `now`.
    const zone = r.pick(ZONES);
    const month = monthPeriod('2026-11', zone);
    const days = daysOf(month, zone, now);
    const boundaries = [...days.map((d) => dayStart(d, zone)), now];
    const hours = Array.from({ length: 30 }, (_, i) => new Date(dayStart(days[days.length - 2]!, zone).getTime() + i * 3_600_000));
    for (const filter of await filters()) {
      expect(canon(await rolled.intervalTotals(filter, boundaries))).toBe(canon(await ledger.intervalTotals(filter, boundaries)));
      expect(canon(await rolled.intervalTotals(filter, hours))).toBe(canon(await ledger.intervalTotals(filter, hours)));
    }
    await expectSameIntervalGroups();
    await expectSameCustomerMonths();
    expect((await rollupChecks(t.db).compare(null)).filter((c) => c.differences)).toEqual([]);
  }

  /**
   * groupByIntervals over the local days of a series (the anomaly scan's read): New York across the end
   * of daylight saving time (1 November has 25 hours), Kathmandu (+5:45) and Eucla (+8:45), the last
   * day of the first two ending at an `until` off a quarter hour (once past the UTC midday, once random).
   * The rollup reader equals the ledger reader and, interval by interval, `groupBy` of that interval.
   */
  const ri = rng(provider === 'sqlite' ? 1313 : 3131);
  async function expectSameIntervalGroups(): Promise<void> {
    const teamIds = (await t.db.prisma.team.findMany({ select: { id: true } })).map((x) => x.id);
    const featureIds = (await t.db.prisma.feature.findMany({ select: { id: true } })).map((x) => x.id);
    const localDays = (zone: string, first: string, n: number) => Array.from({ length: n }, (_, i) => dayStart(addDays(first, i), zone));
    // An `until` next to an entry of the last day, so the raw edge holds it: 1 ms after it when it is
    // before the UTC midday (P(until) reads the raw entries from the quarter hour before), 1 ms before it
    // when past midday (the whole UTC day minus the raw entries up to the next quarter hour).
    const untilNear = async (from: Date, pastMidday: boolean) => {
      const to = new Date(from.getTime() + 86_400_000);
      const entries = (await t.db.prisma.costEntry.findMany({ where: { occurredAt: { gte: from, lt: to } }, select: { occurredAt: true } }))
        .map((e) => e.occurredAt.getTime())
        .filter((x) => x % 86_400_000 > 43_200_000 === pastMidday && x % 900_000 > 1 && x - from.getTime() > 1);
      if (!entries.length) return new Date(from.getTime() + 43_200_000 + 7_777);
      const at = ri.pick(entries);
      return new Date(pastMidday ? at - 1 : at + 1);
    };
    const ny = localDays('America/New_York', '2026-10-25', 13);
    const ktm = localDays('Asia/Kathmandu', '2026-11-20', 8);
    const sets = [
      [...ny, await untilNear(ny[ny.length - 1]!, true)],
      [...ktm, await untilNear(ktm[ktm.length - 1]!, false)],
      localDays('Australia/Eucla', '2026-09-28', 6),
    ];
    expect(ny[8]!.getTime() - ny[7]!.getTime()).toBe(25 * 3_600_000);
    const filterList: Omit<CostFilter, 'from' | 'to'>[] = [
      {},
      { teamIds: [null, ri.pick(teamIds)] },
      { featureIds: [ri.pick(featureIds), ri.pick(featureIds)] },
      { models: [ri.pick(['gpt-4o', 'claude-3-5-sonnet'])] },
      { teamIds: [] },
    ];
    for (const boundaries of sets) {
      for (const filter of filterList) {
        for (const dim of DIMENSIONS) {
          const got = await rolled.groupByIntervals(dim, filter, boundaries);
          expect(canon(got)).toBe(canon(await ledger.groupByIntervals(dim, filter, boundaries)));
          const firsts = got.map((g) => g.counts.findIndex((c) => c !== 0));
          expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
          for (let i = 0; i + 1 < boundaries.length; i++) {
            const per = await ledger.groupBy(dim, { ...filter, from: boundaries[i]!, to: boundaries[i + 1]! });
            const mine = got.filter((g) => g.counts[i] !== 0).map((g) => ({ key: g.key, amount: g.amounts[i], count: g.counts[i] }));
            expect(sorted(mine)).toEqual(sorted(per));
            expect(got.filter((g) => g.counts[i] === 0).every((g) => g.amounts[i] === 0n)).toBe(true);
          }
        }
      }
    }
  }

  it('sync inserts', async () => {
    const batch = Array.from({ length: 1500 }, () => record());
    const res = await store.upsertCosts(batch);
    expect(res.inserted).toBe(1500);
    await expectSame();
  });

  it('re-costed records updated in place (amount, team, time, work item)', async () => {
    const again = Array.from({ length: 300 }, () => record(`r${1 + r.int(seq)}`));
    const res = await store.upsertCosts(again);
    expect(res.updated).toBeGreaterThan(0);
    await expectSame();
  });

  it('corrections for a closed month', async () => {
    await t.db.prisma.accountingPeriod.create({ data: { month: '2026-09', status: 'closed', closedAt: now, closedBy: 'UFIN' } });
    const late: IncomingCost[] = [];
    const inSeptember = await t.db.prisma.costEntry.findMany({
      where: { occurredAt: { gte: new Date('2026-09-05T00:00:00Z'), lt: new Date('2026-09-25T00:00:00Z') } },
      take: 50,
      select: { source: true, sourceId: true },
    });
    for (const e of inSeptember) late.push({ ...record(e.sourceId), source: e.source as IncomingCost['source'], occurredAt: new Date('2026-09-10T08:00:00Z') });
    for (let i = 0; i < 30; i++) late.push({ ...record(), occurredAt: new Date(Date.parse('2026-09-03T00:00:00Z') + r.int(20 * 86_400_000)) });
    now = new Date(END - 3_600_000 + r.int(3_000_000));
    const res = await store.upsertCosts(late);
    expect(res.corrections).toBeGreaterThan(30);
    await expectSame();
  });

  it('plain bulk inserts (demo seeding) and rows written straight into the ledger table', async () => {
    const team = await t.db.prisma.team.findFirstOrThrow({ where: { slug: 'search' } });
    await costWrites(t.db).insertMany(
      Array.from({ length: 400 }, (_, i) => ({
        source: 'demo',
        sourceId: `d${i}`,
        occurredAt: new Date(START + r.int(END - START)),
        teamId: r.next() < 0.5 ? team.id : null,
        featureId: null,
        customer: r.pick(['acme', null]),
        workItem: `D-${r.int(10)}`,
        amount: nanos(BigInt(r.int(1_000_000))),
        pricedBy: 'aicost',
      })),
    );
    await t.db.prisma.$executeRawUnsafe(
      `INSERT INTO "CostEntry" ("source", "sourceId", "occurredAt", "teamId", "amount", "workItem", "updatedAt") VALUES ('manual', 'm1', ${provider === 'sqlite' ? "'2026-10-03T07:14:59.999+00:00'" : "TIMESTAMP '2026-10-03 07:14:59.999'"}, ${team.id}, 123456789, 'T-1', ${provider === 'sqlite' ? "'2026-10-03T07:14:59.999+00:00'" : 'now()'})`,
    );
    await expectSame();
  });

  it('team and feature merges move history; deletions take it out', async () => {
    const admin = adminRepository(t.db);
    expect((await admin.aliasTeam('growth', 'payments', 'UFIN', now)).ok).toBe(true);
    expect((await admin.aliasFeature('emails', 'summaries', 'UFIN', now)).ok).toBe(true);
    await expectSame();
    expect(await costWrites(t.db).deleteSource('demo')).toBe(400);
    await t.db.prisma.costEntry.deleteMany({ where: { customer: 'initech', occurredAt: { lt: new Date('2026-10-01T00:00:00Z') } } });
    await expectSame();
  });

  it('a customer renamed in the ledger (a data fix) moves its history in the customer rollups', async () => {
    const moved = await t.db.prisma.costEntry.updateMany({ where: { customer: 'acme-eu' }, data: { customer: 'acme' } });
    expect(moved.count).toBeGreaterThan(0);
    await t.db.prisma.costEntry.updateMany({ where: { customer: 'globex', occurredAt: { lt: new Date('2026-10-01T00:00:00Z') } }, data: { customer: null } });
    await expectSame();
  });

  it('verify finds rollups that drifted from the ledger, and --repair rebuilds them', async () => {
    // Drift the rollups behind the triggers' back: a lost row, a wrong amount, an extra row, a wrong
    // previous day of a work item.
    await t.db.prisma.$executeRawUnsafe(`DELETE FROM "CostRollup" WHERE "grain" = 2 AND "bucket" = (SELECT MIN("bucket") FROM "CostRollup" WHERE "grain" = 2)`);
    await t.db.prisma.$executeRawUnsafe(
      `UPDATE "WorkItemDay" SET "prev" = "prev" - 1 WHERE "day" = (SELECT MAX("day") FROM "WorkItemDay" WHERE "prev" >= 0) AND "prev" >= 0`,
    );
    await t.db.prisma.$executeRawUnsafe(
      `UPDATE "CostRollup" SET "amount" = "amount" + 1 WHERE "grain" = 0 AND "bucket" = (SELECT MAX("bucket") FROM "CostRollup" WHERE "grain" = 0)`,
    );
    await t.db.prisma.$executeRawUnsafe(`INSERT INTO "CostRollupDetail" VALUES (2, 20300, 0, 0, '', 'x', 'source', 0, '', '', 'api', 5, 1, 0, 0)`);
    // A customer's month that lost a call.
    await t.db.prisma.$executeRawUnsafe(`UPDATE "CustomerTeamRollup" SET "calls" = "calls" - 1 WHERE "grain" = 4 AND "customer" = 'acme'`);
    // A customer's local month with a wrong amount: a local month's customer ranking reads that bucket alone.
    const october = monthPeriod('2026-10', itemZone);
    const right = sorted(await ledger.groupBy('customer', october));
    expect(sorted(await rolled.groupBy('customer', october))).toEqual(right);
    await t.db.prisma.$executeRawUnsafe(`UPDATE "CustomerRollup" SET "amount" = "amount" + 7 WHERE "grain" = 5 AND "customer" = 'acme'`);
    expect(sorted(await rolled.groupBy('customer', october))).not.toEqual(right);
    const before = await verifyRollups(t.db, { repair: false, timeZone: 'Asia/Kathmandu' });
    expect(before.differences).toBeGreaterThanOrEqual(6);
    expect(before.lines.join('\n')).toMatch(/WorkItemDay \(local days\)/);
    expect(before.lines.join('\n')).toMatch(/CustomerTeamRollup \(months\)/);
    expect(before.lines.join('\n')).toMatch(/CustomerRollup \(local months\)/);
    expect(before.lines.join('\n')).toMatch(/--repair/);

    // One month only: the November drift is repaired, the rest is still reported.
    const nov = await verifyRollups(t.db, { month: '2026-11', repair: true, timeZone: 'Asia/Kathmandu' });
    expect(nov.differences).toBeGreaterThanOrEqual(1);
    expect((await verifyRollups(t.db, { month: '2026-11', repair: false, timeZone: 'Asia/Kathmandu' })).differences).toBe(0);
    expect((await verifyRollups(t.db, { repair: false, timeZone: 'Asia/Kathmandu' })).differences).toBeGreaterThan(0);

    // The CLI, as an operator runs it.
    const env = { ...process.env };
    const logged: string[] = [];
    const log = console.log;
    console.log = (...xs: unknown[]) => void logged.push(xs.join(' '));
    try {
      process.env.DATABASE_URL = t.url;
      process.env.REPORT_TIMEZONE = 'Asia/Kathmandu';
      expect(await main(['verify', '--month', '2026-13'])).toBe(2);
      expect(await main(['verify'])).toBe(1);
      expect(await main(['verify', '--repair'])).toBe(0);
      expect(await main(['verify'])).toBe(0);
    } finally {
      console.log = log;
      process.env = env;
    }
    expect(logged.join('\n')).toMatch(/Repaired: \d+ rows rebuilt/);
    expect(logged[logged.length - 1]).toMatch(/No differences/);
    await expectSame();
  });

  it('a change of report time zone rebuilds the work-item tables; distinct counts follow the new local days', async () => {
    itemZone = 'America/New_York';
    expect(await ensureRollupZone(t.db, itemZone)).toBe(true);
    await expectSame();
    // A November day in New York holds entries of two Kathmandu days: the tables really changed.
    const zones = await t.db.prisma.$queryRawUnsafe<{ zone: string }[]>('SELECT "zone" FROM "RollupZone"');
    expect(zones.map((z) => z.zone)).toEqual(['America/New_York']);
  });

  it('zone tables written with another zone database are compared at start and rebuilt when its rules differ', async () => {
    expect(await ensureRollupZone(t.db, itemZone)).toBe(false);
    const tzdata = async () => (await t.db.prisma.$queryRawUnsafe<{ tzdata: string }[]>('SELECT "tzdata" FROM "RollupZone"'))[0]!.tzdata;
    expect(await tzdata()).toBe(process.versions.tz);
    const olderZoneData = 'UPDATE "RollupZone" SET "tzdata" = \'2019a\'';
    // Another zone database that changed nothing here: compared, recorded, nothing rebuilt.
    await t.db.prisma.$executeRawUnsafe(olderZoneData);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(false);
    expect(await tzdata()).toBe(process.versions.tz);
    // As if the country had moved a month's start since the tables were built.
    await t.db.prisma.$executeRawUnsafe('UPDATE "ZoneMonth" SET "fromSec" = "fromSec" + 3600 WHERE "month" = 681');
    await t.db.prisma.$executeRawUnsafe(olderZoneData);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(true);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(false);
    await t.db.prisma.$executeRawUnsafe('UPDATE "ZoneOffset" SET "offsetSec" = "offsetSec" + 1800 WHERE "fromSec" = (SELECT MAX("fromSec") FROM "ZoneOffset")');
    await t.db.prisma.$executeRawUnsafe(olderZoneData);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(true);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(false);
    await expectSame();
  });

  it("the migrations' backfill builds the rollups of a ledger that existed before them", async () => {
    const sql = readFileSync(`prisma/migrations/${provider === 'sqlite' ? 'sqlite' : 'postgres'}/0005_rollups/migration.sql`, 'utf8');
    const backfill = sql.slice(sql.indexOf('-- Backfill'));
    expect(backfill.length).toBeGreaterThan(100);
    for (const table of ['CostRollup', 'CostRollupDetail', 'WorkItemDay', 'WorkItemSpan']) await t.db.prisma.$executeRawUnsafe(`DELETE FROM "${table}"`);
    // As migration 0010 leaves them: no zone, built at the next start.
    await t.db.prisma.$executeRawUnsafe(`UPDATE "RollupZone" SET "zone" = ''`);
    expect((await rollupChecks(t.db).compare(null)).some((c) => c.differences > 0)).toBe(true);
    for (const statement of backfill
      .split(/;\s*\n/)
      .map((x) => x.replace(/^--.*$/gm, '').trim())
      // 0010 replaced the work-item rollup of 0005.
      .filter((x) => x && !x.includes('"WorkItemRollup"')))
      await t.db.prisma.$executeRawUnsafe(statement);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(true);
    await expectSame();
  });
  it("migration 0014's backfill and the first start after 0018 build the customer rollups of a ledger that existed before them", async () => {
    const sql = readFileSync(`prisma/migrations/${provider === 'sqlite' ? 'sqlite' : 'postgres'}/0014_customer_rollups/migration.sql`, 'utf8');
    const inserts = sql
      .slice(sql.indexOf('-- Backfill'), sql.includes('CREATE OR REPLACE FUNCTION') ? sql.indexOf('CREATE OR REPLACE FUNCTION') : undefined)
      .split(/;\s*\n/)
      .map((x) => x.replace(/^--.*$/gm, '').trim())
      .filter((x) => x.startsWith('INSERT'));
    expect(inserts.length).toBe(8);
    for (const table of ['CustomerRollup', 'CustomerTeamRollup']) await t.db.prisma.$executeRawUnsafe(`DELETE FROM "${table}"`);
    expect((await rollupChecks(t.db).compare(null)).some((c) => c.differences > 0)).toBe(true);
    for (const statement of inserts) await t.db.prisma.$executeRawUnsafe(statement);
    // Migration 0018 leaves "ZoneMonth" empty; the next start builds the local-month buckets, and only those.
    await t.db.prisma.$executeRawUnsafe('DELETE FROM "ZoneMonth"');
    const workItems = await t.db.prisma.$queryRawUnsafe<unknown[]>('SELECT * FROM "WorkItemDay" ORDER BY 1, 2, 3, 4');
    expect(await ensureRollupZone(t.db, itemZone)).toBe(true);
    expect(await ensureRollupZone(t.db, itemZone)).toBe(false);
    expect(await t.db.prisma.$queryRawUnsafe<unknown[]>('SELECT * FROM "WorkItemDay" ORDER BY 1, 2, 3, 4')).toEqual(workItems);
    await expectSame();
  });
});
