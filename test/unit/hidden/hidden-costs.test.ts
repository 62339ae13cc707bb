import { describe, expect, it } from 'vitest';
import { hiddenCostFromRecord, hiddenCostToRecord } from '../../../src/db/repositories/hidden-cost-rows.ts';
import { attributeHiddenCosts } from '../../../src/domain/hidden-cost-attribution.ts';
import { resolveDraft } from '../../../src/domain/hidden-cost-drafts.ts';
import {
  byCategory,
  hiddenCostsForMonth,
  hiddenCostsForPeriod,
  perUnitAmountFromTime,
  totalOf,
  type HiddenCost,
  type Volume,
} from '../../../src/domain/hidden-costs.ts';
import { fromUsd, nanos, type Money } from '../../../src/domain/money.ts';
import { monthPeriod, parsePeriod } from '../../../src/domain/periods.ts';
import { failureText } from '../../../src/format/failure-text.ts';

let nextId = 1;
const cost = (c: Partial<HiddenCost> & Pick<HiddenCost, 'kind' | 'amount'>): HiddenCost => ({
  id: nextId++,
  category: 'other',
  target: { type: 'team', teamId: 1 },
  author: 'U1',
  ...c,
});
const noVolume = new Map<number, Volume>();
const amounts = (lines: { amount: Money }[]) => lines.map((l) => l.amount);

describe('hiddenCostsForMonth', () => {
  it('counts a one-off cost in the month of its date only', () => {
    const e = cost({ kind: 'one_off', amount: fromUsd(1200), date: '2026-11-03' });
    expect(amounts(hiddenCostsForMonth([e], '2026-11', noVolume))).toEqual([fromUsd(1200)]);
    expect(hiddenCostsForMonth([e], '2026-10', noVolume)).toEqual([]);
    expect(hiddenCostsForMonth([e], '2026-12', noVolume)).toEqual([]);
  });

  it('counts a monthly cost from its first month up to and including its until month', () => {
    const e = cost({ kind: 'monthly', amount: fromUsd(2800), fromMonth: '2026-09', untilMonth: '2026-11' });
    const months = ['2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
    expect(months.map((m) => totalOf(hiddenCostsForMonth([e], m, noVolume)))).toEqual([0n, fromUsd(2800), fromUsd(2800), fromUsd(2800), 0n]);
    const open = cost({ kind: 'monthly', amount: fromUsd(10), fromMonth: '2026-09', untilMonth: null });
    expect(totalOf(hiddenCostsForMonth([open], '2031-01', noVolume))).toBe(fromUsd(10));
    expect(totalOf(hiddenCostsForMonth([open], '2026-08', noVolume))).toBe(0n);
  });

  it('scales per-unit costs with the feature volume the sources report', () => {
    const perItem = cost({
      kind: 'per_unit',
      unit: 'work_item',
      amount: fromUsd('4.50'),
      target: { type: 'feature', featureId: 42 },
      category: 'human_review',
    });
    const perRequest = cost({ kind: 'per_unit', unit: 'request', amount: fromUsd('0.0045'), target: { type: 'feature', featureId: 42 } });
    const vol = (workItems: number, requests: number) =>
      new Map<number, Volume>([
        [42, { workItems, requests }],
        [7, { workItems: 999, requests: 999 }],
      ]);
    const at120 = hiddenCostsForMonth([perItem, perRequest], '2026-11', vol(120, 10_000));
    expect(amounts(at120)).toEqual([fromUsd(540), fromUsd(45)]);
    expect(at120.map((l) => l.units)).toEqual([120n, 10_000n]);
    expect(amounts(hiddenCostsForMonth([perItem], '2026-11', vol(240, 0)))).toEqual([fromUsd(1080)]);
    // No volume reported: the line is still there, at $0, so "0 work items" can be shown.
    expect(hiddenCostsForMonth([perItem], '2026-11', noVolume)).toMatchObject([{ amount: 0n, units: 0n }]);
    // A window bounds the months it applies to.
    const windowed = { ...perItem, fromMonth: '2026-11' };
    expect(hiddenCostsForMonth([windowed], '2026-10', vol(120, 0))).toEqual([]);
  });

  it('turns review time into a per-unit amount exactly', () => {
    expect(perUnitAmountFromTime(fromUsd(54), 5)).toBe(fromUsd('4.50'));
    expect(perUnitAmountFromTime(fromUsd(54), '2.5')).toBe(fromUsd('2.25'));
    expect(perUnitAmountFromTime(fromUsd(50), 1)).toBe(833_333_333n); // $0.8333333333… rounded half-up at the nanodollar
    expect(perUnitAmountFromTime(fromUsd(100), 1)).toBe(1_666_666_667n);
    expect(() => perUnitAmountFromTime(fromUsd(54), '1.234')).toThrow(RangeError);
  });

  it('throws on inconsistent entries instead of guessing', () => {
    expect(() => hiddenCostsForMonth([cost({ kind: 'monthly', amount: nanos(1n) })], '2026-11', noVolume)).toThrow(/needs fromMonth/);
    expect(() => hiddenCostsForMonth([cost({ kind: 'one_off', amount: nanos(1n), date: '2026-02-30' })], '2026-02', noVolume)).toThrow(/valid date/);
    expect(() => hiddenCostsForMonth([cost({ kind: 'per_unit', unit: 'work_item', amount: nanos(1n) })], '2026-11', noVolume)).toThrow(/must target a feature/);
    expect(() => hiddenCostsForMonth([cost({ kind: 'monthly', amount: nanos(1n), fromMonth: '2026-11', untilMonth: '2026-10' })], '2026-11', noVolume)).toThrow(
      /before fromMonth/,
    );
    expect(() => hiddenCostsForMonth([], '2026-13', noVolume)).toThrow(RangeError);
  });
});

describe('hiddenCostsForPeriod', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const last30 = (tz: string) => {
    const r = parsePeriod('30d', now, tz);
    if (!r.ok) throw new Error(failureText(r.failure));
    return r.value;
  };

  it('prorates monthly costs over 30 days by the days of each month, exactly', () => {
    // 2026-10-25 .. 2026-11-23: 7 of October's 31 days and 23 of November's 30.
    const e = cost({ kind: 'monthly', amount: fromUsd(3100), fromMonth: '2026-01' });
    const [line] = hiddenCostsForPeriod([e], last30('UTC'), noVolume, 'UTC');
    // October: $100.00 a day × 7. November: $3,100 / 30 = 103.333333333 with 10 nanodollars over,
    // which go to Nov 1–10: 23 × 103.333333333 + 10.
    expect(line!.amount).toBe(fromUsd(700) + 23n * 103_333_333_333n + 10n);
  });

  it('reconciles: periods that tile a month sum exactly to the monthly amount', () => {
    const e = cost({ kind: 'monthly', amount: nanos(1_000_000_007n), fromMonth: '2026-11' });
    const p = (text: string) => {
      const r = parsePeriod(text, now, 'Asia/Tokyo');
      if (!r.ok) throw new Error(failureText(r.failure));
      return r.value;
    };
    const parts = ['2026-11-01..2026-11-07', '2026-11-08..2026-11-19', '2026-11-20..2026-11-30'].map((t) =>
      totalOf(hiddenCostsForPeriod([e], p(t), noVolume, 'Asia/Tokyo')),
    );
    expect(parts[0]! + parts[1]! + parts[2]!).toBe(1_000_000_007n);
    expect(parts[0]).toBe(7n * 33_333_333n + 7n); // 1,000,000,007 / 30 = 33,333,333 r 17: days 1–17 get one more
    expect(totalOf(hiddenCostsForPeriod([e], monthPeriod('2026-11', 'Asia/Tokyo'), noVolume, 'Asia/Tokyo'))).toBe(1_000_000_007n);
  });

  it('respects until months when prorating, and counts one-offs by date', () => {
    const ended = cost({ kind: 'monthly', amount: fromUsd(3100), fromMonth: '2026-01', untilMonth: '2026-10' });
    const notYet = cost({ kind: 'monthly', amount: fromUsd(3100), fromMonth: '2026-12' });
    const inside = cost({ kind: 'one_off', amount: fromUsd(50), date: '2026-10-25' });
    const outside = cost({ kind: 'one_off', amount: fromUsd(50), date: '2026-10-24' });
    const lines = hiddenCostsForPeriod([ended, notYet, inside, outside], last30('UTC'), noVolume, 'UTC');
    expect(lines.map((l) => [l.entry.id, l.amount])).toEqual([
      [ended.id, fromUsd(700)],
      [inside.id, fromUsd(50)],
    ]);
  });

  it('takes per-unit volume for the period, scaled by the days its window covers', () => {
    const f = new Map<number, Volume>([[5, { workItems: 300, requests: 0 }]]);
    const always = cost({ kind: 'per_unit', unit: 'work_item', amount: fromUsd(1), target: { type: 'feature', featureId: 5 } });
    const fromNov = { ...always, id: nextId++, fromMonth: '2026-11' };
    const lines = hiddenCostsForPeriod([always, fromNov], last30('UTC'), f, 'UTC');
    expect(amounts(lines)).toEqual([fromUsd(300), fromUsd(230)]); // 23 of 30 days are in November
  });

  it('uses local days in the org time zone', () => {
    // At 2026-11-30T20:00Z it is already 1 December in Tokyo, still 30 November in UTC.
    const late = new Date('2026-11-30T20:00:00Z');
    const oneDay = (tz: string) => {
      const r = parsePeriod('1d', late, tz);
      if (!r.ok) throw new Error(failureText(r.failure));
      return hiddenCostsForPeriod([dec1, nov30, monthly], r.value, noVolume, tz).map((l) => [l.entry.id, l.amount]);
    };
    const dec1 = cost({ kind: 'one_off', amount: fromUsd(9), date: '2026-12-01' });
    const nov30 = cost({ kind: 'one_off', amount: fromUsd(4), date: '2026-11-30' });
    const monthly = cost({ kind: 'monthly', amount: fromUsd(3100), fromMonth: '2026-11' });
    expect(oneDay('Asia/Tokyo')).toEqual([
      [dec1.id, fromUsd(9)],
      [monthly.id, fromUsd(100)],
    ]); // a December day: 3100 / 31
    expect(oneDay('UTC')).toEqual([
      [nov30.id, fromUsd(4)],
      [monthly.id, 103_333_333_333n],
    ]); // a November day (day 30 gets no odd nanodollar)
  });
});

describe('attribution', () => {
  it('gives team and feature lines to teams, splits shared ones, and reconciles with the unallocated rest', () => {
    const lines = hiddenCostsForMonth(
      [
        cost({ kind: 'monthly', amount: fromUsd(100), fromMonth: '2026-01', category: 'infrastructure', target: { type: 'team', teamId: 1 } }),
        cost({ kind: 'one_off', amount: fromUsd(30), date: '2026-11-02', category: 'integrations', target: { type: 'feature', featureId: 10 } }),
        cost({ kind: 'one_off', amount: fromUsd(7), date: '2026-11-02', category: 'integrations', target: { type: 'feature', featureId: 99 } }),
        cost({ kind: 'monthly', amount: fromUsd(100), fromMonth: '2026-01', category: 'vector_db', target: { type: 'shared', rule: { type: 'even' } } }),
        cost({
          kind: 'monthly',
          amount: fromUsd(50),
          fromMonth: '2026-01',
          category: 'observability',
          target: { type: 'shared', rule: { type: 'usage', metric: 'work_items' } },
        }),
      ],
      '2026-11',
      noVolume,
    );
    const basis = [1, 2, 3].map((teamId) => ({ teamId, directSpend: fromUsd(teamId), requests: 0, tokens: 0, workItems: 0 }));
    const a = attributeHiddenCosts(
      lines,
      basis,
      new Map([
        [10, 2],
        [99, null],
      ]),
    );
    expect(a.teams.get(1)!.hidden).toEqual(new Map([['infrastructure', fromUsd(100)]]));
    expect(a.teams.get(2)!.hidden).toEqual(new Map([['integrations', fromUsd(30)]]));
    expect(a.teams.get(1)!.allocated).toBe(33_333_333_334n);
    expect(a.teams.get(2)!.allocations).toMatchObject([{ category: 'vector_db', rule: { type: 'even' }, amount: 33_333_333_333n }]);
    expect(a.features.get(99)).toEqual(new Map([['integrations', fromUsd(7)]]));
    expect(a.unallocated).toBe(fromUsd(57));
    expect(a.unallocatedLines.map((l) => l.reason)).toEqual(['the feature has no team', 'no work items in the period to split by']);
    let teamSum = 0n;
    for (const t of a.teams.values()) teamSum += [...t.hidden.values()].reduce((x, y) => x + y, 0n) + t.allocated;
    expect(teamSum + a.unallocated).toBe(totalOf(lines));
    expect(byCategory(lines).get('integrations')).toBe(fromUsd(37));
  });
});

describe('drafts and records', () => {
  it('resolves slugs to ids, and refuses unknown ones', () => {
    const teams = new Map([
      ['payments', 1],
      ['search', 2],
    ]);
    const features = new Map([['support-bot', 10]]);
    const shared = resolveDraft(
      {
        category: 'vector_db',
        amount: fromUsd(10),
        kind: 'monthly',
        fromMonth: '2026-11',
        untilMonth: null,
        note: 'Pinecone',
        target: {
          type: 'shared',
          rule: {
            type: 'fixed',
            shares: [
              { team: 'payments', percent: 60 },
              { team: 'search', percent: 40 },
            ],
          },
        },
      },
      teams,
      features,
    );
    expect(shared).toEqual({
      ok: true,
      cost: {
        category: 'vector_db',
        amount: fromUsd(10),
        kind: 'monthly',
        fromMonth: '2026-11',
        untilMonth: null,
        note: 'Pinecone',
        target: {
          type: 'shared',
          rule: {
            type: 'fixed',
            shares: [
              { teamId: 1, percent: 60 },
              { teamId: 2, percent: 40 },
            ],
          },
        },
      },
    });
    const nope = resolveDraft(
      { category: 'other', amount: nanos(1n), kind: 'one_off', date: '2026-11-01', note: null, target: { type: 'feature', slug: 'nope' } },
      teams,
      features,
    );
    expect(nope).toEqual({ ok: false, failure: { code: 'feature.none', slug: 'nope' } });
    expect(!nope.ok && failureText(nope.failure)).toBe('There is no feature "nope".');
  });

  it('round-trips stored rows, and rejects inconsistent ones', () => {
    const e = cost({
      kind: 'monthly',
      amount: fromUsd(2800),
      fromMonth: '2026-11',
      untilMonth: null,
      note: 'Pinecone',
      target: { type: 'shared', rule: { type: 'usage', metric: 'tokens' } },
    });
    const row = { id: e.id, ...hiddenCostToRecord(e) };
    expect(row).toMatchObject({ targetType: 'shared', rule: '{"type":"usage","metric":"tokens"}', teamId: null, date: null });
    expect(hiddenCostFromRecord(row)).toEqual(e);
    expect(() => hiddenCostFromRecord({ ...row, rule: '{"type":"fixed","shares":[{"teamId":1,"percent":90}]}' })).toThrow(/add up to 90%/);
    expect(() => hiddenCostFromRecord({ ...row, targetType: 'team' })).toThrow(/without teamId/);
    expect(() => hiddenCostFromRecord({ ...row, kind: 'weekly' })).toThrow(/unknown kind/);
  });
});
