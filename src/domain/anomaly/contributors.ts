/**
 * What drove the change: which feature, model, customer or environment contributed most of the Δ.
 * Rows are grouped by (dimension, key); each dimension is a partition of the same total, so a
 * contributor's share is its Δ over its own dimension's total Δ.
 */

export interface ContributorRow {
  key: string;
  /** e.g. 'feature' | 'model' | 'customer' | 'environment'. */
  dimension: string;
  value: number;
}

export interface Contributor {
  dimension: string;
  key: string;
  current: number;
  baseline: number;
  /** current − baseline. */
  delta: number;
  /** delta ÷ the dimension's total delta (1 = all of the change); null when that total is 0. */
  share: number | null;
  /** 100 × delta ÷ baseline; null when the baseline is 0 (new contributor). */
  changePct: number | null;
}

/**
 * The `n` contributors that pushed hardest in the direction of their dimension's total change
 * (largest share first; ties by |Δ|, then dimension and key). Rows of a dimension whose total Δ
 * is 0 have a null share and rank after the others, by |Δ|.
 */
export function topContributors(current: readonly ContributorRow[], baseline: readonly ContributorRow[], n: number): Contributor[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
  const rows = new Map<string, Contributor>();
  const id = (r: ContributorRow) => `${r.dimension}\u0000${r.key}`;
  const get = (r: ContributorRow) => {
    let c = rows.get(id(r));
    if (!c) {
      c = { dimension: r.dimension, key: r.key, current: 0, baseline: 0, delta: 0, share: null, changePct: null };
      rows.set(id(r), c);
    }
    return c;
  };
  for (const r of current) {
    if (!Number.isFinite(r.value)) throw new RangeError(`not a finite value for ${r.dimension}=${r.key}`);
    get(r).current += r.value;
  }
  for (const r of baseline) {
    if (!Number.isFinite(r.value)) throw new RangeError(`not a finite value for ${r.dimension}=${r.key}`);
    get(r).baseline += r.value;
  }
  const totals = new Map<string, number>();
  for (const c of rows.values()) {
    c.delta = c.current - c.baseline;
    c.changePct = c.baseline !== 0 ? (100 * c.delta) / c.baseline : null;
    totals.set(c.dimension, (totals.get(c.dimension) ?? 0) + c.delta);
  }
  for (const c of rows.values()) {
    const total = totals.get(c.dimension) ?? 0;
    c.share = total !== 0 ? c.delta / total : null;
  }
  return [...rows.values()]
    .sort((a, b) => {
      const sa = a.share ?? -Infinity;
      const sb = b.share ?? -Infinity;
      if (sa !== sb) return sb - sa;
      if (Math.abs(a.delta) !== Math.abs(b.delta)) return Math.abs(b.delta) - Math.abs(a.delta);
      return a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    })
    .slice(0, n);
}
