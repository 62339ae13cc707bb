/**
 * Intraday bursts: an hour or two of a day that spend far more than the same hours usually do.
 *
 * Per-hour alerting is noisy (finance.md: every method tried cries wolf; a naive 3σ per hour raises
 * 1.8 false alert groups per series-month on the shared labelled series), so a burst must pass all of:
 * - a scan over windows of 1–`maxHours` consecutive hours of the local day, each compared with the
 *   *same window* (same local hours) on the comparable past days (the last `baselineDays` of the same
 *   kind, Monday–Friday or Saturday–Sunday, within `lookbackDays`): expected = the median of those sums,
 *   spread = the larger of 1.4826 × MAD and IQR ÷ 1.349. Hours next to each other move together, so a
 *   window's own history says how much its sum swings; the IQR keeps a job that runs on some days only
 *   from looking like a burst each time it runs. A burst's hours enter later baselines as their
 *   expected value, so it does not widen the spread the next one is judged by;
 * - floors under that spread, so a quiet or sparse series cannot make a small move look huge: the
 *   Poisson floor √(expected × unitValue) (a count of events, each worth `unitValue`, swings by about
 *   its square root; for spend, unitValue is the usual cost of one call), `pctFloor` of the expected
 *   sum, one event, and the series' own hourly noise pooled over every hour of the past days (its
 *   hours of ≥ 50 events) × the expected sum: a window's 14 past values can be tight by chance, the
 *   pooled hundreds cannot;
 * - unusual for either kind of day (with `season: 'either'`): a holiday that behaves like a Sunday is
 *   not a burst;
 * - materiality: the excess is at least `minShareOfDay` of the usual whole day and at least `minImpact`;
 * - concentrated: when the earlier hours of the day are up as well (the whole day is up: the daily rule
 *   and the projection judge that), not a burst;
 * - spikes only: hours spending less than usual cost nothing extra, and the daily rule sees a low day;
 * - new: a window that was also unusual on each of the `shiftDays` days before is a level already seen.
 *
 * Everything is in the organisation's local time (`@date-fns/tz`): a day is its real hours from local
 * midnight to local midnight, so a DST day has 23 or 25 of them; a past day is compared hour label by
 * hour label (the repeated hour of a 25-hour day counts at its average; a window over the missing hour
 * of a 23-hour day is compared without the days that lack it).
 */
import { TZDate, tz } from '@date-fns/tz';
import { format } from 'date-fns';
import { addDays, isIsoDate, weekdayOf } from '../calendar.ts';
import { dayKey, dayStart } from '../periods.ts';

export interface BurstOptions {
  /** A window's excess over its expected sum must exceed this many spreads. */
  zThreshold: number;
  /** Longest window scanned, in hours. */
  maxHours: number;
  /** Past days each window is compared with: at most this many… */
  baselineDays: number;
  /** …of the same kind, within this many days before. */
  lookbackDays: number;
  /** Which past days are comparable: every day, the same kind (Saturday/Sunday or Monday–Friday), or the same weekday. */
  season: 'day' | 'weekend' | 'week' | 'either';
  /** No verdict on a day with fewer comparable past days than this… */
  minBaselineDays: number;
  /** …or fewer days of data before it. */
  minHistoryDays: number;
  /** The excess must be at least this share (0–1) of the usual whole day. */
  minShareOfDay: number;
  /** …and at least this amount, in the series' unit. */
  minImpact: number;
  /** Floor of the spread as a share (0–1) of the window's expected sum. */
  pctFloor: number;
  /** Floor of the spread as this multiple of the series' pooled hourly noise × the expected sum (0: none). */
  pooledFloor: number;
  /** What one event is worth, for the Poisson floor √(expected × unitValue) (1 for counts). */
  unitValue: number;
  /**
   * A window whose earlier hours that day are unusual too (robust z above `broadZ`) and carry at least
   * `broadShare` of its excess is a day that is up as a whole (a feature that runs on some days only,
   * a level shift since midnight): the daily rule and the projection judge that, not the burst check.
   */
  broadShare: number;
  broadZ: number;
  /** A window unusual on each of this many days before is a level shift already seen: not alerted. */
  shiftDays: number;
}

export const DEFAULT_BURST_OPTIONS: BurstOptions = {
  zThreshold: 4.5,
  maxHours: 2,
  baselineDays: 14,
  lookbackDays: 28,
  season: 'either',
  minBaselineDays: 4,
  minHistoryDays: 14,
  minShareOfDay: 0.07,
  minImpact: 0,
  pctFloor: 0.1,
  pooledFloor: 1,
  unitValue: 1,
  shiftDays: 2,
  broadShare: 0.5,
  broadZ: 2,
};

export interface HourlyValue {
  /** An instant, or naive wall-clock text `YYYY-MM-DD HH:mm[:ss]` read as local time in the zone. */
  at: Date | string;
  value: number;
}

export interface HourlyBurst {
  /** Local day. */
  date: string;
  /** Local hour labels of the first and last hour (inclusive), 0–23. */
  startHour: number;
  endHour: number;
  /** Instants: start of the first hour, end of the last. */
  from: Date;
  to: Date;
  hours: number;
  actual: number;
  /** Median of the same hours' sums on the past days. */
  expected: number;
  /** actual − expected. */
  excess: number;
  /** excess ÷ spread. */
  score: number;
  /** Median whole day over the same past days. */
  usualDay: number;
}

const HOUR = 3_600_000;
const NAIVE_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

function instantOf(at: Date | string, timeZone: string): number {
  if (typeof at === 'string') {
    const m = NAIVE_RE.exec(at.trim());
    if (m) {
      const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
      if (!isIsoDate(`${m[1]}-${m[2]}-${m[3]}`) || h! > 23 || mi! > 59) throw new RangeError(`invalid timestamp: ${at}`);
      return new TZDate(y!, mo! - 1, d!, h!, mi!, timeZone).getTime();
    }
  }
  const t = (typeof at === 'string' ? new Date(at) : at).getTime();
  if (!Number.isFinite(t)) throw new RangeError(`invalid timestamp: ${String(at)}`);
  return t;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Day {
  date: string;
  start: number;
  /** Values of the day's real hours, in order. */
  values: number[];
  /** Local hour label of each real hour. */
  labels: number[];
  /** Mean value per hour label (undefined for a label the day lacks). */
  byLabel: (number | undefined)[];
  total: number;
  weekday: number;
  /** pooledNoise of this day against each kind of past day, once computed. */
  noise: { own?: number; other?: number };
}

/** Hourly values (any order, several per hour summed) as local days, zero where an hour has none. */
function localDays(points: readonly HourlyValue[], timeZone: string): Day[] {
  const byHour = new Map<number, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (!Number.isFinite(p.value)) throw new RangeError('hourly value must be finite');
    const t = instantOf(p.at, timeZone);
    byHour.set(Math.floor(t / HOUR), (byHour.get(Math.floor(t / HOUR)) ?? 0) + p.value);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  if (byHour.size === 0) return [];
  const zone = tz(timeZone);
  const days: Day[] = [];
  const lastDate = dayKey(new Date(last), timeZone);
  for (let date = dayKey(new Date(first), timeZone); date <= lastDate; date = addDays(date, 1)) {
    const start = dayStart(date, timeZone).getTime();
    const n = Math.round((dayStart(addDays(date, 1), timeZone).getTime() - start) / HOUR);
    const labels =
      n === 24 ? Array.from({ length: 24 }, (_, h) => h) : Array.from({ length: n }, (_, i) => Number(format(new Date(start + i * HOUR), 'H', { in: zone })));
    const values = labels.map((_, i) => byHour.get(Math.floor((start + i * HOUR) / HOUR)) ?? 0);
    const sums = new Array<number>(24).fill(0);
    const counts = new Array<number>(24).fill(0);
    labels.forEach((l, i) => {
      sums[l]! += values[i]!;
      counts[l]! += 1;
    });
    days.push({
      date,
      start,
      values,
      labels,
      byLabel: sums.map((s, l) => (counts[l]! > 0 ? s / counts[l]! : undefined)),
      total: values.reduce((a, b) => a + b, 0),
      weekday: weekdayOf(date),
      noise: {},
    });
  }
  return days;
}

interface WindowVerdict {
  actual: number;
  expected: number;
  score: number;
}

/** The window [i, j] of day `k` against the same local hours on its past days; null without enough past days. */
function judge(days: readonly Day[], k: number, i: number, j: number, o: BurstOptions): WindowVerdict | null {
  const own = judgeAgainst(days, k, i, j, o, 'own');
  if (o.season !== 'either' || !own) return own;
  // A day may behave like the other kind (a holiday like a Sunday): unusual only if unusual for both.
  const other = judgeAgainst(days, k, i, j, o, 'other');
  return other && other.score < own.score ? { ...own, score: other.score } : own;
}

/** The past days day `k` is compared with: of its own kind (as `season` says), or of the other kind. */
function pastDays(days: readonly Day[], k: number, o: BurstOptions, kind: 'own' | 'other'): Day[] {
  const day = days[k]!;
  const use = kind === 'own' ? (d: Day) => comparable(day, d, o.season) : (d: Day) => isWeekend(d) !== isWeekend(day);
  const out: Day[] = [];
  for (let p = k - 1; p >= 0 && p >= k - o.lookbackDays && out.length < o.baselineDays; p--) if (use(days[p]!)) out.push(days[p]!);
  return out;
}

/**
 * How much an hour of this series swings, relative to its usual, pooled over every hour of the past
 * days (1.4826 × the median of |value ÷ that hour's median − 1|): hundreds of values, where one
 * window's own history has 14, so a heavy-tailed series cannot look tight by chance in one hour.
 */
function pooledNoise(days: readonly Day[], k: number, o: BurstOptions, kind: 'own' | 'other'): number {
  const day = days[k]!;
  const cached = day.noise[kind];
  if (cached !== undefined) return cached;
  const past = pastDays(days, k, o, kind);
  const deviations: number[] = [];
  for (let l = 0; l < 24; l++) {
    const xs = past.map((d) => d.byLabel[l]).filter((v): v is number => v !== undefined);
    if (xs.length < o.minBaselineDays) continue;
    const m = median(xs);
    // Hours of fewer than 50 events swing mostly by chance, which the Poisson floor already covers.
    if (m >= 50 * o.unitValue) for (const x of xs) deviations.push(Math.abs(x / m - 1));
  }
  const noise = deviations.length ? 1.4826 * median(deviations) : 0;
  day.noise[kind] = noise;
  return noise;
}

function judgeAgainst(days: readonly Day[], k: number, i: number, j: number, o: BurstOptions, kind: 'own' | 'other'): WindowVerdict | null {
  const day = days[k]!;
  let actual = 0;
  for (let x = i; x <= j; x++) actual += day.values[x]!;
  const labels = day.labels.slice(i, j + 1);
  const past: number[] = [];
  for (const d of pastDays(days, k, o, kind)) {
    let s = 0;
    let complete = true;
    for (const l of labels) {
      const v = d.byLabel[l];
      if (v === undefined) {
        complete = false;
        break;
      }
      s += v;
    }
    if (complete) past.push(s);
  }
  if (past.length < o.minBaselineDays) return null;
  const expected = median(past);
  // The larger of MAD and IQR (as σ): a window that is high on a third of the days (a job that runs on
  // some days) has a small MAD but a wide IQR.
  const spread = Math.max(1.4826 * median(past.map((v) => Math.abs(v - expected))), (quantile(past, 0.75) - quantile(past, 0.25)) / 1.349);
  const scale = Math.max(
    spread,
    Math.sqrt(Math.max(0, expected) * o.unitValue),
    o.pctFloor * Math.abs(expected),
    o.pooledFloor * pooledNoise(days, k, o, kind) * Math.abs(expected),
    o.unitValue,
  );
  return { actual, expected, score: (actual - expected) / scale };
}

const isWeekend = (d: Day) => d.weekday === 0 || d.weekday === 6;

function comparable(a: Day, b: Day, season: BurstOptions['season']): boolean {
  if (season === 'day') return true;
  if (season === 'week') return a.weekday === b.weekday;
  return isWeekend(a) === isWeekend(b);
}

/** The same local hours (by label) on an earlier day: indices [i, j] there, or null when it lacks them. */
function sameWindow(day: Day, other: Day, i: number, j: number): [number, number] | null {
  const a = other.labels.indexOf(day.labels[i]!);
  const b = other.labels.lastIndexOf(day.labels[j]!);
  return a >= 0 && b >= a ? [a, b] : null;
}

function burstOf(day: Day, i: number, j: number, v: WindowVerdict, usualDay: number): HourlyBurst {
  return {
    date: day.date,
    startHour: day.labels[i]!,
    endHour: day.labels[j]!,
    from: new Date(day.start + i * HOUR),
    to: new Date(day.start + (j + 1) * HOUR),
    hours: j - i + 1,
    actual: v.actual,
    expected: v.expected,
    excess: v.actual - v.expected,
    score: v.score,
    usualDay,
  };
}

/**
 * Bursts of the given local days (default: every day with enough history), each a maximal run of
 * hours covered by alerting windows, largest excess first within a day. With `until`, only hours that
 * ended by then are read (the running day's last complete hours).
 */
export function findBursts(
  points: readonly HourlyValue[],
  timeZone: string,
  options: Partial<BurstOptions> = {},
  scope: { dates?: readonly string[]; until?: Date } = {},
): HourlyBurst[] {
  const o = { ...DEFAULT_BURST_OPTIONS, ...options };
  if (!(o.maxHours >= 1) || !(o.baselineDays >= 1) || !(o.unitValue > 0)) throw new RangeError('invalid burst options');
  const until = scope.until?.getTime() ?? Number.POSITIVE_INFINITY;
  const days = localDays(points, timeZone);
  const wanted = scope.dates ? new Set(scope.dates) : null;
  const out: HourlyBurst[] = [];
  for (let k = 0; k < days.length; k++) {
    const day = days[k]!;
    if (k < o.minHistoryDays) continue;
    const complete = Math.min(day.values.length, Math.floor((until - day.start) / HOUR));
    if (complete <= 0) continue;
    const pastTotals = days
      .slice(Math.max(0, k - o.lookbackDays), k)
      .filter((d) => comparable(day, d, o.season))
      .slice(-o.baselineDays)
      .map((d) => d.total);
    if (pastTotals.length < o.minBaselineDays) continue;
    const usualDay = median(pastTotals);
    const covered = new Array<boolean>(complete).fill(false);
    for (let j = 0; j < complete; j++) {
      for (let i = j; i >= 0 && i > j - o.maxHours; i--) {
        const v = judge(days, k, i, j, o);
        if (!v || v.score <= o.zThreshold) continue;
        const excess = v.actual - v.expected;
        if (excess < o.minShareOfDay * usualDay || excess < o.minImpact) continue;
        if (i > 0) {
          const before = judge(days, k, 0, i - 1, o);
          if (before && before.score > o.broadZ && before.actual - before.expected >= o.broadShare * excess) continue;
        }
        // Unusual the same way on each of the days before: a new level already seen, not a new burst.
        let seen = 0;
        for (let p = 1; p <= o.shiftDays && k - p >= 0; p++) {
          const w = sameWindow(day, days[k - p]!, i, j);
          const pv = w ? judge(days, k - p, w[0], w[1], o) : null;
          if (pv && pv.score > o.zThreshold) seen++;
        }
        if (o.shiftDays > 0 && seen === o.shiftDays) continue;
        for (let x = i; x <= j; x++) covered[x] = true;
      }
    }
    // A burst's hours enter later baselines as their expected value, so the burst does not widen the spread it is judged by.
    const cleaned = day.byLabel.slice();
    for (let x = 0; x < complete; x++) if (covered[x]) cleaned[day.labels[x]!] = judge(days, k, x, x, o)?.expected ?? cleaned[day.labels[x]!];
    const found: HourlyBurst[] = [];
    for (let i = 0; i < complete; i++) {
      if (!covered[i] || covered[i - 1]) continue;
      let j = i;
      while (j + 1 < complete && covered[j + 1]) j++;
      // A window is the burst's hours plus perhaps an ordinary neighbour: trim edge hours within one spread of their usual.
      let a = i;
      let z = j;
      while (a < z && (judge(days, k, a, a, o)?.score ?? 0) <= 1) a++;
      while (z > a && (judge(days, k, z, z, o)?.score ?? 0) <= 1) z--;
      found.push(burstOf(day, a, z, judge(days, k, a, z, o)!, usualDay));
      i = j;
    }
    day.byLabel = cleaned;
    if (!wanted || wanted.has(day.date)) out.push(...found.sort((a, b) => b.excess - a.excess));
  }
  return out;
}
