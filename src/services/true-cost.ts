import type { CostQueries } from './ports/costs.ts';
import type { HiddenCostsRepository } from './ports/hidden-costs.ts';
import type { TeamsRepository } from './ports/teams.ts';
import type { AllocationBasis, AllocationRule } from '../domain/allocation.ts';
import { attributeHiddenCosts } from '../domain/hidden-cost-attribution.ts';
import { hiddenCostsForMonth, hiddenCostsForPeriod, totalOf, type HiddenCostLine, type Volume } from '../domain/hidden-costs.ts';
import { add, allocate, nanos, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { dayKey, dayStart, elapsed, type Period } from '../domain/periods.ts';
import { isUnobservedCategory } from '../domain/reconciliation.ts';

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

export function trueCostService(deps: { costs: CostQueries; hidden: HiddenCostsRepository; teams: TeamsRepository; timeZone: string; derived?: DerivedLines }) {
  const { costs, hidden, teams, timeZone } = deps;

  async function periodCost(period: Period, now: Date, opts: { withUsage?: boolean } = {}): Promise<PeriodCost> {
    const window = elapsed(period, now);
    const filter = { from: window.from, to: window.to };
    // Bills' derived lines depend on none of the others: read with them (PostgreSQL runs them at once).
    const [summary, entries, features, allTeams, derived] = await Promise.all([
      costs.teamFeatureSummary(filter),
      hidden.active(),
      teams.listFeatures(),
      teams.list(),
      deps.derived ? deps.derived.lines(window, now) : { lines: [], unassigned: [] },
    ]);
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
    const lines = [...entered, ...derived.lines];

    const directByTeam = new Map<number | null, Money>();
    const featureDirect = new Map<number, Money>();
    for (const r of summary) {
      directByTeam.set(r.teamId, add(directByTeam.get(r.teamId) ?? ZERO, r.amount));
      if (r.featureId !== null) featureDirect.set(r.featureId, add(featureDirect.get(r.featureId) ?? ZERO, r.amount));
    }
    // Every team is in the basis, with zero usage when it had none: an even split is over all teams,
    // while proportional rules give nothing to a team with no spend or usage.
    const usageByTeam = new Map(teamUsage.map((u) => [u.key, u]));
    const basis: AllocationBasis[] = allTeams.map((t) => {
      const u = usageByTeam.get(t.id);
      return {
        teamId: t.id,
        directSpend: directByTeam.get(t.id) ?? ZERO,
        requests: u?.requests ?? 0,
        tokens: u?.tokens ?? 0n,
        workItems: u?.workItems ?? 0,
      };
    });
    const attribution = attributeHiddenCosts(lines, basis, new Map(features.map((f) => [f.id, f.teamId])));
    // Unobserved API spend is shown as such on each team ("unobserved (OpenAI bill)"), never as "allocated".
    for (const t of attribution.teams.values()) {
      const moved = t.allocations.filter((a) => isUnobservedCategory(a.category));
      if (moved.length === 0) continue;
      t.allocations = t.allocations.filter((a) => !isUnobservedCategory(a.category));
      t.allocated = sub(t.allocated, sum(moved.map((a) => a.amount)));
      for (const a of moved) t.hidden.set(a.category, add(t.hidden.get(a.category) ?? ZERO, a.amount));
    }
    for (const u of derived.unassigned) {
      attribution.unallocated = add(attribution.unallocated, u.line.amount);
      attribution.unallocatedLines.push({ entry: u.line.entry, amount: u.line.amount, reason: u.reason });
    }

    const teamIds = new Set<number>([...directByTeam.keys()].filter((k): k is number => k !== null));
    for (const id of attribution.teams.keys()) teamIds.add(id);
    const requestsByTeam = new Map(teamUsage.map((u) => [u.key, u.requests]));
    const result = new Map<number, TeamTrueCost>();
    for (const teamId of teamIds) {
      const h = attribution.teams.get(teamId);
      const direct = directByTeam.get(teamId) ?? ZERO;
      const hiddenTotal = sum(h?.hidden.values() ?? []);
      const allocated = h?.allocated ?? ZERO;
      result.set(teamId, {
        teamId,
        direct,
        hidden: h?.hidden ?? new Map(),
        hiddenTotal,
        allocated,
        allocations: h?.allocations ?? [],
        total: add(direct, hiddenTotal, allocated),
        requests: requestsByTeam.get(teamId) ?? 0,
      });
    }
    const featureMap: PeriodCost['features'] = new Map();
    for (const f of features) {
      const usage = volumes.get(f.id);
      featureMap.set(f.id, {
        direct: featureDirect.get(f.id) ?? ZERO,
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
      unattributed: directByTeam.get(null) ?? ZERO,
      unallocated: attribution.unallocated,
      unallocatedReasons: attribution.unallocatedLines.map((l) => ({ entryId: l.entry.id, category: l.entry.category, amount: l.amount, reason: l.reason })),
      features: featureMap,
      directTotal,
      hiddenLines: [...lines, ...derived.unassigned.map((u) => u.line)],
      grandTotal: add(directTotal, totalOf(lines), totalOf(derived.unassigned.map((u) => u.line))),
    };
  }

  return {
    periodCost,
    /**
     * Recurring hidden costs of the month not yet accrued at `now` (for the forecast). A team's own
     * hidden costs still to come are its own. Shared costs still to come are split again: an even or
     * fixed rule keeps its shares, a rule that follows spend or usage uses each team's share of direct
     * spend over the 30 complete days before today (not the month to date), so one team's spike today does not move
     * another team's forecast. Exact (largest remainder); a pure function of the data and `now`.
     */
    async hiddenStillToCome(month: Period, now: Date, soFarCost?: PeriodCost): Promise<Map<number, Money>> {
      // The 30 complete local days before today: today's spend (a spike) does not move the shares.
      const today = dayStart(dayKey(now, timeZone), timeZone);
      const trailingFrom = dayStart(dayKey(new Date(today.getTime() - 30 * 86_400_000 + 12 * 3_600_000), timeZone), timeZone);
      const [full, soFar, trailing] = await Promise.all([
        periodCost(month, month.to),
        soFarCost ?? periodCost(month, now),
        costs.groupBy('team', { from: trailingFrom, to: today }),
      ]);
      const out = new Map<number, Money>();
      const add = (teamId: number, m: bigint) => out.set(teamId, nanos((out.get(teamId) ?? 0n) + m));
      // Own hidden costs.
      for (const [teamId, t] of full.teams) {
        const done = soFar.teams.get(teamId);
        const rest = t.hiddenTotal - (done?.hiddenTotal ?? 0n);
        add(teamId, rest > 0n ? rest : 0n);
      }
      // Shared costs, entry by entry.
      const byEntry = new Map<number, { rule: AllocationRule; full: Map<number, bigint>; done: bigint }>();
      for (const [teamId, t] of full.teams) {
        for (const a of t.allocations) {
          const e = byEntry.get(a.entryId) ?? { rule: a.rule, full: new Map(), done: 0n };
          e.full.set(teamId, (e.full.get(teamId) ?? 0n) + a.amount);
          byEntry.set(a.entryId, e);
        }
      }
      for (const t of soFar.teams.values())
        for (const a of t.allocations) {
          const e = byEntry.get(a.entryId);
          if (e) e.done += a.amount;
        }
      const trailingDirect = new Map(trailing.filter((r) => r.key !== null).map((r) => [Number(r.key), r.amount as bigint]));
      for (const e of byEntry.values()) {
        const fullTotal = [...e.full.values()].reduce((a, b) => a + b, 0n);
        const rest = nanos(fullTotal - e.done);
        if (rest <= 0n) continue;
        const teamIds = [...e.full.keys()].sort((a, b) => a - b);
        const follows = e.rule.type === 'direct_spend' || e.rule.type === 'usage';
        let weights = teamIds.map((id) => (follows ? (trailingDirect.get(id) ?? 0n) : (e.full.get(id) ?? 0n)));
        if (weights.every((w) => w <= 0n)) weights = teamIds.map((id) => e.full.get(id) ?? 0n);
        if (weights.every((w) => w <= 0n)) continue;
        allocate(
          rest,
          weights.map((w) => (w > 0n ? w : 0n)),
        ).forEach((m, i) => add(teamIds[i]!, m));
      }
      return out;
    },
  };
}

export type TrueCostService = ReturnType<typeof trueCostService>;
