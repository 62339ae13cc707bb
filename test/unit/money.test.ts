import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/demo/prng.ts';
import {
  add,
  allocate,
  formatMoney,
  fromUsd,
  mulInt,
  nanos,
  neg,
  parseAmount,
  roundToCents,
  sub,
  sum,
  toDecimalString,
  ZERO,
  type Money,
} from '../../src/domain/money.ts';

describe('money', () => {
  it('converts source USD exactly, without float error', () => {
    expect(fromUsd(0.1) + fromUsd(0.2)).toBe(fromUsd(0.3));
    expect(fromUsd(0.000123456)).toBe(123_456n);
    expect(fromUsd(1.5e-7)).toBe(150n);
    expect(fromUsd(2.5e-10)).toBe(0n); // 0.25 nanodollar rounds to 0
    expect(fromUsd(7.5e-10)).toBe(1n); // 0.75 rounds up
    expect(fromUsd('0.0000000005')).toBe(1n);
    expect(fromUsd('0.0000000004')).toBe(0n);
    expect(fromUsd(1234.56)).toBe(1_234_560_000_000n);
    expect(fromUsd(-3)).toBe(-3_000_000_000n);
    expect(() => fromUsd(Number.NaN)).toThrow();
    expect(() => fromUsd('12abc')).toThrow();
  });

  it('formats dollars with grouping, and sub-cent amounts with significant digits', () => {
    expect(formatMoney(fromUsd(1234.56))).toBe('$1,234.56');
    expect(formatMoney(fromUsd(0.0042))).toBe('$0.0042');
    expect(formatMoney(fromUsd(0.00004))).toBe('$0.00004');
    expect(formatMoney(fromUsd(0.004249))).toBe('$0.0042');
    expect(formatMoney(ZERO)).toBe('$0.00');
    expect(formatMoney(fromUsd(-12))).toBe('-$12.00');
    expect(formatMoney(fromUsd(1_000_000))).toBe('$1,000,000.00');
    expect(formatMoney(fromUsd(0.999))).toBe('$1.00');
    expect(formatMoney(fromUsd(0.0099999))).toBe('$0.01');
  });

  it('parses amounts people type', () => {
    expect(parseAmount('2800')).toBe(fromUsd(2800));
    expect(parseAmount('$1,234.50')).toBe(fromUsd(1234.5));
    expect(parseAmount('12.345')).toBeNull();
    expect(parseAmount('-5')).toBeNull();
    expect(parseAmount('abc')).toBeNull();
  });

  it('allocates so the parts always sum exactly to the whole', () => {
    const parts = allocate(fromUsd(100), [1n, 1n, 1n]);
    expect(sum(parts)).toBe(fromUsd(100));
    expect(parts).toEqual([33_333_333_334n, 33_333_333_333n, 33_333_333_333n]);
    const odd = allocate(nanos(7n), [3n, 3n, 1n]);
    expect(sum(odd)).toBe(7n);
    expect(() => allocate(nanos(1n), [0n, 0n])).toThrow();
  });

  it('gives tied remainders to the part `first` puts first: the same split as of the parts in that order', () => {
    // 7 by 3 : 3 : 1 leaves remainders 0, 0 and the odd nanodollar ties between the first two.
    expect(allocate(nanos(7n), [3n, 3n, 1n])).toEqual([3n, 3n, 1n]);
    const names = ['zeta', 'acme', 'm\u00fcller', 'beta', 'Acme'];
    const byName = (a: string, b: string) => a.localeCompare(b);
    const sorted = names.map((n, i) => ({ n, i })).sort((a, b) => byName(a.n, b.n));
    for (const [total, weights] of [
      [nanos(3n), [5n, 5n, 5n, 5n, 5n]],
      [nanos(-3n), [5n, 5n, 5n, 5n, 5n]],
      [fromUsd('10.000000007'), [7n, 7n, 3n, 7n, 3n]],
    ] as const) {
      const inOrder = allocate(
        total,
        sorted.map((x) => weights[x.i]!),
      );
      const unsorted = allocate(total, weights, (i, j) => byName(names[i]!, names[j]!));
      expect(sorted.map((x) => unsorted[x.i])).toEqual(inOrder);
    }
  });

  it('gives the odd nanodollars to the largest remainders exactly, also where floats cannot tell them apart', () => {
    // The rule, written plainly: every part sorted by remainder (largest first, ties by index), one each.
    const rule = (total: bigint, weights: bigint[]) => {
      const s = weights.reduce((a, b) => a + b, 0n);
      const base = weights.map((w) => (total * w) / s);
      let left = total - base.reduce((a, b) => a + b, 0n);
      const order = weights.map((w, i) => ({ i, rem: (total * w) % s })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
      for (let k = 0; left > 0n; k++, left--) base[order[k]!.i]! += 1n;
      return base;
    };
    // Remainders around 2^71 that differ by 3 units, equal as floats: the three largest are the last three.
    const big = 2n ** 70n;
    const close = [1n, 2n, 3n, 4n, 5n].map((d) => big + d);
    expect(allocate(nanos(3n), close)).toEqual([0n, 0n, 1n, 1n, 1n]);
    expect(allocate(nanos(3n), close)).toEqual(rule(3n, close));
    const rnd = seededRandom(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let c = 0; c < 400; c++) {
      const n = 1 + Math.floor(rnd() * 300);
      const scale = pick<bigint>([10n, 1_000_000_007n, 2n ** 60n, 2n ** 90n]);
      const weights = Array.from({ length: n }, () =>
        rnd() < 0.3 ? pick<bigint>([scale, scale / 3n + 1n]) : BigInt(Math.floor(rnd() * 1e15)) * (scale / 10n + 1n),
      );
      if (!weights.some((w) => w > 0n)) weights[0] = 1n;
      const total = BigInt(Math.floor(rnd() * 1e15)) * pick<bigint>([1n, 7n, 2n ** 40n]);
      expect(allocate(nanos(total), weights), `case ${c}`).toEqual(rule(total, weights));
    }
  });

  it('splits a credit as the mirror of the same charge, odd nanodollars included', () => {
    // 10 by 1 : 2 gives 3 and 7 (the larger remainder gets the odd one); the credit took 4 and 6 before.
    expect(allocate(nanos(10n), [1n, 2n])).toEqual([3n, 7n]);
    expect(allocate(nanos(-10n), [1n, 2n])).toEqual([-3n, -7n]);
    for (const [total, weights] of [
      [nanos(7n), [3n, 3n, 1n]],
      [fromUsd('100.000000001'), [5n, 7n, 11n, 13n]],
      [nanos(1n), [1n, 1n]],
    ] as const)
      expect(allocate(nanos(-total), weights)).toEqual(allocate(total, weights).map((p) => nanos(-p)));
  });

  it('rounds and prints decimals for exports', () => {
    expect(roundToCents(fromUsd(1.005))).toBe(fromUsd(1.01));
    // Half away from zero on both sides, at and next to every half cent.
    for (const [x, want] of [
      [5_000_000n, 10_000_000n],
      [4_999_999n, 0n],
      [-5_000_000n, -10_000_000n],
      [-4_999_999n, 0n],
      [-15_000_000n, -20_000_000n],
      [-14_999_999n, -10_000_000n],
      [-10_000_000n, -10_000_000n],
      [0n, 0n],
      [2n ** 80n + 5_000_000n, 1_208_925_819_614_629_180_000_000n],
    ] as const)
      expect(roundToCents(nanos(x)), String(x)).toBe(want);
    expect(toDecimalString(fromUsd(0.000000001))).toBe('0.000000001');
    expect(toDecimalString(fromUsd(12.5), 2)).toBe('12.50');
    expect(toDecimalString(fromUsd(-0.004), 2)).toBe('-0.00');
  });

  it('brands nanodollars only from whole numbers, and keeps arithmetic exact', () => {
    expect(nanos(123n)).toBe(123n);
    expect(nanos('-9223372036854775809')).toBe(-9_223_372_036_854_775_809n); // beyond 64 bits: a SUM may be
    expect(nanos('0')).toBe(ZERO);
    expect(() => nanos('')).toThrow(RangeError); // BigInt('') would be 0n
    expect(() => nanos(' 12')).toThrow(RangeError);
    expect(() => nanos('1.5e+20')).toThrow(RangeError); // what a float SUM prints
    expect(() => nanos('12.5')).toThrow(RangeError);
    expect(add(fromUsd(0.1), fromUsd(0.2), fromUsd(-0.3))).toBe(0n);
    expect(add()).toBe(0n);
    expect(sub(fromUsd(1), fromUsd(2.5))).toBe(fromUsd(-1.5));
    expect(neg(fromUsd(3))).toBe(fromUsd(-3));
    expect(mulInt(fromUsd(0.000001), 3n)).toBe(3_000n);
  });

  it('is a required brand: a plain bigint is not Money (checked by tsc, which CI runs over the tests)', () => {
    // @ts-expect-error a bigint literal is not Money; only nanos() and the functions of money.ts make Money
    const raw: Money = 5n;
    // @ts-expect-error BigInt arithmetic on Money yields a plain bigint, not Money
    const total: Money = fromUsd(1) + fromUsd(2);
    expect([raw, total, add(fromUsd(1), fromUsd(2))]).toEqual([5n, 3_000_000_000n, 3_000_000_000n]);
  });
});
