import { describe, expect, it } from 'vitest';
import { fromUsd, nanos, ZERO } from '../../../src/domain/money.ts';
import { unitEconomics } from '../../../src/domain/unit-economics.ts';

describe('unitEconomics', () => {
  it('computes the true cost per work item and the ROI against a human baseline', () => {
    // The published ticket example: $0.04 of API calls, $0.375 in total.
    const u = unitEconomics({
      direct: fromUsd(40),
      hidden: new Map([
        ['human_review', fromUsd(300)],
        ['vector_db', fromUsd(15)],
      ]),
      allocated: fromUsd(20),
      workItems: 1000,
      baselinePerUnit: fromUsd('0.90'),
    });
    expect(u.total).toBe(fromUsd(375));
    expect(u.hiddenTotal).toBe(fromUsd(315));
    expect(u.costPerWorkItem).toBe(fromUsd('0.375'));
    expect(u.hiddenShare).toBeCloseTo(335 / 375, 6);
    expect(u.baselineTotal).toBe(fromUsd(900));
    expect(u.savings).toBe(fromUsd(525));
    expect(u.savingsPerWorkItem).toBe(fromUsd('0.525'));
    expect(u.roi).toBe(1.4);
    expect(u.byCategory.map((c) => c.category)).toEqual(['human_review', 'vector_db']);
    expect(u.byCategory[0]!.share).toBe(0.8);
  });

  it('reports negative savings and ROI when the AI costs more than people', () => {
    const u = unitEconomics({ direct: fromUsd(100), hidden: new Map(), allocated: ZERO, workItems: 100, baselinePerUnit: fromUsd('0.50') });
    expect(u.savings).toBe(fromUsd(-50));
    expect(u.roi).toBe(-0.5);
  });

  it('has no cost per work item without work items, and no ROI without a baseline', () => {
    const u = unitEconomics({ direct: fromUsd(10), hidden: new Map(), allocated: ZERO, workItems: 0 });
    expect(u.costPerWorkItem).toBeNull();
    expect(u.baselineTotal).toBeNull();
    expect(u.savings).toBeNull();
    expect(u.roi).toBeNull();
    expect(u.hiddenShare).toBe(0);
    const withBaseline = unitEconomics({ direct: fromUsd(10), hidden: new Map(), allocated: ZERO, workItems: 0, baselinePerUnit: fromUsd(1) });
    expect(withBaseline.savings).toBe(fromUsd(-10));
    expect(withBaseline.savingsPerWorkItem).toBeNull();
    const empty = unitEconomics({ direct: ZERO, hidden: new Map(), allocated: ZERO, workItems: 5, baselinePerUnit: fromUsd(1) });
    expect(empty.hiddenShare).toBeNull();
    expect(empty.roi).toBeNull();
    expect(empty.costPerWorkItem).toBe(0n);
  });

  it('rounds the cost per work item half-up to the nanodollar, in bigint', () => {
    const per = (total: bigint, items: number) => unitEconomics({ direct: nanos(total), hidden: new Map(), allocated: ZERO, workItems: items }).costPerWorkItem;
    expect(per(10n, 4)).toBe(3n); // 2.5 → 3
    expect(per(10n, 3)).toBe(3n); // 3.33 → 3
    expect(per(11n, 3)).toBe(4n); // 3.67 → 4
    expect(per(-10n, 4)).toBe(-3n); // credits: half away from zero
    expect(per(fromUsd(100), 3)).toBe(33_333_333_333n);
    expect(() => per(1n, -1)).toThrow(RangeError);
  });
});
