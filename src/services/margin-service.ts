import { footCents } from '../domain/footing.ts';
import { customerMonth, marginFigures, type MarginFigures, type MarginRow, type MonthResult } from '../domain/margin.ts';
import { add, ZERO, type Money } from '../domain/money.ts';
import { elapsed, monthPeriod, previousMonth, type Period } from '../domain/periods.ts';
import { closest } from '../domain/suggest.ts';
import type { Viewer } from './visibility.ts';

/**
 * `/aicost margin` and `/aicost customer`: revenue against the true AI cost to serve (see
 * domain/margin.ts for the allocation rule). Finance only: revenue per customer is commercially
 * confidential, and a margin is only meaningful with every team's shared costs in it.
 */
export interface MarginDeps {
  revenue: {
    forMonths(months: string[]): Promise<{ customer: string; month: string; amount: Money; plan: string | null }[]>;
    aliases(): Promise<Map<string, string>>;
    knownCustomers(): Promise<string[]>;
  };
  costs: {
    teamCustomerSummary(f: { from: Date; to: Date }): Promise<{ teamId: number | null; customer: string | null; amount: Money }[]>;
    customerBreakdown(
      f: { from: Date; to: Date },
      customers: string[],
    ): Promise<{ featureId: number | null; model: string | null; amount: Money; count: number; unpriced: number }[]>;
    knownCustomers(): Promise<string[]>;
    /** Whether any cost was recorded under one of these customer ids. */
    hasCustomer(names: string[]): Promise<boolean>;
  };
  trueCost: { periodCost(period: Period, now: Date): Promise<{ teams: Map<number, { hiddenTotal: Money; allocated: Money }> }> };
  features(): Promise<{ id: number; slug: string }[]>;
  timeZone: string;
}

export interface MarginReport {
  kind: 'margin';
  label: string;
  /** Costs counted up to here (a running month). */
  asOf: Date;
  running: boolean;
  figures: MarginFigures;
}

export interface CustomerReport {
  kind: 'customer';
  customer: string;
  aliases: string[];
  label: string;
  asOf: Date;
  running: boolean;
  /** The customer's line in the period's margin (null when it has neither cost nor revenue in it). */
  row: MarginRow | null;
  /** Direct API cost by feature and model, displayed figures footing to `row.direct`. */
  breakdown: { feature: string; model: string; amount: Money; calls: number }[];
  unpricedCalls: number;
  trend: { month: string; revenue: Money | null; cost: Money; margin: Money; costShare: number | null }[];
}

export type MarginAnswer = MarginReport | CustomerReport | { kind: 'refused' } | { kind: 'unknown-customer'; typed: string; suggestions: string[] };

export const TREND_MONTHS = 6;

export function marginService(deps: MarginDeps) {
  const { timeZone } = deps;

  async function monthResult(month: string, now: Date, aliases: Map<string, string>): Promise<MonthResult | null> {
    const period = monthPeriod(month, timeZone);
    if (period.from >= now) return null;
    const window = elapsed(period, now);
    const [summary, cost, revenue] = await Promise.all([
      deps.costs.teamCustomerSummary({ from: window.from, to: window.to }),
      deps.trueCost.periodCost(period, now),
      deps.revenue.forMonths([month]),
    ]);
    const teamExtra = new Map<number, Money>();
    for (const [id, t] of cost.teams) teamExtra.set(id, add(t.hiddenTotal, t.allocated));
    return customerMonth({
      month,
      teamExtra,
      spend: summary.map((s) => ({ teamId: s.teamId, customer: s.customer === null ? null : (aliases.get(s.customer) ?? s.customer), amount: s.amount })),
      revenue: revenue.map((r) => ({ customer: aliases.get(r.customer) ?? r.customer, amount: r.amount, plan: r.plan })),
    });
  }

  async function results(months: string[], now: Date, aliases: Map<string, string>): Promise<Map<string, MonthResult>> {
    const out = new Map<string, MonthResult>();
    // One month at a time: each is a full true-cost computation, and the database serves others too.
    for (const m of months) {
      const r = await monthResult(m, now, aliases);
      if (r) out.set(m, r);
    }
    return out;
  }

  const labelOf = (months: string[]) =>
    months.length === 1
      ? monthPeriod(months[0]!, timeZone).label
      : `${monthPeriod(months[0]!, timeZone).label} to ${monthPeriod(months[months.length - 1]!, timeZone).label}`;
  const windowOf = (months: string[], now: Date) => {
    const from = monthPeriod(months[0]!, timeZone).from;
    const to = monthPeriod(months[months.length - 1]!, timeZone).to;
    return { from, to: now < to ? (now > from ? now : from) : to, running: now < to };
  };

  return {
    /** Revenue and margin are finance's under either policy (the operator's terminal reads as finance). */
    async margin(viewer: Viewer, months: string[], now: Date): Promise<MarginAnswer> {
      if (!viewer.finance) return { kind: 'refused' };
      const aliases = await deps.revenue.aliases();
      const r = await results(months, now, aliases);
      const w = windowOf(months, now);
      return {
        kind: 'margin',
        label: labelOf(months),
        asOf: w.to,
        running: w.running,
        figures: marginFigures(
          months,
          months.flatMap((m) => (r.has(m) ? [r.get(m)!] : [])),
        ),
      };
    },

    async customer(viewer: Viewer, typed: string, months: string[], now: Date): Promise<MarginAnswer> {
      if (!viewer.finance) return { kind: 'refused' };
      const aliases = await deps.revenue.aliases();
      const customer = aliases.get(typed) ?? typed;
      const names = [customer, ...[...aliases].filter(([, c]) => c === customer).map(([a]) => a)];
      const canonical = (c: string) => aliases.get(c) ?? c;
      const withRevenue = await deps.revenue.knownCustomers();
      // Known when revenue or cost was recorded under a name that resolves to it: one lookup of those
      // names, not a list of every customer (10,000 in a B2B ledger), which only a suggestion needs.
      const seen = withRevenue.some((c) => canonical(c) === customer) || (await deps.costs.hasCustomer(names.filter((n) => canonical(n) === customer)));
      if (!seen) {
        const known = new Set([...(await deps.costs.knownCustomers()), ...withRevenue].map(canonical));
        return { kind: 'unknown-customer', typed, suggestions: closest(typed, [...known], 5) };
      }

      const trendMonths: string[] = [months[months.length - 1]!];
      while (trendMonths.length < TREND_MONTHS) trendMonths.unshift(previousMonth(trendMonths[0]!));
      const all = await results([...new Set([...trendMonths, ...months])].sort(), now, aliases);
      const figures = marginFigures(
        months,
        months.flatMap((m) => (all.has(m) ? [all.get(m)!] : [])),
      );
      const row = figures.customers.find((c) => c.customer === customer) ?? null;
      const w = windowOf(months, now);
      const [rows, features] = await Promise.all([deps.costs.customerBreakdown({ from: w.from, to: w.to }, names), deps.features()]);
      const slug = new Map(features.map((f) => [f.id, f.slug]));
      const sorted = rows
        .map((r) => ({
          feature: r.featureId === null ? '(no feature)' : (slug.get(r.featureId) ?? `feature #${r.featureId}`),
          model: r.model ?? '(no model)',
          exact: r.amount,
          calls: r.count,
          unpriced: r.unpriced,
        }))
        .sort((a, b) => (a.exact === b.exact ? a.feature.localeCompare(b.feature) : a.exact > b.exact ? -1 : 1));
      const footed = footCents(
        sorted.map((r) => r.exact),
        row?.direct,
      );
      const trend = trendMonths.map((m) => {
        const f = all.has(m) ? marginFigures([m], [all.get(m)!]) : null;
        const c = f?.customers.find((x) => x.customer === customer);
        return { month: m, revenue: c?.revenue ?? null, cost: c?.cost ?? ZERO, margin: c?.margin ?? ZERO, costShare: c?.costShare ?? null };
      });
      return {
        kind: 'customer',
        customer,
        aliases: names.slice(1),
        label: labelOf(months),
        asOf: w.to,
        running: w.running,
        row,
        breakdown: sorted.map((r, i) => ({ feature: r.feature, model: r.model, amount: footed.parts[i]!, calls: r.calls })),
        unpricedCalls: sorted.reduce((s, r) => s + r.unpriced, 0),
        trend,
      };
    },
  };
}

export type MarginService = ReturnType<typeof marginService>;
