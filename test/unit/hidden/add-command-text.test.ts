import { describe, expect, it } from 'vitest';
import { DEFAULT_CATEGORIES } from '../../../src/domain/hidden-costs.ts';
import { fromUsd } from '../../../src/domain/money.ts';
import { parseAddCommand } from '../../../src/domain/input/add-command-text.ts';
import { failureText } from '../../../src/format/failure-text.ts';
import type { AddContext } from '../../../src/domain/input/hidden-cost-fields.ts';

const ctx: AddContext = {
  now: new Date('2026-11-23T10:00:00Z'),
  timeZone: 'UTC',
  knownTeams: ['payments', 'search', 'platform'],
  knownFeatures: ['support-bot', 'search', 'checkout-assist'],
  categories: [...DEFAULT_CATEGORIES, 'licenses'],
};
const parse = (text: string, c: Partial<AddContext> = {}) => parseAddCommand(text, { ...ctx, ...c });
const cost = (text: string, c: Partial<AddContext> = {}) => {
  const r = parse(text, c);
  if (r.kind !== 'add') throw new Error(`expected a command for ${text}: ${failureText(r.failure)}`);
  return r.cost;
};
const problem = (text: string) => {
  const r = parse(text);
  expect(r.kind, text).toBe('invalid');
  if (r.kind !== 'invalid') return '';
  expect(r.examples.length, text).toBeGreaterThan(0);
  return failureText(r.failure);
};

describe('/aicost add: the quick form', () => {
  it('reads a shared monthly cost, defaulting to this month and to direct spend', () => {
    expect(cost('2800 vector_db monthly shared "Pinecone"')).toEqual({
      category: 'vector_db',
      amount: fromUsd(2800),
      kind: 'monthly',
      fromMonth: '2026-11',
      untilMonth: null,
      target: { type: 'shared', rule: { type: 'direct_spend' } },
      note: 'Pinecone',
    });
  });

  it('reads one-off costs with a date, smart quotes, and grouped amounts', () => {
    expect(cost('$1,234.56 integrations once 2026-11-03 payments “Twilio setup”')).toEqual({
      category: 'integrations',
      amount: 1_234_560_000_000n,
      kind: 'one_off',
      date: '2026-11-03',
      target: { type: 'team', slug: 'payments' },
      note: 'Twilio setup',
    });
    expect(cost('54.50 Other once support-bot')).toMatchObject({
      amount: fromUsd('54.5'),
      category: 'other',
      date: '2026-11-23',
      note: null,
      target: { type: 'feature', slug: 'support-bot' },
    });
  });

  it('defaults dates and months in the org time zone', () => {
    // 20:00 UTC on 30 November is 05:00 on 1 December in Tokyo.
    const late = { now: new Date('2026-11-30T20:00:00Z'), timeZone: 'Asia/Tokyo' };
    expect(cost('10 other once payments', late).date).toBe('2026-12-01');
    expect(cost('10 other monthly payments', late).fromMonth).toBe('2026-12');
    expect(cost('10 other once payments', { now: late.now }).date).toBe('2026-11-30');
  });

  it('reads monthly months with until, and prefixed targets', () => {
    expect(cost('300 observability monthly 2026-09 until 2027-04 team:search')).toMatchObject({
      kind: 'monthly',
      fromMonth: '2026-09',
      untilMonth: '2027-04',
      target: { type: 'team', slug: 'search' },
    });
    expect(cost('300 observability monthly until 2027-04 feature search')).toMatchObject({
      fromMonth: '2026-11',
      untilMonth: '2027-04',
      target: { type: 'feature', slug: 'search' },
    });
    expect(cost('300 vector-db monthly from 2026-10 #payments')).toMatchObject({
      category: 'vector_db',
      fromMonth: '2026-10',
      target: { type: 'team', slug: 'payments' },
    });
  });

  it('reads per-item and per-request costs, with up to 4 decimals', () => {
    expect(cost('4.50 human_review per-item support-bot "5 min at $54/h"')).toEqual({
      category: 'human_review',
      amount: fromUsd('4.5'),
      kind: 'per_unit',
      unit: 'work_item',
      fromMonth: '2026-11',
      untilMonth: null,
      target: { type: 'feature', slug: 'support-bot' },
      note: '5 min at $54/h',
    });
    expect(cost('0.045 embeddings per-request search')).toMatchObject({ amount: 45_000_000n, unit: 'request', target: { type: 'feature', slug: 'search' } });
    expect(cost('0.0045 embeddings per-request search').amount).toBe(4_500_000n);
  });

  it('reads every allocation rule after shared', () => {
    const rule = (r: string) => {
      const t = cost(`100 infrastructure monthly shared ${r}`.trim()).target;
      return t.type === 'shared' ? t.rule : null;
    };
    expect(rule('')).toEqual({ type: 'direct_spend' });
    expect(rule('direct')).toEqual({ type: 'direct_spend' });
    expect(rule('even')).toEqual({ type: 'even' });
    expect(rule('even:payments,platform')).toEqual({ type: 'even', teams: ['payments', 'platform'] });
    expect(rule('usage:requests')).toEqual({ type: 'usage', metric: 'requests' });
    expect(rule('usage:tokens')).toEqual({ type: 'usage', metric: 'tokens' });
    expect(rule('usage:work_items')).toEqual({ type: 'usage', metric: 'work_items' });
    expect(rule('fixed:payments=60,search=40')).toEqual({
      type: 'fixed',
      shares: [
        { team: 'payments', percent: 60 },
        { team: 'search', percent: 40 },
      ],
    });
    expect(rule('fixed:payments=33.33%,search=33.33%,platform=33.34%')).toMatchObject({
      type: 'fixed',
      shares: [{ percent: 33.33 }, { percent: 33.33 }, { percent: 33.34 }],
    });
  });

  it('explains what was wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /amount, the category, how often and who pays/],
      ['abc vector_db monthly shared', /"abc" is not an amount/],
      ['0 vector_db monthly shared', /more than \$0/],
      ['-5 vector_db monthly shared', /more than \$0/],
      ['1,23 vector_db monthly shared', /not an amount/],
      ['54.505 vector_db monthly shared', /more than 2 decimals/],
      ['0.045 embeddings monthly shared', /more than 2 decimals: one-off and monthly amounts are in cents/],
      ['0.00001 embeddings per-request search', /more than 4 decimals/],
      ['2800', /name the category/],
      ['2800 vector_db weekly shared', /"weekly" is not how often.*once, monthly, per-item or per-request/],
      ['2800 vector_db', /Say how often/],
      ['10 other once 2026-02-30 payments', /"2026-02-30" is not a date/],
      ['10 other once 2026-11 payments', /one-off cost is on a day/],
      ['10 other monthly 2026-13 payments', /"2026-13" is not a month/],
      ['10 other monthly 2026-11-01 payments', /starts in a month/],
      ['10 other monthly 2026-11 until 2026-09 payments', /ends \(2026-09\) before it starts \(2026-11\)/],
      ['10 other monthly until payments', /`until` needs the last month/],
      ['10 other once until 2026-12 payments', /`until` is for monthly/],
      ['10 other monthly', /Say who pays/],
      ['10 other monthly paymnts', /"paymnts" is not a team or feature I know\. Closest: payments/],
      ['10 other monthly search', /both a team and a feature: write team:search or feature:search/],
      ['10 other monthly team:support-bot', /"support-bot" is not a team I know/],
      ['10 other per-item payments', /payments is a team; per-item .* Closest features/],
      ['10 other per-item shared', /name a feature, not `shared`/],
      ['10 other per-request nobody', /"nobody" is not a feature I know/],
      ['10 other monthly shared fixed:payments=50,search=40', /Percentages add up to 90%; they must total 100%\./],
      ['10 other monthly shared fixed:payments=60,billing=40', /"billing" is not a team I know/],
      ['10 other monthly shared fixed:payments', /not a share/],
      ['10 other monthly shared usage:calories', /"calories" is not a usage metric/],
      ['10 other monthly shared bogus', /did not understand "bogus" after `shared`.*usage:tokens/],
      ['10 other monthly payments "unterminated', /never closes/],
      ['10 other monthly payments "note" extra', /Put the note last/],
      ['10 other monthly payments search', /did not understand "search"/],
    ];
    for (const [text, expected] of cases) expect(problem(text), text).toMatch(expected);
  });

  it('lists the valid categories and the closest one for an unknown category', () => {
    const p = problem('2800 vectordb monthly shared');
    expect(p).toMatch(/"vectordb" is not a cost category\. Did you mean vector_db\?/);
    expect(p).toContain('human_review, embeddings, vector_db, integrations, infrastructure, observability, retries, other, licenses');
    // Categories are data: a category finance added is accepted.
    expect(cost('99 licenses monthly payments').category).toBe('licenses');
    expect(parse('99 licenses monthly payments', { categories: ['other'] }).kind).toBe('invalid');
  });
});
