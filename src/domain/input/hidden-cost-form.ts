import { z } from 'zod';
import type { HiddenCostDraft, RuleRef, TargetRef } from '../hidden-cost-drafts.ts';
import { monthOf } from '../periods.ts';
import { fail, type Failure, type FieldFailures } from '../result.ts';
import {
  MAX_NOTE,
  maxDecimalsFor,
  parseAmountText,
  parseCategory,
  parseDay,
  parseKind,
  parseMonth,
  parseRule,
  parseTarget,
  untilProblem,
  type AddContext,
  type KindWord,
  type Parsed,
} from './hidden-cost-fields.ts';

/** The Slack modal's hidden-cost form, validated field by field with the quick form's parsers (hidden-cost-fields.ts). */

export const HIDDEN_COST_FIELDS = ['amount', 'category', 'kind', 'target', 'rule', 'date', 'fromMonth', 'untilMonth', 'note'] as const;
export type HiddenCostField = (typeof HIDDEN_COST_FIELDS)[number];
/** Raw modal values; missing and null fields are read as empty. */
export type HiddenCostFields = Partial<Record<HiddenCostField, string | null | undefined>>;
export type HiddenCostValidation = { ok: true; value: HiddenCostDraft } | { ok: false; fields: FieldFailures<HiddenCostField> };

const rawText = z
  .string()
  .nullish()
  .transform((v) => (v ?? '').trim());

const rawFields = z.object({
  amount: rawText,
  category: rawText,
  kind: rawText,
  target: rawText,
  rule: rawText,
  date: rawText,
  fromMonth: rawText,
  untilMonth: rawText,
  note: rawText,
});

/**
 * Validates the modal's fields one by one and reports every problem next to its field (all at once,
 * not just the first).
 *
 * - kind: once / one_off, monthly, per_item, per_request (the quick-form words work too).
 * - target: as in the quick form: `payments`, `team:payments`, `feature:search`, `shared`, or
 *   `shared <rule>`; or `shared` with the rule in the separate `rule` field (errors there are reported
 *   on `rule`). A rule on a non-shared target is an error.
 * - date: required for one-off costs (no silent default in a form); ignored for other kinds.
 * - fromMonth: required for monthly costs; optional for per-unit costs (default: this month);
 *   untilMonth optional, and not before fromMonth (reported on untilMonth).
 * - amount: decimals as in the quick form (2, or 4 for per-unit costs).
 * - note: optional, at most 500 characters.
 */
export function validateHiddenCostInput(fields: HiddenCostFields, ctx: AddContext): HiddenCostValidation {
  // Each field's first failure, in the order checked; zod runs the checks and reports shape errors.
  const failures: FieldFailures<HiddenCostField> = {};
  const schema = rawFields.transform((raw, zctx) => {
    const flag = (path: HiddenCostField, failure: Failure) => {
      failures[path] ??= failure;
      zctx.addIssue({ code: 'custom', path: [path], message: failure.code });
    };
    const take = <T>(path: HiddenCostField, r: Parsed<T>): T | undefined => {
      if (r.ok) return r.value;
      flag(path, r.failure);
      return undefined;
    };

    const kind = take('kind', raw.kind === '' ? fail<KindWord>({ code: 'hidden.kind-missing' }) : parseKind(raw.kind));
    const amount = take('amount', parseAmountText(raw.amount, kind ? maxDecimalsFor(kind.kind) : 4));
    const category = take('category', parseCategory(raw.category, ctx.categories));
    const perUnit = kind?.kind === 'per_unit';

    let target: TargetRef | undefined;
    const targetTokens = raw.target.split(/\s+/).filter(Boolean);
    const parsedTarget = take('target', parseTarget(targetTokens, ctx, perUnit));
    if (parsedTarget) {
      if (parsedTarget.rest.length > 0) flag('target', { code: 'hidden.form-target-extra', text: parsedTarget.rest.join(' ') });
      else target = parsedTarget.target;
    }
    if (raw.rule !== '') {
      if (target && target.type !== 'shared') {
        flag('rule', { code: 'hidden.form-rule-not-shared' });
        target = undefined;
      } else if (target && targetTokens.length > 1) {
        flag('rule', { code: 'hidden.form-rule-twice' });
        target = undefined;
      } else if (target) {
        const rule = parseRule(raw.rule, ctx.knownTeams) ?? fail<RuleRef>({ code: 'hidden.form-rule-unknown', text: raw.rule });
        const value = take('rule', rule);
        target = value ? { type: 'shared', rule: value } : undefined;
      }
    }

    let note: string | null = raw.note === '' ? null : raw.note;
    if (note !== null && note.length > MAX_NOTE) {
      flag('note', { code: 'hidden.form-note-too-long', max: MAX_NOTE });
      note = null;
    }

    let date: string | undefined;
    let fromMonth: string | undefined;
    let untilMonth: string | null = null;
    if (kind?.kind === 'one_off') date = take('date', parseDay(raw.date));
    if (kind && kind.kind !== 'one_off') {
      if (kind.kind === 'monthly' || raw.fromMonth !== '') fromMonth = take('fromMonth', parseMonth(raw.fromMonth));
      else fromMonth = monthOf(ctx.now, ctx.timeZone);
      if (raw.untilMonth !== '') {
        const u = take('untilMonth', parseMonth(raw.untilMonth));
        if (u !== undefined) {
          untilMonth = u;
          const p = fromMonth !== undefined ? untilProblem(fromMonth, u) : null;
          if (p) flag('untilMonth', p);
        }
      }
    }

    if (!kind || amount === undefined || category === undefined || target === undefined) return z.NEVER;
    const draft: HiddenCostDraft = { category, amount, kind: kind.kind, target, note };
    if (kind.kind === 'one_off') {
      if (date === undefined) return z.NEVER;
      draft.date = date;
    } else {
      if (fromMonth === undefined) return z.NEVER;
      draft.fromMonth = fromMonth;
      draft.untilMonth = untilMonth;
      if (kind.unit) draft.unit = kind.unit;
    }
    return draft;
  });

  const result = schema.safeParse({ ...fields });
  if (result.success) return { ok: true, value: result.data };
  for (const issue of result.error.issues) {
    // A value of the wrong shape never reached the checks above: zod's own words, on its field.
    const key = issue.path[0];
    const field = (HIDDEN_COST_FIELDS as readonly unknown[]).includes(key) ? (key as HiddenCostField) : 'amount';
    failures[field] ??= { code: 'input.invalid', issue: issue.message };
  }
  return { ok: false, fields: failures };
}
