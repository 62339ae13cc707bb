import { describe, expect, it } from 'vitest';
import { fromUsd, nanos, NANOS_PER_CENT, roundToCents, sum, ZERO, type Money } from '../../src/domain/money.ts';
import { roundCentsPreservingTotal, roundTable } from '../../src/domain/rounding.ts';
import { seededRandom as mulberry32 } from '../../src/demo/prng.ts';

const usd = (s: string) => fromUsd(s);
const floor = (v: Money) => v - (((v % NANOS_PER_CENT) + NANOS_PER_CENT) % NANOS_PER_CENT);

function checkFoots(cells: Money[][]) {
  const r = roundTable(cells);
  const cols = cells[0]?.length ?? 0;
  for (let i = 0; i < cells.length; i++) {
    expect(sum(r.cells[i]!)).toBe(r.rowTotals[i]);
    const exact = sum(cells[i]!);
    expect(r.rowTotals[i]! - floor(exact) >= 0n && r.rowTotals[i]! - floor(exact) <= NANOS_PER_CENT).toBe(true);
    for (let j = 0; j < cols; j++) {
      const d = r.cells[i]![j]! - floor(cells[i]![j]!);
      expect(d === 0n || (d === NANOS_PER_CENT && cells[i]![j] !== floor(cells[i]![j]!))).toBe(true);
      expect(r.cells[i]![j]! % NANOS_PER_CENT).toBe(0n);
    }
  }
  for (let j = 0; j < cols; j++) {
    const exact = sum(cells.map((row) => row[j]!));
    expect(sum(r.cells.map((row) => row[j]!))).toBe(r.columnTotals[j]);
    const d = r.columnTotals[j]! - floor(exact);
    expect(d >= 0n && d <= NANOS_PER_CENT).toBe(true);
  }
  expect(r.total).toBe(roundToCents(sum(cells.flat())));
  expect(sum(r.rowTotals)).toBe(r.total);
  expect(sum(r.columnTotals)).toBe(r.total);
  return r;
}

describe('roundTable (the one rounding rule for tables)', () => {
  it('foots the issue’s chargeback example both ways: a $1,500 shared cost split in three stays $1,500.00', () => {
    const third = 1_500_000_000_000n / 3n; // $500 each, exactly a third (nanodollar floor)
    const cells = [
      [usd('713.354'), usd('208.154'), nanos(third)],
      [usd('100.005'), usd('0.004'), nanos(third)],
      [usd('50.001'), ZERO, nanos(1_500_000_000_000n - 2n * third)],
    ];
    const r = checkFoots(cells);
    expect(r.columnTotals[2]).toBe(usd('1500'));
  });

  it('solves the case where rounding rows and columns independently cannot foot', () => {
    const half = usd('0.005');
    checkFoots([
      [ZERO, half],
      [half, ZERO],
    ]);
  });

  it('with one column it is the list rule (largest remainder, ties to the earlier row)', () => {
    const values = [usd('1.004'), usd('2.006'), usd('3.005'), usd('0.005')];
    const grid = roundTable(values.map((v) => [v])).cells.map((r) => r[0]!);
    expect(grid).toEqual(roundCentsPreservingTotal(values));
  });

  it('keeps whole-cent values and negative credits exact', () => {
    const r = checkFoots([
      [usd('10.00'), usd('-3.333')],
      [usd('5.555'), usd('-0.001')],
    ]);
    expect(r.cells[0]![0]).toBe(usd('10.00'));
  });

  it('foots on random tables', () => {
    const rnd = mulberry32(7);
    for (let n = 0; n < 200; n++) {
      const rows = 1 + Math.floor(rnd() * 7);
      const cols = 1 + Math.floor(rnd() * 5);
      const cells = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => nanos(BigInt(Math.floor((rnd() - 0.2) * 1e12)) * (rnd() < 0.2 ? 0n : 1n))),
      );
      checkFoots(cells);
    }
  });
});
