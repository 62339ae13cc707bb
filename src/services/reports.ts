import type { CostQueries, Dimension, GroupRow } from './ports/costs.ts';

type SummaryRow = Awaited<ReturnType<CostQueries['teamFeatureSummary']>>[number];
import type { FeatureRecord, TeamRecord, TeamsRepository } from './ports/teams.ts';
import { add, ratio, roundToCents, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { elapsed, previousComparable, type Period } from '../domain/periods.ts';
import { dayBoundaries, zipDays } from '../domain/series.ts';
import { closest } from '../domain/suggest.ts';
import type { TrueCostService } from './true-cost.ts';
import { OTHER_TEAMS, visibleTeams, type Viewer } from './visibility.ts';
import type { Failure } from '../domain/result.ts';

export const TOP_DIMENSIONS = ['teams', 'features', 'models', 'customers'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

/** View models: what a report says, independent of how Slack or the terminal shows it. */
export interface RankedRow {
  label: string;
  amount: Money;
  share: number;
  count: number;
  /** The same row's API spend in the previous comparable period (0 when it had none). */
  previous?: Money;
  /** True for the row that folds what the viewer may not see ("other teams", "other features"). */
  folded?: true;
}

/**
 * The organisation's API spend by team as every surface shows it: the sum of each team's own figure
 * (and the unattributed bucket's), each rounded once to cents, this period and the previous comparable
 * one. The same for every reader: a reader who may not see every team gets it too, so their folded row
 * is the sum of the other teams' own figures and the total matches finance's to the cent.
 */
export interface TeamFigures {
  now: Money;
  before: Money;
}

/** A total as `costs.total` gives it, from rows that partition it. */
function totalOf(rows: GroupRow[]): { amount: Money; count: number } {
  return { amount: sum(rows.map((r) => r.amount)), count: rows.reduce((n, r) => n + r.count, 0) };
}

function teamFigures(now: GroupRow[], before: GroupRow[]): TeamFigures {
  return { now: sum(now.map((r) => roundToCents(r.amount))), before: sum(before.map((r) => roundToCents(r.amount))) };
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
  /** With `teams`: the scope's (or organisation's) figure by team (see `TeamFigures`). */
  teamFigures?: TeamFigures;
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
  /** For `top teams`: the organisation's figure by team (see `TeamFigures`). */
  teamFigures?: TeamFigures;
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

/** What a viewer may not see, asked for by name: refused before anything of it is read. */
export interface NotVisible {
  kind: 'not-visible';
  failure: Failure;
}

export const notVisible = (name: string): NotVisible => ({ kind: 'not-visible', failure: { code: 'visibility.not-your-team', name } });

/** An unknown name, with suggestions only among the names the viewer may see. */
export function unknownName(what: 'team' | 'feature', typed: string, visible: string[]): UnknownName {
  return { kind: 'unknown', what, typed, suggestions: closest(typed, visible) };
}

export const UNATTRIBUTED = 'unattributed';
/** The row that folds other teams' features for a viewer who may not see them. */
export const OTHER_FEATURES = 'other teams\u2019 features';
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
  /** Customer aliases (alias → customer), so `top customers` counts an alias as its customer, as margin does. */
  customerAliases?: () => Promise<Map<string, string>>;
}

const TOP_FEATURES = 5;

/** Rows whose keys are aliases folded into their customer's row, largest first (ties by key, as `groupBy`). */
function resolveAliases(rows: GroupRow[], aliases: Map<string, string>): GroupRow[] {
  if (!aliases.size) return rows;
  const acc = new Map<string | null, GroupRow>();
  for (const r of rows) {
    const key = r.key === null ? null : (aliases.get(r.key) ?? r.key);
    const g = acc.get(key);
    if (g) {
      g.amount = add(g.amount, r.amount);
      g.count += r.count;
    } else acc.set(key, { ...r, key });
  }
  return [...acc.values()].sort((a, b) => (a.amount === b.amount ? (a.key ?? '').localeCompare(b.key ?? '') : a.amount > b.amount ? -1 : 1));
}

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

/**
 * The rows a viewer may not see, folded into one row: this period's amount and count are the organisation's
 * less the visible rows (never read row by row), and its previous figure is the same subtraction over the
 * previous period, so the folded row compares like with like.
 */
function foldedRow(
  label: string,
  total: { amount: Money; count: number },
  visible: GroupRow[],
  previousTotal: Money,
  previousVisible: GroupRow[],
): RankedRow | null {
  const amount = sub(total.amount, sum(visible.map((r) => r.amount)));
  const count = total.count - visible.reduce((n, r) => n + r.count, 0);
  const previous = sub(previousTotal, sum(previousVisible.map((r) => r.amount)));
  if (amount === 0n && count === 0 && previous === 0n) return null;
  return { label, amount, count, share: ratio(amount, total.amount), previous, folded: true };
}

export function reportService(deps: ReportDeps) {
  const { costs, teams, timeZone } = deps;

  /**
   * Every team's API spend (and the unattributed bucket's), this window and the previous one: read only
   * to compute the organisation's `TeamFigures` for a reader who may not see every team. The rows never
   * leave this service; the reader gets their sum.
   */
  async function orgTeamRows(window: { from: Date; to: Date }, prev: { from: Date; to: Date }): Promise<{ now: GroupRow[]; before: GroupRow[] }> {
    const [now, before] = await Promise.all([
      costs.groupBy('team', { from: window.from, to: window.to }),
      costs.groupBy('team', { from: prev.from, to: prev.to }),
    ]);
    return { now, before };
  }

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

  function comparison(label: string, total: Money, rows: RankedRow[], previousRows: GroupRow[], name: (key: string | null) => string): Comparison {
    const byLabel = new Map(previousRows.map((r) => [name(r.key), r.amount]));
    for (const r of rows) if (r.previous !== undefined) byLabel.set(r.label, r.previous);
    return { label, total, rows: byLabel };
  }

  async function featureLabel(): Promise<(key: string | null) => string> {
    const features = new Map((await teams.listFeatures()).map((f: FeatureRecord) => [String(f.id), f.slug]));
    return (key) => (key === null ? NO_VALUE.feature : (features.get(key) ?? `feature #${key}`));
  }

  async function teamLabel(): Promise<(key: string | null) => string> {
    const all = new Map((await teams.list()).map((t) => [String(t.id), t.slug]));
    return (key) => (key === null ? UNATTRIBUTED : (all.get(key) ?? `team #${key}`));
  }

  /**
   * Spend of one or more teams, or of the whole organisation when `scope` is null. For a viewer who does
   * not see every team, the organisation's view reads only the viewer's teams (and the unattributed
   * bucket) row by row; everything else is the organisation's total less those rows, in one folded row.
   */
  async function spend(viewer: Viewer, scope: { title: string; teams: TeamRecord[] } | null, period: Period, now: Date): Promise<SpendReport> {
    const window = elapsed(period, now);
    const prev = previousComparable(period, now, timeZone);
    const folded = scope === null && !viewer.all;
    const rowFilter = scope ? { teamIds: scope.teams.map((t) => t.id) } : folded ? { teamIds: [...(viewer.scope ?? []), null] } : {};
    const totalFilter = scope ? rowFilter : {};
    const { days, boundaries } = dayBoundaries(period, timeZone, window.to);
    const [summary, daily, fLabel, tLabel, prevSummary, orgTeams] = await Promise.all([
      costs.teamFeatureSummary({ from: window.from, to: window.to, ...rowFilter }),
      costs.intervalTotals(totalFilter, boundaries),
      featureLabel(),
      teamLabel(),
      costs.teamFeatureSummary({ from: prev.from, to: prev.to, ...rowFilter }),
      folded ? orgTeamRows(window, prev) : null,
    ]);
    const orgNow = orgTeams ? totalOf(orgTeams.now) : null;
    const orgBefore = orgTeams ? totalOf(orgTeams.before) : null;
    const prevByTeam = rollup(prevSummary, 'teamId');
    const byTeam = rollup(summary, 'teamId');
    // Features of the viewer's own teams only: the unattributed bucket's features belong to no team.
    const ownFeatures = (rows: SummaryRow[]) => (folded ? rows.filter((r) => r.teamId !== null) : rows);
    const byFeature = rollup(ownFeatures(summary), 'featureId');
    const prevByFeature = rollup(ownFeatures(prevSummary), 'featureId');
    const unpriced = summary.reduce((n, r) => n + r.unpriced, 0);
    const total = orgNow ? orgNow.amount : sum(byTeam.map((r) => r.amount));
    const count = orgNow ? orgNow.count : byTeam.reduce((n, r) => n + r.count, 0);
    const previousTotal = orgBefore ? orgBefore.amount : sum(prevByTeam.map((r) => r.amount));
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
    const teamRows = scope && scope.teams.length === 1 ? [] : ranked(byTeam, tLabel, total, prevByTeam);
    const figures = orgTeams ? teamFigures(orgTeams.now, orgTeams.before) : teamFigures(byTeam, prevByTeam);
    const featureRows = ranked(byFeature.slice(0, TOP_FEATURES), fLabel, total, prevByFeature, TOP_FEATURES);
    if (folded) {
      const otherTeams = foldedRow(OTHER_TEAMS, orgNow!, byTeam, previousTotal, prevByTeam);
      if (otherTeams) teamRows.push(otherTeams);
      const otherFeatures = foldedRow(OTHER_FEATURES, orgNow!, byFeature, previousTotal, prevByFeature);
      if (otherFeatures) featureRows.push(otherFeatures);
    }
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
      teams: teamRows,
      ...(teamRows.length ? { teamFigures: figures } : {}),
      topFeatures: featureRows,
      previous: comparison(prev.label, previousTotal, featureRows, prevByFeature, fLabel),
      daily: zipDays(days, daily),
      coverage: unattributed === null ? null : total === 0n ? 1 : ratio(sub(total, unattributed), total),
      unattributed,
      unpriced,
    };
  }

  const dimensionOf: Record<TopDimension, Dimension> = { teams: 'team', features: 'feature', models: 'model', customers: 'customer' };

  return {
    /** One team, if the viewer may see it; an unknown name is answered with the viewer's own teams. */
    async team(viewer: Viewer, slug: string, period: Period, now: Date): Promise<SpendReport | UnknownName | NotVisible> {
      const team = await teams.bySlug(slug);
      if (!team)
        return unknownName(
          'team',
          slug,
          visibleTeams(viewer, await teams.list()).map((t) => t.slug),
        );
      if (!viewer.sees(team.id)) return notVisible(`Team ${slug}`);
      return spend(viewer, { title: `Team ${team.name}`, teams: [team] }, period, now);
    },

    /**
     * `/aicost` alone: in the channel of a team the viewer may see, that team; otherwise the teams the
     * viewer leads or belongs to; otherwise the organisation (other teams folded for who may not see them).
     */
    async overview(viewer: Viewer, channelId: string | null, period: Period, now: Date): Promise<SpendReport> {
      if (channelId) {
        const team = await teams.byChannel(channelId);
        if (team && viewer.sees(team.id)) return spend(viewer, { title: `Team ${team.name}`, teams: [team] }, period, now);
      }
      const mine = viewer.teams;
      if (mine.length === 1) return spend(viewer, { title: `Team ${mine[0]!.name}`, teams: mine }, period, now);
      if (mine.length > 1) return spend(viewer, { title: `Your teams: ${mine.map((t) => t.name).join(', ')}`, teams: mine }, period, now);
      return spend(viewer, null, period, now);
    },

    /**
     * A ranking. A viewer who does not see every team gets the rows of their own teams (and, for teams, the
     * unattributed bucket), the rest folded into one row; customers are finance's (or everyone's, open).
     */
    async top(viewer: Viewer, dimension: TopDimension, period: Period, now: Date): Promise<TopReport | NotVisible> {
      if (!viewer.all && dimension === 'customers') return { kind: 'not-visible', failure: { code: 'customers.finance-only' } };
      const window = elapsed(period, now);
      const prev = previousComparable(period, now, timeZone);
      const dim = dimensionOf[dimension];
      const folded = !viewer.all;
      const mine = viewer.scope ?? [];
      const scoped = folded ? { teamIds: dim === 'team' ? [...mine, null] : mine } : {};
      const filter = { from: window.from, to: window.to, ...scoped };
      const prevFilter = { from: prev.from, to: prev.to, ...scoped };
      const aliases = dim === 'customer' && deps.customerAliases ? await deps.customerAliases() : new Map<string, string>();
      const read = async (f: typeof filter) => {
        // Both at once: on PostgreSQL they run side by side (a ranking of 10,000 customers is most of it).
        const [summary, grouped] = await Promise.all([costs.teamFeatureSummary(f), dim === 'team' || dim === 'feature' ? null : costs.groupBy(dim, f)]);
        const rows = dim === 'team' ? rollup(summary, 'teamId') : dim === 'feature' ? rollup(summary, 'featureId') : resolveAliases(grouped!, aliases);
        return { summary, rows };
      };
      // Folded teams: the organisation's totals are the sums of every team's row (read once for the
      // figures); folded features or models: the organisation's totals and its unattributed part.
      // 10,000 customers: the previous period is read for the customers shown (and their aliases) and
      // its total, when the ranking is full (no room for who spent before and nothing now; issue 25).
      const cur = await read(filter);
      const shownKeys = cur.rows.slice(0, TOP_ROWS).map((r) => r.key);
      const onlyShown = dim === 'customer' && !folded && cur.rows.length >= TOP_ROWS && !shownKeys.includes(null);
      const previousOfShown = async () => {
        const canonical = new Set(shownKeys as string[]);
        const names = [...canonical, ...[...aliases].filter(([, c]) => canonical.has(c)).map(([a]) => a)];
        const [rows, total] = await Promise.all([costs.groupBy(dim, { ...prevFilter, customers: names }), costs.total(prevFilter)]);
        return { rows: resolveAliases(rows, aliases), total: total.amount };
      };
      const [before, orgTeams, orgTotals, unattributedNow] = await Promise.all([
        onlyShown ? previousOfShown() : read(prevFilter).then((b) => ({ rows: b.rows, total: null })),
        folded && dim === 'team' ? orgTeamRows(window, prev) : null,
        folded && dim !== 'team' ? Promise.all([costs.total({ from: window.from, to: window.to }), costs.total({ from: prev.from, to: prev.to })]) : null,
        folded && dim !== 'team' ? costs.total({ from: window.from, to: window.to, teamIds: [null] }) : null,
      ]);
      const orgNow = orgTeams ? totalOf(orgTeams.now) : (orgTotals?.[0] ?? null);
      const orgBefore = orgTeams ? totalOf(orgTeams.before) : (orgTotals?.[1] ?? null);
      const unpriced = cur.summary.reduce((n, r) => n + r.unpriced, 0);
      const total = orgNow ? orgNow.amount : sum(cur.rows.map((r) => r.amount));
      const previousTotal = orgBefore ? orgBefore.amount : (before.total ?? sum(before.rows.map((r) => r.amount)));
      const unattributed = unattributedNow
        ? unattributedNow.amount
        : ((dim === 'team' ? cur.rows : rollup(cur.summary, 'teamId')).find((r) => r.key === null)?.amount ?? ZERO);
      const label = dim === 'team' ? await teamLabel() : dim === 'feature' ? await featureLabel() : (key: string | null) => key ?? NO_VALUE[dim];
      const rows = ranked(cur.rows.slice(0, TOP_ROWS), label, total, before.rows);
      if (folded) {
        const other = foldedRow(dim === 'feature' ? OTHER_FEATURES : OTHER_TEAMS, orgNow!, cur.rows, previousTotal, before.rows);
        if (other) rows.push(other);
      }
      return {
        kind: 'top',
        dimension,
        period,
        asOf: window.to,
        total,
        rows,
        ...(dim === 'team' ? { teamFigures: orgTeams ? teamFigures(orgTeams.now, orgTeams.before) : teamFigures(cur.rows, before.rows) } : {}),
        previous: comparison(prev.label, previousTotal, rows, before.rows, label),
        unattributed,
        coverage: total === 0n ? 1 : ratio(sub(total, unattributed), total),
        unpriced,
      };
    },
  };
}

export type ReportService = ReturnType<typeof reportService>;
