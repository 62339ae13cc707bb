import { add, divRound, ratio, sub, sum, ZERO, type Money } from './money.ts';
import { assertMonth } from './calendar.ts';

/**
 * The monthly chargeback: one line per team (direct + hidden + allocated shared + adjustments),
 * the org totals, and a reconciliation against an independently computed grand total.
 * All sums are exact nanodollars; floats only for variance %.
 */

export type PeriodStatus = 'open' | 'closed' | 'finalized';

export interface ChargebackAllocation {
  /** The rule that produced the share, e.g. "even split", "by tokens". */
  ruleLabel: string;
  amount: Money;
}

export interface ChargebackAdjustment {
  /** What it is, e.g. "credit: duplicate Helicone import", "correction for 2026-09". */
  label: string;
  /** Negative for credits. */
  amount: Money;
  /** Approval / request / audit reference, when there is one. */
  reference: string | null;
}

export interface ChargebackTeamInput {
  teamId: string;
  slug: string;
  name: string;
  costCenter: string | null;
  /** Direct (API) cost by source (helicone, langfuse, …). */
  direct: ReadonlyMap<string, Money>;
  /** Hidden costs attributed to the team, by category (embeddings, human_review, …). */
  hidden: ReadonlyMap<string, Money>;
  allocated: readonly ChargebackAllocation[];
  adjustments: readonly ChargebackAdjustment[];
  budget: Money | null;
  /** Work items completed in the month (non-negative integer). */
  workItems: number;
}

export interface ChargebackInput {
  month: string;
  periodStatus?: PeriodStatus;
  teams: readonly ChargebackTeamInput[];
  /** Cost with no team tag. */
  unattributed: Money;
  /** Shared cost no allocation rule covers. */
  unallocated: Money;
  /**
   * Every cost booked in the month (including corrections posted into it), computed independently
   * of the per-team sums, e.g. one SUM over the month's cost entries and hidden costs.
   */
  grandTotal: Money;
}

export interface ChargebackLine {
  teamId: string;
  slug: string;
  name: string;
  costCenter: string | null;
  directBySource: ReadonlyMap<string, Money>;
  hiddenByCategory: ReadonlyMap<string, Money>;
  allocations: readonly ChargebackAllocation[];
  adjustmentLines: readonly ChargebackAdjustment[];
  direct: Money;
  hidden: Money;
  allocated: Money;
  adjustments: Money;
  /** direct + hidden + allocated + adjustments. */
  total: Money;
  budget: Money | null;
  /** total − budget (positive = over budget); null without a budget. */
  variance: Money | null;
  /** variance / budget × 100; null without a budget or with a zero budget. */
  variancePct: number | null;
  workItems: number;
  /** total / workItems rounded half away from zero to the nanodollar; null with no work items. */
  costPerWorkItem: Money | null;
}

export interface ChargebackTotals {
  direct: Money;
  hidden: Money;
  allocated: Money;
  adjustments: Money;
  /** Sum of team totals. */
  teams: Money;
  unattributed: Money;
  unallocated: Money;
  /** teams + unattributed + unallocated. */
  total: Money;
  /** Sum of the budgets of the teams that have one. */
  budget: Money;
  /** Sum of team totals of the teams with a budget, minus their budgets. */
  variance: Money;
  workItems: number;
}

export interface Reconciliation {
  ok: boolean;
  /** (sum of team totals + unattributed + unallocated) − grandTotal, to the nanodollar. */
  difference: Money;
}

export interface Chargeback {
  month: string;
  periodStatus: PeriodStatus;
  currency: 'USD';
  lines: ChargebackLine[];
  unattributed: Money;
  unallocated: Money;
  grandTotal: Money;
  totals: ChargebackTotals;
  reconcile(): Reconciliation;
}

export function buildChargeback(input: ChargebackInput): Chargeback {
  assertMonth(input.month);
  const seen = new Set<string>();
  const lines = input.teams.map((t): ChargebackLine => {
    if (seen.has(t.teamId)) throw new RangeError(`team ${t.teamId} appears twice in the chargeback`);
    seen.add(t.teamId);
    if (!Number.isInteger(t.workItems) || t.workItems < 0) throw new RangeError(`work items of ${t.slug} must be a non-negative integer`);
    const direct = sum(t.direct.values());
    const hidden = sum(t.hidden.values());
    const allocated = sum(t.allocated.map((a) => a.amount));
    const adjustments = sum(t.adjustments.map((a) => a.amount));
    const total = add(direct, hidden, allocated, adjustments);
    const variance = t.budget === null ? null : sub(total, t.budget);
    const variancePct = t.budget === null || t.budget === 0n || variance === null ? null : ratio(variance, t.budget) * 100;
    return {
      teamId: t.teamId,
      slug: t.slug,
      name: t.name,
      costCenter: t.costCenter,
      directBySource: t.direct,
      hiddenByCategory: t.hidden,
      allocations: t.allocated,
      adjustmentLines: t.adjustments,
      direct,
      hidden,
      allocated,
      adjustments,
      total,
      budget: t.budget,
      variance,
      variancePct,
      workItems: t.workItems,
      costPerWorkItem: t.workItems === 0 ? null : divRound(total, BigInt(t.workItems)),
    };
  });

  const budgeted = lines.filter((l) => l.budget !== null);
  const teamsTotal = sum(lines.map((l) => l.total));
  const totals: ChargebackTotals = {
    direct: sum(lines.map((l) => l.direct)),
    hidden: sum(lines.map((l) => l.hidden)),
    allocated: sum(lines.map((l) => l.allocated)),
    adjustments: sum(lines.map((l) => l.adjustments)),
    teams: teamsTotal,
    unattributed: input.unattributed,
    unallocated: input.unallocated,
    total: add(teamsTotal, input.unattributed, input.unallocated),
    budget: sum(budgeted.map((l) => l.budget ?? ZERO)),
    variance: sum(budgeted.map((l) => l.variance ?? ZERO)),
    workItems: lines.reduce((a, l) => a + l.workItems, 0),
  };

  const chargeback: Chargeback = {
    month: input.month,
    periodStatus: input.periodStatus ?? 'open',
    currency: 'USD',
    lines,
    unattributed: input.unattributed,
    unallocated: input.unallocated,
    grandTotal: input.grandTotal,
    totals,
    reconcile: () => reconcileChargeback(chargeback),
  };
  return chargeback;
}

/**
 * sum(team totals) + unattributed + unallocated must equal the independent grand total to the
 * nanodollar. Recomputed from the lines each time (not from `totals`), so a line edited after the
 * build is caught too.
 */
export function reconcileChargeback(cb: Pick<Chargeback, 'lines' | 'unattributed' | 'unallocated' | 'grandTotal'>): Reconciliation {
  const computed = add(sum(cb.lines.map((l) => l.total)), cb.unattributed, cb.unallocated);
  const difference = sub(computed, cb.grandTotal);
  return { ok: difference === 0n, difference };
}
