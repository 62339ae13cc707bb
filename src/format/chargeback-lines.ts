import type { Chargeback, ChargebackLine } from '../domain/chargeback.ts';
import { roundChargeback } from '../domain/csv-export.ts';
import { formatMoney, neg, roundToCents, sub, sum, ZERO, type Money } from '../domain/money.ts';
import type { ReplyParts } from './reply-lines.ts';
import { gridTable, type TablePart } from './table.ts';

/** Variance in words, so its sign cannot be misread: "$150.33 over", "$12.00 under", "on budget". */
export function varianceText(variance: Money | null): string {
  if (variance === null) return '-';
  if (variance === 0n) return 'on budget';
  return variance > 0n ? `${formatMoney(variance)} over` : `${formatMoney(neg(variance))} under`;
}

/**
 * The chargeback as words and tables, for Slack and the terminal alike. Every amount shown is the
 * rounded amount of `roundChargeback`, the numbers of the detail CSV and the GL, so rows and columns
 * foot to the totals shown and to the files' cells.
 */
export function chargebackTable(cb: Chargeback, lines: readonly ChargebackLine[] = cb.lines, withOrgRows = true): TablePart {
  const r = roundChargeback(cb, { allowUnreconciled: true });
  const rows = lines.map((l) => {
    const t = r.teams.get(l.teamId)!;
    return [l.slug, formatMoney(t.direct), formatMoney(t.hidden), formatMoney(t.allocated), formatMoney(t.adjustments), formatMoney(t.total)];
  });
  if (withOrgRows) {
    rows.push(['Unattributed', formatMoney(r.unattributed), formatMoney(ZERO), formatMoney(ZERO), formatMoney(ZERO), formatMoney(r.unattributed)]);
    rows.push(['Unallocated shared', formatMoney(ZERO), formatMoney(ZERO), formatMoney(r.unallocated), formatMoney(ZERO), formatMoney(r.unallocated)]);
    const c = r.columns;
    rows.push(['Total', formatMoney(c.direct), formatMoney(c.hidden), formatMoney(c.allocated), formatMoney(c.adjustments), formatMoney(r.grandTotal)]);
  } else if (lines.length > 1) {
    const col = (k: 'direct' | 'hidden' | 'allocated' | 'adjustments' | 'total') => formatMoney(sum(lines.map((l) => r.teams.get(l.teamId)![k])));
    rows.push(['Total', col('direct'), col('hidden'), col('allocated'), col('adjustments'), col('total')]);
  }
  return gridTable('True cost per team', ['Team', 'API spend', 'Hidden', 'Shared', 'Adjustments', 'True cost'], rows, [false, true, true, true, true, true]);
}

/** Budget against the rounded true cost (variance = true cost − budget, both as shown). */
export function budgetTable(cb: Chargeback, lines: readonly ChargebackLine[] = cb.lines): TablePart {
  const r = roundChargeback(cb, { allowUnreconciled: true });
  const rows = lines.map((l) => {
    const t = r.teams.get(l.teamId)!;
    const budget = l.budget === null ? null : roundToCents(l.budget);
    return [
      l.slug,
      budget === null ? '-' : formatMoney(budget),
      budget === null ? '-' : varianceText(sub(t.total, budget)),
      l.workItems.toLocaleString('en-US'),
      l.costPerWorkItem === null ? '-' : formatMoney(l.costPerWorkItem),
    ];
  });
  return gridTable('Budget and work items', ['Team', 'Budget', 'Variance', 'Items', 'Per item'], rows, [false, true, true, true, true]);
}

export function reconciliationLine(cb: Chargeback): string {
  const r = cb.reconcile();
  const rc = roundChargeback(cb, { allowUnreconciled: true });
  return r.ok
    ? `Reconciled: teams ${formatMoney(rc.teamsTotal)} + unattributed ${formatMoney(rc.unattributed)} + unallocated ${formatMoney(rc.unallocated)} = every cost of the month ${formatMoney(rc.grandTotal)} (exact to the nanodollar; cents as in the CSV and GL).`
    : `NOT reconciled: the lines differ from every cost of the month by ${formatMoney(r.difference)}. Do not book this month before it is explained.`;
}

/** `only`: team ids the reader may see (null: every team, finance). */
export function chargebackParts(cb: Chargeback, only: string[] | null): ReplyParts {
  const lines = only ? cb.lines.filter((l) => only.includes(l.teamId)) : cb.lines;
  const rc = roundChargeback(cb, { allowUnreconciled: true });
  const summary = only
    ? [`${lines.length === 1 ? "Your team's" : "Your teams'"} share of ${cb.month} (${cb.periodStatus}).`]
    : [
        `True cost ${formatMoney(rc.grandTotal)}: teams ${formatMoney(rc.teamsTotal)}, unattributed ${formatMoney(rc.unattributed)}, unallocated shared ${formatMoney(rc.unallocated)}.`,
        `Status: ${cb.periodStatus}.`,
      ];
  const tables = lines.length ? [chargebackTable(cb, lines, !only), budgetTable(cb, lines)] : [];
  const adjustments = lines.flatMap((l) => {
    const rounded = rc.teams.get(l.teamId)!.lines.filter((x) => x.kind === 'adjustment');
    return l.adjustmentLines.map((a, k) => `${l.slug}: ${a.label} ${formatMoney(rounded[k]?.rounded ?? a.amount)}`);
  });
  const notes = [...(adjustments.length ? [`Adjustments and corrections: ${adjustments.join('; ')}`] : [])];
  if (!only) notes.push(reconciliationLine(cb));
  notes.push(
    'Files: the detail CSV (line items), the summary CSV (team and grand totals) and the GL journal are attached to the month\u2019s draft in the finance channel.',
  );
  return { title: `Chargeback · ${cb.month}`, summary, tables, notes };
}
