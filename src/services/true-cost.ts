import type { CostQueries } from '../db/repositories/costs.ts';
import type { HiddenCostsRepository } from '../db/repositories/hidden-costs.ts';
import type { TeamsRepository } from '../db/repositories/teams.ts';
import type { AllocationBasis, AllocationRule } from '../domain/allocation.ts';
import { attributeHiddenCosts, hiddenCostsForMonth, hiddenCostsForPeriod, totalOf, type HiddenCostLine, type Volume } from '../domain/hidden-costs.ts';
import { sum, type Money } from '../domain/money.ts';
import { elapsed, type Period } from '../domain/periods.ts';

/**
 * The whole iceberg for a period: direct API spend from the sources, hidden costs aimed at teams and
 * features, and shared hidden costs allocated by their rules. Budgets, reports and the chargeback all
 * read their numbers from here, so they agree.
 *
 * A running month counts hidden costs up to today: a monthly amount accrues day by day, so the month
 * to date plus `hiddenStillToCome` is the whole month's amount.
 */
export interface TeamTrueCost {
  teamId: number;
  direct: Money;
  hidden: Map<string, Money>;
  hiddenTotal: Money;
  allocated: Money;
  allocations: { entryId: number; category: string; rule: AllocationRule; amount: Money }[];
  total: Money;
  requests: number;
}

export interface PeriodCost {
  period: Period;
  /** The part of the period counted (up to now for a running period). */
  window: Pick<Period, 'from' | 'to'>;
  teams: Map<number, TeamTrueCost>;
  /** Direct spend with no team. */
  unattributed: Money;
  /** Hidden costs no team carries (no usage to allocate by, a feature without a team). */
  unallocated: Money;
  unallocatedReasons: { entryId: number; category: string; amount: Money; reason: string }[];
  /** Per feature: direct spend, hidden costs aimed at it, requests and distinct work items. */
  features: Map<number, { direct: Money; hidden: Map<string, Money>; requests: number; workItems: number }>;
  directTotal: Money;
  hiddenLines: HiddenCostLine[];
  /** Every cost of the period: direct + hidden. Equals Σ team totals + unattributed + unallocated. */
  grandTotal: Money;
}

/** Requests per team from the summary, when no usage scan is needed (tokens and work items unknown). */
function rollupRequests(summary: { teamId: number | null; count: number }[]): { key: number | null; requests: number; tokens: bigint; workItems: number }[] {
  const m = new Map<number | null, number>();
  for (const r of summary) m.set(r.teamId, (m.get(r.teamId) ?? 0) + r.count);
  return [...m].map(([key, requests]) => ({ key, requests, tokens: 0n, workItems: 0 }));
}

/**
 * Costs that are not entered by people but derived (issue 14): unobserved API spend (billed by the
 * provider, not seen by Helicone/Langfuse) and charges imported from FOCUS files, as hidden-cost lines
 * for the period's window. `unassigned` lines stay visible as their own unallocated line.
 */
export interface DerivedLines {
  lines(window: Pick<Period, 'from' | 'to'>, now: Date): Promise<{ lines: HiddenCostLine[]; unassigned: { line: HiddenCostLine; reason: string }[] }>;
}

/** The category of unobserved API spend: shown on the team it belongs to (mapped or allocated), never as "allocated". */
export const UNOBSERVED_CATEGORY = 'unobserved';

export function trueCostService(deps: { costs: CostQueries; hidden: HiddenCostsRepository; teams: TeamsRepository; timeZone: string; derived?: DerivedLines }) {
  const { costs, hidden, teams, timeZone } = deps;

  async function periodCost(period: Period, now: Date, opts: { withUsage?: boolean } = {}): Promise<PeriodCost> {
    const window = elapsed(period, now);
    const filter = { from: window.from, to: window.to };
    const [summary, entries, features, allTeams] = await Promise.all([costs.teamFeatureSummary(filter), hidden.active(), teams.listFeatures(), teams.list()]);
    // Usage needs a scan the covering indexes cannot serve (distinct work items): only when a per-unit
    // cost, a usage-based allocation or a feature report needs it.
    const needsUsage = opts.withUsage || entries.some((e) => e.kind === 'per_unit' || (e.target.type === 'shared' && e.target.rule.type === 'usage'));
    const [featureUsage, teamUsage] = needsUsage
      ? await Promise.all([costs.usage(filter, 'feature'), costs.usage(filter, 'team')])
      : [[], rollupRequests(summary)];
    const volumes = new Map<number, Volume>();
    for (const u of featureUsage) if (u.key !== null) volumes.set(u.key, { workItems: u.workItems, requests: u.requests });
    const complete = window.to.getTime() === period.to.getTime();
    const entered = period.month && complete ? hiddenCostsForMonth(entries, period.month, volumes) : hiddenCostsForPeriod(entries, window, volumes, timeZone);
    const derived = deps.derived ? await deps.derived.lines(window, now) : { lines: [], unassigned: [] };
    const lines = [...entered, ...derived.lines];

    const directByTeam = new Map<number | null, Money>();
    const featureDirect = new Map<number, Money>();
    for (const r of summary) {
      directByTeam.set(r.teamId, ((directByTeam.get(r.teamId) ?? 0n) + r.amount) as Money);
      if (r.featureId !== null) featureDirect.set(r.featureId, ((featureDirect.get(r.featureId) ?? 0n) + r.amount) as Money);
    }
    // Every team is in the basis, with zero usage when it had none: an even split is over all teams,
    // while proportional rules give nothing to a team with no spend or usage.
    const usageByTeam = new Map(teamUsage.map((u) => [u.key, u]));
    const basis: AllocationBasis[] = allTeams.map((t) => {
      const u = usageByTeam.get(t.id);
      return { teamId: t.id, directSpend: directByTeam.get(t.id) ?? (0n as Money), requests: u?.requests ?? 0, tokens: u?.tokens ?? 0n, workItems: u?.workItems ?? 0 };
    });
    const attribution = attributeHiddenCosts(lines, basis, new Map(features.map((f) => [f.id, f.teamId])));
    // Unobserved API spend is shown as such on each team, whether mapped to it or allocated to it.
    for (const t of attribution.teams.values()) {
      const moved = t.allocations.filter((a) => a.category === UNOBSERVED_CATEGORY);
      if (moved.length === 0) continue;
      const amount = sum(moved.map((a) => a.amount));
      t.allocations = t.allocations.filter((a) => a.category !== UNOBSERVED_CATEGORY);
      t.allocated = (t.allocated - amount) as Money;
      t.hidden.set(UNOBSERVED_CATEGORY, ((t.hidden.get(UNOBSERVED_CATEGORY) ?? 0n) + amount) as Money);
    }
    for (const u of derived.unassigned) {
      attribution.unallocated = (attribution.unallocated + u.line.amount) as Money;
      attribution.unallocatedLines.push({ entry: u.line.entry, amount: u.line.amount, reason: u.reason });
    }

    const teamIds = new Set<number>([...directByTeam.keys()].filter((k): k is number => k !== null));
    for (const id of attribution.teams.keys()) teamIds.add(id);
    const requestsByTeam = new Map(teamUsage.map((u) => [u.key, u.requests]));
    const result = new Map<number, TeamTrueCost>();
    for (const teamId of teamIds) {
      const h = attribution.teams.get(teamId);
      const direct = directByTeam.get(teamId) ?? (0n as Money);
      const hiddenTotal = sum(h?.hidden.values() ?? []);
      const allocated = h?.allocated ?? (0n as Money);
      result.set(teamId, {
        teamId, direct, hidden: h?.hidden ?? new Map(), hiddenTotal, allocated, allocations: h?.allocations ?? [],
        total: (direct + hiddenTotal + allocated) as Money, requests: requestsByTeam.get(teamId) ?? 0,
      });
    }
    const featureMap: PeriodCost['features'] = new Map();
    for (const f of features) {
      const usage = volumes.get(f.id);
      featureMap.set(f.id, {
        direct: featureDirect.get(f.id) ?? (0n as Money),
        hidden: attribution.features.get(f.id) ?? new Map(),
        requests: Number(usage?.requests ?? 0),
        workItems: Number(usage?.workItems ?? 0),
      });
    }
    const directTotal = sum(summary.map((r) => r.amount));
    return {
      period,
      window,
      teams: result,
      unattributed: directByTeam.get(null) ?? (0n as Money),
      unallocated: attribution.unallocated,
      unallocatedReasons: attribution.unallocatedLines.map((l) => ({ entryId: l.entry.id, category: l.entry.category, amount: l.amount, reason: l.reason })),
      features: featureMap,
      directTotal,
      hiddenLines: [...lines, ...derived.unassigned.map((u) => u.line)],
      grandTotal: (directTotal + totalOf(lines) + totalOf(derived.unassigned.map((u) => u.line))) as Money,
    };
  }

  return {
    periodCost,
    /** Recurring hidden costs of the month not yet accrued at `now` (for the forecast). */
    async hiddenStillToCome(month: Period, now: Date, soFarCost?: PeriodCost): Promise<Map<number, Money>> {
      const [full, soFar] = await Promise.all([periodCost(month, month.to), soFarCost ?? periodCost(month, now)]);
      const out = new Map<number, Money>();
      for (const [teamId, t] of full.teams) {
        const done = soFar.teams.get(teamId);
        const rest = (t.hiddenTotal + t.allocated - (done ? done.hiddenTotal + done.allocated : 0n)) as Money;
        out.set(teamId, rest > 0n ? rest : (0n as Money));
      }
      return out;
    },
  };
}

export type TrueCostService = ReturnType<typeof trueCostService>;
