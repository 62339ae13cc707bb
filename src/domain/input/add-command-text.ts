import type { HiddenCostDraft } from '../hidden-cost-drafts.ts';
import { dayKey, monthOf } from '../periods.ts';
import type { Failure } from '../result.ts';
import {
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

export type InvalidAdd = { kind: 'invalid'; failure: Failure; examples: string[] };
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
  const invalid = (failure: Failure, examples: string[] = ADD_EXAMPLES): InvalidAdd => ({ kind: 'invalid', failure, examples });
  if (text.trim() === '') return invalid({ code: 'hidden.add-empty' });

  const split = splitNote(text);
  if (!split.ok) return invalid(split.failure);
  const tokens = split.value.before.trim().split(/\s+/).filter(Boolean);
  const [amountText, categoryText, kindText] = tokens;
  if (amountText === undefined) return invalid({ code: 'hidden.add-empty' });

  const loose = parseAmountText(amountText, 4); // decimals are checked again once the kind is known
  if (!loose.ok) return invalid(loose.failure);
  if (categoryText === undefined) return invalid({ code: 'hidden.add-category-missing', categories: ctx.categories });
  const category = parseCategory(categoryText, ctx.categories);
  if (!category.ok) return invalid(category.failure);
  const kind = parseKind(kindText ?? '');
  if (!kind.ok) return invalid(kind.failure);
  const { kind: costKind, unit } = kind.value;
  const amount = parseAmountText(amountText, maxDecimalsFor(costKind));
  if (!amount.ok) return invalid(amount.failure);

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
      if (!d.ok) return invalid(d.failure);
      draft.date = d.value;
      rest = rest.slice(1);
    } else if (t !== undefined && /^\d{4}-\d{1,2}$/.test(t)) {
      return invalid({ code: 'hidden.one-off-month', text: t });
    } else if (t?.toLowerCase() === 'until') {
      return invalid({ code: 'hidden.one-off-until' });
    }
  } else {
    let from: string | null = null;
    let until: string | null = null;
    if (rest[0]?.toLowerCase() === 'from') {
      if (rest[1] === undefined || !/^\d{4}-\d{1,2}$/.test(rest[1])) return invalid({ code: 'hidden.from-needs-month' });
      rest = rest.slice(1);
    }
    const t = rest[0];
    if (t !== undefined && /^\d{4}-\d{1,2}$/.test(t)) {
      const m = parseMonth(t);
      if (!m.ok) return invalid(m.failure);
      from = m.value;
      rest = rest.slice(1);
    } else if (t !== undefined && /^\d{4}-\d{1,2}-\d{1,2}$/.test(t)) {
      return invalid({ code: 'hidden.starts-in-month', text: t, monthly: costKind === 'monthly' });
    }
    if (rest[0]?.toLowerCase() === 'until') {
      const u = rest[1];
      if (u === undefined || !/^\d{4}-\d{1,2}(-\d{1,2})?$/.test(u)) return invalid({ code: 'hidden.until-needs-month' });
      const m = parseMonth(u);
      if (!m.ok) return invalid(m.failure);
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
  if (!target.ok) return invalid(target.failure);
  if (target.value.rest.length > 0) {
    return invalid({ code: 'hidden.add-extra', text: target.value.rest.join(' ') });
  }
  draft.target = target.value.target;
  return { kind: 'add', cost: draft };
}
