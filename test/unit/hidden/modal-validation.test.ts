import { describe, expect, it } from 'vitest';
import { DEFAULT_CATEGORIES } from '../../../src/domain/hidden-costs.ts';
import { fromUsd } from '../../../src/domain/money.ts';
import type { AddContext } from '../../../src/domain/input/hidden-cost-fields.ts';
import { validateHiddenCostInput, type HiddenCostFields } from '../../../src/domain/input/hidden-cost-form.ts';
import { fieldFailureTexts } from '../../../src/format/failure-text.ts';

const ctx: AddContext = {
  now: new Date('2026-11-23T10:00:00Z'),
  timeZone: 'UTC',
  knownTeams: ['payments', 'search'],
  knownFeatures: ['support-bot'],
  categories: [...DEFAULT_CATEGORIES],
};
const validate = (fields: HiddenCostFields) => validateHiddenCostInput(fields, ctx);
const errorsOf = (fields: HiddenCostFields) => {
  const r = validate(fields);
  if (r.ok) throw new Error('expected errors');
  return fieldFailureTexts(r.fields);
};

describe('modal validation', () => {
  it('returns the typed input when every field is right', () => {
    expect(validate({ amount: '$1,200.00', category: 'integrations', kind: 'one_off', target: 'payments', date: '2026-11-03', note: '  Twilio  ' })).toEqual({
      ok: true,
      value: {
        category: 'integrations',
        amount: fromUsd(1200),
        kind: 'one_off',
        date: '2026-11-03',
        target: { type: 'team', slug: 'payments' },
        note: 'Twilio',
      },
    });
    expect(
      validate({
        amount: '2800',
        category: 'vector_db',
        kind: 'monthly',
        target: 'shared',
        rule: 'fixed:payments=60,search=40',
        fromMonth: '2026-11',
        untilMonth: '2027-10',
        date: 'ignored for monthly',
      }),
    ).toEqual({
      ok: true,
      value: {
        category: 'vector_db',
        amount: fromUsd(2800),
        kind: 'monthly',
        fromMonth: '2026-11',
        untilMonth: '2027-10',
        target: {
          type: 'shared',
          rule: {
            type: 'fixed',
            shares: [
              { team: 'payments', percent: 60 },
              { team: 'search', percent: 40 },
            ],
          },
        },
        note: null,
      },
    });
  });

  it('defaults a per-unit cost to start this month, and allows 4 decimals', () => {
    const r = validate({ amount: '0.0450', category: 'embeddings', kind: 'per_request', target: 'support-bot' });
    expect(r).toEqual({
      ok: true,
      value: {
        category: 'embeddings',
        amount: 45_000_000n,
        kind: 'per_unit',
        unit: 'request',
        fromMonth: '2026-11',
        untilMonth: null,
        target: { type: 'feature', slug: 'support-bot' },
        note: null,
      },
    });
  });

  it('reports every bad field next to its field at once', () => {
    expect(errorsOf({ amount: 'lots', category: 'vectordb', kind: 'once', target: 'paymnts', date: '' })).toEqual({
      amount: '"lots" is not an amount. Write it like 2800, 54.50 or $1,234.56.',
      category: expect.stringMatching(/^"vectordb" is not a cost category\. Did you mean vector_db\? Categories: human_review, /),
      target: '"paymnts" is not a team or feature I know. Closest: payments, search, support-bot.',
      date: 'Pick the day of the cost (YYYY-MM-DD).',
    });
  });

  it('checks each field for its kind', () => {
    expect(errorsOf({ amount: '10', category: 'other', kind: 'once', target: 'payments', date: '2026-02-30' })).toEqual({
      date: '"2026-02-30" is not a date: write it as YYYY-MM-DD, like 2026-11-03.',
    });
    expect(errorsOf({ amount: '10.125', category: 'other', kind: 'monthly', target: 'payments', fromMonth: '2026-11' })).toEqual({
      amount: expect.stringMatching(/more than 2 decimals/),
    });
    expect(errorsOf({ amount: '10', category: 'other', kind: 'monthly', target: 'payments' })).toEqual({ fromMonth: 'Pick a month (YYYY-MM).' });
    expect(errorsOf({ amount: '10', category: 'other', kind: 'monthly', target: 'payments', fromMonth: '2026-11', untilMonth: '2026-10' })).toEqual({
      untilMonth: 'The cost ends (2026-10) before it starts (2026-11).',
    });
    expect(errorsOf({ amount: '10', category: 'other', kind: 'monthly', target: 'payments', fromMonth: '2026-11', untilMonth: 'never' })).toEqual({
      untilMonth: expect.stringMatching(/"never" is not a month/),
    });
    expect(errorsOf({ amount: '10', category: 'other', kind: 'per_item', target: 'payments' })).toEqual({
      target: expect.stringMatching(/payments is a team/),
    });
    expect(errorsOf({ amount: '10', category: 'other', kind: 'fortnightly', target: 'payments' })).toEqual({
      kind: expect.stringMatching(/"fortnightly" is not how often/),
    });
    expect(errorsOf({ amount: '', category: '', kind: '', target: '' })).toEqual({
      amount: 'Enter an amount, like 2800 or 54.50.',
      category: expect.stringMatching(/^Choose a category/),
      kind: expect.stringMatching(/^Choose how often/),
      target: 'Say who pays: a team, a feature, or `shared`.',
    });
  });

  it('checks the allocation rule on its own field', () => {
    const base = { amount: '100', category: 'infrastructure', kind: 'monthly', fromMonth: '2026-11' };
    expect(errorsOf({ ...base, target: 'shared', rule: 'fixed:payments=50,search=40' })).toEqual({ rule: 'Percentages add up to 90%; they must total 100%.' });
    expect(errorsOf({ ...base, target: 'shared', rule: 'alphabetical' })).toEqual({ rule: expect.stringMatching(/"alphabetical" is not a rule/) });
    expect(errorsOf({ ...base, target: 'payments', rule: 'even' })).toEqual({ rule: 'A rule only applies to a shared cost.' });
    expect(errorsOf({ ...base, target: 'shared even', rule: 'direct' })).toEqual({ rule: expect.stringMatching(/already names a rule/) });
    expect(validate({ ...base, target: 'shared usage:tokens' })).toMatchObject({
      ok: true,
      value: { target: { type: 'shared', rule: { type: 'usage', metric: 'tokens' } } },
    });
    expect(errorsOf({ ...base, target: 'shared', note: 'x'.repeat(501) })).toEqual({ note: 'Keep the note under 500 characters.' });
  });
});
