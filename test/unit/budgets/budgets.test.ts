import { describe, expect, it } from 'vitest';
import { budgetStatus, crossedThresholds, defaultMaterialIncrease, effectiveBudget, forecastAlert } from '../../../src/domain/budgets.ts';
import { dollars, fromUsd, nanos, ZERO } from '../../../src/domain/money.ts';

describe('crossedThresholds', () => {
  const budget = dollars(1000);

  it('fires 80 then 100, each once', () => {
    const posted: number[] = [];
    const step = (spent: string): number[] => {
      const crossed = crossedThresholds({ budget, spent: fromUsd(spent), alreadyPosted: posted });
      posted.push(...crossed); // the caller claims what it posts
      return crossed;
    };
    expect(step('500')).toEqual([]);
    expect(step('799.999999999')).toEqual([]);
    expect(step('800')).toEqual([80]);
    expect(step('850')).toEqual([]); // no repeat
    expect(step('999.99')).toEqual([]);
    expect(step('1000')).toEqual([100]);
    expect(step('1500')).toEqual([]); // no repeat
    expect(posted).toEqual([80, 100]);
  });

  it('returns both when the spend jumps straight past both', () => {
    expect(crossedThresholds({ budget, spent: dollars(1200), alreadyPosted: [] })).toEqual([80, 100]);
    expect(crossedThresholds({ budget, spent: dollars(1200), alreadyPosted: [80] })).toEqual([100]);
  });

  it('honours custom thresholds exactly, sorted and without duplicates', () => {
    const thresholds = [90, 50, 87.5, 50];
    expect(crossedThresholds({ budget, spent: fromUsd('874.99'), thresholds, alreadyPosted: [] })).toEqual([50]);
    expect(crossedThresholds({ budget, spent: fromUsd('875'), thresholds, alreadyPosted: [50] })).toEqual([87.5]);
  });

  it('never fires without a budget; a zero budget fires on any spend', () => {
    expect(crossedThresholds({ budget: null, spent: dollars(1e6), alreadyPosted: [] })).toEqual([]);
    expect(crossedThresholds({ budget: ZERO, spent: ZERO, alreadyPosted: [] })).toEqual([]);
    expect(crossedThresholds({ budget: ZERO, spent: nanos(1n), alreadyPosted: [] })).toEqual([80, 100]);
  });
});

describe('budgetStatus', () => {
  const budget = dollars(1000);
  it('classifies ok / warning / over / no_budget', () => {
    expect(budgetStatus({ budget: null, spent: dollars(5) }).status).toBe('no_budget');
    const ok = budgetStatus({ budget, spent: dollars(250) });
    expect(ok.status).toBe('ok');
    expect(ok.percentUsed).toBe(25);
    expect(ok.remaining).toBe(dollars(750));
    expect(budgetStatus({ budget, spent: dollars(800) }).status).toBe('warning');
    expect(budgetStatus({ budget, spent: fromUsd('799.99') }).status).toBe('ok');
    const over = budgetStatus({ budget, spent: dollars(1100) });
    expect(over.status).toBe('over');
    expect(over.remaining).toBe(dollars(-100));
  });

  it('is forecast_over only with a reliable forecast above the budget', () => {
    const reliable = budgetStatus({ budget, spent: dollars(850), forecast: { reliable: true, projectedTotal: dollars(1300) } });
    expect(reliable.status).toBe('forecast_over');
    expect(reliable.projectedOverrun).toBe(dollars(300));
    expect(budgetStatus({ budget, spent: dollars(100), forecast: { reliable: false, projectedTotal: null } }).status).toBe('ok');
    expect(budgetStatus({ budget, spent: dollars(100), forecast: { reliable: true, projectedTotal: dollars(1000) } }).status).toBe('ok');
    // Already over wins.
    expect(budgetStatus({ budget, spent: dollars(1001), forecast: { reliable: true, projectedTotal: dollars(1300) } }).status).toBe('over');
  });
});

describe('effectiveBudget', () => {
  it('uses the month override, else the standing amount, plus approved increases', () => {
    const perMonth = new Map([['2026-11', dollars(3000)]]);
    expect(effectiveBudget('2026-11', { monthly: dollars(2000), perMonth, approvedIncreases: [] })).toBe(dollars(3000));
    expect(effectiveBudget('2026-12', { monthly: dollars(2000), perMonth, approvedIncreases: [] })).toBe(dollars(2000));
    expect(effectiveBudget('2026-12', { monthly: dollars(2000), perMonth, approvedIncreases: [dollars(500), fromUsd('250.50')] })).toBe(fromUsd('2750.50'));
    expect(effectiveBudget('2026-12', { monthly: null, perMonth, approvedIncreases: [] })).toBeNull();
    expect(effectiveBudget('2026-12', { monthly: null, perMonth, approvedIncreases: [dollars(400)] })).toBe(dollars(400));
    expect(() => effectiveBudget('2026-13', { monthly: null, perMonth, approvedIncreases: [] })).toThrow();
  });
});

describe('forecastAlert', () => {
  const budget = dollars(1000);

  it('posts the first overrun, then only when it grows by the material amount', () => {
    expect(defaultMaterialIncrease(budget)).toBe(dollars(100));
    const first = forecastAlert({ budget, projected: dollars(1200), alreadyPostedOverrun: null, exceedsOn: '2026-11-24' });
    expect(first).toMatchObject({ post: true, reason: 'first', overrun: dollars(200) });
    expect(first.text).toBe('on track to exceed the budget by $200.00 around Nov 24');

    expect(forecastAlert({ budget, projected: fromUsd('1299.99'), alreadyPostedOverrun: dollars(200) })).toMatchObject({
      post: false,
      reason: 'not_material',
    });
    expect(forecastAlert({ budget, projected: dollars(1300), alreadyPostedOverrun: dollars(200) })).toMatchObject({
      post: true,
      reason: 'grew',
      overrun: dollars(300),
    });
    // Shrinking never posts.
    expect(forecastAlert({ budget, projected: dollars(1050), alreadyPostedOverrun: dollars(200) }).post).toBe(false);
  });

  it('uses a $10 floor for small budgets and stays silent without a budget, forecast or overrun', () => {
    const small = dollars(50); // 10% = $5 < $10
    expect(defaultMaterialIncrease(small)).toBe(dollars(10));
    expect(forecastAlert({ budget: small, projected: fromUsd('69.99'), alreadyPostedOverrun: dollars(10) }).post).toBe(false);
    expect(forecastAlert({ budget: small, projected: dollars(70), alreadyPostedOverrun: dollars(10) }).post).toBe(true);
    expect(forecastAlert({ budget: null, projected: dollars(70), alreadyPostedOverrun: null }).reason).toBe('no_budget');
    expect(forecastAlert({ budget, projected: null, alreadyPostedOverrun: null }).reason).toBe('no_forecast');
    expect(forecastAlert({ budget, projected: budget, alreadyPostedOverrun: null }).reason).toBe('within_budget');
    expect(forecastAlert({ budget, projected: dollars(1500), alreadyPostedOverrun: dollars(450), materialIncrease: dollars(25) }).post).toBe(true);
  });
});
