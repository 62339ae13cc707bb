import { countToBigInt, divideHalfUp } from './allocation.ts';
import { add, mulInt, nanos, ratio, sub, sum, type Money } from './money.ts';

/**
 * Work-item unit economics for a team or a feature over one period.
 *
 *   total            = direct + Σ hidden + allocated
 *   costPerWorkItem  = total / workItems, rounded half-up (half away from zero) to the nanodollar;
 *                      null when there are no work items
 *   baselineTotal    = baselinePerUnit × workItems (exact): what people doing the same work would cost
 *   savings          = baselineTotal − total (negative when the AI feature costs more than people)
 *   roi              = savings / total (0.5 = 50% return); null without a baseline or when total ≤ 0
 *   hiddenShare      = (Σ hidden + allocated) / total: the part of the true cost the API dashboards do
 *                      not show; null when total is 0
 *
 * Money stays bigint. Ratios (hiddenShare, roi, category shares) are numbers for display only, computed
 * by `ratio` in money.ts (truncated to 6 decimals), never fed back into money.
 * With a baseline but zero work items, baselineTotal is $0 and savings is −total: money was spent and
 * no work came out of it.
 */
export interface UnitEconomicsInput {
  /** Direct API spend (tokens × price) from the sources. */
  direct: Money;
  /** Hidden costs that target this team/feature directly, by category. */
  hidden: ReadonlyMap<string, Money>;
  /** Its part of shared costs, after allocation. */
  allocated: Money;
  workItems: number | bigint;
  /** Cost of one unit of work when people do it. */
  baselinePerUnit?: Money | null;
}

export interface CategoryLine {
  category: string;
  amount: Money;
  /** amount / total (display only); null when total is 0. */
  share: number | null;
}

export interface UnitEconomics {
  direct: Money;
  hiddenTotal: Money;
  allocated: Money;
  total: Money;
  /** (hiddenTotal + allocated) / total; null when total is 0. */
  hiddenShare: number | null;
  /** Hidden costs by category, largest first (ties by name), with their share of the total. */
  byCategory: CategoryLine[];
  workItems: bigint;
  costPerWorkItem: Money | null;
  baselinePerUnit: Money | null;
  baselineTotal: Money | null;
  savings: Money | null;
  /** baselinePerUnit − costPerWorkItem; null without a baseline or without work items. */
  savingsPerWorkItem: Money | null;
  roi: number | null;
}

export function unitEconomics(input: UnitEconomicsInput): UnitEconomics {
  const workItems = countToBigInt(input.workItems, 'work items');
  const hiddenTotal = sum(input.hidden.values());
  const total = add(input.direct, hiddenTotal, input.allocated);
  const share = (part: Money): number | null => (total === 0n ? null : ratio(part, total));

  const byCategory = [...input.hidden]
    .map(([category, amount]) => ({ category, amount, share: share(amount) }))
    .sort((a, b) => (a.amount === b.amount ? a.category.localeCompare(b.category) : a.amount > b.amount ? -1 : 1));

  const costPerWorkItem = workItems === 0n ? null : nanos(divideHalfUp(total, workItems));
  const baselinePerUnit = input.baselinePerUnit ?? null;
  const baselineTotal = baselinePerUnit === null ? null : mulInt(baselinePerUnit, workItems);
  const savings = baselineTotal === null ? null : sub(baselineTotal, total);
  const savingsPerWorkItem = baselinePerUnit === null || costPerWorkItem === null ? null : sub(baselinePerUnit, costPerWorkItem);
  const roi = savings === null || total <= 0n ? null : ratio(savings, total);

  return {
    direct: input.direct,
    hiddenTotal,
    allocated: input.allocated,
    total,
    hiddenShare: share(add(hiddenTotal, input.allocated)),
    byCategory,
    workItems,
    costPerWorkItem,
    baselinePerUnit,
    baselineTotal,
    savings,
    savingsPerWorkItem,
    roi,
  };
}
