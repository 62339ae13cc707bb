import { stringify } from 'csv-stringify/sync';
import type { Chargeback, ChargebackLine } from './chargeback.ts';
import { formatMoney, nanos, neg, roundToCents, sub, sum, toDecimalString, ZERO, type Money } from './money.ts';
import { footCents } from './footing.ts';
import { costTable, roundCentsPreservingTotal } from './rounding.ts';

/**
 * Finance exports of a chargeback: the detail CSV and the double-entry GL CSV.
 *
 * Rounding to cents (booked columns) follows the one figure rule (`costTable` in rounding.ts):
 * 1. Team: a team's total is its exact total rounded once, half away from zero (the same cents on
 *    every surface), and its cost lines are rounded by largest remainder to add up to it.
 * 2. Organisation: unattributed and unallocated are rounded the same way, and the grand total is the
 *    sum of the rounded rows, so every column foots: lines → team total → grand total. It can differ
 *    from the exact grand total rounded by half a cent per row; `total_exact` keeps each row's full
 *    9-decimal amount.
 * The GL uses the same rounded team totals, so both files agree to the cent.
 *
 * Formula injection: every cell of every CSV goes through `escapeCell` (see there).
 */

// ─── Cell escaping ──────────────────────────────────────────────────────────────────────────────

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Escapes a cell for spreadsheets: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
 * gets a leading `'`, so Excel / Sheets show it as text instead of evaluating it.
 *
 * Decision: a plain decimal number (`-12.50`, `-3`, optional leading minus, digits, optional
 * fraction; no exponent, no `+`, no spaces) is left alone. Spreadsheets parse it as a number, it
 * cannot be a formula, and finance needs negative adjustments and variances to stay numeric
 * (a `'-12.50` is text and drops out of SUM). Anything else starting with `-` (e.g. `-1+cmd`,
 * `-SUM(…)`) is escaped. This is why the csv-stringify `escape_formulas` option is not used: it
 * would turn every negative amount into text.
 */
export function escapeCell(value: string): string {
  if (PLAIN_DECIMAL.test(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function toCsv(rows: readonly (readonly string[])[]): string {
  return stringify(rows.map((r) => r.map(escapeCell)));
}

// ─── Rounding ───────────────────────────────────────────────────────────────────────────────────

/** The one rounding rule lives in `rounding.ts`; re-exported here for the exports' callers. */
export { roundCentsPreservingTotal };

/** Cents as "123.45" / "-0.50" (the value is already whole cents). */
function cents(m: Money): string {
  return toDecimalString(m, 2);
}

/** Rounded (whole-cent) amounts of a chargeback, footing at every level. */
export interface RoundedChargeback {
  grandTotal: Money;
  unattributed: Money;
  unallocated: Money;
  teams: Map<string, { total: Money; direct: Money; hidden: Money; allocated: Money; adjustments: Money; lines: RoundedLine[] }>;
  /** Column totals over every row (teams, unattributed in direct, unallocated in allocated). */
  columns: { direct: Money; hidden: Money; allocated: Money; adjustments: Money };
  /** Sum of the rounded team totals. */
  teamsTotal: Money;
}

export interface RoundedLine {
  kind: 'direct' | 'hidden' | 'allocated' | 'adjustment';
  /** Source, category, rule label or adjustment label. */
  key: string;
  reference: string | null;
  exact: Money;
  rounded: Money;
}

export class UnreconciledChargebackError extends Error {
  constructor(readonly difference: Money) {
    super(`the chargeback does not reconcile with the grand total (difference ${toDecimalString(difference)} USD); fix the inputs before exporting`);
    this.name = 'UnreconciledChargebackError';
  }
}

function teamLines(line: ChargebackLine): Omit<RoundedLine, 'rounded'>[] {
  return [
    ...[...line.directBySource].map(([key, exact]) => ({ kind: 'direct' as const, key, reference: null, exact })),
    ...[...line.hiddenByCategory].map(([key, exact]) => ({ kind: 'hidden' as const, key, reference: null, exact })),
    ...line.allocations.map((a) => ({ kind: 'allocated' as const, key: a.ruleLabel, reference: null, exact: a.amount })),
    ...line.adjustmentLines.map((a) => ({ kind: 'adjustment' as const, key: a.label, reference: a.reference, exact: a.amount })),
  ];
}

const KINDS = ['direct', 'hidden', 'allocated', 'adjustment'] as const;

/**
 * Rounds the chargeback to cents with the one figure rule (`costTable`, issue 21): rows are the
 * teams, unattributed and unallocated; columns are API (direct), hidden, allocated shared and
 * adjustments. Each team's total is its exact total rounded once (the same cents as the cost-centre
 * line, the close notice, App Home and /aicost budget), its API spend likewise, the other columns
 * foot to it; column totals and the grand total are the sums of what is shown, so the table foots and
 * the GL balances. Each cell's lines (by source, category, rule, adjustment) are then rounded to that
 * cell by largest remainder. Slack's tables, the detail CSV and the GL all read
 * these numbers, so they agree to the cent.
 * Throws UnreconciledChargebackError when the chargeback does not reconcile (nothing that does not
 * foot goes to finance), unless `allowUnreconciled`.
 */
export function roundChargeback(cb: Chargeback, options: { allowUnreconciled?: boolean } = {}): RoundedChargeback {
  const check = cb.reconcile();
  if (!check.ok && !options.allowUnreconciled) throw new UnreconciledChargebackError(check.difference);
  const zero = ZERO;
  const grid = costTable([
    ...cb.lines.map((l) => [l.direct, l.hidden, l.allocated, l.adjustments]),
    [cb.unattributed, zero, zero, zero],
    [zero, zero, cb.unallocated, zero],
  ]);
  const teams: RoundedChargeback['teams'] = new Map();
  cb.lines.forEach((line, i) => {
    const cells = grid.cells[i]!;
    const parts = teamLines(line);
    const rounded = new Map<Omit<RoundedLine, 'rounded'>, Money>();
    KINDS.forEach((kind, k) => {
      const of = parts.filter((p) => p.kind === kind);
      if (of.length === 0) return;
      footCents(
        of.map((p) => p.exact),
        cells[k]!,
      ).parts.forEach((m, n) => rounded.set(of[n]!, m));
    });
    teams.set(line.teamId, {
      total: grid.rowTotals[i]!,
      direct: cells[0]!,
      hidden: cells[1]!,
      allocated: cells[2]!,
      adjustments: cells[3]!,
      lines: parts.map((p) => ({ ...p, rounded: rounded.get(p)! })),
    });
  });
  const unattributed = grid.rowTotals[cb.lines.length]!;
  const unallocated = grid.rowTotals[cb.lines.length + 1]!;
  const [direct, hidden, allocated, adjustments] = grid.columnTotals as [Money, Money, Money, Money];
  return {
    grandTotal: grid.total,
    unattributed,
    unallocated,
    teams,
    columns: { direct, hidden, allocated, adjustments },
    teamsTotal: sum(cb.lines.map((_, i) => grid.rowTotals[i]!)),
  };
}

// ─── Detail CSV ─────────────────────────────────────────────────────────────────────────────────

export const DETAIL_COLUMNS = [
  'period',
  'period_status',
  'team',
  'cost_center',
  'feature',
  'source',
  'cost_category',
  'direct_cost',
  'allocated_shared_cost',
  'allocation_rule',
  'adjustments',
  'total',
  'budget',
  'variance',
  'variance_pct',
  'approval_reference',
  'currency',
  'notes',
  'total_exact',
  'line_type',
] as const;

export type DetailColumn = (typeof DETAIL_COLUMNS)[number];
export type DetailRecord = Record<DetailColumn, string>;

/**
 * The detail rows (before CSV escaping), per team: one row per cost line, then a `team_total` row;
 * then `(unattributed)` and `(unallocated)` rows and one `grand_total` row.
 *
 * - `line_type` (extra column) is `line`, `team_total` or `grand_total`: summing `total` over the
 *   `line` rows gives the grand total; the total rows are there for reading, filter them out of pivots.
 * - Cost lines: direct by source (`cost_category` api), hidden costs (`source` hidden, the category),
 *   allocated shares (`cost_category` shared, with `allocation_rule`), adjustments (`cost_category`
 *   adjustment, label in `notes`, `approval_reference`). Each line fills exactly one of
 *   `direct_cost`, `allocated_shared_cost`, `adjustments`, equal to its `total`.
 *   Unattributed cost is a direct cost without a team; unallocated shared cost goes in
 *   `allocated_shared_cost` with rule `(unallocated)`.
 * - `budget`, `variance`, `variance_pct` are only on `team_total` rows (never summed twice).
 *   variance = rounded total − budget (both in cents, so the row foots as shown);
 *   variance_pct comes from the exact amounts, 2 decimals.
 * - `feature` is empty: the chargeback input is per source / category, not per feature.
 */
export function detailRecords(cb: Chargeback, options: { allowUnreconciled?: boolean } = {}): DetailRecord[] {
  const r = roundChargeback(cb, options);
  const blank = (): DetailRecord => {
    const rec = Object.fromEntries(DETAIL_COLUMNS.map((c) => [c, ''])) as DetailRecord;
    rec.period = cb.month;
    rec.period_status = cb.periodStatus;
    rec.currency = cb.currency;
    return rec;
  };
  const out: DetailRecord[] = [];
  let sumDirect = 0n;
  let sumAllocated = 0n;
  let sumAdjustments = 0n;

  for (const line of cb.lines) {
    const team = r.teams.get(line.teamId)!;
    let tDirect = 0n;
    let tAllocated = 0n;
    let tAdjustments = 0n;
    for (const l of team.lines) {
      const rec = blank();
      rec.team = line.name;
      rec.cost_center = line.costCenter ?? '';
      rec.total = cents(l.rounded);
      rec.total_exact = toDecimalString(l.exact);
      rec.line_type = 'line';
      if (l.kind === 'direct') {
        rec.source = l.key;
        rec.cost_category = 'api';
        rec.direct_cost = cents(l.rounded);
        tDirect += l.rounded;
      } else if (l.kind === 'hidden') {
        rec.source = 'hidden';
        rec.cost_category = l.key;
        rec.direct_cost = cents(l.rounded);
        tDirect += l.rounded;
      } else if (l.kind === 'allocated') {
        rec.cost_category = 'shared';
        rec.allocated_shared_cost = cents(l.rounded);
        rec.allocation_rule = l.key;
        tAllocated += l.rounded;
      } else {
        rec.cost_category = 'adjustment';
        rec.adjustments = cents(l.rounded);
        rec.approval_reference = l.reference ?? '';
        rec.notes = l.key;
        tAdjustments += l.rounded;
      }
      out.push(rec);
    }
    const rec = blank();
    rec.team = line.name;
    rec.cost_center = line.costCenter ?? '';
    rec.cost_category = 'team_total';
    rec.direct_cost = cents(nanos(tDirect));
    rec.allocated_shared_cost = cents(nanos(tAllocated));
    rec.adjustments = cents(nanos(tAdjustments));
    rec.total = cents(team.total);
    rec.total_exact = toDecimalString(line.total);
    rec.line_type = 'team_total';
    if (line.budget !== null) {
      const budgetCents = roundToCents(line.budget);
      rec.budget = cents(budgetCents);
      rec.variance = cents(sub(team.total, budgetCents));
      rec.variance_pct = line.variancePct === null ? '' : percent(line.variancePct);
    }
    const notes = [`${line.workItems} work items`];
    if (line.costPerWorkItem !== null) notes.push(`${formatMoney(line.costPerWorkItem)} per work item`);
    rec.notes = notes.join(', ');
    out.push(rec);
    sumDirect += tDirect;
    sumAllocated += tAllocated;
    sumAdjustments += tAdjustments;
  }

  const unattributed = blank();
  unattributed.team = '(unattributed)';
  unattributed.cost_category = 'unattributed';
  unattributed.direct_cost = cents(r.unattributed);
  unattributed.total = cents(r.unattributed);
  unattributed.total_exact = toDecimalString(cb.unattributed);
  unattributed.notes = 'cost without a team tag';
  unattributed.line_type = 'line';
  out.push(unattributed);
  sumDirect += r.unattributed;

  const unallocated = blank();
  unallocated.team = '(unallocated)';
  unallocated.cost_category = 'shared';
  unallocated.allocated_shared_cost = cents(r.unallocated);
  unallocated.allocation_rule = '(unallocated)';
  unallocated.total = cents(r.unallocated);
  unallocated.total_exact = toDecimalString(cb.unallocated);
  unallocated.notes = 'shared cost no allocation rule covers';
  unallocated.line_type = 'line';
  out.push(unallocated);
  sumAllocated += r.unallocated;

  const grand = blank();
  grand.team = '(all)';
  grand.cost_category = 'grand_total';
  grand.direct_cost = cents(nanos(sumDirect));
  grand.allocated_shared_cost = cents(nanos(sumAllocated));
  grand.adjustments = cents(nanos(sumAdjustments));
  grand.total = cents(r.grandTotal);
  grand.total_exact = toDecimalString(cb.grandTotal);
  const check = cb.reconcile();
  grand.notes = check.ok ? 'reconciled' : `DOES NOT RECONCILE: difference ${toDecimalString(check.difference)}`;
  grand.line_type = 'grand_total';
  out.push(grand);
  return out;
}

/**
 * The detail CSV (header + rows), every cell escaped: line items only, so summing its `total` column
 * (as a pivot table does) gives the grand total. The team and grand totals are in `summaryCsv`.
 */
export function detailCsv(cb: Chargeback, options: { allowUnreconciled?: boolean } = {}): string {
  const records = detailRecords(cb, options).filter((r) => r.line_type === 'line');
  return toCsv([[...DETAIL_COLUMNS], ...records.map((rec) => DETAIL_COLUMNS.map((c) => rec[c]))]);
}

/**
 * The summary CSV: one `team_total` row per team (with budget and variance; variance = total − budget,
 * so a positive variance is over budget) and one `grand_total` row, in the detail file's columns.
 */
export function summaryCsv(cb: Chargeback, options: { allowUnreconciled?: boolean } = {}): string {
  const records = detailRecords(cb, options).filter((r) => r.line_type !== 'line');
  return toCsv([[...DETAIL_COLUMNS], ...records.map((rec) => DETAIL_COLUMNS.map((c) => rec[c]))]);
}

function percent(p: number): string {
  const s = p.toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

// ─── GL CSV ─────────────────────────────────────────────────────────────────────────────────────

export const GL_COLUMNS = ['period', 'account', 'cost_center', 'description', 'debit', 'credit'] as const;

export interface GlOptions {
  /** The expense account every team's cost is debited to. */
  expenseAccount: string;
  /** The clearing account the balancing line is booked to. */
  clearingAccount: string;
  /** Cost centre of the clearing line (default empty). */
  clearingCostCenter?: string;
  /** Cost centre for unattributed / unallocated cost and for teams without one (default "UNASSIGNED"). */
  unassignedCostCenter?: string;
  allowUnreconciled?: boolean;
}

export interface GlEntry {
  period: string;
  account: string;
  costCenter: string;
  description: string;
  /** Whole cents, ≥ 0; exactly one of debit / credit is non-zero. */
  debit: Money;
  credit: Money;
}

/**
 * Double entry: one line per team (its cost centre, its rounded total from `roundChargeback`),
 * one for unattributed and one for unallocated cost (unassigned cost centre), and one balancing
 * line on the clearing account. A positive amount is a debit; a negative team total (credits
 * larger than costs) is a credit on the expense account. Zero amounts get no line. The clearing
 * line is the exact negative of the rest, so debits and credits are equal to the cent by
 * construction (usually a single clearing credit).
 * Several teams sharing a cost centre keep one line each (the description names the team).
 */
export function glEntries(cb: Chargeback, options: GlOptions): GlEntry[] {
  const r = roundChargeback(cb, { allowUnreconciled: options.allowUnreconciled });
  const unassigned = options.unassignedCostCenter ?? 'UNASSIGNED';
  const entries: GlEntry[] = [];
  const book = (account: string, costCenter: string, description: string, amount: Money): void => {
    if (amount === 0n) return;
    entries.push({
      period: cb.month,
      account,
      costCenter,
      description,
      debit: amount > 0n ? amount : ZERO,
      credit: amount < 0n ? neg(amount) : ZERO,
    });
  };
  for (const line of cb.lines) {
    book(options.expenseAccount, line.costCenter ?? unassigned, `AI cost ${cb.month}: ${line.name}`, r.teams.get(line.teamId)!.total);
  }
  book(options.expenseAccount, unassigned, `AI cost ${cb.month}: unattributed`, r.unattributed);
  book(options.expenseAccount, unassigned, `AI cost ${cb.month}: unallocated shared`, r.unallocated);
  const net = sum(entries.map((e) => sub(e.debit, e.credit)));
  book(options.clearingAccount, options.clearingCostCenter ?? '', `AI cost ${cb.month}: clearing`, neg(net));
  return entries;
}

export function glBalance(entries: readonly GlEntry[]): { debits: Money; credits: Money; balanced: boolean } {
  const debits = sum(entries.map((e) => e.debit));
  const credits = sum(entries.map((e) => e.credit));
  return { debits, credits, balanced: debits === credits };
}

/** The GL CSV (header + entries), amounts in cents with 2 decimals, the unused side empty. */
export function glCsv(cb: Chargeback, options: GlOptions): string {
  const entries = glEntries(cb, options);
  return toCsv([
    [...GL_COLUMNS],
    ...entries.map((e) => [e.period, e.account, e.costCenter, e.description, e.debit === 0n ? '' : cents(e.debit), e.credit === 0n ? '' : cents(e.credit)]),
  ]);
}
