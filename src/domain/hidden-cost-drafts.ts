import { validateRule, type AllocationRule, type UsageMetric } from './allocation.ts';
import type { HiddenCost, HiddenCostTarget, NewHiddenCost } from './hidden-costs.ts';
import type { Failure } from './result.ts';

/** Hidden costs as people type them (targets and rule teams by slug), and their resolution to ids. */
/** An allocation rule naming teams by slug, as typed; `resolveDraft` turns it into ids. */
export type RuleRef =
  | { type: 'even'; teams?: string[] }
  | { type: 'fixed'; shares: { team: string; percent: number }[] }
  | { type: 'direct_spend' }
  | { type: 'usage'; metric: UsageMetric };

export type TargetRef = { type: 'team'; slug: string } | { type: 'feature'; slug: string } | { type: 'shared'; rule: RuleRef };

/** A hidden cost as entered (quick form or modal), before slugs are resolved and an id is given. */
export type HiddenCostDraft = Omit<HiddenCost, 'id' | 'author' | 'target' | 'note'> & { target: TargetRef; note: string | null };

/** Replaces slugs with ids. Unknown slugs (e.g. removed meanwhile) are a problem, not a guess. */
export function resolveDraft(
  draft: HiddenCostDraft,
  teams: ReadonlyMap<string, number>,
  features: ReadonlyMap<string, number>,
): { ok: true; cost: NewHiddenCost } | { ok: false; failure: Failure } {
  const noTeam = (slug: string) => ({ ok: false as const, failure: { code: 'team.none' as const, slug } });
  let target: HiddenCostTarget;
  const t = draft.target;
  if (t.type === 'team') {
    const id = teams.get(t.slug);
    if (id === undefined) return noTeam(t.slug);
    target = { type: 'team', teamId: id };
  } else if (t.type === 'feature') {
    const id = features.get(t.slug);
    if (id === undefined) return { ok: false, failure: { code: 'feature.none', slug: t.slug } };
    target = { type: 'feature', featureId: id };
  } else {
    const r = t.rule;
    let rule: AllocationRule;
    if (r.type === 'even') {
      const ids: number[] = [];
      for (const s of r.teams ?? []) {
        const id = teams.get(s);
        if (id === undefined) return noTeam(s);
        ids.push(id);
      }
      rule = ids.length > 0 ? { type: 'even', teamIds: ids } : { type: 'even' };
    } else if (r.type === 'fixed') {
      const shares = [];
      for (const s of r.shares) {
        const id = teams.get(s.team);
        if (id === undefined) return noTeam(s.team);
        shares.push({ teamId: id, percent: s.percent });
      }
      rule = { type: 'fixed', shares };
    } else rule = r;
    const check = validateRule(rule);
    if (!check.ok) return { ok: false, failure: { code: 'hidden.rule-invalid', reason: check.error } };
    target = { type: 'shared', rule };
  }
  const { target: _ignored, ...rest } = draft;
  return { ok: true, cost: { ...rest, target } };
}
