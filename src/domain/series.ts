import type { Money } from './money.ts';
import { dayKey, daysOf, type Period } from './periods.ts';

/** Rolls fixed-size UTC buckets up to local calendar days, filling days without spend with zero. */
export function dailySeries(
  buckets: { bucket: number; amount: Money }[],
  bucketSeconds: number,
  period: Pick<Period, 'from' | 'to'>,
  timeZone: string,
  until?: Date,
): { day: string; amount: Money }[] {
  const byDay = new Map<string, Money>(daysOf(period, timeZone, until).map((d) => [d, 0n as Money]));
  for (const b of buckets) {
    const day = dayKey(new Date(b.bucket * bucketSeconds * 1000), timeZone);
    const current = byDay.get(day);
    if (current !== undefined) byDay.set(day, (current + b.amount) as Money);
  }
  return [...byDay].map(([day, amount]) => ({ day, amount }));
}
