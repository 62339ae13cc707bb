import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildChargeback } from '../../../src/domain/chargeback.ts';
import {
  DETAIL_COLUMNS,
  detailCsv,
  escapeCell,
  glBalance,
  glCsv,
  glEntries,
  roundCentsPreservingTotal,
  summaryCsv,
  UnreconciledChargebackError,
} from '../../../src/domain/csv-export.ts';
import { add, dollars, fromUsd, roundToCents, sub, sum } from '../../../src/domain/money.ts';
import { sampleInput, team } from './fixtures.ts';

const gl = { expenseAccount: '6400 AI services', clearingAccount: '2900 Chargeback clearing' };
const rows = (csv: string): Record<string, string>[] => parse(csv, { columns: true }) as Record<string, string>[];
/** Exact cents of a "123.45" / "-0.50" cell. */
const centsOf = (cell: string): bigint => {
  expect(cell).toMatch(/^-?\d+\.\d{2}$/);
  return BigInt(cell.replace('.', ''));
};
/** Sum of cents (not Money: the cells are whole cents). */
const sumCents = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

describe('escapeCell', () => {
  it('prefixes formula starters but leaves plain decimals numeric', () => {
    for (const v of ['=1+1', '+SUM(A1)', '-1+cmd', '@SUM(A1)', '\tx', '\rx', '-', '=HYPERLINK("x")', '-1e5']) {
      expect(escapeCell(v)).toBe(`'${v}`);
    }
    for (const v of ['-12.50', '-3', '0.00', '12.5', 'Support', 'a=b', '']) expect(escapeCell(v)).toBe(v);
  });
});

describe('rounding to cents', () => {
  it('largest remainder: rounded lines sum to the rounded total', () => {
    const thirds = [fromUsd('0.333333333'), fromUsd('0.333333333'), fromUsd('0.333333334')];
    const r = roundCentsPreservingTotal(thirds);
    expect(sum(r)).toBe(dollars(1));
    expect(r).toEqual([fromUsd('0.33'), fromUsd('0.33'), fromUsd('0.34')]);
    // Naive per-line rounding would give 0.99 here.
    expect(sum(thirds.map(roundToCents))).toBe(fromUsd('0.99'));
    const signed = roundCentsPreservingTotal([fromUsd('-0.005'), fromUsd('0.015'), fromUsd('1.004')]);
    expect(sum(signed)).toBe(roundToCents(fromUsd('1.014')));
  });
});

describe('detail CSV', () => {
  it('has the columns, and its rounded booked columns foot at every level', () => {
    const cb = buildChargeback(sampleInput());
    const csv = detailCsv(cb);
    const header = csv.split('\n')[0]!.split(',');
    expect(header).toEqual([...DETAIL_COLUMNS]);
    // The detail file holds only line items (a pivot sums them once); the totals are in the summary file.
    expect(new Set(rows(csv).map((r) => r.line_type))).toEqual(new Set(['line']));
    expect(summaryCsv(cb).split('\n')[0]).toBe(csv.split('\n')[0]);
    const all = [...rows(csv), ...rows(summaryCsv(cb))];
    const lines = all.filter((r) => r.line_type === 'line');
    const grand = all.find((r) => r.line_type === 'grand_total')!;
    expect(sumCents(lines.map((r) => centsOf(r.total!)))).toBe(centsOf(grand.total!));
    expect(centsOf(grand.total!)).toBe(roundToCents(cb.grandTotal) / 10_000_000n);
    expect(grand.total_exact).toBe('2972.382456790');
    for (const t of all.filter((r) => r.line_type === 'team_total')) {
      const own = lines.filter((r) => r.team === t.team);
      expect(sumCents(own.map((r) => centsOf(r.total!)))).toBe(centsOf(t.total!));
      expect(centsOf(t.direct_cost!) + centsOf(t.allocated_shared_cost!) + centsOf(t.adjustments!)).toBe(centsOf(t.total!));
      expect(centsOf(t.variance!)).toBe(centsOf(t.total!) - centsOf(t.budget!));
    }
    const support = all.find((r) => r.line_type === 'team_total' && r.team === 'Support')!;
    expect(support).toMatchObject({
      period: '2026-10',
      period_status: 'closed',
      cost_center: 'CC-4100',
      budget: '2000.00',
      variance_pct: '1.87',
      currency: 'USD',
    });
    expect(support.total_exact).toBe('2037.456790123');
  });

  it('keeps negative adjustments numeric', () => {
    const csv = detailCsv(buildChargeback(sampleInput()));
    const credit = rows(csv).find((r) => r.cost_category === 'adjustment')!;
    expect(credit.adjustments).toBe('-12.50');
    expect(credit.total).toBe('-12.50');
    expect(credit.approval_reference).toBe('REQ-17');
    expect(csv).toContain(',-12.50,');
    expect(csv).not.toContain("'-12.50");
    const claims = rows(summaryCsv(buildChargeback(sampleInput()))).find((r) => r.line_type === 'team_total' && r.team === 'Claims')!;
    expect(claims.variance).toBe('-150.33');
  });

  it('refuses to export a chargeback that does not reconcile', () => {
    const input = sampleInput();
    const broken = buildChargeback({ ...input, grandTotal: add(input.grandTotal, dollars(5)) });
    expect(() => detailCsv(broken)).toThrow(UnreconciledChargebackError);
    expect(() => glCsv(broken, gl)).toThrow(UnreconciledChargebackError);
    expect(rows(summaryCsv(broken, { allowUnreconciled: true })).at(-1)!.notes).toMatch(/DOES NOT RECONCILE/);
  });
});

describe('GL CSV', () => {
  it('one debit per team cost centre, balanced by a clearing credit to exactly zero', () => {
    const cb = buildChargeback(sampleInput());
    const entries = glEntries(cb, gl);
    expect(glBalance(entries).balanced).toBe(true);
    const csvRows = rows(glCsv(cb, gl));
    expect(Object.keys(csvRows[0]!)).toEqual(['period', 'account', 'cost_center', 'description', 'debit', 'credit']);
    const debits = sumCents(csvRows.filter((r) => r.debit !== '').map((r) => centsOf(r.debit!)));
    const credits = sumCents(csvRows.filter((r) => r.credit !== '').map((r) => centsOf(r.credit!)));
    expect(debits - credits).toBe(0n);
    expect(debits).toBe(roundToCents(cb.grandTotal) / 10_000_000n);
    expect(csvRows.filter((r) => r.account === gl.expenseAccount).map((r) => r.cost_center)).toEqual(['CC-4100', 'CC-4200', 'UNASSIGNED', 'UNASSIGNED']);
    const clearing = csvRows.filter((r) => r.account === gl.clearingAccount);
    expect(clearing).toHaveLength(1);
    expect(clearing[0]!.credit).toBe('2972.38');
  });

  it('books a negative team total as a credit and still balances', () => {
    const input = sampleInput();
    const refund = team({
      teamId: '3',
      slug: 'growth',
      costCenter: 'CC-5100',
      adjustments: [{ label: 'vendor refund', amount: fromUsd('-40.015'), reference: null }],
    });
    const cb = buildChargeback({ ...input, teams: [...input.teams, refund], grandTotal: sub(input.grandTotal, fromUsd('40.015')) });
    const entries = glEntries(cb, gl);
    const growth = entries.find((e) => e.costCenter === 'CC-5100')!;
    expect(growth.debit).toBe(0n);
    expect(growth.credit).toBeGreaterThan(0n);
    expect(glBalance(entries).balanced).toBe(true);
  });
});

describe('formula injection', () => {
  it('escapes a team named =HYPERLINK("x") in both CSVs', () => {
    const input = sampleInput();
    const evil = '=HYPERLINK("x")';
    const cb = buildChargeback({ ...input, teams: [{ ...input.teams[0]!, name: evil, costCenter: '@CC' }, input.teams[1]!] });
    const detail = rows(detailCsv(cb));
    const teamCells = detail.map((r) => r.team!).filter((t) => t.includes('HYPERLINK'));
    expect(teamCells.length).toBeGreaterThan(0);
    for (const cell of teamCells) expect(cell).toBe(`'${evil}`);
    const ccCells = detail.filter((r) => r.team === `'${evil}`).map((r) => r.cost_center);
    expect(new Set(ccCells)).toEqual(new Set(["'@CC"]));

    const glRows = rows(glCsv(cb, gl));
    const evilRow = glRows.find((r) => r.description!.includes('HYPERLINK'))!;
    expect(evilRow.cost_center).toBe("'@CC");
    // The description starts with text, so it needs no prefix; a GL cell that starts with = would:
    expect(evilRow.description!.startsWith("'")).toBe(false);
    const raw = detailCsv(cb);
    expect(raw).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(glCsv(cb, { ...gl, clearingAccount: '=cmd|calc' })).toContain("'=cmd|calc");
  });
});
