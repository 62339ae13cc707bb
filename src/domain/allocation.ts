import { z } from 'zod';
import { allocate, ZERO, type Money } from './money.ts';

/**
 * Allocation of shared costs between teams. Pure: the caller supplies the basis (each team's direct
 * spend and usage in the same period as the shared cost).
 *
 * Guarantees, for every rule and every input:
 * - `sum(parts) + unallocated === amount` exactly (bigint nanodollars, never floats);
 * - rounding is deterministic: largest remainder (`allocate` in money.ts), teams ordered by ascending
 *   teamId, so the odd nanodollars go to the lowest teamIds among equal remainders;
 * - whatever no rule can cover (no teams, no usage, an invalid stored rule) is returned as
 *   `unallocated` with a `reason`, never silently dropped or spread.
 */

export const USAGE_METRICS = ['requests', 'tokens', 'work_items'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

export interface FixedShare {
  teamId: number;
  /** Percentage of the amount, more than 0 and at most 100, with up to 2 decimals. */
  percent: number;
}

export type AllocationRule =
  /** Equal parts between `teamIds`, or between every team in the basis when none are listed. */
  | { type: 'even'; teamIds?: number[] }
  /** Fixed percentages; they must total exactly 100.00. */
  | { type: 'fixed'; shares: FixedShare[] }
  /** Proportional to each team's direct API spend in the period. */
  | { type: 'direct_spend' }
  /** Proportional to each team's usage in the period. */
  | { type: 'usage'; metric: UsageMetric };

/** One team's figures for the period the shared cost belongs to. */
export interface AllocationBasis {
  teamId: number;
  directSpend: Money;
  requests: number | bigint;
  tokens: number | bigint;
  workItems: number | bigint;
}

export interface AllocationPart {
  teamId: number;
  amount: Money;
}

export interface AllocationResult {
  /** Ordered by ascending teamId. Proportional rules list only teams with a non-zero basis. */
  parts: AllocationPart[];
  unallocated: Money;
  /** Why something stayed unallocated (null when everything was allocated). */
  reason: string | null;
}

export type RuleCheck = { ok: true; rule: AllocationRule } | { ok: false; error: string };

const teamId = z.number().int().positive();

/** Shape of a rule (also what is stored as JSON in `HiddenCost.rule`). Semantic checks are in `validateRule`. */
export const allocationRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('even'), teamIds: z.array(teamId).optional() }),
  z.object({ type: z.literal('fixed'), shares: z.array(z.object({ teamId, percent: z.number() })) }),
  z.object({ type: z.literal('direct_spend') }),
  z.object({ type: z.literal('usage'), metric: z.enum(USAGE_METRICS) }),
]);

/**
 * Checks a list of percentages for a fixed split: each more than 0 and at most 100 with up to two
 * decimals, and all together exactly 100 (compared in hundredths of a percent, as integers).
 * Returns the problem as a sentence for people, or null when they are fine.
 */
export function checkPercentages(percents: readonly number[]): string | null {
  if (percents.length === 0) return 'A fixed split needs at least one team and its percentage.';
  let total = 0;
  for (const p of percents) {
    const bp = percentToBasisPoints(p);
    if (bp === null) return `${String(p)}% is not a percentage I can use: give a number above 0 and at most 100, with up to 2 decimals.`;
    total += bp;
  }
  if (total !== 10_000) return `Percentages add up to ${formatBasisPoints(total)}%; they must total 100%.`;
  return null;
}

/**
 * A percentage with up to 2 decimals as an integer of hundredths (33.33 → 3333), or null when it is
 * not finite, not in (0, 100] or has more decimals. Float noise from the decimal literal (33.33 × 100 =
 * 3332.9999999999995) is tolerated; a real third decimal (33.333) is not.
 */
export function percentToBasisPoints(p: number): number | null {
  if (!Number.isFinite(p) || p <= 0 || p > 100) return null;
  const bp = Math.round(p * 100);
  if (Math.abs(p * 100 - bp) > 1e-6) return null;
  return bp;
}

/** 9000 → "90", 9950 → "99.5", 3333 → "33.33". */
function formatBasisPoints(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = String(bp % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** Validates a rule (typed or parsed from JSON). Fixed percentages must total exactly 100%. */
export function validateRule(rule: unknown): RuleCheck {
  const shape = allocationRuleSchema.safeParse(rule);
  if (!shape.success) return { ok: false, error: `Not an allocation rule: ${shape.error.issues[0]?.message ?? 'unknown shape'}.` };
  const r = shape.data as AllocationRule;
  if (r.type === 'even' && r.teamIds && new Set(r.teamIds).size !== r.teamIds.length) {
    return { ok: false, error: 'An even split lists a team more than once.' };
  }
  if (r.type === 'fixed') {
    const seen = new Set<number>();
    for (const s of r.shares) {
      if (seen.has(s.teamId)) return { ok: false, error: `Team ${s.teamId} appears more than once in the fixed split.` };
      seen.add(s.teamId);
    }
    const problem = checkPercentages(r.shares.map((s) => s.percent));
    if (problem) return { ok: false, error: problem };
  }
  return { ok: true, rule: r };
}

/** Parses the JSON of a stored rule; invalid JSON or an invalid rule is an error, not an exception. */
export function parseStoredRule(json: string): RuleCheck {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, error: 'The stored allocation rule is not valid JSON.' };
  }
  return validateRule(value);
}

/** What produced an allocated line, for reports and the `allocation_rule` export column. */
export function describeRule(rule: AllocationRule, teamName: (teamId: number) => string = (id) => `team ${id}`): string {
  switch (rule.type) {
    case 'even':
      return rule.teamIds && rule.teamIds.length > 0 ? `even split between ${rule.teamIds.map(teamName).join(', ')}` : 'even split between all teams';
    case 'fixed':
      return `fixed: ${rule.shares.map((s) => `${teamName(s.teamId)} ${s.percent}%`).join(', ')}`;
    case 'direct_spend':
      return 'proportional to direct API spend';
    case 'usage':
      return `proportional to ${rule.metric === 'work_items' ? 'work items' : rule.metric}`;
  }
}

/** A non-negative integer count (requests, tokens, work items) as bigint. */
export function countToBigInt(n: number | bigint, what = 'count'): bigint {
  if (typeof n === 'bigint') {
    if (n < 0n) throw new RangeError(`${what} must not be negative: ${n}`);
    return n;
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer: ${n}`);
  return BigInt(n);
}

/**
 * Integer division rounded half away from zero ("half-up" on magnitudes): 5/2 → 3, -5/2 → -3,
 * 4/3 → 1. The divisor must be positive.
 */
export function divideHalfUp(numerator: bigint, divisor: bigint): bigint {
  if (divisor <= 0n) throw new RangeError('divideHalfUp needs a positive divisor');
  const q = numerator / divisor;
  const r = numerator % divisor;
  const absR = r < 0n ? -r : r;
  if (absR * 2n >= divisor) return numerator < 0n ? q - 1n : q + 1n;
  return q;
}

function unallocatedAll(amount: Money, reason: string): AllocationResult {
  return { parts: [], unallocated: amount, reason };
}

/** Splits `amount` over `teams` by `weights` (teams sorted, weights ≥ 0, some > 0). */
function split(amount: Money, entries: { teamId: number; weight: bigint }[]): AllocationResult {
  const positive = entries.filter((e) => e.weight > 0n).sort((a, b) => a.teamId - b.teamId);
  const amounts = allocate(
    amount,
    positive.map((e) => e.weight),
  );
  return { parts: positive.map((e, i) => ({ teamId: e.teamId, amount: amounts[i]! })), unallocated: ZERO, reason: null };
}

const METRIC_WORDS: Record<UsageMetric, string> = { requests: 'requests', tokens: 'tokens', work_items: 'work items' };

/**
 * Allocates a shared amount between teams by the rule.
 *
 * - even: equal parts between `rule.teamIds` (or every team in `basis` when none are listed);
 *   no teams → all unallocated.
 * - fixed: by the percentages (validated; an invalid rule leaves everything unallocated with the reason).
 *   The basis is not needed.
 * - direct_spend: proportional to each team's direct spend; negative direct spend (net credits) counts
 *   as 0. Zero total → all unallocated.
 * - usage: proportional to the metric; zero total → all unallocated.
 * Duplicate teamIds in the basis are summed.
 */
export function allocateShared(amount: Money, rule: AllocationRule, basis: readonly AllocationBasis[]): AllocationResult {
  const check = validateRule(rule);
  if (!check.ok) return unallocatedAll(amount, check.error);

  const byTeam = new Map<number, { directSpend: bigint; requests: bigint; tokens: bigint; workItems: bigint }>();
  for (const b of basis) {
    const acc = byTeam.get(b.teamId) ?? { directSpend: 0n, requests: 0n, tokens: 0n, workItems: 0n };
    acc.directSpend += b.directSpend;
    acc.requests += countToBigInt(b.requests, 'requests');
    acc.tokens += countToBigInt(b.tokens, 'tokens');
    acc.workItems += countToBigInt(b.workItems, 'work items');
    byTeam.set(b.teamId, acc);
  }

  switch (rule.type) {
    case 'even': {
      const ids = rule.teamIds && rule.teamIds.length > 0 ? rule.teamIds : [...byTeam.keys()];
      if (ids.length === 0) return unallocatedAll(amount, 'no teams to split the cost between');
      return split(
        amount,
        ids.map((id) => ({ teamId: id, weight: 1n })),
      );
    }
    case 'fixed':
      return split(
        amount,
        rule.shares.map((s) => ({ teamId: s.teamId, weight: BigInt(percentToBasisPoints(s.percent)!) })),
      );
    case 'direct_spend': {
      const entries = [...byTeam].map(([id, b]) => ({ teamId: id, weight: b.directSpend > 0n ? b.directSpend : 0n }));
      if (!entries.some((e) => e.weight > 0n)) return unallocatedAll(amount, 'no direct API spend in the period to split by');
      return split(amount, entries);
    }
    case 'usage': {
      const key = rule.metric === 'work_items' ? 'workItems' : rule.metric;
      const entries = [...byTeam].map(([id, b]) => ({ teamId: id, weight: b[key] }));
      if (!entries.some((e) => e.weight > 0n)) return unallocatedAll(amount, `no ${METRIC_WORDS[rule.metric]} in the period to split by`);
      return split(amount, entries);
    }
  }
}
