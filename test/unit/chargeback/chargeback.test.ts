import { describe, expect, it } from 'vitest';
import { buildChargeback, reconcileChargeback } from '../../../src/domain/chargeback.ts';
import { add, dollars, fromUsd, nanos } from '../../../src/domain/money.ts';
import { sampleInput } from './fixtures.ts';

describe('buildChargeback', () => {
  it('computes team totals, variance, variance % and cost per work item', () => {
    const cb = buildChargeback(sampleInput());
    const [support, claims] = cb.lines;
    expect(support!.direct).toBe(fromUsd('1500.12345679'));
    expect(support!.hidden).toBe(fromUsd('450.5'));
    expect(support!.allocated).toBe(fromUsd('99.333333333'));
    expect(support!.adjustments).toBe(fromUsd('-12.5'));
    expect(support!.total).toBe(fromUsd('2037.456790123'));
    expect(support!.variance).toBe(fromUsd('37.456790123'));
    expect(support!.variancePct).toBeCloseTo(1.8728, 3);
    expect(support!.costPerWorkItem).toBe(fromUsd('0.509364198')); // 2037.456790123 / 4000 = 0.50936419753 → half away from zero
    expect(claims!.total).toBe(fromUsd('849.671666667'));
    expect(claims!.variance).toBe(fromUsd('-150.328333333'));
    expect(claims!.costPerWorkItem).toBeNull();
    expect(cb.totals.teams).toBe(support!.total + claims!.total);
    expect(cb.totals.total).toBe(cb.totals.teams + fromUsd('75.25') + fromUsd('10.004'));
    expect(cb.totals.budget).toBe(dollars(3000));
  });

  it('reconciles to the nanodollar', () => {
    const cb = buildChargeback(sampleInput());
    expect(cb.reconcile()).toEqual({ ok: true, difference: 0n });
  });

  it('detects a broken chargeback, even by one nanodollar', () => {
    const input = sampleInput();
    const short = buildChargeback({ ...input, grandTotal: add(input.grandTotal, nanos(1n)) });
    expect(short.reconcile()).toEqual({ ok: false, difference: -1n });
    // A cost dropped from a team (e.g. a source missing from the per-team query) is caught.
    const dropped = buildChargeback({ ...input, teams: [{ ...input.teams[0]!, hidden: new Map() }, input.teams[1]!] });
    expect(dropped.reconcile()).toEqual({ ok: false, difference: -fromUsd('450.5') });
    // A line edited after the build is caught too.
    const cb = buildChargeback(input);
    cb.lines[1]!.total = add(cb.lines[1]!.total, dollars(1));
    expect(reconcileChargeback(cb).ok).toBe(false);
  });

  it('rejects duplicate teams and bad work item counts', () => {
    const input = sampleInput();
    expect(() => buildChargeback({ ...input, teams: [input.teams[0]!, input.teams[0]!] })).toThrow(/twice/);
    expect(() => buildChargeback({ ...input, teams: [{ ...input.teams[0]!, workItems: 1.5 }] })).toThrow();
  });
});
