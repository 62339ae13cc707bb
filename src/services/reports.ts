import type { CostQueries, Dimension, GroupRow } from './ports/costs.ts';

type SummaryRow = Awaited<ReturnType<CostQueries['teamFeatureSummary']>>[number];
import type { FeatureRecord, TeamRecord, TeamsRepository } from './ports/teams.ts';
import { add, ratio, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { elapsed, previousComparable, type Period } from '../domain/periods.ts';
import { dayBoundaries, zipDays } from '../domain/series.ts';
import { closest } from '../domain/suggest.ts';
import type { TrueCostService } from './true-cost.ts';
import type { TopDimension } from '../commands/command-text.ts';

/** View models: what a report says, independent of how Slack or the terminal shows it. */
export interface RankedRow {
  label: string;
  amount: Money;
  share: number;
  count: number;
  /** The same row's API spend in the previous comparable period (0 when it had none). */
  previous?: Money;
}

/** The previous comparable period's API spend (see `previousComparable`). */
export interface Comparison {
  label: string;
  total: Money;
  /** Rows that were in the previous period but not in this one's ranking (dropped out), by label. */
  rows: Map<string, Money>;
}

export interface SpendReport {
  kind: 'spend';
  title: string;
  period: Period;
  /** Spend counted up to this instant (now, for a running period). */
  asOf: Date;
  total: Money;
  count: number;
  /** Per-team rows for multi-team scopes, including an "unattributed" row when present. */
  teams: RankedRow[];
  topFeatures: RankedRow[];
  daily: { day: string; amount: Money }[];
  /** Share of spend attributed to a team (only for the organisation scope). */
  coverage: number | null;
  /** Hidden costs of the scope by category, its allocated shared costs, and (organisation only) what no team carries. */
  hidden: Map<string, Money>;
  allocated: Money;
  unallocated: Money | null;
  /** total (direct) + hidden + allocated (+ unallocated for the organisation). */
  trueTotal: Money;
  unattributed: Money | null;
  unpriced: number;
  previous?: Comparison;
}

export interface TopReport {
  kind: 'top';
  dimension: TopDimension;
  period: Period;
  asOf: Date;
  total: Money;
  rows: RankedRow[];
  unattributed: Money;
  coverage: number;
  unpriced: number;
  previous?: Comparison;
}

export interface UnknownName {
  kind: 'unknown';
  what: 'team' | 'feature';
  typed: string;
  suggestions: string[];
}

export const UNATTRIBUTED = 'unattributed';
const NO_VALUE: Record<Exclude<Dimension, 'team'>, string> = {
  feature: '(no feature)',
  model: '(no model)',
  customer: '(no customer)',
  environment: '(no environment)',
  source: '(no source)',
  category: '(no category)',
};

export interface ReportDeps {
  costs: CostQueries;
  trueCost: TrueCostService;
  hiddenEntries: () => Promise<unknown[]>;
  /** Whether derived costs exist (provider bills, FOCUS imports), which also need the true-cost pass. */
  hasDerivedCosts?: () => Promise<boolean>;
  teams: TeamsRepository;
  timeZone: string;
}

const TOP_FEATURES = 5;

/** Totals per team or per feature from the (team, feature) summary, largest first. */
function rollup(rows: SummaryRow[], key: 'teamId' | 'featureId'): GroupRow[] {
  const acc = new Map<string | null, GroupRow>();
  for (const r of rows) {
    const k = r[key] === null ? null : String(r[key]);
    const g = acc.get(k) ?? { key: k, amount: ZERO, count: 0 };
    g.amount = add(g.amount, r.amount);
    g.count += r.count;
    acc.set(k, g);
  }
  return [...acc.values()].sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1));
}
const TOP_ROWS = 15;

export function reportService(deps: ReportDeps) {
  const { costs, teams, timeZone } = deps;

  function ranked(rows: GroupRow[], label: (key: string | null) => string, total: Money, previous?: GroupRow[], maxRows = TOP_ROWS): RankedRow[] {
    const before = new Map((previous ?? []).map((r) => [r.key, r.amount]));
    const out: RankedRow[] = rows.map((r) => ({
      label: label(r.key),
      amount: r.amount,
      count: r.count,
      share: ratio(r.amount, total),
      ...(previous ? { previous: before.get(r.key) ?? ZERO } : {}),
    }));
    // What spent last period and nothing now is a mover too: listed with $0.00 (while there is room).
    const shown = new Set(rows.map((r) => r.key));
    for (const p of previous ?? []) {
      if (out.length >= maxRows || shown.has(p.key) || p.amount === 0n) continue;
      out.push({ label: label(p.key), amount: ZERO, count: 0, share: 0, previous: p.amount });
    }
    return out;
  }

  function comparison(label: string, rows: GroupRow[], name: (key: string | null) => string): Comparison {
    return { label, total: sum(rows.map((r) => r.amount)), rows: new Map(rows.map((r) => [name(r.key), r.amount])) };
  }

  async function featureLabel(): Promise<(key: string | null) => string> {
    const features = new Map((await teams.listFeatures()).map((f: FeatureRecord) => [String(f.id), f.slug]));
    return (key) => (key === null ? NO_VALUE.feature : (features.get(key) ?? `feature #${key}`));
  }

  async function teamLabel(): Promise<(key: string | null) => string> {
    const all = new Map((await teams.list()).map((t) => [String(t.id), t.slug]));
    return (key) => (key === null ? UNATTRIBUTED : (all.get(key) ?? `team #${key}`));
  }

  /** Spend of one or more teams, or of the whole organisation when `scope` is null. */
  async function spend(scope: { title: string; teams: TeamRecord[] } | null, period: Period, now: Date): Promise<SpendReport> {
    const window = elapsed(period, now);
    const scopeFilter = scope ? { teamIds: scope.teams.map((t) => t.id) } : {};
    const { days, boundaries } = dayBoundaries(period, timeZone, window.to);
    const prev = previousComparable(period, now, timeZone);
    const [summary, daily, fLabel, tLabel, prevSummary] = await Promise.all([
      costs.teamFeatureSummary({ from: window.from, to: window.to, ...scopeFilter }),
      costs.intervalTotals(scopeFilter, boundaries),
      featureLabel(),
      teamLabel(),
      costs.teamFeatureSummary({ from: prev.from, to: prev.to, ...scopeFilter }),
    ]);
    const prevByTeam = rollup(prevSummary, 'teamId');
    const prevByFeature = rollup(prevSummary, 'featureId');
    const byTeam = rollup(summary, 'teamId');
    const byFeature = rollup(summary, 'featureId');
    const unpriced = summary.reduce((n, r) => n + r.unpriced, 0);
    const total = sum(byTeam.map((r) => r.amount));
    const count = byTeam.reduce((n, r) => n + r.count, 0);
    const unattributed = scope ? null : (byTeam.find((r) => r.key === null)?.amount ?? ZERO);
    // The hidden part of the iceberg, only computed when there are hidden costs at all.
    const hidden = new Map<string, Money>();
    let allocated = ZERO;
    let unallocated: Money | null = scope ? null : ZERO;
    if ((await deps.hiddenEntries()).length || (await deps.hasDerivedCosts?.())) {
      const cost = await deps.trueCost.periodCost(period, now);
      const inScope = scope ? scope.teams.map((t) => cost.teams.get(t.id)) : [...cost.teams.values()];
      for (const t of inScope) {
        if (!t) continue;
        for (const [c, a] of t.hidden) hidden.set(c, add(hidden.get(c) ?? ZERO, a));
        allocated = add(allocated, t.allocated);
      }
      if (!scope) unallocated = cost.unallocated;
    }
    const trueTotal = add(total, sum(hidden.values()), allocated, unallocated ?? ZERO);
    return {
      hidden,
      allocated,
      unallocated,
      trueTotal,
      kind: 'spend',
      title: scope ? scope.title : 'Organisation',
      period,
      asOf: window.to,
      total,
      count,
      teams: scope && scope.teams.length === 1 ? [] : ranked(byTeam, tLabel, total, prevByTeam),
      topFeatures: ranked(byFeature.slice(0, TOP_FEATURES), fLabel, total, prevByFeature, TOP_FEATURES),
      previous: comparison(prev.label, prevByFeature, fLabel),
      daily: zipDays(days, daily),
      coverage: unattributed === null ? null : total === 0n ? 1 : ratio(sub(total, unattributed), total),
      unattributed,
      unpriced,
    };
  }

  const dimensionOf: Record<TopDimension, Dimension> = { teams: 'team', features: 'feature', models: 'model', customers: 'customer' };

  return {
    spend,

    async team(slug: string, period: Period, now: Date): Promise<SpendReport | UnknownName> {
      const team = await teams.bySlug(slug);
      if (!team) {
        const known = (await teams.list()).map((t) => t.slug);
        return { kind: 'unknown', what: 'team', typed: slug, suggestions: closest(slug, known) };
      }
      return spend({ title: `Team ${team.name}`, teams: [team] }, period, now);
    },

    /**
     * `/aicost` alone: in a team's channel, that team; otherwise the teams the user leads or belongs to;
     * otherwise the organisation.
     */
    async overview(ctx: { userId: string; channelId: string | null }, period: Period, now: Date): Promise<SpendReport> {
      if (ctx.channelId) {
        const team = await teams.byChannel(ctx.channelId);
        if (team) return spend({ title: `Team ${team.name}`, teams: [team] }, period, now);
      }
      const mine = (await teams.list()).filter((t) => t.leadUserIds.includes(ctx.userId) || t.memberUserIds.includes(ctx.userId));
      if (mine.length === 1) return spend({ title: `Team ${mine[0]!.name}`, teams: mine }, period, now);
      if (mine.length > 1) return spend({ title: `Your teams: ${mine.map((t) => t.name).join(', ')}`, teams: mine }, period, now);
      return spend(null, period, now);
    },

    async top(dimension: TopDimension, period: Period, now: Date): Promise<TopReport> {
      const window = elapsed(period, now);
      const filter = { from: window.from, to: window.to };
      const dim = dimensionOf[dimension];
      const summary = await costs.teamFeatureSummary(filter);
      const rows = dim === 'team' ? rollup(summary, 'teamId') : dim === 'feature' ? rollup(summary, 'featureId') : await costs.groupBy(dim, filter);
      const prev = previousComparable(period, now, timeZone);
      const prevFilter = { from: prev.from, to: prev.to };
      const prevSummary = dim === 'team' || dim === 'feature' ? await costs.teamFeatureSummary(prevFilter) : null;
      const prevRows =
        dim === 'team' ? rollup(prevSummary!, 'teamId') : dim === 'feature' ? rollup(prevSummary!, 'featureId') : await costs.groupBy(dim, prevFilter);
      const byTeam = dim === 'team' ? rows : rollup(summary, 'teamId');
      const unpriced = summary.reduce((n, r) => n + r.unpriced, 0);
      const total = sum(rows.map((r) => r.amount));
      const unattributed = byTeam.find((r) => r.key === null)?.amount ?? ZERO;
      const label = dim === 'team' ? await teamLabel() : dim === 'feature' ? await featureLabel() : (key: string | null) => key ?? NO_VALUE[dim];
      return {
        kind: 'top',
        dimension,
        period,
        asOf: window.to,
        total,
        rows: ranked(rows.slice(0, TOP_ROWS), label, total, prevRows),
        previous: comparison(prev.label, prevRows, label),
        unattributed,
        coverage: total === 0n ? 1 : ratio(sub(total, unattributed), total),
        unpriced,
      };
    },
  };
}

export type ReportService = ReturnType<typeof reportService>;
