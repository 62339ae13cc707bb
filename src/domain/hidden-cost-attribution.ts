import { allocateShared, type AllocationBasis, type AllocationResult, type AllocationRule } from './allocation.ts';
import { nanos, ZERO, type Money } from './money.ts';
import type { HiddenCost, HiddenCostLine } from './hidden-costs.ts';

/** Attribution of hidden-cost lines: who carries each line (a team, a feature's team, or a shared split). */
export interface TeamHidden {
  /** Hidden costs aimed at the team or at one of its features, by category. */
  hidden: Map<string, Money>;
  /** Its parts of shared hidden costs, in total. */
  allocated: Money;
  /** Each part with the entry and rule that produced it (`describeRule` gives the label). */
  allocations: { entryId: number; category: string; rule: AllocationRule; amount: Money }[];
}

export interface HiddenAttribution {
  teams: Map<number, TeamHidden>;
  /** Hidden costs aimed at features, by feature and category (also counted in their team's `hidden`). */
  features: Map<number, Map<string, Money>>;
  /** Each shared line and how it was split (the rule travels with the line). */
  shared: { entry: HiddenCost; amount: Money; allocation: AllocationResult }[];
  /** What no team carries: unallocatable shared amounts, and features without a team. */
  unallocated: Money;
  unallocatedLines: { entry: HiddenCost; amount: Money; reason: string }[];
}

/**
 * Attributes lines to teams. Team lines go to the team; feature lines to the feature and to its team
 * (`featureTeam`; a feature without a team stays unallocated); shared lines are split by their rule
 * over `basis` (the same period's direct spend and usage per team).
 * Invariant: Σ teams (hidden + allocated) + unallocated === Σ lines, exactly.
 */
export function attributeHiddenCosts(
  lines: readonly HiddenCostLine[],
  basis: readonly AllocationBasis[],
  featureTeam: ReadonlyMap<number, number | null>,
): HiddenAttribution {
  const teams = new Map<number, TeamHidden>();
  const features = new Map<number, Map<string, Money>>();
  const shared: HiddenAttribution['shared'] = [];
  const unallocatedLines: HiddenAttribution['unallocatedLines'] = [];
  let unallocated = 0n;
  const team = (id: number): TeamHidden => {
    let t = teams.get(id);
    if (!t) teams.set(id, (t = { hidden: new Map(), allocated: ZERO, allocations: [] }));
    return t;
  };
  const add = (m: Map<string, Money>, category: string, amount: Money) => m.set(category, nanos((m.get(category) ?? 0n) + amount));

  for (const line of lines) {
    const { entry, amount } = line;
    const target = entry.target;
    if (target.type === 'team') {
      add(team(target.teamId).hidden, entry.category, amount);
    } else if (target.type === 'feature') {
      let f = features.get(target.featureId);
      if (!f) features.set(target.featureId, (f = new Map()));
      add(f, entry.category, amount);
      const owner = featureTeam.get(target.featureId) ?? null;
      if (owner === null) {
        unallocated += amount;
        if (amount !== 0n) unallocatedLines.push({ entry, amount, reason: 'the feature has no team' });
      } else add(team(owner).hidden, entry.category, amount);
    } else {
      const allocation = allocateShared(amount, target.rule, basis);
      shared.push({ entry, amount, allocation });
      for (const p of allocation.parts) {
        const t = team(p.teamId);
        t.allocated = nanos(t.allocated + p.amount);
        t.allocations.push({ entryId: entry.id, category: entry.category, rule: target.rule, amount: p.amount });
      }
      if (allocation.unallocated !== 0n || allocation.reason !== null) {
        unallocated += allocation.unallocated;
        unallocatedLines.push({ entry, amount: allocation.unallocated, reason: allocation.reason ?? 'not allocated' });
      }
    }
  }
  return { teams, features, shared, unallocated: nanos(unallocated), unallocatedLines };
}
