import { describe, expect, it } from 'vitest';
import { budgetStatus } from '../../src/domain/budgets.ts';
import type { ForecastResult } from '../../src/domain/forecast.ts';
import { dollars, ZERO } from '../../src/domain/money.ts';
import type { BudgetRow } from '../../src/services/budget-service.ts';
import { homeView } from '../../src/slack/blocks/home-blocks.ts';

const team = (id: number, slug: string) => ({
  id,
  slug,
  name: slug[0]!.toUpperCase() + slug.slice(1),
  channelId: null,
  leadUserIds: [],
  memberUserIds: [],
  userGroupId: null,
  costCenter: null,
});

function row(id: number, slug: string, budget: number | null, spent: number, projected: number): BudgetRow {
  const forecast = {
    reliable: true,
    projectedTotal: dollars(projected),
    month: '2026-11',
    spentToDate: dollars(spent),
    historyDays: 30,
    exceedsOn: '2026-11-25',
  } as unknown as ForecastResult;
  return {
    team: team(id, slug),
    status: budgetStatus({
      budget: budget === null ? null : dollars(budget),
      spent: dollars(spent),
      forecast: { reliable: true, projectedTotal: dollars(projected) },
    }),
    cost: { direct: dollars(spent), hiddenTotal: ZERO, allocated: ZERO, total: dollars(spent) },
    forecast,
    approved: ZERO,
  };
}

describe('App Home', () => {
  const view = homeView({
    rows: [row(1, 'support', 1000, 700, 1240), row(2, 'growth', null, 300, 500)],
    pending: [],
    teams: [team(1, 'support'), team(2, 'growth')],
    finance: false,
    timeZone: 'UTC',
    now: new Date('2026-11-15T12:00:00Z'),
  });
  const text = JSON.stringify(view.blocks);

  it('warns when the forecast exceeds the budget while still below 100% used', () => {
    expect(text).toContain('70%');
    expect(text).toContain(':warning: The forecast ($1,240.00) is over the budget by $240.00');
  });

  it('has no empty code span for a team without a budget', () => {
    expect(text).not.toMatch(/`\s*`/);
    expect(text).toContain('no budget set');
  });
});
