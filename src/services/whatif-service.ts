import { mulInt, sub, sum, type Money } from '../domain/money.ts';
import { elapsed, type Period } from '../domain/periods.ts';
import { notVisible, unknownName, type NotVisible, type UnknownName } from './reports.ts';
import type { Viewer } from './visibility.ts';
import type { CallUsage, PriceTable } from './price-table.ts';

/**
 * Model what-if: a feature's actual calls (input, output and cached tokens, per model) re-priced on
 * another model at that model's price in force at each call's instant. It prices the same tokens;
 * it says nothing about whether the other model would do the job as well.
 *
 * - `target` a model: every call re-priced on it. If the table lacks its price on some call's date,
 *   no total is given and those dates are named (never a $0 price).
 * - `cheapest`: per model the feature used, the cheapest model of the same provider and family (see
 *   `PriceTable.familyModels`) that has a price for every call; models with none cheaper stay as they are.
 * - Calls whose own model has no known price (unpriced in the ledger) are left out of both sides and named.
 */
export interface WhatIfCall {
  occurredAt: Date;
  model: string | null;
  provider: string | null;
  teamId: number | null;
  featureId: number | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  amount: Money;
  pricedBy: string;
}

export interface WhatIfDeps {
  calls(f: { from: Date; to: Date }, featureIds: number[]): Promise<WhatIfCall[]>;
  features(): Promise<{ id: number; slug: string; teamId: number | null }[]>;
  prices: PriceTable;
}

export interface WhatIfModelRow {
  model: string;
  calls: number;
  input: number;
  cached: number;
  output: number;
  actual: Money;
  /**
   * The same calls at the list price of their own model (the table's price on each call's date): what
   * `wouldCost` is compared with, like with like (issue 21.3). The recorded cost can differ from it
   * (a source's own pricing, discounts, a wrong import); null when the table lacks a price on some date.
   */
  listCost: Money | null;
  /** The model priced instead (the target, or the cheapest of the family); null when none. */
  on: string | null;
  /** What the calls would have cost on `on`; null when it has no price on some of the calls' dates. */
  wouldCost: Money | null;
  /** UTC days on which `on` has no price in the table. */
  missingDays: string[];
}

export interface WhatIfResult {
  kind: 'whatif';
  feature: string;
  target: string | 'cheapest';
  /** The table's id of the target (explicit target only), null when the table does not know it. */
  targetId: string | null;
  period: Period;
  asOf: Date;
  rows: WhatIfModelRow[];
  /** Σ actual of the priced calls. */
  actual: Money;
  /** Σ list cost on the calls' own models; null when some row has none. */
  listCost: Money | null;
  /** Σ would-cost; null when some row could not be priced on the target. */
  wouldCost: Money | null;
  /** Calls on models the table does not price, left out of both sides. */
  unpricedModels: { model: string; calls: number }[];
}

export interface SavingCandidate {
  feature: string;
  from: string;
  to: string;
  /** Recorded cost of the calls. */
  actual: Money;
  /** The same calls at their own model's list price: the saving is measured from it. */
  listCost: Money;
  wouldCost: Money;
  /** listCost − wouldCost. */
  saving: Money;
}

export type WhatIfAnswer = WhatIfResult | UnknownName;

const usageOf = (c: WhatIfCall): CallUsage => ({ input: c.inputTokens, output: c.outputTokens, cacheRead: c.cacheReadTokens, cacheWrite: c.cacheWriteTokens });

/** Prices every call on `model` at its own instant; the days with no price are collected instead of counted as $0. */
function priceAll(prices: PriceTable, model: string, provider: string | null, calls: WhatIfCall[]): { total: Money | null; missingDays: string[] } {
  return prices.priceCalls(
    model,
    provider,
    calls.map((c) => ({ usage: usageOf(c), at: c.occurredAt })),
  );
}

/** The aggregate usage of some calls, priced once at their middle instant: only to rank candidates. */
function roughPrice(prices: PriceTable, model: string, provider: string, calls: WhatIfCall[]): Money | null {
  if (!calls.length) return null;
  const mid = calls[Math.floor(calls.length / 2)]!.occurredAt;
  // Rank on average-sized calls so tiered (long-context) prices are not triggered by the sum.
  const n = calls.length;
  const avg = (f: (c: WhatIfCall) => number) => Math.round(calls.reduce((s, c) => s + f(c), 0) / n);
  const usage = {
    input: avg((c) => c.inputTokens),
    output: avg((c) => c.outputTokens),
    cacheRead: avg((c) => c.cacheReadTokens),
    cacheWrite: avg((c) => c.cacheWriteTokens),
  };
  if (usage.cacheRead + usage.cacheWrite > usage.input) usage.input = usage.cacheRead + usage.cacheWrite;
  const p = prices.price(model, provider, usage, mid);
  return p === null ? null : mulInt(p, BigInt(n));
}

/** The cheapest same-provider, same-family model for these calls (exact per-call prices), or null. */
export function cheapestFor(
  prices: PriceTable,
  model: string,
  provider: string | null,
  calls: WhatIfCall[],
  /** The calls' list price on their own model: a candidate must cost less than that (like with like). */
  baseline: Money,
): { on: string; cost: Money } | null {
  if (!calls.length) return null;
  const known = prices.identify(model, provider, calls[0]!.occurredAt);
  if (!known) return null;
  const ranked = prices
    .familyModels(known.providerId, known.family)
    .filter((id) => id !== known.modelId)
    .map((id) => ({ id, rough: roughPrice(prices, id, known.providerId, calls) }))
    .filter((x): x is { id: string; rough: Money } => x.rough !== null)
    .sort((a, b) => (a.rough === b.rough ? a.id.localeCompare(b.id) : a.rough < b.rough ? -1 : 1));
  // Exact prices for the three best-ranked; the cheapest of those that price every call wins.
  let best: { on: string; cost: Money } | null = null;
  for (const c of ranked.slice(0, 3)) {
    const r = priceAll(prices, c.id, known.providerId, calls);
    if (r.total !== null && (best === null || r.total < best.cost)) best = { on: c.id, cost: r.total };
  }
  return best && best.cost < baseline ? best : null;
}

export function whatIfService(deps: WhatIfDeps) {
  const { prices } = deps;

  function byModel(calls: WhatIfCall[]) {
    const groups = new Map<string, { model: string; provider: string | null; calls: WhatIfCall[] }>();
    const unpriced = new Map<string, number>();
    for (const c of calls) {
      const model = c.model ?? '(no model)';
      if (c.pricedBy === 'unpriced' || c.model === null) {
        unpriced.set(model, (unpriced.get(model) ?? 0) + 1);
        continue;
      }
      const key = `${model}\u0000${c.provider ?? ''}`;
      const g = groups.get(key) ?? { model, provider: c.provider, calls: [] };
      g.calls.push(c);
      groups.set(key, g);
    }
    return { groups: [...groups.values()].sort((a, b) => a.model.localeCompare(b.model)), unpriced: [...unpriced].map(([model, n]) => ({ model, calls: n })) };
  }

  return {
    /** A feature's calls re-priced on another model, if the viewer may see the feature's team. */
    async whatIf(viewer: Viewer, featureSlug: string, target: string | 'cheapest', period: Period, now: Date): Promise<WhatIfAnswer | NotVisible> {
      const features = await deps.features();
      const feature = features.find((f) => f.slug === featureSlug);
      const visible = (f: { teamId: number | null }) => viewer.all || (f.teamId !== null && viewer.sees(f.teamId));
      if (!feature)
        return unknownName(
          'feature',
          featureSlug,
          features.filter(visible).map((f) => f.slug),
        );
      if (!visible(feature)) return notVisible(`Feature ${featureSlug}`);
      const window = elapsed(period, now);
      const calls = await deps.calls({ from: window.from, to: window.to }, [feature.id]);
      const { groups, unpriced } = byModel(calls);
      const identified =
        target === 'cheapest' ? null : prices.identify(target, null, window.to > window.from ? new Date(window.to.getTime() - 1) : window.from);
      const rows: WhatIfModelRow[] = groups.map((g) => {
        const actual = sum(g.calls.map((c) => c.amount));
        const listCost = priceAll(prices, g.model, g.provider, g.calls).total;
        const base = {
          model: g.model,
          calls: g.calls.length,
          actual,
          listCost,
          input: g.calls.reduce((s, c) => s + c.inputTokens, 0),
          cached: g.calls.reduce((s, c) => s + c.cacheReadTokens + c.cacheWriteTokens, 0),
          output: g.calls.reduce((s, c) => s + c.outputTokens, 0),
        };
        if (target === 'cheapest') {
          const best = listCost === null ? null : cheapestFor(prices, g.model, g.provider, g.calls, listCost);
          return { ...base, on: best?.on ?? null, wouldCost: best?.cost ?? listCost, missingDays: [] };
        }
        const r = priceAll(prices, identified?.modelId ?? target, identified?.providerId ?? null, g.calls);
        return { ...base, on: identified?.modelId ?? target, wouldCost: r.total, missingDays: r.missingDays };
      });
      const actual = sum(rows.map((r) => r.actual));
      const wouldCost = rows.every((r) => r.wouldCost !== null) ? sum(rows.map((r) => r.wouldCost!)) : null;
      const listCost = rows.every((r) => r.listCost !== null) ? sum(rows.map((r) => r.listCost!)) : null;
      return {
        kind: 'whatif',
        feature: feature.slug,
        target,
        targetId: identified?.modelId ?? null,
        period,
        asOf: window.to,
        rows,
        actual,
        listCost,
        wouldCost,
        unpricedModels: unpriced,
      };
    },

    /**
     * Per team, its largest saving candidate in the period: the feature whose switch to the cheapest
     * model of the same provider and family would have saved the most, when that saving is at least `min`.
     */
    async savingCandidates(period: Period, now: Date, min: Money): Promise<Map<number, SavingCandidate>> {
      const window = elapsed(period, now);
      const features = (await deps.features()).filter((f) => f.teamId !== null);
      const calls = await deps.calls(
        { from: window.from, to: window.to },
        features.map((f) => f.id),
      );
      const perFeature = new Map<number, WhatIfCall[]>();
      for (const c of calls) if (c.featureId !== null) (perFeature.get(c.featureId) ?? perFeature.set(c.featureId, []).get(c.featureId)!).push(c);
      const out = new Map<number, SavingCandidate>();
      for (const f of features) {
        const { groups } = byModel(perFeature.get(f.id) ?? []);
        for (const g of groups) {
          const actual = sum(g.calls.map((c) => c.amount));
          // Like with like: the saving is the list price on the own model minus the list price on the other.
          const listCost = priceAll(prices, g.model, g.provider, g.calls).total;
          if (listCost === null) continue;
          const best = cheapestFor(prices, g.model, g.provider, g.calls, listCost);
          if (!best) continue;
          const saving = sub(listCost, best.cost);
          const current = out.get(f.teamId!);
          if (saving >= min && (!current || saving > current.saving))
            out.set(f.teamId!, { feature: f.slug, from: g.model, to: best.on, actual, listCost, wouldCost: best.cost, saving });
        }
      }
      return out;
    },
  };
}

export type WhatIfService = ReturnType<typeof whatIfService>;
