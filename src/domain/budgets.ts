import { add, formatMoney, nanos, NANOS_PER_DOLLAR, ratio, sub, sum, ZERO, type Money } from './money.ts';
import { assertMonth } from './calendar.ts';

/**
 * Budgets per team per calendar month (org time zone), thresholds that fire once, and the
 * "on track to exceed" forecast alert. Pure: the caller reads the store, claims posts, and sends.
 *
 * Every comparison against a budget is done in bigint; floats appear only in `percentUsed`.
 */

export type BudgetState = 'no_budget' | 'ok' | 'warning' | 'over' | 'forecast_over';

export const DEFAULT_THRESHOLDS: readonly number[] = [80, 100];

export interface BudgetStatus {
  budget: Money | null;
  spent: Money;
  /** spent / budget × 100 (float, for display). Null without a budget or with a zero budget. */
  percentUsed: number | null;
  /** budget − spent; negative once over. Null without a budget. */
  remaining: Money | null;
  /** The reliable forecast's month-end total, when one was given. */
  projected: Money | null;
  /** projected − budget when the reliable forecast is above the budget, else null. */
  projectedOverrun: Money | null;
  status: BudgetState;
}

/** What budgetStatus needs from a forecast (a `ForecastResult` fits). */
export interface ForecastLike {
  reliable: boolean;
  projectedTotal: Money | null;
}

/**
 * The team's position for the month.
 *
 * Status, first match wins:
 * - `no_budget`: budget is null;
 * - `over`: spent ≥ budget (at 100% the budget is used up; same rule as the 100% threshold);
 * - `forecast_over`: not over yet, but a *reliable* forecast projects more than the budget;
 * - `warning`: spent has reached `warningPercent` (default 80) of the budget;
 * - `ok` otherwise.
 * A zero budget is `over` as soon as anything is spent (and `ok` while nothing is).
 * An unreliable forecast is ignored: no `forecast_over` from a guess.
 */
export function budgetStatus(input: {
  budget: Money | null;
  /** Direct + hidden + allocated cost of the month so far. */
  spent: Money;
  forecast?: ForecastLike | null;
  warningPercent?: number;
}): BudgetStatus {
  const { budget, spent } = input;
  const warningPercent = input.warningPercent ?? 80;
  const projected = input.forecast?.reliable ? input.forecast.projectedTotal : null;
  if (budget === null) {
    return { budget, spent, percentUsed: null, remaining: null, projected, projectedOverrun: null, status: 'no_budget' };
  }
  assertBudget(budget);
  const percentUsed = budget === 0n ? null : ratio(spent, budget) * 100;
  const remaining = sub(budget, spent);
  const projectedOverrun = projected !== null && projected > budget ? sub(projected, budget) : null;
  let status: BudgetState;
  if (reached(spent, budget, 100)) status = 'over';
  else if (projectedOverrun !== null) status = 'forecast_over';
  else if (reached(spent, budget, warningPercent)) status = 'warning';
  else status = 'ok';
  return { budget, spent, percentUsed, remaining, projected, projectedOverrun, status };
}

/**
 * The thresholds (percent of budget) newly crossed: reached now and not yet posted this month for
 * this team. Sorted ascending, without duplicates. A jump past several returns all of them, so the
 * caller can claim every one (and usually posts only the highest). No budget → none.
 *
 * "Reached" is exact: spent × 10 000 ≥ budget × round(threshold × 100), i.e. thresholds are honoured
 * to 0.01 %. A zero budget counts as every threshold reached once anything is spent.
 */
export function crossedThresholds(input: { budget: Money | null; spent: Money; thresholds?: readonly number[]; alreadyPosted: readonly number[] }): number[] {
  const { budget, spent } = input;
  if (budget === null) return [];
  assertBudget(budget);
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const posted = new Set(input.alreadyPosted.map(basisPoints));
  const out = new Set<number>();
  for (const t of thresholds) {
    const bp = basisPoints(t);
    if (posted.has(bp)) continue;
    if (reached(spent, budget, t)) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The budget in force for a month:
 * - base = the month's own budget (`perMonth`) when set, else the standing `monthly` amount;
 * - plus every approved increase for that month (the caller passes only that month's approvals).
 * With no base and no approved increase: null (no budget). With no base but approved increases,
 * the increases are the budget: money finance granted is never dropped silently.
 */
export function effectiveBudget(
  month: string,
  budgets: { monthly: Money | null; perMonth: ReadonlyMap<string, Money>; approvedIncreases: readonly Money[] },
): Money | null {
  assertMonth(month);
  const base = budgets.perMonth.get(month) ?? budgets.monthly;
  for (const inc of budgets.approvedIncreases) if (inc < 0n) throw new RangeError('an approved increase cannot be negative');
  if (base === null && budgets.approvedIncreases.length === 0) return null;
  return add(base ?? ZERO, sum(budgets.approvedIncreases));
}

export type ForecastAlertReason = 'no_budget' | 'no_forecast' | 'within_budget' | 'first' | 'grew' | 'not_material';

export interface ForecastAlertDecision {
  /** True when the caller should post (after claiming it). */
  post: boolean;
  reason: ForecastAlertReason;
  /** projected − budget when positive, else 0. Store it with the claim as `alreadyPostedOverrun`. */
  overrun: Money;
  /** The growth needed over the last posted overrun before another post. */
  materialIncrease: Money;
  /** "on track to exceed the budget by $X around Nov 24" (or without "around" when no date). */
  text?: string;
}

/** Default material growth: 10 % of the budget (rounded down to the nanodollar), and at least $10. */
export function defaultMaterialIncrease(budget: Money): Money {
  const tenPercent = budget / 10n;
  const floor = 10n * NANOS_PER_DOLLAR;
  return nanos(tenPercent > floor ? tenPercent : floor);
}

/**
 * Whether to post a forecast warning. Posts when a reliable projection exceeds the budget and
 * either nothing was posted this month (`first`) or the overrun grew by at least `materialIncrease`
 * since the last post (`grew`). A smaller growth, or a shrinking overrun, stays silent.
 * `projected` is null when the forecast is not reliable (never alert on a guess).
 */
export function forecastAlert(input: {
  budget: Money | null;
  projected: Money | null;
  alreadyPostedOverrun: Money | null;
  materialIncrease?: Money;
  /** The forecast's `exceedsOn` ("YYYY-MM-DD"), for the text. */
  exceedsOn?: string;
}): ForecastAlertDecision {
  const { budget, projected, alreadyPostedOverrun } = input;
  if (budget === null) return { post: false, reason: 'no_budget', overrun: ZERO, materialIncrease: ZERO };
  assertBudget(budget);
  const materialIncrease = input.materialIncrease ?? defaultMaterialIncrease(budget);
  if (projected === null) return { post: false, reason: 'no_forecast', overrun: ZERO, materialIncrease };
  if (projected <= budget) return { post: false, reason: 'within_budget', overrun: ZERO, materialIncrease };
  const overrun = sub(projected, budget);
  const text = `on track to exceed the budget by ${formatMoney(overrun)}${input.exceedsOn ? ` around ${shortDay(input.exceedsOn)}` : ''}`;
  if (alreadyPostedOverrun === null) return { post: true, reason: 'first', overrun, materialIncrease, text };
  if (overrun - alreadyPostedOverrun >= materialIncrease) return { post: true, reason: 'grew', overrun, materialIncrease, text };
  return { post: false, reason: 'not_material', overrun, materialIncrease, text };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11-24" → "Nov 24" (a local day key: no time zone involved). */
function shortDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${Number(m[3])}`;
}

function basisPoints(percent: number): bigint {
  if (!Number.isFinite(percent) || percent <= 0) throw new RangeError(`not a threshold percent: ${percent}`);
  return BigInt(Math.round(percent * 100));
}

/** spent has reached `percent` of budget, exactly. A zero budget is reached by any positive spend. */
function reached(spent: Money, budget: Money, percent: number): boolean {
  if (budget === 0n) return spent > 0n;
  return spent * 10_000n >= budget * basisPoints(percent);
}

function assertBudget(budget: Money): void {
  if (budget < 0n) throw new RangeError('a budget cannot be negative');
}
