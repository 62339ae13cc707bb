import type { Money } from '../../domain/money.ts';
export type Dimension = 'team' | 'feature' | 'model' | 'customer' | 'environment' | 'source' | 'category';
export interface CostFilter {
  from: Date;
  to: Date;
  /** Restrict to these teams; `null` inside the list means the unattributed bucket. */
  teamIds?: (number | null)[];
  featureIds?: number[];
  models?: string[];
  /** Restrict to these customer ids (never the "no customer" bucket). */
  customers?: string[];
}
export interface GroupRow {
  /** Team or feature id as text, the model/customer/... value, or null when the record has none. */
  key: string | null;
  amount: Money;
  count: number;
}
/** One value of a dimension over consecutive intervals: sum and count of interval i at index i. */
export interface IntervalGroupRow {
  /** As in `GroupRow` (null: the record has none). */
  key: string | null;
  amounts: Money[];
  counts: number[];
}
/** Read side of the cost entries: the aggregates every report is built from. */
export interface CostQueries {
  /** Sum and count per value of one dimension, largest first. */
  groupBy(dimension: Dimension, f: CostFilter): Promise<GroupRow[]>;
  /**
   * Sums between consecutive instants (e.g. local midnights): one index range scan per interval,
   * so day boundaries are exact in any time zone and no per-row date function runs.
   * Returns one amount per interval (boundaries.length - 1 of them).
   */
  intervalTotals(f: Omit<CostFilter, 'from' | 'to'>, boundaries: Date[]): Promise<Money[]>;
  /**
   * `groupBy` over every interval [boundaries[i], boundaries[i + 1]) at once (e.g. the local days of a
   * series, the last one ending at an arbitrary "now"): for each interval the same amounts and counts as
   * `groupBy(dimension, { ...f, from: boundaries[i], to: boundaries[i + 1] })`, 0 where that has no row.
   * Returns the values with calls in at least one interval, including the null key, in the order the
   * per-interval `groupBy` calls would first list them (by first interval with calls, then that
   * interval's amount, largest first; ties by key). Boundaries must not decrease.
   */
  groupByIntervals(dimension: Dimension, f: Omit<CostFilter, 'from' | 'to'>, boundaries: Date[]): Promise<IntervalGroupRow[]>;
  /** Sum, count and unpriced count per (team, feature): one covering-index scan serves every report total. */
  teamFeatureSummary(f: CostFilter): Promise<
    {
      teamId: number | null;
      featureId: number | null;
      amount: Money;
      count: number;
      unpriced: number;
    }[]
  >;
  /**
   * Usage per team and per feature: requests, tokens and distinct work items, for per-unit hidden costs,
   * usage-based allocation and cost per work item.
   */
  usage(
    f: CostFilter,
    by: 'team' | 'feature',
  ): Promise<
    {
      key: number | null;
      requests: number;
      tokens: bigint;
      workItems: number;
    }[]
  >;
  /**
   * Direct cost per (team, source), split into regular entries and corrections (entries booked into
   * this period for a month that was already closed).
   */
  teamSourceSummary(f: CostFilter): Promise<
    {
      teamId: number | null;
      source: string;
      correction: boolean;
      amount: Money;
      count: number;
    }[]
  >;
  total(f: CostFilter): Promise<{
    amount: Money;
    count: number;
  }>;
}
