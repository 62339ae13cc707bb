/**
 * Daily spend anomaly detector for short series (14–90 days) with a weekly season.
 *
 * Method (shared/notes/finance.md, "Anomalies"):
 *   expected = robust recent level × weekday factor
 *     - weekday factor: median, over the last 4 weeks, of that weekday's (cleaned) value divided by
 *       the mean of the 7 days around it (a moving average carries no weekly pattern and follows
 *       level shifts); a weekday seen fewer than 4 times also counts a neutral ratio of 1, so two
 *       weeks of history do not turn one odd day into a pattern;
 *     - level: median of the last 7 deseasonalised (value ÷ weekday factor) cleaned values.
 *   score = robust z of the one-step percentage residual against the last 28 days' residuals: scale =
 *     the larger of 1.4826 × MAD and IQR ÷ 1.349 (falling back to 1.2533 × mean absolute deviation,
 *     then a 1% floor), widened by 1 + 2.5/n while only n residuals exist. The same z is taken on the
 *     residual in the series' unit; a day is unusual when both pass zThreshold, or when two of the last
 *     three days pass 2.5 the same way (run rule, for slow drifts).
 *   alert only if unusual AND |Δ%| ≥ minImpactPct AND |Δ| ≥ minImpact.
 *   No verdict before 14 days of history.
 *   Intermittent series (≥ 20% zero days in the window): expected = the window's mean; a zero day is
 *     normal and only a day ≥ 3 × the window's largest day is unusual. A series ≥ 50% zero is 'sparse'.
 *
 * Outliers do not poison later baselines (warm-up included): a day flagged as an outlier enters the
 * baseline with its expected value instead of its actual, and its residual enters later scales clipped
 * at the threshold. When an incident lasts longer than `adaptAfterDays`, it is taken as a level shift:
 * its days are put back with their actual values and become the new normal. When the same weekday is
 * unusual the same way a week after it was, the weekly pattern changed: that day does not alert, and
 * the weekday's factor is learnt from the first changed day on.
 *
 * Missing days count as 0. Values are plain numbers (dollars or any unit); `detectSpendAnomalies`
 * is the Money-facing wrapper.
 */
import { mean, median, medianAbsoluteDeviation, quantileSorted } from 'simple-statistics';
import { add, fromUsd, nanos, sub, ZERO, type Money } from '../money.ts';
import { dayNumber, dateOfDayNumber, isIsoDate, weekdayOf } from '../calendar.ts';

export type Direction = 'both' | 'up' | 'down';

export interface DetectorOptions {
  /** Days of history needed before any verdict. Default 14 (two weekly cycles). */
  minHistoryDays: number;
  /** Robust z needed to call a day unusual. Default 3.5 (Iglewicz–Hoaglin cut-off for modified z). */
  zThreshold: number;
  /** Minimum |actual − expected| / expected, in percent. Default 20. */
  minImpactPct: number;
  /** Minimum |actual − expected| in the series' unit. Default 1 (one dollar): filters sub-dollar noise. */
  minImpact: number;
  /** Which way alerts fire. Default 'both' (spikes and dips). */
  direction: Direction;
  /** Days whose deseasonalised median is the current level. Default 7. */
  levelWindowDays: number;
  /** Days used to learn weekday factors. Default 28 (the last 4 weeks: 4 samples per weekday). */
  seasonWindowDays: number;
  /** Days of past residuals the robust z is computed over. Default 28 (the last 4 weeks). */
  scoreWindowDays: number;
  /** Learn and apply weekday factors. Default true. */
  weekly: boolean;
  /** A window (scoreWindowDays) with at least this share of zero days is sparse: it alerts only on a day ≥ 3 × its largest. Default 0.5. */
  sparseZeroShare: number;
  /** An incident longer than this many days is a level shift and becomes the new baseline. Default 3. */
  adaptAfterDays: number;
}

export const DEFAULT_DETECTOR_OPTIONS: Readonly<DetectorOptions> = Object.freeze({
  minHistoryDays: 14,
  zThreshold: 3.5,
  minImpactPct: 20,
  minImpact: 1,
  direction: 'both',
  levelWindowDays: 7,
  seasonWindowDays: 28,
  scoreWindowDays: 28,
  weekly: true,
  sparseZeroShare: 0.5,
  adaptAfterDays: 3,
});

/** Fewest history days an expected value is computed from (used to collect residuals during warm-up). */
const MIN_FIT_DAYS = 7;
/** Weekdays seen fewer times than this are shrunk towards the overall median. */
const SHRINK_BELOW_SAMPLES = 4;
/** Fewest past residuals the robust z is computed from. */
const MIN_RESIDUALS = 5;
/** Normal-consistency constants: σ ≈ 1.4826 × MAD ≈ 1.2533 × mean absolute deviation. */
const MAD_TO_SIGMA = 1.4826;
const MEAN_ABS_DEV_TO_SIGMA = 1.2533;
const IQR_TO_SIGMA = 1.349;
/** Small-sample widening of the scale: × (1 + 2.5 / residuals), about a t quantile over the normal one at 3.5σ. */
const SMALL_SAMPLE_WIDEN = 2.5;
/** Run rule: two of the last three days beyond this robust z, the same way, are unusual (a drift). */
const RUN_Z = 2.5;
/** A series with at least this share of zero days in the score window is intermittent (see the module comment). */
const INTERMITTENT_ZERO_SHARE = 0.2;
/** An intermittent series alerts on a day at least this many times its largest day of the score window. */
const INTERMITTENT_SPIKE_FACTOR = 3;
/** Scale floor for the percentage residuals (1%), so a perfectly flat series still gives a finite z. */
const MIN_SCALE = 0.01;

export type VerdictStatus =
  /** Fewer than `minHistoryDays` of history (or nothing to predict from): no verdict. */
  | 'warming-up'
  /** Mostly zero recently (or nothing at all lately): alerts only on a day ≥ 3 × the window's largest. */
  | 'sparse'
  /** A real verdict. */
  | 'scored'
  /** No observation for this day (unit-cost series with zero volume). */
  | 'no-data';

export interface DayVerdict {
  date: string;
  actual: number;
  status: VerdictStatus;
  /** Expected value for the day; null while warming up. */
  expected: number | null;
  /** Range of actual values that would not alert (all three gates considered), clipped at 0. */
  lower: number | null;
  upper: number | null;
  /** actual − expected. */
  impact: number | null;
  /** 100 × (actual − expected) / expected; null when expected is 0 (as AWS omits it). */
  impactPct: number | null;
  /** Robust z of the day's percentage residual. */
  score: number | null;
  direction: 'spike' | 'dip' | null;
  /** Statistically unusual and material (z and % gates pass), whatever the $ floor. */
  outlier: boolean;
  /** All gates pass and the series is not sparse. */
  alert: boolean;
  /** Days of history before this day (gap-filled). */
  historyDays: number;
}

export interface SeriesPoint {
  date: string;
  value: number;
}

export function resolveOptions(options: Partial<DetectorOptions> = {}): DetectorOptions {
  const o: DetectorOptions = { ...DEFAULT_DETECTOR_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  for (const key of ['minHistoryDays', 'levelWindowDays', 'seasonWindowDays', 'scoreWindowDays', 'adaptAfterDays'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`${key} must be a positive integer`);
  }
  for (const key of ['zThreshold', 'minImpactPct', 'minImpact', 'sparseZeroShare'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) throw new RangeError(`${key} must be a finite number ≥ 0`);
  }
  if (!['both', 'up', 'down'].includes(o.direction)) throw new RangeError(`direction must be both, up or down`);
  return o;
}

/**
 * Sorts, sums duplicate dates and fills every missing day between the first and last date with 0.
 */
export function fillDailyGaps(series: readonly SeriesPoint[]): SeriesPoint[] {
  if (series.length === 0) return [];
  const byDay = new Map<number, number>();
  for (const p of series) {
    if (!isIsoDate(p.date)) throw new RangeError(`not a YYYY-MM-DD date: ${p.date}`);
    if (!Number.isFinite(p.value)) throw new RangeError(`not a finite value on ${p.date}: ${p.value}`);
    const d = dayNumber(p.date);
    byDay.set(d, (byDay.get(d) ?? 0) + p.value);
  }
  const days = [...byDay.keys()];
  const first = Math.min(...days);
  const last = Math.max(...days);
  const out: SeriesPoint[] = [];
  for (let d = first; d <= last; d++) out.push({ date: dateOfDayNumber(d), value: byDay.get(d) ?? 0 });
  return out;
}

/**
 * Verdict for every day of the series (gap-filled with zeros). See the module comment for the method.
 */
export function detectAnomalies(series: readonly SeriesPoint[], options: Partial<DetectorOptions> = {}): DayVerdict[] {
  const filled = fillDailyGaps(series);
  return scoreDailyValues(
    filled.map((p) => p.date),
    filled.map((p) => p.value),
    resolveOptions(options),
  );
}

/** Convenience: only the days that alert. */
export function anomalyAlerts(series: readonly SeriesPoint[], options: Partial<DetectorOptions> = {}): DayVerdict[] {
  return detectAnomalies(series, options).filter((v) => v.alert);
}

/**
 * Weekday factors by ratio to a moving average: each cleaned value of the season window is divided
 * by the mean of the 7 consecutive days centred on it (shifted inwards at the window's edges; any 7
 * consecutive days hold each weekday once, so that mean carries no weekly pattern and follows level
 * shifts). A weekday's factor is the median of its ratios, normalised so the factors average 1.
 * While a weekday has fewer than SHRINK_BELOW_SAMPLES ratios, a pseudo-ratio of 1 joins them, so two
 * weeks of history do not turn one odd day into a pattern.
 */
function weekdayFactors(
  weekdays: readonly number[],
  clean: readonly (number | null)[],
  from: number,
  to: number,
  weekly: boolean,
  weekdayFrom: readonly number[],
): number[] {
  const ones = [1, 1, 1, 1, 1, 1, 1];
  if (!weekly || to - from < 7) return ones;
  const ratios: number[][] = [[], [], [], [], [], [], []];
  for (let k = from; k < to; k++) {
    const c = clean[k];
    if (c === null || c === undefined || k < weekdayFrom[weekdays[k]!]!) continue;
    const lo = Math.min(Math.max(from, k - 3), to - 7);
    const week = clean.slice(lo, lo + 7).filter((x): x is number => x !== null);
    if (week.length < 7) continue; // a day without data in the week: its mean is not season-free
    const level = mean(week);
    if (level > 0) ratios[weekdays[k]!]!.push(c / level);
  }
  const medians = ratios.map((r) => median(r.length < SHRINK_BELOW_SAMPLES ? [...r, 1] : r));
  const base = mean(medians);
  if (!(base > 0)) return ones;
  return medians.map((m) => m / base);
}

/** σ-scaled robust dispersion with the MAD → mean absolute deviation → floor fallbacks. */
function robustScale(residuals: readonly number[]): { center: number; scale: number } {
  const center = median(residuals);
  // The larger of MAD and IQR: equal on a symmetric spread, but the IQR does not collapse when the
  // residuals are lopsided or two-humped (a feature that runs on some days only).
  const sorted = [...residuals].sort((x, y) => x - y);
  let scale = Math.max(MAD_TO_SIGMA * medianAbsoluteDeviation(residuals), (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) / IQR_TO_SIGMA);
  if (!(scale > 0)) scale = MEAN_ABS_DEV_TO_SIGMA * mean(residuals.map((r) => Math.abs(r - center)));
  if (!(scale >= MIN_SCALE)) scale = MIN_SCALE; // also catches NaN
  return { center, scale };
}

/**
 * The engine, over contiguous days. `values[i] === null` means "no observation" (used for unit costs
 * on zero-volume days): such a day gets status 'no-data' and is left out of every statistic.
 */
export function scoreDailyValues(dates: readonly string[], values: readonly (number | null)[], o: DetectorOptions): DayVerdict[] {
  const n = values.length;
  if (dates.length !== n) throw new RangeError('dates and values differ in length');
  // Each date's weekday once (the fits below look at every earlier day again for every day).
  const weekdays = dates.map(weekdayOf);
  const clean: (number | null)[] = [];
  const residual: (number | null)[] = [];
  /** The same residuals in the series' unit (actual − expected). */
  const absResidual: (number | null)[] = [];
  const outlierWay: ('spike' | 'dip' | null)[] = [];
  const zs: (number | null)[] = new Array(n).fill(null);
  /** Per weekday, the first day whose pattern counts (moved on a seasonal break). */
  const weekdayFrom = [0, 0, 0, 0, 0, 0, 0];
  const verdicts: DayVerdict[] = [];
  let run = 0; // consecutive outlier days ending yesterday

  for (let i = 0; i < n; i++) {
    const date = dates[i]!;
    const actual = values[i] ?? null;
    const seasonFrom = Math.max(0, i - o.seasonWindowDays);
    const observed = clean.slice(seasonFrom, i).filter((c): c is number => c !== null).length;
    const scoreFrom = Math.max(0, i - o.scoreWindowDays);
    const recent = values.slice(scoreFrom, i).filter((x): x is number => x !== null);
    const zeroShare = recent.length === 0 ? 1 : recent.filter((x) => x === 0).length / recent.length;
    const intermittent = recent.length > 0 && zeroShare >= INTERMITTENT_ZERO_SHARE;

    let expected: number | null = null;
    let denom: number | null = null;
    if (observed >= MIN_FIT_DAYS) {
      if (intermittent) {
        // Spend on some days only: the expected day is the window's mean (zeros included).
        expected = mean(recent);
        denom = expected > 0 ? expected : null;
      } else {
        const f = weekdayFactors(weekdays, clean, seasonFrom, i, o.weekly, weekdayFrom);
        const deseasonalised: number[] = [];
        for (let k = i - 1; k >= seasonFrom && deseasonalised.length < o.levelWindowDays; k--) {
          const c = clean[k];
          const fk = f[weekdays[k]!]!;
          if (c !== null && c !== undefined && fk > 0) deseasonalised.push(c / fk);
        }
        if (deseasonalised.length > 0) {
          const level = median(deseasonalised);
          expected = level * f[weekdays[i]!]!;
          denom = expected > 0 ? expected : level > 0 ? level : null;
        }
      }
    }

    const r = actual !== null && expected !== null && denom !== null ? (actual - expected) / denom : null;

    const base: DayVerdict = {
      date,
      actual: actual ?? 0,
      status: 'warming-up',
      expected,
      lower: null,
      upper: null,
      impact: actual !== null && expected !== null ? actual - expected : null,
      impactPct: actual !== null && expected !== null && expected > 0 ? (100 * (actual - expected)) / expected : null,
      score: null,
      direction: null,
      outlier: false,
      alert: false,
      historyDays: i,
    };

    const pastResiduals = residual.slice(scoreFrom, i).filter((x): x is number => x !== null);
    let statOutlier = false;
    let clip: number | null = null;
    let clipAbs: number | null = null;
    let direction: 'spike' | 'dip' | null = null;
    if (actual !== null && expected !== null && denom !== null && r !== null && pastResiduals.length >= MIN_RESIDUALS) {
      const { center, scale } = robustScale(pastResiduals);
      // Few residuals estimate the scale loosely (and the weekday factors too): widen it while the
      // window fills, by the ratio of a t quantile to the normal one (≈ 1 + 2.5 / n at 3.5σ).
      const widen = 1 + SMALL_SAMPLE_WIDEN / pastResiduals.length;
      const z = (r - center) / (scale * widen);
      // The same test on the residual in dollars: a mix of steady and on-off features varies by more
      // percent on a quiet weekday than on a busy one; a day must be unusual both ways.
      const pastAbs = absResidual.slice(scoreFrom, i).filter((x): x is number => x !== null);
      const abs = robustScale(pastAbs.length >= MIN_RESIDUALS ? pastAbs : [0, 0, 0, 0, 0]);
      const zAbs = pastAbs.length >= MIN_RESIDUALS && abs.scale > MIN_SCALE ? (actual - expected - abs.center) / (abs.scale * widen) : z;
      const both = (t: number) => Math.abs(z) >= t && Math.abs(zAbs) >= t && Math.sign(zAbs) === Math.sign(z);
      const impact = actual - expected;
      direction = impact > 0 ? 'spike' : impact < 0 ? 'dip' : null;
      const pctPass = expected > 0 ? Math.abs(impact) / expected >= o.minImpactPct / 100 : impact !== 0;
      const wayPass = o.direction === 'both' || (o.direction === 'up' ? impact > 0 : impact < 0);
      // Intermittent: a zero day is normal, so only a day far above the window's largest is unusual.
      const largest = Math.max(...recent);
      // A slow drift never makes one day extreme: two of the last three days beyond RUN_Z the same way
      // (the Western Electric run rule) count as unusual too.
      const runRule =
        Math.abs(z) >= RUN_Z && [zs[i - 1], zs[i - 2]].some((p) => p !== null && p !== undefined && Math.sign(p) === Math.sign(z) && Math.abs(p) >= RUN_Z);
      const unusual = intermittent ? impact > 0 && actual >= INTERMITTENT_SPIKE_FACTOR * largest : both(o.zThreshold) || runRule;
      zs[i] = z;
      clip = Math.abs(center) + o.zThreshold * scale;
      clipAbs = Math.abs(abs.center) + o.zThreshold * abs.scale;
      statOutlier = unusual && pctPass && wayPass && direction !== null;
      // The same weekday was unusual the same way a week ago: the weekly pattern changed. Alerted
      // once (last week); from now on that weekday's factor is learnt from last week on.
      const seasonalBreak = statOutlier && !intermittent && run === 0 && i >= 7 && outlierWay[i - 7] === direction && o.weekly;
      if (seasonalBreak) {
        weekdayFrom[weekdays[i]!] = i - 7;
        clean[i - 7] = values[i - 7] ?? null;
      }
      if (i >= o.minHistoryDays) {
        base.status = zeroShare >= o.sparseZeroShare ? 'sparse' : 'scored';
        base.score = z;
        base.direction = direction;
        base.outlier = statOutlier && !seasonalBreak;
        base.alert = (base.status === 'scored' || intermittent) && statOutlier && !seasonalBreak && Math.abs(impact) >= o.minImpact;
        // Band of values that would not alert: the union of the regions where a gate fails.
        const zLow = intermittent ? 0 : expected + denom * (center - o.zThreshold * scale);
        const zHigh = intermittent ? INTERMITTENT_SPIKE_FACTOR * largest : expected + denom * (center + o.zThreshold * scale);
        const pct = (expected * o.minImpactPct) / 100;
        base.upper = o.direction === 'down' ? null : Math.max(zHigh, expected + pct, expected + o.minImpact);
        base.lower = o.direction === 'up' ? null : Math.max(0, Math.min(zLow, expected - pct, expected - o.minImpact));
      }
      if (seasonalBreak) statOutlier = false;
    }
    if (base.status === 'warming-up' && i >= o.minHistoryDays && expected !== null && denom === null) {
      base.status = 'sparse'; // nothing recent to compare with: a quiet series is not scored
    }
    if (actual === null) base.status = 'no-data';
    if (base.status === 'warming-up' || base.status === 'no-data') {
      base.expected = null;
      base.impact = null;
      base.impactPct = null;
    }

    // Baseline bookkeeping (warm-up included): outliers enter with their expected value unless the
    // incident became a level shift.
    if (statOutlier) {
      run += 1;
      if (run > o.adaptAfterDays) {
        for (let k = i - run + 1; k < i; k++) clean[k] = values[k] ?? null;
        clean.push(actual);
      } else {
        clean.push(expected);
      }
    } else {
      run = 0;
      clean.push(actual);
    }
    // Every residual enters later scales, an outlier's clipped to the threshold it crossed: left out,
    // a too-small scale would confirm itself (masking); in full, one spike would widen it for weeks.
    residual.push(statOutlier && clip !== null && r !== null ? Math.max(-clip, Math.min(clip, r)) : r);
    const a = actual !== null && expected !== null ? actual - expected : null;
    absResidual.push(statOutlier && clipAbs !== null && a !== null ? Math.max(-clipAbs, Math.min(clipAbs, a)) : a);
    outlierWay.push(statOutlier ? direction : null);
    verdicts.push(base);
  }
  return verdicts;
}

// ---------------------------------------------------------------------------------------------
// Money-facing wrapper (Slack)

export interface SpendPoint {
  date: string;
  amount: Money;
}

export interface SpendDetectorOptions extends Omit<DetectorOptions, 'minImpact'> {
  /** Minimum |actual − expected| per day. Default $25: see DEFAULT_SPEND_MIN_IMPACT. */
  minImpact: Money;
}

/**
 * Default daily $ floor for team spend alerts. Vantage advises floors of "$500, not $50" on cloud
 * bills; AI spend per team is one or two orders of magnitude smaller, and $25/day (~$750/month) is
 * the smallest move a team lead would act on.
 */
export const DEFAULT_SPEND_MIN_IMPACT: Money = nanos(25_000_000_000n);

export interface SpendVerdict {
  date: string;
  status: VerdictStatus;
  actual: Money;
  expected: Money | null;
  lower: Money | null;
  upper: Money | null;
  impact: Money | null;
  impactPct: number | null;
  score: number | null;
  direction: 'spike' | 'dip' | null;
  alert: boolean;
}

/** Dollars as a float, for the statistics only: money itself is never computed in floats. */
function moneyToStatNumber(m: Money): number {
  return Number(m) / 1e9;
}

function statNumberToMoney(x: number): Money {
  return fromUsd(Math.round(x * 1e9) / 1e9);
}

/**
 * Detects anomalies on a daily Money series; the $ gate compares the exact Money impact
 * (actual − expected, expected rounded to the nanodollar) with `minImpact`.
 */
export function detectSpendAnomalies(series: readonly SpendPoint[], options: Partial<SpendDetectorOptions> = {}): SpendVerdict[] {
  const { minImpact = DEFAULT_SPEND_MIN_IMPACT, ...rest } = options;
  if (minImpact < 0n) throw new RangeError('minImpact must be ≥ 0');
  const exact = new Map<string, Money>();
  for (const p of series) exact.set(p.date, add(exact.get(p.date) ?? ZERO, p.amount));
  const verdicts = detectAnomalies(
    series.map((p) => ({ date: p.date, value: moneyToStatNumber(p.amount) })),
    { ...rest, minImpact: moneyToStatNumber(minImpact) },
  );
  return verdicts.map((v) => {
    const actual = exact.get(v.date) ?? ZERO;
    const expected = v.expected === null ? null : statNumberToMoney(v.expected);
    const impact = expected === null ? null : sub(actual, expected);
    const absImpact = impact === null ? 0n : impact < 0n ? -impact : impact;
    return {
      date: v.date,
      status: v.status,
      actual,
      expected,
      lower: v.lower === null ? null : statNumberToMoney(v.lower),
      upper: v.upper === null ? null : statNumberToMoney(v.upper),
      impact,
      impactPct: v.impactPct,
      score: v.score,
      direction: v.direction,
      alert: v.status === 'scored' && v.outlier && absImpact >= minImpact,
    };
  });
}

/**
 * The share gate: an alert on a part of a team (a feature) must move the team's expected daily spend
 * by at least `minSharePct` percent, so a small feature's doubling does not page the team. Without a
 * team expectation (warming up) the gate passes.
 */
export function isMaterialForTeam(impact: number, teamExpected: number | null, minSharePct: number): boolean {
  if (teamExpected === null || !(teamExpected > 0)) return true;
  return Math.abs(impact) >= (teamExpected * minSharePct) / 100;
}
