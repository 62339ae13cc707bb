import { describe, expect, it } from 'vitest';
import { exceedsText, forecastBlocks, forecastText, thresholdHeadline } from '../../../src/slack/blocks/budget-blocks.ts';
import { fromUsd, sub, ZERO } from '../../../src/domain/money.ts';
import type { BudgetRow } from '../../../src/services/budget-service.ts';

const team = { id: 1, slug: 'search', name: 'Search', channelId: null, leadUserIds: [], memberUserIds: [], userGroupId: null, costCenter: null };

function row(o: { budget: string; spent: string; projected: string; today: string; exceedsOn?: string }): BudgetRow {
  const budget = fromUsd(o.budget);
  const spent = fromUsd(o.spent);
  return {
    team,
    status: {
      budget,
      spent,
      percentUsed: Number((spent * 10000n) / budget) / 100,
      remaining: sub(budget, spent),
      projected: fromUsd(o.projected),
      projectedOverrun: null,
      status: spent > budget ? 'over' : 'ok',
    } as unknown as BudgetRow['status'],
    cost: { direct: spent, hiddenTotal: ZERO, allocated: ZERO, total: spent },
    forecast: {
      reliable: true,
      month: o.today.slice(0, 7),
      today: o.today,
      spentToDate: spent,
      historyDays: 30,
      projectedTotal: fromUsd(o.projected),
      exceedsOn: o.exceedsOn,
    } as unknown as BudgetRow['forecast'],
    approved: ZERO,
  };
}

describe('budget post wording', () => {
  it('never states a past day as a future one', () => {
    expect(exceedsText(row({ budget: '400', spent: '694', projected: '1061', today: '2026-11-20', exceedsOn: '2026-11-12' }))).toBe('over budget since Nov 12');
    expect(exceedsText(row({ budget: '400', spent: '300', projected: '600', today: '2026-11-20', exceedsOn: '2026-11-24' }))).toBe(
      'over budget around Nov 24 (in 4 days)',
    );
    expect(exceedsText(row({ budget: '400', spent: '380', projected: '600', today: '2026-11-20', exceedsOn: '2026-11-20' }))).toBe('over budget from today');
    // Over through hidden or shared costs while the direct-spend day is still ahead: over now.
    expect(exceedsText(row({ budget: '400', spent: '450', projected: '700', today: '2026-11-20', exceedsOn: '2026-11-22' }))).toBe('already over budget');
  });

  it('says by how much the forecast exceeds the budget, and the headline states the real percentage', () => {
    expect(forecastText(row({ budget: '400', spent: '300', projected: '600', today: '2026-11-20', exceedsOn: '2026-11-24' }))).toBe(
      'Forecast for the month: $600.00, $200.00 over the budget; over budget around Nov 24 (in 4 days).',
    );
    expect(thresholdHeadline(team, row({ budget: '400', spent: '694', projected: '1061', today: '2026-11-20', exceedsOn: '2026-11-16' }), '2026-11')).toBe(
      'Search is over its November 2026 budget: $694.00 of $400.00 (173%), since Nov 16',
    );
    expect(thresholdHeadline(team, row({ budget: '400', spent: '340', projected: '500', today: '2026-11-20' }), '2026-11')).toBe(
      'Search has used 85% of its November 2026 budget: $340.00 of $400.00',
    );
  });

  it('once over, the forecast post says over (not "on track to exceed"), with the real figures', () => {
    const over = forecastBlocks({
      team,
      row: row({ budget: '100', spent: '832', projected: '868.61', today: '2026-11-20' }),
      overrun: fromUsd('768.61'),
      month: '2026-11',
    });
    expect(over.text).toBe('Search is over its November 2026 budget: $832.00 of $100.00 (832%).');
    expect(JSON.stringify(over.blocks)).not.toContain('on track');
    expect(JSON.stringify(over.blocks)).toContain('At this pace the month ends at *$868.61*, *$768.61* over the budget.');
    const ahead = forecastBlocks({
      team,
      row: row({ budget: '400', spent: '300', projected: '600', today: '2026-11-20', exceedsOn: '2026-11-24' }),
      overrun: fromUsd('200'),
      month: '2026-11',
    });
    expect(ahead.text).toBe('Search is on track to exceed its November 2026 budget by $200.00, over budget around Nov 24 (in 4 days).');
  });
});
