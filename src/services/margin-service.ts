import { footCents } from '../domain/footing.ts';
import { customerMonth, marginFigures, namesPlan, type CustomerSpend, type MarginFigures, type MarginRow, type MonthResult } from '../domain/margin.ts';
import { add, nanos, ZERO, type Money } from '../domain/money.ts';
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
    /** The months' revenue, in any order (one row per customer and month). */
    forMonths(months: string[]): Promise<{ customer: string; month: string; amount: Money; plan: string | null }[]>;
    /** `forMonths` of some customer ids only, by month, then customer. */
    forCustomersInMonths(months: string[], customers: string[]): Promise<{ customer: string; month: string; amount: Money; plan: string | null }[]>;
    aliases(): Promise<Map<string, string>>;
    knownCustomers(): Promise<string[]>;
    /** Whether any revenue was recorded under one of these customer ids. */
    hasCustomer(names: string[]): Promise<boolean>;
  };
  costs: {
    /** Direct spend per customer id as the sources report it (aliases unresolved), per team. */
    customerSpend(f: { from: Date; to: Date }): Promise<CustomerSpend[]>;
    /** Direct spend per (team, customer) of these customer ids only. */
    teamCustomerSummaryOf(f: { from: Date; to: Date }, names: string[]): Promise<{ teamId: number | null; customer: string | null; amount: Money }[]>;
    /** The customer ids (null: none) that have a negative entry in the period. */
    negativeCustomers(f: { from: Date; to: Date }): Promise<(string | null)[]>;
    customerBreakdown(
      f: { from: Date; to: Date },
      customers: string[],
    ): Promise<{ featureId: number | null; model: string | null; amount: Money; count: number; unpriced: number }[]>;
    knownCustomers(): Promise<string[]>;
    /** Whether any cost was recorded under one of these customer ids. */
    hasCustomer(names: string[]): Promise<boolean>;
  };
  trueCost: { periodCost(period: Period, now: Date): Promise<{ teams: Map<number, { direct: Money; hiddenTotal: Money; allocated: Money }> }> };
  features(): Promise<{ id: number; slug: string }[]>;
  /**
   * Change counters of what a month's margin reads from the ledger and the revenue table
   * (db/repositories/data-versions.ts). With them, a complete month is computed once per change of its
   * inputs and reused; without, every answer computes it.
   */
  versions?: { monthKey(f: { from: Date; to: Date }, month: string): Promise<string> };
  timeZone: string;
}

/**
 * Complete months kept computed (per process): a year and the month before it, enough for `margin` over a
 * year and every customer's 6-month trend. With 10,000 customers a month and its figures hold about 5 MB.
 */
const KEPT_MONTHS = 13;

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

/** Whether two sets of one customer's months show that customer the same figures (every displayed field). */
function sameFigures(months: string[], a: MonthResult[], b: MonthResult[], customer: string): boolean {
  const row = (rs: MonthResult[]) => marginFigures(months, rs).customers.find((c) => c.customer === customer);
  const x = row(a);
  const y = row(b);
  if (!x || !y) return x === y;
  return (
    x.cost === y.cost &&
    x.direct === y.direct &&
    x.shared === y.shared &&
    x.margin === y.margin &&
    x.revenue === y.revenue &&
    x.costShare === y.costShare &&
    x.tier === y.tier &&
    x.plan === y.plan
  );
}

export function marginService(deps: MarginDeps) {
  const { timeZone } = deps;

  /**
   * Complete months already computed, with the key of their inputs: the ledger's and revenue's change
   * counters for the month (read before the data), each team's hidden and shared cost for it (computed
   * afresh every time: it depends on hidden costs, allocation rules, bills and adjustments, and is cheap)
   * and the customer aliases. A month whose key is unchanged is reused as it was computed: the same
   * function of the same inputs. A running month is never kept (its end is `now`).
   */
  const kept = new Map<string, { key: string; result: MonthResult }>();
  const aliasKey = (aliases: Map<string, string>) => JSON.stringify([...aliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const extraKey = (teamExtra: Map<number, Money>) =>
    JSON.stringify([...teamExtra].map(([id, v]) => [id, String(v)]).sort(([a], [b]) => Number(a) - Number(b)));

  async function monthResult(month: string, now: Date, aliases: Map<string, string>): Promise<MonthResult | null> {
    const period = monthPeriod(month, timeZone);
    if (period.from >= now) return null;
    const window = elapsed(period, now);
    const complete = window.to.getTime() === period.to.getTime();
    const version = complete && deps.versions ? await deps.versions.monthKey({ from: window.from, to: window.to }, month) : null;
    const previous = version === null ? undefined : kept.get(month);
    // Computed before: its teams' costs first, then the rest only if the key changed. Else all at once.
    const costFirst = previous ? await deps.trueCost.periodCost(period, now) : null;
    const teamExtraOf = (cost: { teams: Map<number, { hiddenTotal: Money; allocated: Money }> }) => {
      const out = new Map<number, Money>();
      for (const [id, t] of cost.teams) out.set(id, add(t.hiddenTotal, t.allocated));
      return out;
    };
    const key = (teamExtra: Map<number, Money>) => `${version}|${extraKey(teamExtra)}|${aliasKey(aliases)}`;
    if (previous && costFirst && previous.key === key(teamExtraOf(costFirst))) {
      // The least recently used month is the one dropped.
      kept.delete(month);
      kept.set(month, previous);
      return previous.result;
    }
    const [summary, cost, revenue] = await Promise.all([
      deps.costs.customerSpend({ from: window.from, to: window.to }),
      costFirst ?? deps.trueCost.periodCost(period, now),
      deps.revenue.forMonths([month]),
    ]);
    const teamExtra = teamExtraOf(cost);
    const result = customerMonth({
      month,
      teamExtra,
      // Without aliases the rows are used as they are: a month of 10,000 customers.
      spend: aliases.size ? summary.map((s) => ({ ...s, customer: s.customer === null ? null : (aliases.get(s.customer) ?? s.customer) })) : summary,
      revenue: aliases.size ? revenue.map((r) => ({ customer: aliases.get(r.customer) ?? r.customer, amount: r.amount, plan: r.plan })) : revenue,
    });
    if (version !== null) {
      kept.delete(month);
      kept.set(month, { key: key(teamExtra), result });
      for (const m of kept.keys()) if (kept.size > KEPT_MONTHS) kept.delete(m);
    }
    return result;
  }

  /**
   * One customer's month from its own figures (issue 25), without every customer's: its direct spend per
   * team, and in each team with hidden or shared costs its part of them, `extra × its spend ÷ the team's
   * positive spend` (customerMonth's `direct_spend` split). The team's positive spend is its total direct
   * spend (from the true cost) plus what the customers whose net spend there is negative take off it; only
   * a customer with a negative entry in the month can be one, so only those are read. The split's largest
   * remainder gives some parts one nanodollar more, which only every customer's remainder can tell: the
   * answer is two results, with and without those nanodollars (`lo`, `hi`); the exact one lies between
   * them. Null when spend with no customer has a negative entry (read the whole month then).
   */
  async function ownMonth(
    month: string,
    now: Date,
    customer: string,
    names: string[],
    revenue: Promise<{ customer: string; month: string; amount: Money; plan: string | null }[]>,
    aliases: Map<string, string>,
  ): Promise<{ lo: MonthResult; hi: MonthResult } | null | 'none'> {
    const period = monthPeriod(month, timeZone);
    if (period.from >= now) return 'none';
    const window = elapsed(period, now);
    const f = { from: window.from, to: window.to };
    const [own, all] = await Promise.all([deps.costs.teamCustomerSummaryOf(f, names), revenue]);
    const mine = all.filter((r) => r.month === month);
    const one = (direct: bigint, shared: bigint): MonthResult => {
      const customers: MonthResult['customers'] = new Map();
      if (own.length || mine.length) {
        const c = { direct: nanos(direct), shared: nanos(shared), revenue: null as Money | null, plan: null as string | null };
        let top: (typeof mine)[number] | null = null;
        for (const r of mine) {
          c.revenue = add(c.revenue ?? ZERO, r.amount);
          if (top === null || namesPlan(r, top)) top = r;
        }
        c.plan = top?.plan ?? null;
        customers.set(customer, c);
      }
      return { customers, notCarried: ZERO };
    };
    // No spend of its own: no share of anything, whatever the month's costs.
    if (!own.length) return { lo: one(0n, 0n), hi: one(0n, 0n) };
    const [cost, negative] = await Promise.all([deps.trueCost.periodCost(period, now), deps.costs.negativeCustomers(f)]);
    if (negative.includes(null)) return null;
    // Customers (canonical) whose net spend in a team may be negative: their net per team.
    const canonical = (c: string) => aliases.get(c) ?? c;
    const negatives = new Set(negative.map((c) => canonical(c!)));
    const negativeNet = new Map<string, bigint>();
    if (negatives.size) {
      const all = [...negatives, ...[...aliases].filter(([, c]) => negatives.has(c)).map(([a]) => a)];
      for (const r of await deps.costs.teamCustomerSummaryOf(f, all)) {
        const k = `${r.teamId}\u0000${canonical(r.customer!)}`;
        negativeNet.set(k, (negativeNet.get(k) ?? 0n) + r.amount);
      }
    }
    const positiveCorrection = new Map<number | null, bigint>();
    for (const [k, net] of negativeNet) {
      if (net >= 0n) continue;
      const team = k.slice(0, k.indexOf('\u0000'));
      const id = team === 'null' ? null : Number(team);
      positiveCorrection.set(id, (positiveCorrection.get(id) ?? 0n) - net);
    }
    const byTeam = new Map<number | null, bigint>();
    for (const r of own) byTeam.set(r.teamId, (byTeam.get(r.teamId) ?? 0n) + r.amount);
    let direct = 0n;
    for (const v of byTeam.values()) direct += v;
    let lo = 0n;
    let hi = 0n;
    for (const [teamId, t] of cost.teams) {
      const extra: bigint = add(t.hiddenTotal, t.allocated);
      const weight = byTeam.get(teamId) ?? 0n;
      if (extra === 0n || weight <= 0n) continue;
      const positive = t.direct + (positiveCorrection.get(teamId) ?? 0n);
      const base = (extra * weight) / positive;
      lo += extra < 0n ? base - 1n : base;
      hi += extra > 0n ? base + 1n : base;
    }
    return { lo: one(direct, lo), hi: one(direct, hi) };
  }

  /**
   * One month's figures, computed once per computed month (a kept month is the same object until its inputs
   * change) and frozen, so no reader can change what the next one is shown.
   */
  const figuresOf = new WeakMap<MonthResult, MarginFigures>();
  function monthFigures(month: string, result: MonthResult): MarginFigures {
    const known = figuresOf.get(result);
    if (known && known.months[0] === month) return known;
    const f = marginFigures([month], [result]);
    for (const row of f.customers) Object.freeze(row);
    for (const plan of f.plans) Object.freeze(plan);
    for (const list of [f.months, f.customers, f.plans, f.costNoRevenue, f.revenueNoCost, f.totals]) Object.freeze(list);
    Object.freeze(f);
    figuresOf.set(result, f);
    return f;
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

  /**
   * The customer's months (only its own entry in each), with exactly the cents `margin` shows: from its own
   * figures (`ownMonth`) where the odd nanodollars of the split cannot change a displayed figure (nearly
   * always), else from the whole month.
   */
  async function ownResults(
    months: string[],
    period: string[],
    now: Date,
    customer: string,
    names: string[],
    aliases: Map<string, string>,
  ): Promise<Map<string, MonthResult>> {
    const revenue = deps.revenue.forCustomersInMonths(months, names);
    const exact = new Map<string, MonthResult>();
    const bounds = new Map<string, { lo: MonthResult; hi: MonthResult }>();
    const whole = async (m: string) => {
      bounds.delete(m);
      const r = await monthResult(m, now, aliases);
      const c = r?.customers.get(customer);
      if (r) exact.set(m, { customers: c ? new Map([[customer, c]]) : new Map(), notCarried: ZERO });
    };
    // The months side by side: each is a few small reads (the customer's own buckets, the month's true
    // cost), and one after the other they were most of the answer on PostgreSQL (four months of 10-20 ms).
    const [owns] = await Promise.all([Promise.all(months.map((m) => ownMonth(m, now, customer, names, revenue, aliases))), revenue]);
    for (const [i, m] of months.entries()) {
      const own = owns[i]!;
      if (own === 'none') continue;
      if (own !== null && sameFigures([m], [own.lo], [own.hi], customer)) bounds.set(m, own);
      else await whole(m);
    }
    // The period's line: the odd nanodollars of several months add up.
    const pick = (side: 'lo' | 'hi') => period.flatMap((m) => (exact.has(m) ? [exact.get(m)!] : bounds.has(m) ? [bounds.get(m)![side]] : []));
    if (!sameFigures(period, pick('lo'), pick('hi'), customer)) for (const m of period) if (bounds.has(m)) await whole(m);
    const out = new Map<string, MonthResult>();
    for (const m of months) {
      const r = exact.get(m) ?? bounds.get(m)?.lo;
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
      const list = months.flatMap((m) => (r.has(m) ? [r.get(m)!] : []));
      return {
        kind: 'margin',
        label: labelOf(months),
        asOf: w.to,
        running: w.running,
        figures: list.length === 1 && months.length === 1 ? monthFigures(months[0]!, list[0]!) : marginFigures(months, list),
      };
    },

    async customer(viewer: Viewer, typed: string, months: string[], now: Date): Promise<MarginAnswer> {
      if (!viewer.finance) return { kind: 'refused' };
      const aliases = await deps.revenue.aliases();
      const customer = aliases.get(typed) ?? typed;
      const names = [customer, ...[...aliases].filter(([, c]) => c === customer).map(([a]) => a)];
      const canonical = (c: string) => aliases.get(c) ?? c;
      // Known when revenue or cost was recorded under a name that resolves to it: lookups of those names,
      // not a list of every customer (10,000 in a B2B ledger, 30,000 revenue rows), which only a suggestion needs.
      const own = names.filter((n) => canonical(n) === customer);
      const seen = (await Promise.all([deps.revenue.hasCustomer(own), deps.costs.hasCustomer(own)])).some(Boolean);
      if (!seen) {
        const known = new Set([...(await deps.costs.knownCustomers()), ...(await deps.revenue.knownCustomers())].map(canonical));
        return { kind: 'unknown-customer', typed, suggestions: closest(typed, [...known], 5) };
      }

      const trendMonths: string[] = [months[months.length - 1]!];
      while (trendMonths.length < TREND_MONTHS) trendMonths.unshift(previousMonth(trendMonths[0]!));
      const w = windowOf(months, now);
      // Its months, and its spend by feature and model over the period, side by side.
      const [all, rows, features] = await Promise.all([
        ownResults([...new Set([...trendMonths, ...months])].sort(), months, now, customer, names, aliases),
        deps.costs.customerBreakdown({ from: w.from, to: w.to }, names),
        deps.features(),
      ]);
      const figures = marginFigures(
        months,
        months.flatMap((m) => (all.has(m) ? [all.get(m)!] : [])),
      );
      const row = figures.customers.find((c) => c.customer === customer) ?? null;
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
