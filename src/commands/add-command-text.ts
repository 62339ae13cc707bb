import type { HiddenCostDraft } from '../domain/hidden-cost-drafts.ts';
import { dayKey, monthOf } from '../domain/periods.ts';
import {
  list,
  maxDecimalsFor,
  parseAmountText,
  parseCategory,
  parseDay,
  parseKind,
  parseMonth,
  parseTarget,
  splitNote,
  untilProblem,
  type AddContext,
} from './hidden-cost-fields.ts';

/** `/aicost add …`: the one-line quick form for a hidden cost (the text arrives WITHOUT the leading "add"); grammar and decisions in hidden-cost-fields.ts. */
export interface AddCommand {
  kind: 'add';
  cost: HiddenCostDraft;
}

export type InvalidAdd = { kind: 'invalid'; problem: string; examples: string[] };
export type AddCommandResult = AddCommand | InvalidAdd;

export const ADD_EXAMPLES = [
  '/aicost add 2800 vector_db monthly shared "Pinecone"',
  '/aicost add 4.50 human_review per-item support-bot "5 min review at $54/h"',
  '/aicost add 0.0045 embeddings per-request search',
  '/aicost add 1200 integrations once 2026-11-03 payments "Twilio setup"',
  '/aicost add 300 observability monthly 2026-11 until 2027-04 team:search',
  '/aicost add 900 infrastructure monthly shared fixed:payments=60,search=40',
];

export function parseAddCommand(text: string, ctx: AddContext): AddCommandResult {
  const invalid = (problem: string, examples: string[] = ADD_EXAMPLES): InvalidAdd => ({ kind: 'invalid', problem, examples });
  if (text.trim() === '') return invalid('Tell me the amount, the category, how often and who pays.');

  const split = splitNote(text);
  if (!split.ok) return invalid(split.problem);
  const tokens = split.value.before.trim().split(/\s+/).filter(Boolean);
  const [amountText, categoryText, kindText] = tokens;
  if (amountText === undefined) return invalid('Tell me the amount, the category, how often and who pays.');

  const loose = parseAmountText(amountText, 4); // decimals are checked again once the kind is known
  if (!loose.ok) return invalid(loose.problem);
  if (categoryText === undefined) return invalid(`After the amount, name the category: ${list(ctx.categories, 50)}.`);
  const category = parseCategory(categoryText, ctx.categories);
  if (!category.ok) return invalid(category.problem);
  const kind = parseKind(kindText ?? '');
  if (!kind.ok) return invalid(kind.problem);
  const { kind: costKind, unit } = kind.value;
  const amount = parseAmountText(amountText, maxDecimalsFor(costKind));
  if (!amount.ok) return invalid(amount.problem);

  let rest = tokens.slice(3);
  const draft: HiddenCostDraft = {
    category: category.value,
    amount: amount.value,
    kind: costKind,
    target: { type: 'shared', rule: { type: 'direct_spend' } },
    note: split.value.note,
  };

  if (costKind === 'one_off') {
    draft.date = dayKey(ctx.now, ctx.timeZone);
    const t = rest[0];
    if (t !== undefined && /^\d{4}-\d{1,2}-\d{1,2}$/.test(t)) {
      const d = parseDay(t);
      if (!d.ok) return invalid(d.problem);
      draft.date = d.value;
      rest = rest.slice(1);
    } else if (t !== undefined && /^\d{4}-\d{1,2}$/.test(t)) {
      return invalid(`A one-off cost is on a day: write the date as YYYY-MM-DD (got "${t}").`);
    } else if (t?.toLowerCase() === 'until') {
      return invalid('`until` is for monthly and per-unit costs; a one-off cost has a single date.');
    }
  } else {
    let from: string | null = null;
    let until: string | null = null;
    if (rest[0]?.toLowerCase() === 'from') {
      if (rest[1] === undefined || !/^\d{4}-\d{1,2}$/.test(rest[1])) return invalid('`from` needs a month, like from 2026-11.');
      rest = rest.slice(1);
    }
    const t = rest[0];
    if (t !== undefined && /^\d{4}-\d{1,2}$/.test(t)) {
      const m = parseMonth(t);
      if (!m.ok) return invalid(m.problem);
      from = m.value;
      rest = rest.slice(1);
    } else if (t !== undefined && /^\d{4}-\d{1,2}-\d{1,2}$/.test(t)) {
      return invalid(`A ${costKind === 'monthly' ? 'monthly' : 'per-unit'} cost starts in a month: write it as YYYY-MM (got "${t}").`);
    }
    if (rest[0]?.toLowerCase() === 'until') {
      const u = rest[1];
      if (u === undefined || !/^\d{4}-\d{1,2}(-\d{1,2})?$/.test(u)) return invalid('`until` needs the last month, like until 2027-03.');
      const m = parseMonth(u);
      if (!m.ok) return invalid(m.problem);
      until = m.value;
      rest = rest.slice(2);
    }
    draft.fromMonth = from ?? monthOf(ctx.now, ctx.timeZone);
    draft.untilMonth = until;
    if (until !== null) {
      const p = untilProblem(draft.fromMonth, until);
      if (p) return invalid(p);
    }
    if (unit) draft.unit = unit;
  }

  const target = parseTarget(rest, ctx, costKind === 'per_unit');
  if (!target.ok) return invalid(target.problem);
  if (target.value.rest.length > 0) {
    return invalid(`I did not understand "${target.value.rest.join(' ')}". A note goes last, in quotes.`);
  }
  draft.target = target.value.target;
  return { kind: 'add', cost: draft };
}
