import { add, allocate, divRound, nanos, sum, ZERO, type Money } from './money.ts';
import { dayKey, dayStart, daysOf, monthPeriod } from './periods.ts';
import { addDays, daysBetween, isIsoDate as isDay, weekdayOf } from './calendar.ts';

/**
 * Month-end projection of a team's spend, in the organisation's time zone, in exact bigint money.
 *
 * Method (all days are local calendar days "YYYY-MM-DD"):
 * 1. History = the complete days before today, from the earliest day in `history` to yesterday;
 *    a day missing inside that span counts as $0 (series omit days without spend). With fewer than
 *    `minHistoryDays` (14) such days the result is `reliable: false, reason: 'too little history'`
 *    and no projection is made (spentToDate is still returned).
 * 2. Typical amount per weekday = the median of that weekday's amounts over the last
 *    `lookbackWeeks` (4) weeks of history (only days inside the history span). An even count takes
 *    the mean of the two middle values, rounded half away from zero to the nanodollar. The weekday
 *    of a local day is its calendar weekday, so no time-zone maths is involved.
 * 3. Rest of today = typical(today's weekday) × (time left in the local day / length of the local
 *    day), rounded half away from zero to the nanodollar. The local day length is measured between
 *    local midnights, so a DST day is 23 or 25 hours. What was already spent today is in
 *    spentToDate; the projection does not try to "correct" today's partial actuals.
 * 4. Each later day of the month adds its weekday's typical amount.
 * 5. projectedRemaining = rest of today + later days + `recurringStillToCome` (hidden costs the
 *    caller knows are still to be booked this month); projectedTotal = spentToDate + projectedRemaining.
 *
 * Month position: a month that has not started yet projects every one of its days in full (spent
 * so far 0); a month that is over projects no more run rate (only `recurringStillToCome`, which the
 * caller should then pass as 0).
 *
 * `exceedsOn` (only with a budget and a reliable forecast): the first local day on which the
 * cumulative amount (actuals day by day, then the projection) is strictly above the budget; it can
 * be a day already past when the budget is already exceeded. For this date only, the recurring
 * costs still to come are assumed to accrue evenly over the projected days (today included; split
 * with `allocate`, so exact); with no projected day left they land on the month's last day.
 */

export interface DailySpend {
  day: string;
  amount: Money;
}

export interface ForecastInput {
  /** Daily spend by local day, including earlier months (for the weekday pattern). */
  history: readonly DailySpend[];
  /** "YYYY-MM" to project. */
  month: string;
  now: Date;
  timeZone: string;
  recurringStillToCome: Money;
  /** When given, `exceedsOn` is computed against it. */
  budget?: Money | null;
  /** Weeks of history for the per-weekday median (default 4). */
  lookbackWeeks?: number;
  /** Minimum complete days of history for a reliable forecast (default 14). */
  minHistoryDays?: number;
  /**
   * Step of the time already gone today, in ms (default 1: exact). With 3,600,000 the rest of today
   * is counted from the start of the current hour, so every call within an hour gives the same
   * forecast to the nanodollar instead of drifting by cents from one call to the next.
   */
  stepMs?: number;
}

interface ForecastBase {
  month: string;
  /** The local day of `now`. */
  today: string;
  /** Actual spend of the month's days up to and including today (so far). */
  spentToDate: Money;
  /** Complete days of history before today (see the method). */
  historyDays: number;
}

export interface ReliableForecast extends ForecastBase {
  reliable: true;
  reason?: undefined;
  projectedTotal: Money;
  projectedRemaining: Money;
  /** Part of projectedRemaining from the run rate (rest of today + later days). */
  runRateRemaining: Money;
  restOfToday: Money;
  recurringStillToCome: Money;
  /** Typical amount per weekday, index 0 = Sunday … 6 = Saturday. */
  typicalByWeekday: Money[];
  /** The month's days after today (every day of a future month). */
  remainingDays: string[];
  exceedsOn?: string;
}

export interface UnreliableForecast extends ForecastBase {
  reliable: false;
  reason: 'too little history';
  projectedTotal: null;
  projectedRemaining: null;
  exceedsOn?: undefined;
}

export type ForecastResult = ReliableForecast | UnreliableForecast;

export function forecastMonth(input: ForecastInput): ForecastResult {
  const { month, now, timeZone } = input;
  const lookbackWeeks = input.lookbackWeeks ?? 4;
  const minHistoryDays = input.minHistoryDays ?? 14;
  if (!Number.isInteger(lookbackWeeks) || lookbackWeeks < 1) throw new RangeError('lookbackWeeks must be a positive integer');

  const period = monthPeriod(month, timeZone);
  const monthDays = daysOf(period, timeZone);
  const today = dayKey(now, timeZone);

  const byDay = new Map<string, Money>();
  for (const h of input.history) {
    if (!isDay(h.day)) throw new RangeError(`not a day: ${h.day}`);
    byDay.set(h.day, add(byDay.get(h.day) ?? ZERO, h.amount));
  }
  const amountOn = (day: string): Money => byDay.get(day) ?? ZERO;

  const phase: 'future' | 'current' | 'past' = now < period.from ? 'future' : now >= period.to ? 'past' : 'current';
  const actualDays = phase === 'future' ? [] : phase === 'past' ? monthDays : monthDays.filter((d) => d <= today);
  const spentToDate = sum(actualDays.map(amountOn));

  // Complete days of history: earliest known day .. yesterday.
  let earliest: string | null = null;
  for (const d of byDay.keys()) if (d < today && (earliest === null || d < earliest)) earliest = d;
  const historyDays = earliest === null ? 0 : daysBetween(earliest, today);
  const base: ForecastBase = { month, today, spentToDate, historyDays };

  // A finished month has nothing left to project: the actuals are the answer.
  if (phase !== 'past' && historyDays < minHistoryDays) {
    return { ...base, reliable: false, reason: 'too little history', projectedTotal: null, projectedRemaining: null };
  }

  const typicalByWeekday = weekdayTypicals(amountOn, earliest, today, lookbackWeeks);
  const typical = (day: string): Money => typicalByWeekday[weekdayOf(day)] ?? ZERO;

  let restOfToday: Money = ZERO;
  let remainingDays: string[] = [];
  if (phase === 'current') {
    const start = dayStart(today, timeZone).getTime();
    const end = dayStart(addDays(today, 1), timeZone).getTime();
    const step = input.stepMs ?? 1;
    const gone = Math.floor((now.getTime() - start) / step) * step;
    restOfToday = divRound(typical(today) * BigInt(end - start - gone), BigInt(end - start));
    remainingDays = monthDays.filter((d) => d > today);
  } else if (phase === 'future') {
    remainingDays = monthDays;
  }
  const runRateRemaining = add(restOfToday, sum(remainingDays.map(typical)));
  const projectedRemaining = add(runRateRemaining, input.recurringStillToCome);
  const projectedTotal = add(spentToDate, projectedRemaining);

  const result: ReliableForecast = {
    ...base,
    reliable: true,
    projectedTotal,
    projectedRemaining,
    runRateRemaining,
    restOfToday,
    recurringStillToCome: input.recurringStillToCome,
    typicalByWeekday,
    remainingDays,
  };

  if (input.budget !== undefined && input.budget !== null) {
    // Day-by-day cumulative: actuals, then today's rest, then later days; recurring spread evenly.
    const steps: { day: string; amount: Money }[] = actualDays.map((d) => ({ day: d, amount: amountOn(d) }));
    const projected: { day: string; amount: Money }[] = [];
    if (phase === 'current') projected.push({ day: today, amount: restOfToday });
    for (const d of remainingDays) projected.push({ day: d, amount: typical(d) });
    if (projected.length > 0) {
      const shares = allocate(
        input.recurringStillToCome,
        projected.map(() => 1n),
      );
      projected.forEach((p, i) => (p.amount = add(p.amount, shares[i] ?? ZERO)));
    } else if (monthDays.length > 0) {
      projected.push({ day: monthDays[monthDays.length - 1]!, amount: input.recurringStillToCome });
    }
    let running = 0n;
    for (const s of [...steps, ...projected]) {
      running += s.amount;
      if (running > input.budget) {
        result.exceedsOn = s.day;
        break;
      }
    }
  }
  return result;
}

/** Median per weekday over the last `weeks` weeks before today, within the history span. */
function weekdayTypicals(amountOn: (day: string) => Money, earliest: string | null, today: string, weeks: number): Money[] {
  const samples: bigint[][] = [[], [], [], [], [], [], []];
  if (earliest !== null) {
    for (let k = 1; k <= weeks * 7; k++) {
      const d = addDays(today, -k);
      if (d < earliest) break;
      samples[weekdayOf(d)]!.push(amountOn(d));
    }
  }
  return samples.map((s) => median(s));
}

function median(values: bigint[]): Money {
  if (values.length === 0) return ZERO;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return nanos(sorted[mid]!);
  return divRound(sorted[mid - 1]! + sorted[mid]!, 2n);
}

export { weekdayOf } from './calendar.ts';
