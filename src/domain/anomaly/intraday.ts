/**
 * Intraday early warning. Per-hour alerting is noisy for every method tried (finance.md), so hourly
 * data is only used to project today's total: soFar ÷ (usual cumulative share of the day by now).
 * The daily rule is then applied to the projection, once there are at least 21 days of history.
 *
 * Everything here is in the organisation's local time: hours are bucketed by local date and local
 * hour (`@date-fns/tz`), so a 23-hour or 25-hour DST day is one local day like any other.
 */
import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import { median, quantile } from 'simple-statistics';
import { detectAnomalies, type DayVerdict, type DetectorOptions, type SeriesPoint } from './detector.ts';
import { addDays, isIsoDate } from '../calendar.ts';

/** Local calendar day of each instant, summed. Sorted by date; days without points are absent. */
export function rollupDaily(points: readonly { at: Date; value: number }[], timeZone: string): SeriesPoint[] {
  const zone = tz(timeZone);
  const byDate = new Map<string, number>();
  for (const p of points) {
    if (!Number.isFinite(p.at.getTime())) throw new RangeError('invalid instant');
    const date = format(p.at, 'yyyy-MM-dd', { in: zone });
    byDate.set(date, (byDate.get(date) ?? 0) + p.value);
  }
  return [...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([date, value]) => ({ date, value }));
}

export interface HourlyPoint {
  /**
   * An instant (Date, or ISO text with `Z`/offset), or naive wall-clock text `YYYY-MM-DD HH:mm[:ss]`
   * which is read as local time in the given time zone (as exported by most billing CSVs).
   */
  timestamp: Date | string;
  value: number;
}

export interface IntradayShape {
  timeZone: string;
  /** Complete days the shape was learnt from. */
  days: number;
  /** cumulativeShare[h]: usual share of the day's total that has arrived by the end of local hour h (median over days). */
  cumulativeShare: number[];
  /** 10th / 90th percentile of the same, for a projection range. */
  cumulativeShareLow: number[];
  cumulativeShareHigh: number[];
}

const NAIVE_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

function localDateHour(timestamp: Date | string, timeZone: string): { date: string; hour: number } {
  if (typeof timestamp === 'string') {
    const m = NAIVE_RE.exec(timestamp.trim());
    if (m) {
      const hour = Number(m[2]);
      if (!isIsoDate(m[1]!) || hour > 23) throw new RangeError(`invalid timestamp: ${timestamp}`);
      return { date: m[1]!, hour };
    }
  }
  const at = typeof timestamp === 'string' ? new Date(timestamp) : timestamp;
  if (!Number.isFinite(at.getTime())) throw new RangeError(`invalid timestamp: ${String(timestamp)}`);
  const zone = tz(timeZone);
  return { date: format(at, 'yyyy-MM-dd', { in: zone }), hour: Number(format(at, 'H', { in: zone })) };
}

export interface LearnShapeOptions {
  /** A day counts as complete when it has values in at least this many distinct local hours. Default 20. */
  minHoursPerDay: number;
  /** Only the most recent this-many complete days are used. Default 28. */
  maxDays: number;
}

/**
 * Learns the usual cumulative share of a day by local hour from hourly history. Days with a zero
 * total or too few hours are skipped; the last day is skipped when it looks incomplete.
 */
export function learnIntradayShape(hourly: readonly HourlyPoint[], timeZone: string, options: Partial<LearnShapeOptions> = {}): IntradayShape {
  const minHours = options.minHoursPerDay ?? 20;
  const maxDays = options.maxDays ?? 28;
  const perDay = new Map<string, { byHour: number[]; hours: Set<number> }>();
  for (const p of hourly) {
    if (!Number.isFinite(p.value)) throw new RangeError('hourly value must be finite');
    const { date, hour } = localDateHour(p.timestamp, timeZone);
    let d = perDay.get(date);
    if (!d) {
      d = { byHour: new Array<number>(24).fill(0), hours: new Set() };
      perDay.set(date, d);
    }
    d.byHour[hour]! += p.value;
    d.hours.add(hour);
  }
  const curves: number[][] = [];
  const dates = [...perDay.keys()].sort().reverse();
  for (const date of dates) {
    if (curves.length >= maxDays) break;
    const d = perDay.get(date)!;
    const total = d.byHour.reduce((a, b) => a + b, 0);
    if (d.hours.size < minHours || !(total > 0)) continue;
    let run = 0;
    curves.push(d.byHour.map((v) => (run += v) / total));
  }
  const at = (h: number, f: (xs: number[]) => number) => (curves.length === 0 ? (h + 1) / 24 : f(curves.map((c) => c[h]!)));
  const monotone = (xs: number[]) => {
    let best = 0;
    const out = xs.map((x) => (best = Math.min(1, Math.max(best, x))));
    out[23] = 1;
    return out;
  };
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return {
    timeZone,
    days: curves.length,
    cumulativeShare: monotone(hours.map((h) => at(h, median))),
    cumulativeShareLow: monotone(hours.map((h) => at(h, (xs) => quantile(xs, 0.1)))),
    cumulativeShareHigh: monotone(hours.map((h) => at(h, (xs) => quantile(xs, 0.9)))),
  };
}

/** Share of the day elapsed by local time `t` hours after midnight (0–24), interpolating within the hour. */
function shareAt(cumulative: readonly number[], t: number): number {
  if (t <= 0) return 0;
  if (t >= 24) return 1;
  const h = Math.floor(t);
  const prev = h === 0 ? 0 : cumulative[h - 1]!;
  const cur = cumulative[h]!;
  return prev + (cur - prev) * (t - h);
}

export interface ProjectDayInput {
  /** What has arrived today so far. */
  soFar: number;
  /** Local time of day in hours since midnight (14.5 = 14:30): data is complete up to then. */
  hourOfDay?: number;
  /** Alternative to hourOfDay: fraction of the day elapsed (0–1). */
  fractionElapsed?: number;
  /** Usual cumulative share by end of each local hour (IntradayShape.cumulativeShare). */
  usualShareByHour: readonly number[];
  /** Optional 10th/90th percentile curves (IntradayShape) for a projection range. */
  shareRange?: { low: readonly number[]; high: readonly number[] };
  /** Below this usual share elapsed, no projection (too little of the day to extrapolate). Default 0.1. */
  minShare?: number;
}

export interface DayProjection {
  /** Projected total for the day; null when too little of the day has elapsed. */
  projected: number | null;
  /** Range from the 90th/10th percentile shares (a later-than-usual day projects higher). */
  projectedLow: number | null;
  projectedHigh: number | null;
  /** Usual share of the day that has arrived by now. */
  shareElapsed: number;
  soFar: number;
}

export function projectDay(input: ProjectDayInput): DayProjection {
  const { soFar, usualShareByHour: curve } = input;
  if (curve.length !== 24) throw new RangeError('usualShareByHour needs 24 values');
  if (!Number.isFinite(soFar) || soFar < 0) throw new RangeError('soFar must be a finite amount ≥ 0');
  const t = input.hourOfDay ?? (input.fractionElapsed !== undefined ? input.fractionElapsed * 24 : undefined);
  if (t === undefined || !Number.isFinite(t) || t < 0 || t > 24) throw new RangeError('give hourOfDay (0–24) or fractionElapsed (0–1)');
  const minShare = input.minShare ?? 0.1;
  const share = shareAt(curve, t);
  if (share < minShare || share <= 0) return { projected: null, projectedLow: null, projectedHigh: null, shareElapsed: share, soFar };
  const hi = input.shareRange ? shareAt(input.shareRange.high, t) : null;
  const lo = input.shareRange ? shareAt(input.shareRange.low, t) : null;
  return {
    projected: soFar / share,
    projectedLow: hi !== null && hi > 0 ? soFar / hi : null,
    projectedHigh: lo !== null && lo > 0 ? soFar / lo : null,
    shareElapsed: share,
    soFar,
  };
}

export const MIN_INTRADAY_HISTORY_DAYS = 21;

export interface EarlyWarningInput {
  /** Complete daily totals before today (local dates). */
  history: readonly SeriesPoint[];
  /** Today's local date. */
  date: string;
  soFar: number;
  hourOfDay?: number;
  fractionElapsed?: number;
  shape: IntradayShape;
  options?: Partial<DetectorOptions>;
}

export type EarlyWarning =
  | { status: 'insufficient-history'; historyDays: number; needed: number }
  | { status: 'too-early'; projection: DayProjection }
  | { status: 'projected'; projection: DayProjection; verdict: DayVerdict };

/**
 * Projects today from the hours so far and applies the daily rule to the projection.
 * Needs ≥ 21 days of daily history and a shape learnt from ≥ 21 days.
 */
export function intradayEarlyWarning(input: EarlyWarningInput): EarlyWarning {
  if (!isIsoDate(input.date)) throw new RangeError(`not a YYYY-MM-DD date: ${input.date}`);
  const history = input.history.filter((p) => p.date < input.date);
  const first = history.reduce<string | null>((m, p) => (m === null || p.date < m ? p.date : m), null);
  let historyDays = 0;
  if (first !== null) for (let d = first; d < input.date; d = addDays(d, 1)) historyDays++;
  const usable = Math.min(historyDays, input.shape.days);
  if (usable < MIN_INTRADAY_HISTORY_DAYS) return { status: 'insufficient-history', historyDays: usable, needed: MIN_INTRADAY_HISTORY_DAYS };
  const projection = projectDay({
    soFar: input.soFar,
    ...(input.hourOfDay !== undefined ? { hourOfDay: input.hourOfDay } : {}),
    ...(input.fractionElapsed !== undefined ? { fractionElapsed: input.fractionElapsed } : {}),
    usualShareByHour: input.shape.cumulativeShare,
    shareRange: { low: input.shape.cumulativeShareLow, high: input.shape.cumulativeShareHigh },
  });
  if (projection.projected === null) return { status: 'too-early', projection };
  const verdicts = detectAnomalies([...history, { date: input.date, value: projection.projected }], input.options);
  return { status: 'projected', projection, verdict: verdicts.at(-1)! };
}
