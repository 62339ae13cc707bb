import { z } from 'zod';
import { parseAmountInput, type Money } from '../domain/money.ts';
import { parseId } from '../domain/ids.ts';
import { monthOf, nextMonth, parsePeriod, previousMonth, type Period } from '../domain/periods.ts';
import { isMonth } from '../domain/calendar.ts';
import { closest } from '../domain/suggest.ts';
import type { Failure } from '../domain/result.ts';
import { distance } from 'fastest-levenshtein';

/**
 * Parses the text after `/aicost` into a command. Pure: `now` and the time zone are parameters.
 * Anything not understood becomes `{ kind: 'invalid' }` with what was wrong (a failure code and its data;
 * the words are in src/format/failure-text.ts) and what to type instead.
 */
export const TOP_DIMENSIONS = ['teams', 'features', 'models', 'customers'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export type Command =
  | { kind: 'overview'; period: Period; share: boolean }
  | { kind: 'team'; slug: string; period: Period; share: boolean }
  | { kind: 'top'; dimension: TopDimension; period: Period; share: boolean }
  | { kind: 'feature'; slug: string; period: Period; share: boolean }
  | { kind: 'iceberg'; slug: string | null; period: Period; share: boolean }
  | { kind: 'hidden-list'; slug: string | null }
  | { kind: 'hidden-delete'; id: number }
  | { kind: 'hidden-edit'; id: number }
  /** `add` with its text (parsed against known teams and categories by the service); empty text opens the modal. */
  | { kind: 'add'; text: string }
  | { kind: 'budget-list'; share: boolean }
  /** `budget [team] <month>` (or `budget <team>`): one month's budgets, actuals, requests and decisions. */
  | { kind: 'budget-month'; slug: string | null; month: string; share: boolean }
  | { kind: 'budget-set'; slug: string; amount: Money; month: string | 'monthly' }
  /** `request <amount> [team] <reason>`: `words` are the rest; the service decides whether the first is a team. */
  | { kind: 'request'; amount: Money; words: string[] }
  | { kind: 'sync'; start: boolean }
  | { kind: 'anomalies'; slug: string | null }
  | { kind: 'chargeback'; month: string | null }
  | { kind: 'admin'; words: string[] }
  /** Calendar months, oldest first (issue 15). */
  | { kind: 'margin'; months: string[]; share: boolean }
  | { kind: 'customer'; id: string; months: string[]; share: boolean }
  | { kind: 'whatif'; feature: string; target: string; period: Period; share: boolean }
  | { kind: 'import' }
  | { kind: 'reconcile'; period: Period; share: boolean }
  | { kind: 'help' }
  | { kind: 'invalid'; failure: Failure; examples: string[] };

const topDimension = z.enum(TOP_DIMENSIONS);
const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'a team is named by its slug: lowercase letters, digits, "-", "_" or "."');

export const HELP_EXAMPLES = [
  '/aicost',
  '/aicost team payments',
  '/aicost team payments last month',
  '/aicost top features 30d',
  '/aicost top teams 2026-10',
  '/aicost top models 2026-10-01..2026-10-15',
];

export const BUDGET_EXAMPLES = ['/aicost budget', '/aicost budget set payments 5000', '/aicost budget set payments 6500 2026-12'];
export const REQUEST_EXAMPLES = ['/aicost request 2000 launch week traffic', '/aicost request 1500 payments new fraud model'];

export const MARGIN_EXAMPLES = ['/aicost margin', '/aicost margin 2026-10', '/aicost margin 2026-07..2026-09'];
export const WHATIF_EXAMPLES = [
  '/aicost whatif ticket-triage gpt-4o-mini',
  '/aicost whatif ticket-triage cheapest',
  '/aicost whatif ticket-triage claude-3-5-haiku 2026-10',
];
const MAX_MONTHS = 24;

/**
 * Calendar months for revenue answers: empty is last month (revenue is imported after a month ends);
 * "this month", "last month", YYYY-MM, or YYYY-MM..YYYY-MM (at most 24 months), or why not.
 */
export function parseMonths(tokens: string[], now: Date, timeZone: string): string[] | Failure {
  const t = tokens.join(' ').trim().toLowerCase();
  const month = /^\d{4}-(0[1-9]|1[0-2])$/;
  if (t === '') return [previousMonth(monthOf(now, timeZone))];
  const range = /^(\S+)\s*(?:\.\.|to)\s*(\S+)$/.exec(t);
  if (range && month.test(range[1]!) && month.test(range[2]!)) {
    const [a, b] = [range[1]!, range[2]!];
    if (b < a) return { code: 'period.ends-before-start', text: tokens.join(' ') };
    const out = [a];
    while (out[out.length - 1]! < b && out.length <= MAX_MONTHS) out.push(nextMonth(out[out.length - 1]!));
    if (out.length > MAX_MONTHS) return { code: 'months.too-many', max: MAX_MONTHS };
    return out;
  }
  const p = parsePeriod(t, now, timeZone);
  if (p.ok && p.value.month) return [p.value.month];
  return { code: 'months.not-monthly', text: tokens.join(' ') };
}

const SHARE_WORDS = new Set(['share', 'public']);

function invalid(failure: Failure, examples: string[] = HELP_EXAMPLES): Command {
  return { kind: 'invalid', failure, examples };
}

export function parseCommand(text: string, now: Date, timeZone: string): Command {
  const words = text.trim().split(/\s+/).filter(Boolean);
  // A trailing "share" posts a read-only answer in the channel; commands with free text keep the word.
  const freeText = ['add', 'request', 'admin'].includes(words[0]?.toLowerCase() ?? '');
  const share = !freeText && words.length > 0 && SHARE_WORDS.has(words[words.length - 1]!.toLowerCase());
  if (share) words.pop();
  const [head, ...rest] = words;
  const verb = head?.toLowerCase();

  /** The period words, or the invalid-command answer explaining them. */
  const period = (tokens: string[], usage: string): Period | Command => {
    const r = parsePeriod(tokens.join(' '), now, timeZone);
    if (r.ok) return r.value;
    return invalid({ code: 'command.period', cause: r.failure }, [usage]);
  };
  const isPeriod = (p: Period | Command): p is Period => 'from' in p;

  if (verb === undefined) {
    const p = period([], '/aicost');
    return !isPeriod(p) ? p : { kind: 'overview', period: p, share };
  }
  if (verb === 'help' || verb === '?') return { kind: 'help' };

  if (verb === 'team') {
    const s = slug.safeParse((rest[0] ?? '').toLowerCase());
    if (!rest[0]) return invalid({ code: 'command.team-missing' }, ['/aicost team payments', '/aicost team payments last month']);
    if (!s.success) return invalid({ code: 'command.team-not-slug', text: rest[0], issue: s.error.issues[0]?.message ?? '' }, ['/aicost team payments']);
    const p = period(rest.slice(1), `/aicost team ${s.data} last month`);
    return !isPeriod(p) ? p : { kind: 'team', slug: s.data, period: p, share };
  }

  if (verb === 'top') {
    const d = topDimension.safeParse((rest[0] ?? '').toLowerCase().replace(/^(team|feature|model|customer)$/, '$1s'));
    if (!d.success) {
      return invalid(rest[0] ? { code: 'command.top-unknown', text: rest[0] } : { code: 'command.top-missing' }, [
        '/aicost top teams',
        '/aicost top features 30d',
        '/aicost top models last month',
      ]);
    }
    const p = period(rest.slice(1), `/aicost top ${d.data} last month`);
    return !isPeriod(p) ? p : { kind: 'top', dimension: d.data, period: p, share };
  }

  if (verb === 'feature') {
    const s = slug.safeParse((rest[0] ?? '').toLowerCase());
    if (!rest[0]) return invalid({ code: 'command.feature-missing' }, ['/aicost feature ticket-triage', '/aicost feature ticket-triage last month']);
    if (!s.success) return invalid({ code: 'command.feature-not-slug', text: rest[0] }, ['/aicost feature ticket-triage']);
    const p = period(rest.slice(1), `/aicost feature ${s.data} last month`);
    return !isPeriod(p) ? p : { kind: 'feature', slug: s.data, period: p, share };
  }

  if (verb === 'iceberg') {
    // `iceberg [team] [period]`: the first word is a team unless the whole rest reads as a period.
    const whole = parsePeriod(rest.join(' '), now, timeZone);
    if (whole.ok) return { kind: 'iceberg', slug: null, period: whole.value, share };
    const s = slug.safeParse((rest[0] ?? '').toLowerCase());
    if (!s.success) return invalid({ code: 'command.iceberg-not-team', text: rest[0] ?? '' }, ['/aicost iceberg', '/aicost iceberg support last month']);
    const p = period(rest.slice(1), `/aicost iceberg ${s.data} last month`);
    return !isPeriod(p) ? p : { kind: 'iceberg', slug: s.data, period: p, share };
  }

  if (verb === 'hidden') {
    const sub = rest[0]?.toLowerCase();
    if (sub === 'delete' || sub === 'edit' || sub === 'remove') {
      const id = parseId(rest[1] ?? '');
      if (id === null) return invalid({ code: 'command.hidden-needs-id', sub }, [`/aicost hidden ${sub} 12`]);
      return sub === 'edit' ? { kind: 'hidden-edit', id } : { kind: 'hidden-delete', id };
    }
    if (rest.length > 1) return invalid({ code: 'command.hidden-too-many' }, ['/aicost hidden', '/aicost hidden support']);
    return { kind: 'hidden-list', slug: sub ?? null };
  }

  if (verb === 'add') return { kind: 'add', text: text.trim().replace(/^add\b\s*/i, '') };

  if (verb === 'budget' || verb === 'budgets') {
    if (rest.length === 0) return { kind: 'budget-list', share };
    if (rest[0]?.toLowerCase() !== 'set') {
      // `budget 2026-10`, `budget last month`, `budget support`, `budget support 2026-10`.
      const whole = parsePeriod(rest.join(' '), now, timeZone);
      if (whole.ok && whole.value.month) return { kind: 'budget-month', slug: null, month: whole.value.month, share };
      const s = slug.safeParse(rest[0]!.toLowerCase());
      const p = parsePeriod(rest.slice(1).join(' '), now, timeZone);
      if (s.success && p.ok && p.value.month) return { kind: 'budget-month', slug: s.data, month: p.value.month, share };
      return invalid({ code: 'command.budget-usage' }, [...BUDGET_EXAMPLES, '/aicost budget payments 2026-10']);
    }
    const [, team, amountText, when, ...extra] = rest;
    const s = slug.safeParse((team ?? '').toLowerCase());
    if (!team || !s.success) return invalid({ code: 'command.budget-set-team' }, BUDGET_EXAMPLES);
    if (amountText === undefined) return invalid({ code: 'command.budget-set-amount' }, BUDGET_EXAMPLES);
    const parsed = parseAmountInput(amountText, { allowZero: true });
    if (!parsed.ok) return invalid(parsed.failure, BUDGET_EXAMPLES);
    const amount = parsed.value;
    if (extra.length) return invalid({ code: 'command.budget-set-extra', text: extra.join(' ') }, BUDGET_EXAMPLES);
    const w = (when ?? 'monthly').toLowerCase();
    if (w !== 'monthly' && !isMonth(w)) return invalid({ code: 'command.budget-set-month', text: when ?? '' }, BUDGET_EXAMPLES);
    return { kind: 'budget-set', slug: s.data, amount, month: w };
  }

  if (verb === 'request') {
    if (rest[0] === undefined) return invalid({ code: 'command.request-missing' }, REQUEST_EXAMPLES);
    const parsed = parseAmountInput(rest[0]);
    if (!parsed.ok) return invalid(parsed.failure, REQUEST_EXAMPLES);
    const amount = parsed.value;
    if (rest.length < 2) return invalid({ code: 'command.request-reason' }, REQUEST_EXAMPLES);
    return { kind: 'request', amount, words: rest.slice(1) };
  }

  if (verb === 'sync') {
    if (rest.length === 0) return { kind: 'sync', start: false };
    if (rest.length === 1 && ['now', 'run', 'start'].includes(rest[0]!.toLowerCase())) return { kind: 'sync', start: true };
    return invalid({ code: 'command.sync-usage' }, ['/aicost sync', '/aicost sync now']);
  }

  if (verb === 'anomalies' || verb === 'anomaly') {
    if (rest.length > 1) return invalid({ code: 'command.anomalies-too-many' }, ['/aicost anomalies', '/aicost anomalies support']);
    return { kind: 'anomalies', slug: rest[0]?.toLowerCase() ?? null };
  }

  if (verb === 'chargeback') {
    if (rest.length === 0) return { kind: 'chargeback', month: null };
    if (rest.length === 1 && isMonth(rest[0]!)) return { kind: 'chargeback', month: rest[0]! };
    const p = parsePeriod(rest.join(' '), now, timeZone);
    if (p.ok && p.value.month) return { kind: 'chargeback', month: p.value.month };
    return invalid({ code: 'command.chargeback-usage' }, ['/aicost chargeback', '/aicost chargeback 2026-10']);
  }

  if (verb === 'admin') return { kind: 'admin', words: rest };

  if (verb === 'import') return { kind: 'import' };

  if (verb === 'margin' || verb === 'margins') {
    const m = parseMonths(rest, now, timeZone);
    return !Array.isArray(m) ? invalid(m, MARGIN_EXAMPLES) : { kind: 'margin', months: m, share };
  }

  if (verb === 'customer') {
    // A customer id with spaces is quoted: customer "Globex, Inc." last month (Slack may send curly quotes).
    const quoted = /^["“”]([^"“”]{1,200})["“”]\s*(.*)$/.exec(rest.join(' '));
    if (quoted) {
      const m = parseMonths(quoted[2] ? quoted[2].split(/\s+/) : [], now, timeZone);
      return !Array.isArray(m) ? invalid(m, ['/aicost customer "Globex, Inc." last month']) : { kind: 'customer', id: quoted[1]!.trim(), months: m, share };
    }
    const id = rest[0];
    if (!id) return invalid({ code: 'command.customer-missing' }, ['/aicost customer acme', '/aicost customer acme 2026-09..2026-10']);
    if (!/^[^\s<>&]{1,200}$/.test(id)) return invalid({ code: 'command.customer-bad-id', text: id }, ['/aicost customer acme']);
    const m = parseMonths(rest.slice(1), now, timeZone);
    return !Array.isArray(m) ? invalid(m, [`/aicost customer ${id} last month`]) : { kind: 'customer', id, months: m, share };
  }

  if (verb === 'whatif' || verb === 'what-if') {
    const [feature, target, ...periodWords] = rest;
    if (!feature || !target) return invalid({ code: 'command.whatif-missing' }, WHATIF_EXAMPLES);
    const s = slug.safeParse(feature.toLowerCase());
    if (!s.success) return invalid({ code: 'command.feature-not-slug', text: feature }, WHATIF_EXAMPLES);
    if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/.test(target)) return invalid({ code: 'command.whatif-bad-model', text: target }, WHATIF_EXAMPLES);
    // Default: last month, a whole month of calls to re-price.
    const p = period(periodWords.length ? periodWords : ['last', 'month'], `/aicost whatif ${s.data} ${target} last month`);
    return !isPeriod(p) ? p : { kind: 'whatif', feature: s.data, target: target.toLowerCase() === 'cheapest' ? 'cheapest' : target, period: p, share };
  }

  if (verb === 'reconcile') {
    // Defaults to last month: the running month's billing is incomplete.
    const p = period(rest.length ? rest : ['last', 'month'], '/aicost reconcile [period], e.g. /aicost reconcile 2026-10');
    return !isPeriod(p) ? p : { kind: 'reconcile', period: p, share };
  }

  // `/aicost last month` or `/aicost 2026-10`: the overview for a period.
  const asPeriod = parsePeriod(words.join(' '), now, timeZone);
  if (asPeriod.ok) return { kind: 'overview', period: asPeriod.value, share };
  const guess = closest(verb, VERBS, 1)[0];
  if (guess && distance(verb, guess) <= 2) {
    return invalid({ code: 'command.did-you-mean', text: head ?? '', guess }, [`/aicost ${[guess, ...rest].join(' ')}`, '/aicost help']);
  }
  return invalid({ code: 'command.unknown', text: text.trim() });
}

/** The verbs, for "did you mean" on a misspelt one. */
const VERBS = [
  'team',
  'top',
  'feature',
  'iceberg',
  'hidden',
  'add',
  'budget',
  'request',
  'sync',
  'anomalies',
  'chargeback',
  'reconcile',
  'margin',
  'customer',
  'whatif',
  'import',
  'admin',
  'help',
];
