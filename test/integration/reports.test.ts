import { makeViewer } from '../../src/services/visibility.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd, nanos, sum } from '../../src/domain/money.ts';
import { monthPeriod, parsePeriod } from '../../src/domain/periods.ts';
import { failureText } from '../../src/format/failure-text.ts';
import { loadAppConfig } from '../../src/config.ts';
import { createServices, serviceSettings, type Services } from '../../src/container.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/** Finance's view: every team (who sees what is tested over signed HTTP in visibility.test.ts). */
const ALL = makeViewer({ userId: 'UFIN', policy: 'teams', finance: true, teams: [] });

describe.each(testProviders())('reports on %s', (provider) => {
  let t: TestDatabase;
  let s: Services;
  const tz = 'Asia/Tokyo';

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    s = createServices(t.db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: tz })) });
    const pay = await s.teams.upsert({ slug: 'payments', name: 'Payments', channelId: 'CPAY', leadUserIds: ['ULEAD'] });
    const ops = await s.teams.upsert({ slug: 'ops', name: 'Ops', memberUserIds: ['ULEAD', 'UMEM'] });
    const chk = await s.teams.upsertFeature({ slug: 'checkout-assist', name: 'Checkout assist', teamId: pay.id });
    const w = costWrites(t.db);
    await w.insertMany([
      // 2026-10-31T15:00Z is midnight Nov 1 in Tokyo: this belongs to November.
      {
        source: 't',
        sourceId: '1',
        occurredAt: new Date('2026-10-31T15:00:00.000Z'),
        teamId: pay.id,
        featureId: chk.id,
        amount: fromUsd('0.000000001'),
        model: 'gpt-4o',
      },
      // One millisecond earlier: still October in Tokyo.
      { source: 't', sourceId: '2', occurredAt: new Date('2026-10-31T14:59:59.999Z'), teamId: pay.id, featureId: chk.id, amount: fromUsd('5.25') },
      { source: 't', sourceId: '3', occurredAt: new Date('2026-11-10T03:00:00.000Z'), teamId: pay.id, featureId: null, amount: fromUsd('1234.5678') },
      { source: 't', sourceId: '4', occurredAt: new Date('2026-11-11T03:00:00.000Z'), teamId: ops.id, featureId: null, amount: fromUsd('0.0042') },
      { source: 't', sourceId: '5', occurredAt: new Date('2026-11-12T03:00:00.000Z'), teamId: null, featureId: null, amount: fromUsd('100') },
      // Beyond 2^53 nanodollars in one month must still sum exactly.
      { source: 't', sourceId: '6', occurredAt: new Date('2026-11-13T03:00:00.000Z'), teamId: ops.id, featureId: null, amount: nanos(9_007_199_254_740_993n) },
    ]);
  });
  afterAll(async () => t?.destroy());

  const now = new Date('2026-11-30T00:00:00Z');

  it('totals a team month exactly, with boundaries at local midnight', async () => {
    const r = await s.reports.team(ALL, 'payments', monthPeriod('2026-11', tz), now);
    if (r.kind !== 'spend') throw new Error('expected a report');
    expect(r.total).toBe(fromUsd('0.000000001') + fromUsd('1234.5678'));
    expect(r.count).toBe(2);
    const oct = await s.reports.team(ALL, 'payments', monthPeriod('2026-10', tz), now);
    if (oct.kind !== 'spend') throw new Error('expected a report');
    expect(oct.total).toBe(fromUsd('5.25'));
    expect(r.daily.find((d) => d.day === '2026-11-01')?.amount).toBe(1n);
    expect(sum(r.daily.map((d) => d.amount))).toBe(r.total);
  });

  it('ranks teams with the unattributed bucket and coverage, summing beyond 2^53 exactly', async () => {
    const r = await s.reports.top(ALL, 'teams', monthPeriod('2026-11', tz), now);
    if (r.kind !== 'top') throw new Error('expected a ranking');
    expect(r.rows.map((x) => x.label)).toEqual(['ops', 'payments', 'unattributed']);
    expect(r.rows[0]!.amount).toBe(9_007_199_254_740_993n + fromUsd('0.0042'));
    expect(r.unattributed).toBe(fromUsd('100'));
    expect(r.total).toBe(sum(r.rows.map((x) => x.amount)));
  });

  it('picks the scope of a bare /aicost from the channel, then the user, then the organisation', async () => {
    const p = monthPeriod('2026-11', tz);
    expect((await s.reports.overview(ALL, 'CPAY', p, now)).title).toBe('Team Payments');
    expect((await s.reports.overview(await s.visibility.of('UMEM'), 'COTHER', p, now)).title).toBe('Team Ops');
    expect((await s.reports.overview(await s.visibility.of('ULEAD'), null, p, now)).title).toBe('Your teams: Ops, Payments');
    const org = await s.reports.overview(await s.visibility.of('UNOBODY'), null, p, now);
    expect(org.title).toBe('Organisation');
    expect(org.unattributed).toBe(fromUsd('100'));
  });

  it('counts month to date only up to now', async () => {
    const r = parsePeriod('this month', new Date('2026-11-10T12:00:00Z'), tz);
    if (!r.ok) throw new Error(failureText(r.failure));
    const rep = await s.reports.team(ALL, 'payments', r.value, new Date('2026-11-10T12:00:00Z'));
    if (rep.kind !== 'spend') throw new Error('expected a report');
    expect(rep.total).toBe(1n + fromUsd('1234.5678'));
    expect(rep.daily.at(-1)?.day).toBe('2026-11-10');
  });

  it('suggests the closest team names for an unknown one', async () => {
    const r = await s.reports.team(ALL, 'payment', monthPeriod('2026-11', tz), now);
    expect(r).toMatchObject({ kind: 'unknown', suggestions: ['payments', 'ops'] });
  });
});
