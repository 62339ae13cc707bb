import { add, allocate, nanos, ratio, roundToCents, sub, ZERO, type Money } from './money.ts';

/**
 * Revenue against AI cost to serve, per customer and per plan. Pure.
 *
 * The customer allocation rule: a customer carries its own direct API spend, plus a share of its
 * team's hidden and allocated shared costs in proportion to the customer's direct API spend within that
 * team, month by month (`allocateShared` with the `direct_spend` rule, largest remainder). Spend with no
 * customer id takes its proportional share too, and that part stays "not carried by a customer"
 * (internal use); so does a team's hidden cost in a month it had no API spend to split by.
 */
export const NO_PLAN = '(no plan)';

/**
 * `a.localeCompare(b)` (the same default collation), without building its collator on every call: 10,000
 * customers are sorted a few times per answer (issue 25).
 */
const byName = new Intl.Collator().compare;

/**
 * One customer's direct API spend in a month, per team (parallel arrays; team null: none). A customer may
 * come in several rows (its aliases, resolved to it) and a team more than once; they are added up.
 */
export interface CustomerSpend {
  customer: string | null;
  teamIds: (number | null)[];
  amounts: Money[];
}

export interface MonthInput {
  month: string;
  /** Hidden + allocated shared cost per team for the month (from the true cost). */
  teamExtra: Map<number, Money>;
  /** Direct API spend per (canonical) customer and team; null customer = no customer id. */
  spend: CustomerSpend[];
  revenue: { customer: string; amount: Money; plan: string | null }[];
}

export interface CustomerCost {
  direct: Money;
  shared: Money;
}

export interface MonthResult {
  customers: Map<string, CustomerCost & { revenue: Money | null; plan: string | null }>;
  /** Direct + shared cost no customer carries. */
  notCarried: Money;
}

/**
 * Each team's customers are split between in name order (the collator's, null as ''; names it finds equal
 * by their code units), which decides who gets a split's odd nanodollars. A total order, so the figures do
 * not depend on the order the database returned the rows in.
 */
function byNameTotal(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return byName(x, y) || (x < y ? -1 : x > y ? 1 : 0);
}

/**
 * One month: each customer's direct and shared cost, and its revenue. With 10,000 customers × teams this
 * is most of a margin's time (issue 25), so it works on arrays indexed by customer, sums in plain bigints,
 * and splits each team's extra among its customers in the order the rows came, with `allocate` breaking
 * ties in name order: the same parts as splitting them sorted by name, without sorting 10,000 names with
 * the collator.
 */
export function customerMonth(input: MonthInput): MonthResult {
  // One entry per customer: its teams and net spend in each (a customer's rows merged; the arrays of a
  // customer that came in one row with distinct teams are used as they are, and never written to).
  const index = new Map<string | null, number>();
  const names: (string | null)[] = [];
  const teamsOf: (number | null)[][] = [];
  const amountsOf: bigint[][] = [];
  const owned: boolean[] = [];
  const distinct = (ts: (number | null)[]) => {
    for (let k = 1; k < ts.length; k++) if (ts.lastIndexOf(ts[k]!, k - 1) >= 0) return false;
    return true;
  };
  for (const s of input.spend) {
    let i = index.get(s.customer);
    if (i === undefined && distinct(s.teamIds)) {
      index.set(s.customer, names.length);
      names.push(s.customer);
      teamsOf.push(s.teamIds);
      amountsOf.push(s.amounts);
      owned.push(false);
      continue;
    }
    if (i === undefined) {
      i = names.length;
      index.set(s.customer, i);
      names.push(s.customer);
      teamsOf.push([]);
      amountsOf.push([]);
      owned.push(true);
    } else if (!owned[i]) {
      teamsOf[i] = [...teamsOf[i]!];
      amountsOf[i] = [...amountsOf[i]!];
      owned[i] = true;
    }
    const ts = teamsOf[i]!;
    const as = amountsOf[i]!;
    for (let k = 0; k < s.teamIds.length; k++) {
      const j = ts.indexOf(s.teamIds[k]!);
      if (j < 0) {
        ts.push(s.teamIds[k]!);
        as.push(s.amounts[k]!);
      } else as[j] = as[j]! + s.amounts[k]!;
    }
  }
  const n = names.length;
  const direct: bigint[] = new Array(n);
  const shared: bigint[] = new Array(n).fill(0n);
  let notCarried = 0n;
  // The teams with an extra to split, and each one's customers (index) with positive net spend there.
  const split = new Map<number, { who: number[]; weights: bigint[] }>();
  for (const [teamId, extra] of input.teamExtra) if (extra !== 0n) split.set(teamId, { who: [], weights: [] });
  for (let i = 0; i < n; i++) {
    const ts = teamsOf[i]!;
    const as = amountsOf[i]!;
    let d = 0n;
    for (let k = 0; k < ts.length; k++) {
      const w = as[k]!;
      d += w;
      const t = ts[k]!;
      if (w > 0n && t !== null) {
        const s = split.get(t);
        if (s) {
          s.who.push(i);
          s.weights.push(w);
        }
      }
    }
    direct[i] = d;
    if (names[i] === null) notCarried += d;
  }
  for (const [teamId, { who, weights }] of split) {
    const extra = input.teamExtra.get(teamId)!;
    // The `direct_spend` rule of allocateShared (domain/allocation.ts): by each part's spend, a net credit
    // counting as none; with no positive spend the whole extra stays unallocated.
    if (!weights.length) {
      notCarried += extra;
      continue;
    }
    const parts = allocate(extra, weights, (a, b) => byNameTotal(names[who[a]!]!, names[who[b]!]!));
    for (let k = 0; k < who.length; k++) {
      const i = who[k]!;
      if (names[i] === null) notCarried += parts[k]!;
      else shared[i] = shared[i]! + parts[k]!;
    }
  }
  const customers: MonthResult['customers'] = new Map();
  for (let i = 0; i < n; i++) {
    const c = names[i]!;
    if (c !== null) customers.set(c, { direct: direct[i] as Money, shared: shared[i] as Money, revenue: null, plan: null });
  }
  // The row naming the plan of a customer with several in the month (`namesPlan`).
  const top = new Map<string, { amount: Money; plan: string | null }>();
  for (const r of input.revenue) {
    let c = customers.get(r.customer);
    if (!c) customers.set(r.customer, (c = { direct: ZERO, shared: ZERO, revenue: null, plan: null }));
    const best = c.revenue === null ? null : (top.get(r.customer) ?? { amount: c.revenue, plan: c.plan });
    if (best === null || namesPlan(r, best)) {
      c.plan = r.plan;
      if (best !== null) top.set(r.customer, r);
    } else top.set(r.customer, best);
    c.revenue = add(c.revenue ?? ZERO, r.amount);
  }
  return { customers, notCarried: nanos(notCarried) };
}

/**
 * Whether revenue row `a` rather than `b` names the plan of a customer with several in a month (ids merged
 * as aliases): the larger amount; equal amounts, the plan that sorts last. Whatever order the rows come
 * in, `margin` and `customer <id>` show the same plan.
 */
export function namesPlan(a: { amount: Money; plan: string | null }, b: { amount: Money; plan: string | null }): boolean {
  return a.amount > b.amount || (a.amount === b.amount && (a.plan ?? '') > (b.plan ?? ''));
}

export type Tier = 'lean' | 'disciplined' | 'typical' | 'attribution gaps' | 'out of control';

/** The benchmark tiers finance reads AI cost as a share of revenue by. */
export const TIERS: { tier: Tier; label: string }[] = [
  { tier: 'lean', label: 'under 3%: leaner than the usual range' },
  { tier: 'disciplined', label: '3–8%: disciplined' },
  { tier: 'typical', label: '8–20%: typical' },
  { tier: 'attribution gaps', label: '20–40%: attribution gaps' },
  { tier: 'out of control', label: 'over 40%: out of control' },
];

/** Tier of a cost/revenue share; null without revenue. Boundaries go to the lower tier (8% is disciplined). */
export function tierOf(cost: Money, revenue: Money | null): Tier | null {
  if (revenue === null || revenue <= 0n) return null;
  // Exact integer comparisons, no floats: cost/revenue < 3% ⇔ 100·cost < 3·revenue.
  const pct = (p: bigint) => cost * 100n <= revenue * p;
  if (cost * 100n < revenue * 3n) return 'lean';
  if (pct(8n)) return 'disciplined';
  if (pct(20n)) return 'typical';
  if (pct(40n)) return 'attribution gaps';
  return 'out of control';
}

export interface MarginRow {
  customer: string;
  plan: string;
  /** Displayed (whole cents; parts foot to the totals). Null revenue: none imported. */
  revenue: Money | null;
  cost: Money;
  direct: Money;
  shared: Money;
  margin: Money;
  /** AI cost as a share of revenue (from the exact figures), null without revenue. */
  costShare: number | null;
  tier: Tier | null;
}

export interface PlanRow {
  plan: string;
  customers: number;
  revenue: Money;
  cost: Money;
  margin: Money;
  costShare: number | null;
  tier: Tier | null;
}

export interface MarginFigures {
  months: string[];
  customers: MarginRow[];
  plans: PlanRow[];
  totals: { revenue: Money; cost: Money; margin: Money; costShare: number | null; tier: Tier | null };
  costNoRevenue: string[];
  revenueNoCost: string[];
  notCarried: Money;
}

/**
 * Combines months into the margin figures, rounded for display so that every column foots: each
 * customer's cost (and revenue) is its exact amount rounded once, half away from zero (one figure per
 * customer, the same in `customer <id>`); its direct part too, and the shared part is the rest; margins are
 * displayed revenue minus displayed cost, and plan and grand totals are sums of the displayed customer rows
 * (so a total can differ from its exact amount rounded by up to half a cent per row).
 * Order: customers served at a loss first (revenue below cost, largest loss first), then the highest AI
 * cost share, then the customers with cost but no revenue imported (largest cost first): a customer
 * whose revenue was never imported is not a loss-maker, and ranking it as one hid the real ones.
 */
export function marginFigures(months: string[], results: MonthResult[]): MarginFigures {
  // Each customer's exact figures over the months (one month's are read as they are: 10,000 customers).
  type Exact = { direct: bigint; shared: bigint; revenue: bigint | null; plan: string | null };
  let exact: Map<string, Exact>;
  let notCarried = 0n;
  if (results.length === 1) {
    exact = results[0]!.customers;
    notCarried = results[0]!.notCarried;
  } else {
    const acc = new Map<string, Exact & { lastMonth: number }>();
    results.forEach((r, mi) => {
      notCarried += r.notCarried;
      for (const [customer, c] of r.customers) {
        const a = acc.get(customer) ?? { direct: 0n, shared: 0n, revenue: null, plan: null, lastMonth: -1 };
        a.direct += c.direct;
        a.shared += c.shared;
        if (c.revenue !== null) {
          a.revenue = (a.revenue ?? 0n) + c.revenue;
          // The plan shown is the one on the customer's latest revenue month.
          if (mi >= a.lastMonth) {
            a.plan = c.plan;
            a.lastMonth = mi;
          }
        }
        acc.set(customer, a);
      }
    });
    exact = acc;
  }
  // One figure per customer (decision 21): its cost is its exact cost rounded once, whatever the other
  // rows, so `customer <id>` can show the same cents from that customer's figures alone. Direct and
  // shared foot to it: the direct part rounds on its own, the shared part is the rest.
  const n = exact.size;
  const rows: MarginRow[] = new Array(n);
  const exactCosts: bigint[] = new Array(n);
  // The order's keys (see below): group, then a float of the first key (exact ties decided by `first`),
  // then the cost share.
  const group = new Uint8Array(n);
  const key = new Float64Array(n);
  const first: bigint[] = new Array(n);
  let exactCostSum = 0n;
  let exactRevenueSum = 0n;
  let i = 0;
  for (const [customer, e] of exact) {
    const exactCost = e.direct + e.shared;
    const c = roundToCents(nanos(exactCost));
    const d = roundToCents(nanos(e.direct));
    const rev = e.revenue === null ? null : roundToCents(nanos(e.revenue));
    const margin = sub(rev ?? ZERO, c);
    const costShare = e.revenue === null || e.revenue === 0n ? null : ratio(nanos(exactCost), nanos(e.revenue));
    rows[i] = {
      customer,
      plan: e.revenue === null ? '(no revenue)' : (e.plan ?? NO_PLAN),
      revenue: rev,
      cost: c,
      direct: d,
      shared: sub(c, d),
      margin,
      costShare,
      tier: tierOf(nanos(exactCost), e.revenue === null ? null : nanos(e.revenue)),
    };
    exactCosts[i] = exactCost;
    exactCostSum += exactCost;
    exactRevenueSum += e.revenue ?? 0n;
    // Customers served at a loss (largest loss first), then the others with revenue, then those with
    // cost but no revenue imported (largest cost first).
    if (rev === null) {
      group[i] = 2;
      first[i] = -c;
    } else if (margin < 0n) {
      group[i] = 0;
      first[i] = margin;
    } else {
      group[i] = 1;
      first[i] = 0n;
    }
    key[i] = Number(first[i]!);
    i++;
  }
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => {
    if (group[a] !== group[b]) return group[a]! - group[b]!;
    // A float of the key never reverses its order; only equal floats need the exact comparison.
    if (key[a] !== key[b]) return key[a]! - key[b]!;
    if (first[a] !== first[b]) return first[a]! < first[b]! ? -1 : 1;
    if (group[a] !== 2) {
      const sa = rows[a]!.costShare ?? Infinity;
      const sb = rows[b]!.costShare ?? Infinity;
      if (sa !== sb) return sb - sa;
    }
    // Names the collator finds equal (NFC and NFD spellings) by their code units: a total order.
    return byNameTotal(rows[a]!.customer, rows[b]!.customer);
  });
  const customers = order.map((k) => rows[k]!);
  const planMap = new Map<
    string,
    { plan: string; customers: number; revenue: bigint; cost: bigint; margin: bigint; exactCost: bigint; exactRevenue: bigint }
  >();
  let totalRevenue = 0n;
  let totalCost = 0n;
  for (const k of order) {
    const r = rows[k]!;
    let p = planMap.get(r.plan);
    if (!p) planMap.set(r.plan, (p = { plan: r.plan, customers: 0, revenue: 0n, cost: 0n, margin: 0n, exactCost: 0n, exactRevenue: 0n }));
    p.customers++;
    p.revenue += r.revenue ?? 0n;
    p.cost += r.cost;
    p.margin += r.margin;
    p.exactCost += exactCosts[k]!;
    p.exactRevenue += exact.get(r.customer)!.revenue ?? 0n;
    totalRevenue += r.revenue ?? 0n;
    totalCost += r.cost;
  }
  const plans: PlanRow[] = [...planMap.values()].map((p) => ({
    plan: p.plan,
    customers: p.customers,
    revenue: nanos(p.revenue),
    cost: nanos(p.cost),
    margin: nanos(p.margin),
    costShare: p.exactRevenue > 0n ? ratio(nanos(p.exactCost), nanos(p.exactRevenue)) : null,
    tier: tierOf(nanos(p.exactCost), p.exactRevenue > 0n ? nanos(p.exactRevenue) : null),
  }));
  plans.sort((a, b) => (a.margin === b.margin ? a.plan.localeCompare(b.plan) : a.margin < b.margin ? -1 : 1));
  const exactCost = nanos(exactCostSum);
  const exactRevenue = nanos(exactRevenueSum);
  return {
    months,
    customers,
    plans,
    totals: {
      revenue: nanos(totalRevenue),
      cost: nanos(totalCost),
      margin: nanos(totalRevenue - totalCost),
      costShare: exactRevenue > 0n ? ratio(exactCost, exactRevenue) : null,
      tier: tierOf(exactCost, exactRevenue > 0n ? exactRevenue : null),
    },
    costNoRevenue: order.filter((k) => rows[k]!.revenue === null && rows[k]!.cost !== 0n).map((k) => rows[k]!.customer),
    revenueNoCost: order.filter((k) => rows[k]!.revenue !== null && exactCosts[k] === 0n).map((k) => rows[k]!.customer),
    notCarried: roundToCents(nanos(notCarried)),
  };
}
