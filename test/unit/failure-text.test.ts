import { describe, expect, it } from 'vitest';
import { parseVerb as parseCommand } from '../support/parse-verb.ts';
import { validateHiddenCostInput } from '../../src/domain/input/hidden-cost-form.ts';
import { DEFAULT_CATEGORIES } from '../../src/domain/hidden-costs.ts';
import { parseAmountInput } from '../../src/domain/money.ts';
import type { Failure } from '../../src/domain/result.ts';
import { failureText, fieldFailureTexts, isNotAllowed } from '../../src/format/failure-text.ts';

const now = new Date('2026-11-23T10:00:00Z');

describe('one failure shape, worded at the edge', () => {
  it('producers return a code and the data its words need, not prose', () => {
    expect(parseAmountInput(' 12.345 ')).toEqual({ ok: false, failure: { code: 'amount.too-many-decimals', text: '12.345', decimals: 2 } });
    expect(parseAmountInput('1,50')).toEqual({ ok: false, failure: { code: 'amount.bad-commas', text: '1,50' } });
    expect(parseCommand('budget set payments 5000 2026-13', now, 'UTC')).toMatchObject({
      kind: 'invalid',
      failure: { code: 'command.budget-set-month', text: '2026-13' },
    });
  });

  it('words a failure with its cause, once, in the one table', () => {
    const c = parseCommand('team payments someday', now, 'UTC');
    if (c.kind !== 'invalid') throw new Error('expected an invalid command');
    expect(c.failure).toEqual({ code: 'command.period', cause: { code: 'period.unknown', text: 'someday' } });
    expect(failureText(c.failure)).toBe(
      '"someday" is not a period I understand. Periods: `this month`, `last month`, `2026-10`, `7d`, `30d`, `90d`, `2026-10-01..2026-10-15`.',
    );
    expect(failureText({ code: 'admin.adjust-amount', cause: { code: 'amount.not-a-number', text: 'ten' } })).toBe(
      '"ten" is not an amount: write dollars such as 2800, 54.50 or $1,234.56. Write dollars, negative for a credit, e.g. -120.50.',
    );
  });

  it('says a team\'s possessive right for names ending in s (it said "Claims\'s leads")', () => {
    expect(failureText({ code: 'budget.request-not-lead', teamName: 'Claims' })).toBe("Only Claims' leads can ask for more budget for it. Nothing was sent.");
    expect(failureText({ code: 'hidden.not-lead', teamName: 'Claims', slug: 'claims' })).toContain("Only Claims' leads or finance");
    expect(failureText({ code: 'anomaly.feedback-not-allowed', teamName: 'Claims' })).toContain("Only Claims' leads and members");
    expect(failureText({ code: 'budget.request-not-lead', teamName: 'Support' })).toContain("Only Support's leads");
  });

  it('keeps text from users as data: the words quote it unchanged (escaping is the Slack egress’s job)', () => {
    expect(failureText({ code: 'command.unknown', text: '<!channel> & co' })).toBe('"<!channel> & co" is neither a command nor a period.');
  });

  it('gives a form one sentence per field that failed, and none for the fields that did not', () => {
    const v = validateHiddenCostInput(
      { amount: '10', category: 'other', kind: 'monthly', target: 'payments', fromMonth: '2026-11', untilMonth: '2026-10' },
      { now, timeZone: 'UTC', knownTeams: ['payments'], knownFeatures: [], categories: [...DEFAULT_CATEGORIES] },
    );
    if (v.ok) throw new Error('expected field failures');
    expect(v.fields).toEqual({ untilMonth: { code: 'hidden.until-before-from', from: '2026-11', until: '2026-10' } });
    expect(fieldFailureTexts(v.fields)).toEqual({ untilMonth: 'The cost ends (2026-10) before it starts (2026-11).' });
  });

  it('titles a refusal for lack of rights by its code: those say who may, the others do not', () => {
    const rights: Failure[] = [
      { code: 'budget.set-finance-only' },
      { code: 'budget.request-not-lead', teamName: 'Payments' },
      { code: 'hidden.delete-not-author', id: 3, author: 'U0AUTHOR' },
      { code: 'hidden.not-lead', teamName: 'Payments', slug: 'payments' },
      { code: 'chargeback.finance-only' },
    ];
    for (const f of rights) {
      expect(isNotAllowed(f), f.code).toBe(true);
      expect(failureText(f), f.code).toMatch(/^Only /);
    }
    const others: Failure[] = [
      { code: 'budget.no-team', slug: 'nope', near: [] },
      { code: 'hidden.month-locked', month: '2026-10', state: 'closed', verb: 'delete', changes: false, recurring: false },
      { code: 'budget.request-reason' },
    ];
    for (const f of others) expect(isNotAllowed(f), f.code).toBe(false);
  });
});
