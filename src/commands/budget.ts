import { isMonth } from '../domain/calendar.ts';
import { parseAmountInput, type Money } from '../domain/money.ts';
import { monthOf, monthPeriod, parsePeriod } from '../domain/periods.ts';
import { defineCommand, invalid } from './command.ts';
import { slug } from './words.ts';

export const BUDGET_EXAMPLES = ['/aicost budget', '/aicost budget set payments 5000', '/aicost budget set payments 6500 2026-12'];

type Budget =
  | { action: 'list' }
  /** `budget [team] <month>` (or `budget <team>`): one month's budgets, actuals, requests and decisions. */
  | { action: 'month'; slug: string | null; month: string }
  | { action: 'set'; slug: string; amount: Money; month: string | 'monthly' };

export const budget = defineCommand<Budget>({
  verb: 'budget',
  aliases: ['budgets'],
  shareable: true,
  help: [
    { usage: '/aicost budget', about: 'budgets, true cost to date, forecast' },
    { usage: '/aicost budget [team] <YYYY-MM>', about: 'one month’s budgets, true cost, requests and decisions' },
    { usage: '/aicost budget set <team> <amount> [YYYY-MM|monthly]', about: 'set a budget, e.g. /aicost budget set payments 5000', finance: true },
  ],
  parse(words, { now, timeZone }) {
    if (words.length === 0) return { action: 'list' };
    if (words[0]?.toLowerCase() !== 'set') {
      // `budget 2026-10`, `budget last month`, `budget support`, `budget support 2026-10`.
      const whole = parsePeriod(words.join(' '), now, timeZone);
      if (whole.ok && whole.value.month) return { action: 'month', slug: null, month: whole.value.month };
      const s = slug.safeParse(words[0]!.toLowerCase());
      const p = parsePeriod(words.slice(1).join(' '), now, timeZone);
      if (s.success && p.ok && p.value.month) return { action: 'month', slug: s.data, month: p.value.month };
      return invalid({ code: 'command.budget-usage' }, [...BUDGET_EXAMPLES, '/aicost budget payments 2026-10']);
    }
    const [, team, amountText, when, ...extra] = words;
    const s = slug.safeParse((team ?? '').toLowerCase());
    if (!team || !s.success) return invalid({ code: 'command.budget-set-team' }, BUDGET_EXAMPLES);
    if (amountText === undefined) return invalid({ code: 'command.budget-set-amount' }, BUDGET_EXAMPLES);
    const parsed = parseAmountInput(amountText, { allowZero: true });
    if (!parsed.ok) return invalid(parsed.failure, BUDGET_EXAMPLES);
    if (extra.length) return invalid({ code: 'command.budget-set-extra', text: extra.join(' ') }, BUDGET_EXAMPLES);
    const w = (when ?? 'monthly').toLowerCase();
    if (w !== 'monthly' && !isMonth(w)) return invalid({ code: 'command.budget-set-month', text: when ?? '' }, BUDGET_EXAMPLES);
    return { action: 'set', slug: s.data, amount: parsed.value, month: w };
  },
  async run(p, { viewer, userId, now, timeZone, services }) {
    if (p.action === 'list') {
      const rows = await services.budgets.list(viewer, now);
      return { kind: 'budget-list', rows, month: monthPeriod(monthOf(now, timeZone), timeZone).label, all: viewer.all, hasTeams: viewer.teams.length > 0 };
    }
    if (p.action === 'month') {
      const r = await services.budgets.monthReview(viewer, p.month, p.slug, now);
      if ('code' in r)
        return r.code === 'visibility.not-your-team' ? { kind: 'not-visible', failure: r } : { kind: 'refused', title: 'No such team', failure: r };
      return { kind: 'budget-month', review: r };
    }
    const r = await services.budgets.set(p.slug, p.amount, p.month, userId, now);
    return r.ok ? { kind: 'done', title: 'Budget set', message: r.message } : { kind: 'refused', title: 'Budget not changed', failure: r.failure };
  },
});
