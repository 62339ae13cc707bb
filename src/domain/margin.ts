import { add, allocate, nanos, ratio, roundToCents, sub, sum, ZERO, type Money } from './money.ts';

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

export interface MonthInput {
  month: string;
  /** Hidden + allocated shared cost per team for the month (from the true cost). */
  teamExtra: Map<number, Money>;
  /** Direct API spend per team and (canonical) customer; null customer = no customer id. */
  spend: { teamId: number | null; customer: string | null; amount: Money }[];
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
 * is most of a margin's time (issue 25), so it sums in plain bigints, and splits each team's extra among
 * its customers in the order the database returned them, with `allocate` breaking ties in name order:
 * the same parts as splitting them sorted by name, without sorting 10,000 names with the collator (which
 * took 40 ms of a margin with hidden costs).
 */
export function customerMonth(input: MonthInput): MonthResult {
  const direct = new Map<string, bigint>();
  const shared = new Map<string, bigint>();
  let notCarried = 0n;
  const splits = [...input.teamExtra].some(([, extra]) => extra !== 0n);
  const byTeam = new Map<number | null, Map<string | null, bigint>>();
  for (const s of input.spend) {
    if (splits) {
      let t = byTeam.get(s.teamId);
      if (!t) byTeam.set(s.teamId, (t = new Map()));
      t.set(s.customer, (t.get(s.customer) ?? 0n) + s.amount);
    }
    if (s.customer === null) notCarried += s.amount;
    else direct.set(s.customer, (direct.get(s.customer) ?? 0n) + s.amount);
  }
  for (const [teamId, extra] of input.teamExtra) {
    if (extra === 0n) continue;
    // The `direct_spend` rule of allocateShared (domain/allocation.ts): by each part's spend, a net credit
    // counting as none; with no positive spend the whole extra stays unallocated.
    const who: (string | null)[] = [];
    const weights: bigint[] = [];
    for (const [n, w] of byTeam.get(teamId) ?? []) {
      if (w > 0n) {
        who.push(n);
        weights.push(w);
      }
    }
    if (!weights.length) {
      notCarried += extra;
      continue;
    }
    const parts = allocate(extra, weights, (i, j) => byNameTotal(who[i]!, who[j]!));
    for (let i = 0; i < who.length; i++) {
      const c = who[i]!;
      if (c === null) notCarried += parts[i]!;
      else shared.set(c, (shared.get(c) ?? 0n) + parts[i]!);
    }
  }
  const customers: MonthResult['customers'] = new Map();
  const get = (c: string) => {
    let v = customers.get(c);
    if (!v) customers.set(c, (v = { direct: ZERO, shared: ZERO, revenue: null, plan: null }));
    return v;
  };
  for (const [c, amount] of direct) get(c).direct = nanos(amount);
  for (const [c, amount] of shared) get(c).shared = nanos(amount);
  for (const r of input.revenue) {
    const c = get(r.customer);
    c.revenue = add(c.revenue ?? ZERO, r.amount);
    c.plan = r.plan;
  }
  return { customers, notCarried: nanos(notCarried) };
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
  const acc = new Map<string, { direct: bigint; shared: bigint; revenue: bigint | null; plan: string | null; lastMonth: number }>();
  let notCarried = 0n;
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
  // One figure per customer (decision 21): its cost is its exact cost rounded once, whatever the other
  // rows, so `customer <id>` can show the same cents from that customer's figures alone. Direct and
  // shared foot to it: the direct part rounds on its own, the shared part is the rest.
  const rows: MarginRow[] = [];
  for (const [customer, e] of acc) {
    const exactCost = e.direct + e.shared;
    const c = roundToCents(nanos(exactCost));
    const d = roundToCents(nanos(e.direct));
    const rev = e.revenue === null ? null : roundToCents(nanos(e.revenue));
    rows.push({
      customer,
      plan: e.revenue === null ? '(no revenue)' : (e.plan ?? NO_PLAN),
      revenue: rev,
      cost: c,
      direct: d,
      shared: sub(c, d),
      margin: sub(rev ?? ZERO, c),
      costShare: e.revenue === null || e.revenue === 0n ? null : ratio(nanos(exactCost), nanos(e.revenue)),
      tier: tierOf(nanos(exactCost), e.revenue === null ? null : nanos(e.revenue)),
    });
  }
  rows.sort((a, b) => {
    const na = a.revenue === null,
      nb = b.revenue === null;
    if (na !== nb) return na ? 1 : -1;
    if (na) return a.cost === b.cost ? byNameTotal(a.customer, b.customer) : a.cost > b.cost ? -1 : 1;
    const la = a.margin < 0n,
      lb = b.margin < 0n;
    if (la !== lb) return la ? -1 : 1;
    if (la && a.margin !== b.margin) return a.margin < b.margin ? -1 : 1;
    const sa = a.costShare ?? Infinity,
      sb = b.costShare ?? Infinity;
    if (sa !== sb) return sb - sa;
    // Names the collator finds equal (NFC and NFD spellings) by their code units: a total order.
    return byNameTotal(a.customer, b.customer);
  });
  const planMap = new Map<string, PlanRow & { exactCost: bigint; exactRevenue: bigint }>();
  for (const r of rows) {
    const e = acc.get(r.customer)!;
    const p = planMap.get(r.plan) ?? {
      plan: r.plan,
      customers: 0,
      revenue: ZERO,
      cost: ZERO,
      margin: ZERO,
      costShare: null,
      tier: null,
      exactCost: 0n,
      exactRevenue: 0n,
    };
    p.customers++;
    p.revenue = add(p.revenue, r.revenue ?? ZERO);
    p.cost = add(p.cost, r.cost);
    p.margin = add(p.margin, r.margin);
    p.exactCost += e.direct + e.shared;
    p.exactRevenue += e.revenue ?? 0n;
    planMap.set(r.plan, p);
  }
  const plans = [...planMap.values()].map(({ exactCost, exactRevenue, ...p }) => ({
    ...p,
    costShare: exactRevenue > 0n ? ratio(nanos(exactCost), nanos(exactRevenue)) : null,
    tier: tierOf(nanos(exactCost), exactRevenue > 0n ? nanos(exactRevenue) : null),
  }));
  plans.sort((a, b) => (a.margin === b.margin ? a.plan.localeCompare(b.plan) : a.margin < b.margin ? -1 : 1));
  const totalRevenue = sum(rows.map((r) => r.revenue ?? ZERO));
  const totalCost = sum(rows.map((r) => r.cost));
  let exactCostSum = 0n;
  let exactRevenueSum = 0n;
  for (const e of acc.values()) {
    exactCostSum += e.direct + e.shared;
    exactRevenueSum += e.revenue ?? 0n;
  }
  const exactCost = nanos(exactCostSum);
  const exactRevenue = nanos(exactRevenueSum);
  return {
    months,
    customers: rows,
    plans,
    totals: {
      revenue: totalRevenue,
      cost: totalCost,
      margin: sub(totalRevenue, totalCost),
      costShare: exactRevenue > 0n ? ratio(exactCost, exactRevenue) : null,
      tier: tierOf(exactCost, exactRevenue > 0n ? exactRevenue : null),
    },
    costNoRevenue: rows.filter((r) => r.revenue === null && r.cost !== 0n).map((r) => r.customer),
    revenueNoCost: rows.filter((r) => r.revenue !== null && exactOf(acc, r.customer) === 0n).map((r) => r.customer),
    notCarried: roundToCents(nanos(notCarried)),
  };
}

function exactOf(acc: Map<string, { direct: bigint; shared: bigint }>, customer: string): bigint {
  const a = acc.get(customer)!;
  return a.direct + a.shared;
}
