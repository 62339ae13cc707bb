import type { HiddenCost } from '../hidden-costs.ts';

/**
 * The target of an entry written back in the quick form's own words (the modal's "Who pays" field), so
 * an edit starts from what is stored and parses back to it (the inverse of `parseTarget`).
 */
export function targetText(
  e: Pick<HiddenCost, 'target'>,
  teams: readonly { id: number; slug: string }[],
  features: readonly { id: number; slug: string }[],
): string {
  const t = e.target;
  const slugOf = (id: number) => teams.find((x) => x.id === id)?.slug ?? String(id);
  if (t.type === 'team') return `team:${slugOf(t.teamId)}`;
  if (t.type === 'feature') return `feature:${features.find((f) => f.id === t.featureId)?.slug ?? t.featureId}`;
  const r = t.rule;
  if (r.type === 'direct_spend') return 'shared direct';
  if (r.type === 'usage') return `shared usage:${r.metric}`;
  if (r.type === 'even') return r.teamIds?.length ? `shared even:${r.teamIds.map(slugOf).join(',')}` : 'shared even';
  return `shared fixed:${r.shares.map((s) => `${slugOf(s.teamId)}=${s.percent}`).join(',')}`;
}
