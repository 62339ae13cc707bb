import { ZERO, type Money } from './money.ts';
import { dayStart, daysOf, type Period } from './periods.ts';

/**
 * The local days of a period (up to `until`) and the instants that bound them: n days, n + 1 instants.
 * A DST day is 23 or 25 hours long; the boundaries are local midnights, so each day is exact.
 */
export function dayBoundaries(period: Pick<Period, 'from' | 'to'>, timeZone: string, until?: Date): { days: string[]; boundaries: Date[] } {
  const days = daysOf(period, timeZone, until);
  const end = until && until < period.to ? until : period.to;
  const boundaries = days.map((d, i) => (i === 0 ? period.from : dayStart(d, timeZone)));
  boundaries.push(end);
  return { days, boundaries };
}

export function zipDays(days: string[], amounts: Money[]): { day: string; amount: Money }[] {
  return days.map((day, i) => ({ day, amount: amounts[i] ?? ZERO }));
}
