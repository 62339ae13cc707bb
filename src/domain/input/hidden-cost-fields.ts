import { checkPercentages, type UsageMetric } from '../allocation.ts';
import type { RuleRef, TargetRef } from '../hidden-cost-drafts.ts';
import { isDay, isMonth, type HiddenCostKind, type HiddenCostUnit } from '../hidden-costs.ts';
import { parseAmountInput, type Money } from '../money.ts';
import { closest } from '../suggest.ts';
import { fail, ok, type Failure, type Result } from '../result.ts';

/**
 * The field parsers of a hidden cost, shared by the one-line quick form (`add-command-text.ts`) and
 * the Slack modal (`hidden-cost-form.ts`). Pure: `now`, the time zone, and the known teams, features
 * and categories are parameters (`AddContext`).
 *
 * `/aicost add …`: the quick form for a hidden cost (the text arrives WITHOUT the leading "add"),
 * and the field-by-field validation of the same input from the Slack modal. Pure: `now`, the time
 * zone, and the known teams, features and categories are parameters.
 *
 *   <amount> <category> once [YYYY-MM-DD] <target> ["note"]
 *   <amount> <category> monthly [YYYY-MM] [until YYYY-MM] <target> ["note"]
 *   <amount> <category> per-item [YYYY-MM] [until YYYY-MM] <feature> ["note"]
 *   <amount> <category> per-request [YYYY-MM] [until YYYY-MM] <feature> ["note"]
 *
 *   target: a team or feature slug (`team:<slug>` / `feature:<slug>`, or the words `team <slug>` /
 *           `feature <slug>`, when a slug names both), or `shared [rule]` with rule one of
 *           `direct` (proportional to direct API spend: the DEFAULT), `even`, `even:a,b`,
 *           `usage:requests|tokens|work_items`, `fixed:payments=60,search=40`.
 *
 * Decisions:
 * - Amounts: 2800, 54.50, $1,234.56 (commas must group thousands). One-off and monthly amounts are in
 *   cents (up to 2 decimals, via `parseAmount`); per-item / per-request amounts may have up to 4
 *   decimals (0.045) and are converted exactly with `fromUsd`. Zero and negative amounts are refused.
 * - Defaults: `once` without a date is today in the org time zone; `monthly` without a month starts
 *   this month; per-unit costs without a month apply from this month on (so adding one never
 *   rewrites closed months); no `until` means open-ended.
 * - The note is the quoted text at the end, in straight (") or smart (“ ”, „) double quotes.
 *   Single quotes are not note delimiters, so apostrophes inside notes are fine.
 * - Categories are matched case-insensitively with "-" read as "_" (vector-db → vector_db).
 * - A slug known as both a team and a feature must be prefixed, except for per-unit costs, which can
 *   only target a feature.
 * - Slugs are returned as typed (lowercased); the caller resolves them to ids (`resolveDraft`).
 */

export interface AddContext {
  now: Date;
  timeZone: string;
  knownTeams: readonly string[];
  knownFeatures: readonly string[];
  /** Valid categories (finance can add some). */
  categories: readonly string[];
}
export const RULE_HELP =
  'Rules after `shared`: `direct` (default, by direct API spend), `even`, `usage:requests`, `usage:tokens`, `usage:work_items`, or `fixed:payments=60,search=40`.';
export const MAX_NOTE = 500;

/** A field's value, or why not (a failure code; the words are in src/format/failure-text.ts). */
export type Parsed<T> = Result<T>;

export function list(items: readonly string[], limit = 8): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown}, …` : shown;
}

/** How many decimals an amount may have for a kind: cents, except per-unit amounts (4). */
export function maxDecimalsFor(kind: HiddenCostKind): 2 | 4 {
  return kind === 'per_unit' ? 4 : 2;
}

/** A typed amount in Money, at most `maxDecimals` decimals, more than $0. */
export function parseAmountText(text: string, maxDecimals: 2 | 4): Parsed<Money> {
  const t = text.trim();
  if (t === '') return fail({ code: 'hidden.amount-empty' });
  if (/^\$?[-−]/.test(t)) return fail({ code: 'hidden.amount-negative' });
  const loose = parseAmountInput(t, { decimals: 9 });
  if (!loose.ok) return fail(loose.failure.code === 'amount.not-a-number' ? { code: 'hidden.amount-not-a-number', text: t } : loose.failure);
  const r = parseAmountInput(t, { decimals: maxDecimals });
  if (!r.ok) return fail({ code: 'hidden.amount-decimals', text: t, max: maxDecimals });
  return ok(r.value);
}

/** A category from the list (case-insensitive, "-" as "_"); unknown ones list the valid ones. */
export function parseCategory(text: string, categories: readonly string[]): Parsed<string> {
  const t = text.trim().toLowerCase().replace(/-/g, '_');
  if (t === '') return fail({ code: 'hidden.category-missing', categories });
  const found = categories.find((c) => c.toLowerCase() === t);
  if (found) return ok(found);
  const near = closest(t, categories, 1)[0];
  return fail({ code: 'hidden.category-unknown', text: text.trim(), near: near ?? null, categories });
}

export const KIND_WORDS: Record<string, KindWord> = {
  once: { kind: 'one_off' },
  'one-off': { kind: 'one_off' },
  one_off: { kind: 'one_off' },
  oneoff: { kind: 'one_off' },
  monthly: { kind: 'monthly' },
  'per-item': { kind: 'per_unit', unit: 'work_item' },
  per_item: { kind: 'per_unit', unit: 'work_item' },
  'per-work-item': { kind: 'per_unit', unit: 'work_item' },
  per_work_item: { kind: 'per_unit', unit: 'work_item' },
  'per-request': { kind: 'per_unit', unit: 'request' },
  per_request: { kind: 'per_unit', unit: 'request' },
};

/** once | monthly | per-item | per-request (and their snake_case spellings). */
export type KindWord = { kind: HiddenCostKind; unit?: HiddenCostUnit };

export function parseKind(text: string): Parsed<KindWord> {
  const t = text.trim().toLowerCase();
  const k = KIND_WORDS[t];
  if (k) return ok(k);
  return fail({ code: 'hidden.kind-unknown', text: t === '' ? '' : text.trim() });
}

/** "YYYY-MM-DD", a real day. */
export function parseDay(text: string): Parsed<string> {
  const t = text.trim();
  if (t === '') return fail({ code: 'hidden.day-missing' });
  if (!isDay(t)) return fail({ code: 'hidden.day-invalid', text: t });
  return ok(t);
}

/** "YYYY-MM". */
export function parseMonth(text: string): Parsed<string> {
  const t = text.trim();
  if (t === '') return fail({ code: 'hidden.month-missing' });
  if (!isMonth(t)) return fail({ code: 'hidden.month-invalid', text: t });
  return ok(t);
}

export function untilProblem(from: string, until: string): Failure | null {
  return until < from ? { code: 'hidden.until-before-from', from, until } : null;
}

export const USAGE_WORDS: Record<string, UsageMetric> = {
  requests: 'requests',
  request: 'requests',
  tokens: 'tokens',
  token: 'tokens',
  work_items: 'work_items',
  'work-items': 'work_items',
  work_item: 'work_items',
  'work-item': 'work_items',
  workitems: 'work_items',
  items: 'work_items',
};

function unknownTeam(slug: string, teams: readonly string[]): Failure {
  return { code: 'hidden.team-unknown', slug, near: closest(slug, teams, 3) };
}

/**
 * A rule word after `shared`, or null when the token is not rule-shaped at all.
 * Team slugs in `even:` and `fixed:` must be known teams; fixed percentages must total 100.
 */
export function parseRule(token: string, knownTeams: readonly string[]): Parsed<RuleRef> | null {
  const t = token.trim().toLowerCase();
  if (t === 'direct' || t === 'direct_spend' || t === 'direct-spend' || t === 'spend') return ok({ type: 'direct_spend' });
  if (t === 'even') return ok({ type: 'even' });
  const [word, arg] = [t.split(':')[0]!, t.includes(':') ? t.slice(t.indexOf(':') + 1) : undefined];
  if (word === 'usage') {
    const metric = arg === undefined ? undefined : USAGE_WORDS[arg];
    if (!metric) return fail({ code: 'hidden.usage-metric', text: arg || null });
    return ok({ type: 'usage', metric });
  }
  if (word === 'even') {
    const teams = (arg ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (teams.length === 0) return ok({ type: 'even' });
    const seen = new Set<string>();
    for (const s of teams) {
      if (!knownTeams.includes(s)) return fail(unknownTeam(s, knownTeams));
      if (seen.has(s)) return fail({ code: 'hidden.even-twice', team: s });
      seen.add(s);
    }
    return ok({ type: 'even', teams });
  }
  if (word === 'fixed') {
    const pairs = (arg ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (pairs.length === 0) return fail({ code: 'hidden.fixed-missing' });
    const shares: { team: string; percent: number }[] = [];
    for (const pair of pairs) {
      const m = /^([a-z0-9][a-z0-9_.-]*)=(\d+(?:\.\d+)?)%?$/.exec(pair);
      if (!m) return fail({ code: 'hidden.fixed-bad-share', text: pair });
      const [team, percent] = [m[1]!, Number(m[2])];
      if (!knownTeams.includes(team)) return fail(unknownTeam(team, knownTeams));
      if (shares.some((s) => s.team === team)) return fail({ code: 'hidden.fixed-twice', team });
      shares.push({ team, percent });
    }
    const problem = checkPercentages(shares.map((s) => s.percent));
    if (problem) return fail({ code: 'hidden.rule-invalid', reason: problem });
    return ok({ type: 'fixed', shares });
  }
  return null;
}

/**
 * Reads the target from the front of `tokens`; returns it with the tokens left over.
 * Per-unit costs (`perUnit`) must name a feature.
 */
export function parseTarget(
  tokens: readonly string[],
  ctx: Pick<AddContext, 'knownTeams' | 'knownFeatures'>,
  perUnit: boolean,
): Parsed<{ target: TargetRef; rest: string[] }> {
  const [first, ...after] = tokens;
  if (first === undefined) {
    return fail({ code: 'hidden.target-missing', perUnit });
  }
  let word = first.toLowerCase().replace(/^[#@]/, '');
  let rest = after;
  // `team payments` / `feature search` as two words.
  if ((word === 'team' || word === 'feature') && rest.length > 0) {
    word = `${word}:${rest[0]!.toLowerCase().replace(/^[#@]/, '')}`;
    rest = rest.slice(1);
  }

  if (word === 'shared') {
    if (perUnit) return fail({ code: 'hidden.per-unit-shared' });
    if (rest.length === 0) return ok({ target: { type: 'shared', rule: { type: 'direct_spend' } }, rest });
    const rule = parseRule(rest[0]!, ctx.knownTeams);
    if (rule === null) return fail({ code: 'hidden.after-shared', text: rest[0]! });
    if (!rule.ok) return rule;
    return ok({ target: { type: 'shared', rule: rule.value }, rest: rest.slice(1) });
  }

  const prefixed = /^(team|feature):(.*)$/.exec(word);
  const said = prefixed ? (prefixed[1] as 'team' | 'feature') : null;
  const slug = prefixed ? prefixed[2]! : word;
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(slug)) return fail({ code: 'hidden.target-not-slug', text: first });

  const isTeam = ctx.knownTeams.includes(slug);
  const isFeature = ctx.knownFeatures.includes(slug);
  if (perUnit) {
    if (isFeature && said !== 'team') return ok({ target: { type: 'feature', slug }, rest });
    const near = closest(slug, ctx.knownFeatures, 3);
    if (isTeam) return fail({ code: 'hidden.per-unit-team', slug, near });
    return fail({ code: 'hidden.feature-unknown', slug, near, perUnit: true });
  }
  if (said === 'team') return isTeam ? ok({ target: { type: 'team', slug }, rest }) : fail(unknownTeam(slug, ctx.knownTeams));
  if (said === 'feature') {
    if (isFeature) return ok({ target: { type: 'feature', slug }, rest });
    return fail({ code: 'hidden.feature-unknown', slug, near: closest(slug, ctx.knownFeatures, 3), perUnit: false });
  }
  if (isTeam && isFeature) return fail({ code: 'hidden.team-and-feature', slug });
  if (isTeam) return ok({ target: { type: 'team', slug }, rest });
  if (isFeature) return ok({ target: { type: 'feature', slug }, rest });
  const known = [...new Set([...ctx.knownTeams, ...ctx.knownFeatures])];
  return fail({ code: 'hidden.target-unknown', slug, near: closest(slug, known, 3) });
}

export const OPEN_QUOTE = /["“”„]/;
export const CLOSE_QUOTE = /["“”]/;

/** Splits off the quoted note at the end. */
export function splitNote(text: string): Parsed<{ before: string; note: string | null }> {
  const open = text.search(OPEN_QUOTE);
  if (open < 0) return ok({ before: text, note: null });
  const inside = text.slice(open + 1);
  const close = inside.search(CLOSE_QUOTE);
  if (close < 0) return fail({ code: 'hidden.note-unclosed' });
  const after = inside.slice(close + 1).trim();
  if (after !== '') return fail({ code: 'hidden.note-not-last', after });
  const note = inside.slice(0, close).trim();
  if (note.length > MAX_NOTE) return fail({ code: 'hidden.note-too-long', max: MAX_NOTE });
  return ok({ before: text.slice(0, open), note: note === '' ? null : note });
}
