import { describe, expect, it } from 'vitest';
import { footCents } from '../../../src/domain/footing.ts';
import { customerMonth, marginFigures, tierOf } from '../../../src/domain/margin.ts';
import { fromUsd } from '../../../src/domain/money.ts';
import { parseRevenueCsv, type RevenueParse } from '../../../src/domain/revenue-import.ts';
import { parseVerb as parseCommand } from '../../support/parse-verb.ts';
import { parseMonths } from '../../../src/commands/words.ts';
import { failureText } from '../../../src/format/failure-text.ts';

const d = (s: string) => fromUsd(s);
/** A parse with each line's failure in the words people read. */
const said = (r: RevenueParse) => (r.ok ? r : { ok: false, problems: r.problems.map((p) => ({ line: p.line, problem: failureText(p.failure) })) });
const now = new Date('2026-11-05T10:00:00Z');

describe('revenue file', () => {
  it('reads customer, month, revenue and an optional plan with exact amounts', () => {
    const r = parseRevenueCsv('\uFEFFcustomer,month,revenue\nacme,2026-10,"12,500.50"\n"Globex, Inc.",2026-10,$0.10\n');
    expect(r).toEqual({
      ok: true,
      months: ['2026-10'],
      rows: [
        { line: 2, customer: 'acme', month: '2026-10', amount: d('12500.50'), plan: null },
        { line: 3, customer: 'Globex, Inc.', month: '2026-10', amount: d('0.10'), plan: null },
      ],
    });
  });

  it('refuses the whole file and names every bad row by its line', () => {
    const r = parseRevenueCsv(
      'customer,month,revenue,plan\nacme,2026-13,10,pro\n,2026-10,10,pro\nacme,2026-10,-5,pro\nacme,2026-10,1e3,pro\nok,2026-10,1,pro\nx,2026-10\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 7]);
    expect(failureText(r.problems[0]!.failure)).toContain('YYYY-MM');
    expect(failureText(r.problems[1]!.failure)).toContain('customer is empty');
    expect(failureText(r.problems[2]!.failure)).toContain('not an amount');
    expect(failureText(r.problems[4]!.failure)).toContain('2 cells');
  });

  it('catches a customer twice in a month, also under an alias', () => {
    const r = parseRevenueCsv('customer,month,revenue\nacme,2026-10,1\nacme-corp,2026-10,2\n', (c) => (c === 'acme-corp' ? 'acme' : c));
    expect(said(r)).toEqual({ ok: false, problems: [{ line: 3, problem: 'customer acme appears twice for 2026-10 (also on line 2)' }] });
  });

  it('refuses a wrong header, an empty file and broken CSV', () => {
    expect(said(parseRevenueCsv('customer,month,amount\n'))).toMatchObject({
      ok: false,
      problems: [{ line: 1, problem: expect.stringContaining('missing column revenue') }],
    });
    expect(parseRevenueCsv('')).toMatchObject({ ok: false, problems: [{ line: 1 }] });
    expect(parseRevenueCsv('customer,month,revenue\n"acme,2026-10,1\n')).toMatchObject({ ok: false });
    expect(said(parseRevenueCsv('customer,month,revenue\n'))).toMatchObject({ ok: false, problems: [{ problem: 'the file has a header but no rows' }] });
  });
});

describe('footing', () => {
  it('rounds parts so they add up to the rounded total (largest remainder)', () => {
    const parts = [d('0.004'), d('0.004'), d('0.004')];
    const r = footCents(parts);
    expect(r.total).toBe(d('0.01'));
    expect(r.parts).toEqual([d('0.01'), 0n, 0n]);
    const many = footCents([d('10.005'), d('20.005'), d('-3.333')]);
    expect(many.parts.reduce((a, b) => a + b, 0n)).toBe(many.total);
    expect(many.total).toBe(d('26.68'));
  });

  it('can foot to a given total, giving or taking cents', () => {
    expect(footCents([d('1.004'), d('2.004')], d('3.00')).parts).toEqual([d('1.00'), d('2.00')]);
    expect(footCents([d('1.006'), d('2.006')], d('3.00')).parts).toEqual([d('1.00'), d('2.00')]);
  });
});

describe('margin', () => {
  it("gives each customer its own spend plus its team's hidden cost in proportion to its spend; no-customer spend keeps its share", () => {
    const m = customerMonth({
      month: '2026-10',
      teamExtra: new Map([
        [1, d('90')],
        [2, d('5')],
      ]),
      spend: [
        { customer: 'a', teamIds: [1], amounts: [d('10')] },
        { customer: 'b', teamIds: [1], amounts: [d('20')] },
        { customer: null, teamIds: [1], amounts: [d('60')] },
        { customer: 'a', teamIds: [null], amounts: [d('1')] },
      ],
      revenue: [
        { customer: 'a', amount: d('100'), plan: 'pro' },
        { customer: 'z', amount: d('5'), plan: null },
      ],
    });
    expect(m.customers.get('a')).toEqual({ direct: d('11'), shared: d('10'), revenue: d('100'), plan: 'pro' });
    expect(m.customers.get('b')).toEqual({ direct: d('20'), shared: d('20'), revenue: null, plan: null });
    // 60 without a customer + its 60 of the hidden 90 + team 2's 5 with no spend to split by.
    expect(m.notCarried).toBe(d('125'));
    const f = marginFigures(['2026-10'], [m]);
    // Customers with revenue first (highest cost share first); b, with cost but no revenue imported, is its own group at the end.
    expect(f.customers.map((c) => c.customer)).toEqual(['a', 'z', 'b']);
    expect(f.costNoRevenue).toEqual(['b']);
    expect(f.revenueNoCost).toEqual(['z']);
    expect(f.totals).toMatchObject({ revenue: d('105'), cost: d('61'), margin: d('44') });
  });

  it("shows a merged customer's revenue summed and the plan of its largest row, in any row order", () => {
    const rows = [
      { customer: 'acme', amount: d('40'), plan: 'starter' },
      { customer: 'acme', amount: d('100'), plan: 'pro' },
      { customer: 'acme', amount: d('60'), plan: 'growth' },
      { customer: 'acme', amount: d('100'), plan: 'enterprise' },
    ];
    const month = (revenue: typeof rows) => customerMonth({ month: '2026-10', teamExtra: new Map(), spend: [], revenue }).customers.get('acme');
    for (const order of [rows, [...rows].reverse(), [rows[2]!, rows[0]!, rows[3]!, rows[1]!]])
      expect(month(order)).toEqual({ direct: 0n, shared: 0n, revenue: d('300'), plan: 'pro' });
  });

  it('reads the benchmark tiers at their boundaries exactly', () => {
    const t = (cost: string) => tierOf(d(cost), d('100'));
    expect([t('2.99'), t('3'), t('8'), t('8.01'), t('20'), t('20.01'), t('40'), t('40.01')]).toEqual([
      'lean',
      'disciplined',
      'disciplined',
      'typical',
      'typical',
      'attribution gaps',
      'attribution gaps',
      'out of control',
    ]);
    expect(tierOf(d('1'), null)).toBeNull();
  });
});

describe('commands', () => {
  it('parses margin months, customer and whatif', () => {
    expect(parseMonths([], now, 'UTC')).toEqual(['2026-10']);
    expect(parseMonths(['2026-08..2026-10'], now, 'UTC')).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(parseMonths(['2026-11', 'to', '2027-01'], now, 'UTC')).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(parseMonths(['30d'], now, 'UTC')).toEqual({ code: 'months.not-monthly', text: '30d' });
    // `customer <id> [months]`: a number is that many complete months up to last month.
    expect(parseMonths(['3'], now, 'UTC')).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(parseMonths(['0'], now, 'UTC')).toEqual({ code: 'months.not-monthly', text: '0' });
    expect(parseMonths(['25'], now, 'UTC')).toEqual({ code: 'months.too-many', max: 24 });
    expect(parseCommand('customer cust-6 3', now, 'UTC')).toEqual({ verb: 'customer', id: 'cust-6', months: ['2026-08', '2026-09', '2026-10'], share: false });
    expect(parseMonths(['2020-01..2026-10'], now, 'UTC')).toEqual({ code: 'months.too-many', max: 24 });
    expect(parseCommand('margin 2026-09 share', now, 'UTC')).toEqual({ verb: 'margin', months: ['2026-09'], share: true });
    expect(parseCommand('customer cus_123 this month', now, 'UTC')).toEqual({ verb: 'customer', id: 'cus_123', months: ['2026-11'], share: false });
    const w = parseCommand('whatif Ticket-Triage cheapest', now, 'UTC');
    expect(w).toMatchObject({ verb: 'whatif', feature: 'ticket-triage', target: 'cheapest', period: { month: '2026-10' } });
    expect(parseCommand('whatif triage claude-3-5-haiku 7d', now, 'UTC')).toMatchObject({
      verb: 'whatif',
      target: 'claude-3-5-haiku',
      period: { kind: 'days' },
    });
    expect(parseCommand('whatif triage', now, 'UTC').kind).toBe('invalid');
    expect(parseCommand('whatif triage <script>', now, 'UTC').kind).toBe('invalid');
    expect(parseCommand('customer', now, 'UTC').kind).toBe('invalid');
    expect(parseCommand('customer “Globex, Inc.” 2026-09', now, 'UTC')).toEqual({ verb: 'customer', id: 'Globex, Inc.', months: ['2026-09'], share: false });
  });
});
