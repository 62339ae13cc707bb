import { TZDate, tz } from '@date-fns/tz';
import { addDays, differenceInCalendarDays, format, startOfDay, startOfMonth, subDays } from 'date-fns';
import { addDays as addCalendarDays, assertMonth, isIsoDate as isDay, isMonth, previousMonth } from './calendar.ts';
import { fail, ok, type Result } from './result.ts';

/**
 * Periods in the organisation's time zone. Every boundary is a local midnight converted to an
 * instant, so a month in Asia/Tokyo starts at 15:00 UTC the day before, and a DST day is 23 or 25 hours.
 * `now` is always a parameter.
 */
export interface Period {
  /** Inclusive start instant. */
  from: Date;
  /** Exclusive end instant (may be in the future for "this month"). */
  to: Date;
  /** For display: "November 2026", "last 7 days", "2026-11-01 to 2026-11-07". */
  label: string;
  kind: 'month' | 'days' | 'range';
  /** "YYYY-MM" when the period is one calendar month. */
  month?: string;
}

export const PERIOD_EXAMPLES = ['this month', 'last month', '2026-10', '7d', '30d', '90d', '2026-10-01..2026-10-15'];

/** Periods are calendar dates of these years (outside them JavaScript dates misbehave: years < 100, > 9999). */
const MIN_YEAR = 2000;
const MAX_YEAR = 2099;

export function monthPeriod(month: string, timeZone: string): Period {
  const [y, m] = assertMonth(month).split('-').map(Number) as [number, number];
  const start = new TZDate(y, m - 1, 1, timeZone);
  // The next month's first instant, not start + 1 month: where the clocks skip midnight on the 1st
  // (America/Asuncion, October 2023) a month starts at 01:00, and the month before must end there too.
  const end = new TZDate(y, m, 1, timeZone);
  return {
    from: new Date(start.getTime()),
    to: new Date(end.getTime()),
    label: format(start, 'MMMM yyyy'),
    kind: 'month',
    month,
  };
}

/** "YYYY-MM" of the month containing `at`, in the time zone. */
export function monthOf(at: Date, timeZone: string): string {
  return format(at, 'yyyy-MM', { in: tz(timeZone) });
}

export { nextMonth, previousMonth } from './calendar.ts';

/** Local calendar day "YYYY-MM-DD" of an instant. */
export function dayKey(at: Date, timeZone: string): string {
  return format(at, 'yyyy-MM-dd', { in: tz(timeZone) });
}

/** Start instant of a local day "YYYY-MM-DD". */
export function dayStart(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, timeZone).getTime());
}

/** Every local day key from the period's start up to (excluding) `until` (default: the period's end). */
export function daysOf(period: Pick<Period, 'from' | 'to'>, timeZone: string, until?: Date): string[] {
  const end = until && until < period.to ? until : period.to;
  const days: string[] = [];
  let cursor = startOfDay(period.from, { in: tz(timeZone) });
  while (cursor.getTime() < end.getTime()) {
    days.push(format(cursor, 'yyyy-MM-dd'));
    cursor = addDays(cursor, 1);
  }
  return days;
}

/** The period-to-date part of a period: up to now when it is still running. */
export function elapsed(period: Period, now: Date): Period {
  return now < period.to ? { ...period, to: now > period.from ? now : period.from } : period;
}

/** Parses the period words of a command. Empty text is this month. */
export function parsePeriod(text: string, now: Date, timeZone: string): Result<Period> {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const zone = tz(timeZone);
  if (t === '' || t === 'this month' || t === 'mtd' || t === 'month') return ok(monthPeriod(monthOf(now, timeZone), timeZone));
  if (t === 'last month' || t === 'previous month') {
    return ok(monthPeriod(previousMonth(monthOf(now, timeZone)), timeZone));
  }
  const outOfYears = (year: string) => Number(year) < MIN_YEAR || Number(year) > MAX_YEAR;
  const yearsError = fail<Period>({ code: 'period.outside-years', text: text.trim(), min: MIN_YEAR, max: MAX_YEAR });
  if (isMonth(t)) return outOfYears(t.slice(0, 4)) ? yearsError : ok(monthPeriod(t, timeZone));
  const days = /^(\d{1,3})\s?d(ays?)?$/.exec(t);
  if (days) {
    const n = Number(days[1]);
    if (n < 1 || n > 366) return fail({ code: 'period.days-out-of-range', text: text.trim() });
    // The last n local days including today.
    const todayStart = startOfDay(now, { in: zone });
    const from = subDays(todayStart, n - 1);
    return ok({ from: new Date(from.getTime()), to: new Date(addDays(todayStart, 1).getTime()), label: `last ${n} days`, kind: 'days' });
  }
  const range = /^(\d{4}-\d{2}-\d{2})\s?(?:\.\.|to)\s?(\d{4}-\d{2}-\d{2})$/.exec(t);
  if (range) {
    const [a, b] = [range[1]!, range[2]!];
    if (outOfYears(a.slice(0, 4)) || outOfYears(b.slice(0, 4))) return yearsError;
    if (!isDay(a) || !isDay(b)) return fail({ code: 'period.no-such-date', text: text.trim() });
    if (b < a) return fail({ code: 'period.ends-before-start', text: text.trim() });
    const from = dayStart(a, timeZone);
    const to = dayStart(addCalendarDays(b, 1), timeZone);
    if (differenceInCalendarDays(to, from) > 400) return fail({ code: 'period.range-too-long', maxDays: 400 });
    return ok({ from, to, label: a === b ? a : `${a} to ${b}`, kind: 'range' });
  }
  return fail({ code: 'period.unknown', text: text.trim() });
}

/** Start of the month containing `at`, as an instant. */
export function monthStart(at: Date, timeZone: string): Date {
  return new Date(startOfMonth(at, { in: tz(timeZone) }).getTime());
}

/**
 * The period a view is compared with (the "previous comparable period"): for a month, the month
 * before; while the month is still running, only as many local days of it as have elapsed of this one
 * (Nov 1–20 against Oct 1–20), so a partial month is not compared with a whole one. For "last N days"
 * and date ranges, the same number of days just before. Returns the window to sum and a label.
 */
export function previousComparable(period: Period, now: Date, timeZone: string): { from: Date; to: Date; label: string } {
  const zone = tz(timeZone);
  if (period.kind === 'month' && period.month) {
    const prev = monthPeriod(previousMonth(period.month), timeZone);
    if (now >= period.to) return { from: prev.from, to: prev.to, label: prev.label };
    const days = differenceInCalendarDays(startOfDay(now, { in: zone }), period.from, { in: zone });
    const sameTime = new Date(addDays(new TZDate(prev.from.getTime(), timeZone), days).getTime() + (now.getTime() - startOfDay(now, { in: zone }).getTime()));
    const to = sameTime < prev.to ? sameTime : prev.to;
    return {
      from: prev.from,
      to,
      // "Oct 1–3, 2026" (it said "Oct 1–3 of October 2026").
      label: `${format(new TZDate(prev.from.getTime(), timeZone), 'MMM d')}–${format(new TZDate(to.getTime() - 1, timeZone), 'd, yyyy')}`,
    };
  }
  const end = now < period.to ? now : period.to;
  const span = end.getTime() - period.from.getTime();
  const from = new Date(period.from.getTime() - (period.to.getTime() - period.from.getTime()));
  return { from, to: new Date(from.getTime() + span), label: `the ${differenceInCalendarDays(period.to, period.from, { in: zone })} days before` };
}
