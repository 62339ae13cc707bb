import { describe, expect, it } from 'vitest';
import {
  allocateShared,
  checkPercentages,
  describeRule,
  divideHalfUp,
  parseStoredRule,
  validateRule,
  type AllocationBasis,
  type AllocationRule,
} from '../../../src/domain/allocation.ts';
import { fromUsd, nanos, sum, type Money } from '../../../src/domain/money.ts';

const basis = (rows: [teamId: number, spendUsd: number, requests: number, tokens: number, workItems: number][]): AllocationBasis[] =>
  rows.map(([teamId, spend, requests, tokens, workItems]) => ({ teamId, directSpend: fromUsd(spend), requests, tokens, workItems }));

const total = (r: { parts: { amount: Money }[]; unallocated: Money }) => sum(r.parts.map((p) => p.amount)) + r.unallocated;

describe('allocateShared', () => {
  it('splits $100.00 evenly over 3 teams into parts that sum to exactly $100.00', () => {
    const r = allocateShared(fromUsd(100), { type: 'even', teamIds: [3, 1, 2] }, []);
    expect(r.parts).toEqual([
      { teamId: 1, amount: 33_333_333_334n },
      { teamId: 2, amount: 33_333_333_333n },
      { teamId: 3, amount: 33_333_333_333n },
    ]);
    expect(r.unallocated).toBe(0n);
    expect(r.reason).toBeNull();
    expect(total(r)).toBe(100_000_000_000n);
  });

  it('splits evenly between every team of the basis when no teams are listed', () => {
    const r = allocateShared(
      fromUsd(10),
      { type: 'even' },
      basis([
        [7, 0, 0, 0, 0],
        [5, 1, 0, 0, 0],
      ]),
    );
    expect(r.parts).toEqual([
      { teamId: 5, amount: fromUsd(5) },
      { teamId: 7, amount: fromUsd(5) },
    ]);
    const none = allocateShared(fromUsd(10), { type: 'even', teamIds: [] }, []);
    expect(none).toEqual({ parts: [], unallocated: fromUsd(10), reason: 'no teams to split the cost between' });
  });

  it('splits by fixed percentages', () => {
    const r = allocateShared(
      fromUsd(900),
      {
        type: 'fixed',
        shares: [
          { teamId: 1, percent: 60 },
          { teamId: 2, percent: 40 },
        ],
      },
      [],
    );
    expect(r.parts).toEqual([
      { teamId: 1, amount: fromUsd(540) },
      { teamId: 2, amount: fromUsd(360) },
    ]);
    const thirds = allocateShared(
      fromUsd(1),
      {
        type: 'fixed',
        shares: [
          { teamId: 1, percent: 33.33 },
          { teamId: 2, percent: 33.33 },
          { teamId: 3, percent: 33.34 },
        ],
      },
      [],
    );
    expect(thirds.parts.map((p) => p.amount)).toEqual([333_300_000n, 333_300_000n, 333_400_000n]);
  });

  it('refuses fixed percentages that do not total 100, and leaves the amount unallocated with the reason', () => {
    const rule: AllocationRule = {
      type: 'fixed',
      shares: [
        { teamId: 1, percent: 50 },
        { teamId: 2, percent: 40 },
      ],
    };
    expect(validateRule(rule)).toEqual({ ok: false, error: 'Percentages add up to 90%; they must total 100%.' });
    expect(checkPercentages([33.33, 33.33, 33.33])).toBe('Percentages add up to 99.99%; they must total 100%.');
    expect(checkPercentages([60, 50.5])).toBe('Percentages add up to 110.5%; they must total 100%.');
    expect(checkPercentages([33.333, 66.667])).toMatch(/33.333% is not a percentage I can use/);
    expect(checkPercentages([])).toMatch(/at least one team/);
    expect(checkPercentages([0, 100])).toMatch(/0% is not a percentage/);
    expect(checkPercentages([70, 30])).toBeNull();
    expect(
      validateRule({
        type: 'fixed',
        shares: [
          { teamId: 1, percent: 50 },
          { teamId: 1, percent: 50 },
        ],
      }),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/more than once/) });
    const r = allocateShared(fromUsd(100), rule, []);
    expect(r).toEqual({ parts: [], unallocated: fromUsd(100), reason: 'Percentages add up to 90%; they must total 100%.' });
  });

  it('splits proportionally to direct API spend; net credits count as no spend', () => {
    const r = allocateShared(
      fromUsd(1000),
      { type: 'direct_spend' },
      basis([
        [1, 300, 0, 0, 0],
        [2, 100, 0, 0, 0],
        [3, -50, 0, 0, 0],
      ]),
    );
    expect(r.parts).toEqual([
      { teamId: 1, amount: fromUsd(750) },
      { teamId: 2, amount: fromUsd(250) },
    ]);
    expect(r.unallocated).toBe(0n);
    const odd = allocateShared(
      nanos(100n),
      { type: 'direct_spend' },
      basis([
        [1, 1, 0, 0, 0],
        [2, 2, 0, 0, 0],
      ]),
    );
    expect(odd.parts.map((p) => p.amount)).toEqual([33n, 67n]);
  });

  it('keeps everything unallocated when a proportional basis is zero', () => {
    const b = basis([
      [1, 10, 0, 0, 0],
      [2, 20, 0, 0, 0],
    ]);
    expect(allocateShared(fromUsd(500), { type: 'usage', metric: 'requests' }, b)).toEqual({
      parts: [],
      unallocated: fromUsd(500),
      reason: 'no requests in the period to split by',
    });
    expect(allocateShared(fromUsd(500), { type: 'direct_spend' }, basis([[1, 0, 5, 5, 5]]))).toMatchObject({ parts: [], unallocated: fromUsd(500) });
    expect(allocateShared(fromUsd(500), { type: 'usage', metric: 'work_items' }, [])).toMatchObject({
      parts: [],
      unallocated: fromUsd(500),
      reason: 'no work items in the period to split by',
    });
  });

  it('splits by the usage metric named by the rule', () => {
    const b = basis([
      [1, 0, 10, 3_000, 1],
      [2, 0, 30, 1_000, 3],
    ]);
    expect(allocateShared(fromUsd(400), { type: 'usage', metric: 'requests' }, b).parts.map((p) => p.amount)).toEqual([fromUsd(100), fromUsd(300)]);
    expect(allocateShared(fromUsd(400), { type: 'usage', metric: 'tokens' }, b).parts.map((p) => p.amount)).toEqual([fromUsd(300), fromUsd(100)]);
    expect(allocateShared(fromUsd(400), { type: 'usage', metric: 'work_items' }, b).parts.map((p) => p.amount)).toEqual([fromUsd(100), fromUsd(300)]);
  });

  it('always reconciles: parts + unallocated === amount', () => {
    const rules: AllocationRule[] = [
      { type: 'even' },
      {
        type: 'fixed',
        shares: [
          { teamId: 1, percent: 12.5 },
          { teamId: 2, percent: 87.5 },
        ],
      },
      { type: 'direct_spend' },
      { type: 'usage', metric: 'tokens' },
      { type: 'usage', metric: 'requests' },
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let i = 0; i < 200; i++) {
      const amount = BigInt(next()) * 997n - 3n;
      const b = basis([
        [1, next() % 1000, next() % 7, next() % 100_000, 0],
        [2, next() % 3, next() % 11, 0, 0],
        [9, 0, 0, next() % 5, 0],
      ]);
      for (const rule of rules) {
        const r = allocateShared(nanos(amount), rule, b);
        expect(total(r)).toBe(amount);
      }
    }
  });
});

describe('rules', () => {
  it('parses stored JSON rules and refuses bad ones', () => {
    expect(parseStoredRule('{"type":"usage","metric":"tokens"}')).toEqual({ ok: true, rule: { type: 'usage', metric: 'tokens' } });
    expect(parseStoredRule('{"type":"usage","metric":"calories"}').ok).toBe(false);
    expect(parseStoredRule('not json')).toEqual({ ok: false, error: 'The stored allocation rule is not valid JSON.' });
    expect(validateRule({ type: 'even', teamIds: [1, 1] }).ok).toBe(false);
  });

  it('describes rules for the allocation_rule column', () => {
    const name = (id: number) => ({ 1: 'payments', 2: 'search' })[id] ?? '?';
    expect(
      describeRule(
        {
          type: 'fixed',
          shares: [
            { teamId: 1, percent: 60 },
            { teamId: 2, percent: 40 },
          ],
        },
        name,
      ),
    ).toBe('fixed: payments 60%, search 40%');
    expect(describeRule({ type: 'usage', metric: 'work_items' })).toBe('proportional to work items');
    expect(describeRule({ type: 'direct_spend' })).toBe('proportional to direct API spend');
    expect(describeRule({ type: 'even' })).toBe('even split between all teams');
  });

  it('divides half away from zero', () => {
    expect(divideHalfUp(5n, 2n)).toBe(3n);
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideHalfUp(4n, 3n)).toBe(1n);
    expect(divideHalfUp(5n, 3n)).toBe(2n);
    expect(() => divideHalfUp(1n, 0n)).toThrow(RangeError);
  });
});
