import type { Chargeback, ChargebackLine } from '../domain/chargeback.ts';
import { formatMoney } from '../domain/money.ts';
import type { ReplyParts } from './reply-lines.ts';
import { alignTable } from './table.ts';

/** Variance in words, so its sign cannot be misread: "$150.33 over", "$12.00 under", "on budget". */
export function varianceText(variance: bigint | null): string {
  if (variance === null) return '-';
  if (variance === 0n) return 'on budget';
  return variance > 0n ? `${formatMoney(variance)} over` : `${formatMoney(-variance)} under`;
}

/** The chargeback as words and tables, for Slack and the terminal alike. */
export function chargebackTable(lines: readonly ChargebackLine[]): string {
  return alignTable(
    ['team', 'direct', 'hidden', 'allocated', 'adjust.', 'total', 'budget', 'vs budget', 'items', 'per item'],
    lines.map((l) => [
      l.slug, formatMoney(l.direct), formatMoney(l.hidden), formatMoney(l.allocated), formatMoney(l.adjustments), formatMoney(l.total),
      l.budget === null ? '-' : formatMoney(l.budget), varianceText(l.variance),
      l.workItems.toLocaleString('en-US'), l.costPerWorkItem === null ? '-' : formatMoney(l.costPerWorkItem),
    ]),
    [false, true, true, true, true, true, true, true, true, true],
  );
}

export function reconciliationLine(cb: Chargeback): string {
  const r = cb.reconcile();
  return r.ok
    ? `Reconciled: teams ${formatMoney(cb.totals.teams)} + unattributed ${formatMoney(cb.unattributed)} + unallocated ${formatMoney(cb.unallocated)} = every cost of the month ${formatMoney(cb.grandTotal)}, to the nanodollar.`
    : `NOT reconciled: the lines differ from every cost of the month by ${formatMoney(r.difference)}. Do not book this month before it is explained.`;
}

/** `only`: team ids the reader may see (null: every team, finance). */
export function chargebackParts(cb: Chargeback, only: string[] | null): ReplyParts {
  const lines = only ? cb.lines.filter((l) => only.includes(l.teamId)) : cb.lines;
  const summary = only
    ? [`Your team${lines.length === 1 ? '' : 's'}' share of ${cb.month} (${cb.periodStatus}).`]
    : [
        `Total ${formatMoney(cb.totals.total)}: teams ${formatMoney(cb.totals.teams)}, unattributed ${formatMoney(cb.unattributed)}, unallocated ${formatMoney(cb.unallocated)}.`,
        `Status: ${cb.periodStatus}.`,
      ];
  const tables = lines.length ? [{ caption: 'Per team', table: chargebackTable(lines) }] : [];
  const adjustments = lines.flatMap((l) => l.adjustmentLines.map((a) => `${l.slug}: ${a.label} ${formatMoney(a.amount)}`));
  const notes = [...(adjustments.length ? [`Adjustments and corrections: ${adjustments.join('; ')}`] : [])];
  if (!only) notes.push(reconciliationLine(cb));
  notes.push('Files: the detail CSV (line items), the summary CSV (team and grand totals) and the GL journal are attached to the month\u2019s draft in the finance channel.');
  return { title: `Chargeback · ${cb.month}`, summary, tables, notes };
}
