import { describe, expect, it } from 'vitest';
import { forecastMonth, weekdayOf, type DailySpend } from '../../../src/domain/forecast.ts';
import { dollars, fromUsd, sum, ZERO, type Money } from '../../../src/domain/money.ts';

const WEEKDAY = dollars(100);
const WEEKEND = dollars(20);
const pattern = (day: string): Money => (weekdayOf(day) === 0 || weekdayOf(day) === 6 ? WEEKEND : WEEKDAY);

/** Day keys from `from` (inclusive) for `count` days; independent of the code under test. */
function days(from: string, count: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}
const seeded = (from: string, count: number): DailySpend[] => days(from, count).map((day) => ({ day, amount: pattern(day) }));

describe('forecastMonth on a weekday pattern', () => {
  // 5 weeks of history ending yesterday (2026-06-14); today is Monday 2026-06-15.
  const history = seeded('2026-05-11', 35);

  it('projects exactly the sum of the remaining days by weekday', () => {
    const f = forecastMonth({ history, month: '2026-06', now: new Date('2026-06-15T00:00:00Z'), timeZone: 'UTC', recurringStillToCome: ZERO });
    expect(f.reliable).toBe(true);
    if (!f.reliable) return;
    // June 15–30: 12 weekdays and 4 weekend days.
    const expected = sum(days('2026-06-15', 16).map(pattern));
    expect(expected).toBe(dollars(12 * 100 + 4 * 20));
    expect(f.projectedRemaining).toBe(expected);
    expect(f.spentToDate).toBe(dollars(10 * 100 + 4 * 20)); // June 1–14
    expect(f.projectedTotal).toBe(dollars(1080 + 1280));
    expect(f.typicalByWeekday).toEqual([WEEKEND, WEEKDAY, WEEKDAY, WEEKDAY, WEEKDAY, WEEKDAY, WEEKEND]);
  });

  it('prorates the rest of today by the elapsed fraction and adds recurring costs', () => {
    const f = forecastMonth({
      history: [...history, { day: '2026-06-15', amount: dollars(30) }],
      month: '2026-06',
      now: new Date('2026-06-15T06:00:00Z'),
      timeZone: 'UTC',
      recurringStillToCome: fromUsd('45.5'),
    });
    if (!f.reliable) throw new Error('expected a reliable forecast');
    expect(f.restOfToday).toBe(dollars(75)); // 18 of 24 hours left × $100
    expect(f.spentToDate).toBe(dollars(1080 + 30));
    expect(f.projectedRemaining).toBe(dollars(75 + 1180) + fromUsd('45.5'));
    expect(f.projectedTotal).toBe(f.spentToDate + f.projectedRemaining);
  });

  it('uses a robust median: one spike in the window does not move the typical day', () => {
    const spiky = history.map((h) => (h.day === '2026-06-10' ? { ...h, amount: dollars(5000) } : h));
    const f = forecastMonth({ history: spiky, month: '2026-06', now: new Date('2026-06-15T00:00:00Z'), timeZone: 'UTC', recurringStillToCome: ZERO });
    if (!f.reliable) throw new Error('expected a reliable forecast');
    expect(f.projectedRemaining).toBe(dollars(1280));
  });

  it('reports the day the cumulative projection first exceeds the budget', () => {
    const base = { history, month: '2026-06', now: new Date('2026-06-15T00:00:00Z'), timeZone: 'UTC', recurringStillToCome: ZERO };
    // Spent 1080 through the 14th; +100 on each weekday from the 15th: 1180, 1280, 1380 (17th), …
    const f = forecastMonth({ ...base, budget: dollars(1300) });
    expect(f.exceedsOn).toBe('2026-06-17');
    expect(forecastMonth({ ...base, budget: dollars(1280) }).exceedsOn).toBe('2026-06-17'); // strictly above
    expect(forecastMonth({ ...base, budget: dollars(5000) }).exceedsOn).toBeUndefined();
    expect(forecastMonth({ ...base, budget: dollars(500) }).exceedsOn).toBe('2026-06-06'); // already past, from actuals
  });
});

describe('forecastMonth with too little history', () => {
  it('says not reliable below 14 days, but still returns the spend to date', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    const short = forecastMonth({ history: seeded('2026-06-02', 13), month: '2026-06', now, timeZone: 'UTC', recurringStillToCome: ZERO });
    expect(short.reliable).toBe(false);
    expect(short.reason).toBe('too little history');
    expect(short.projectedTotal).toBeNull();
    expect(short.historyDays).toBe(13);
    expect(short.spentToDate).toBe(sum(days('2026-06-02', 13).map(pattern)));
    expect(short.exceedsOn).toBeUndefined();

    const enough = forecastMonth({ history: seeded('2026-06-01', 14), month: '2026-06', now, timeZone: 'UTC', recurringStillToCome: ZERO });
    expect(enough.reliable).toBe(true);
    expect(enough.historyDays).toBe(14);
  });

  it('counts missing days inside the span as zero-spend history', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    const sparse = [
      { day: '2026-05-20', amount: dollars(10) },
      { day: '2026-06-14', amount: dollars(10) },
    ];
    const f = forecastMonth({ history: sparse, month: '2026-06', now, timeZone: 'UTC', recurringStillToCome: ZERO });
    expect(f.reliable).toBe(true);
    expect(f.historyDays).toBe(26);
  });
});

describe('forecastMonth at a month boundary in the org time zone', () => {
  // 2026-01-31T16:00Z is Saturday Jan 31, 08:00 in Los Angeles, and Sunday Feb 1, 01:00 in Tokyo.
  const now = new Date('2026-01-31T16:00:00Z');
  const history = seeded('2025-12-01', 70); // local days through 2026-02-08, later days ignored as future

  it('America/Los_Angeles: only the rest of Jan 31 remains', () => {
    const f = forecastMonth({
      history: history.filter((h) => h.day < '2026-01-31'),
      month: '2026-01',
      now,
      timeZone: 'America/Los_Angeles',
      recurringStillToCome: ZERO,
    });
    if (!f.reliable) throw new Error('expected a reliable forecast');
    expect(f.today).toBe('2026-01-31');
    expect(f.remainingDays).toEqual([]);
    expect(f.restOfToday).toBe(13_333_333_333n); // $20 × 16/24, rounded half away from zero
    expect(f.projectedRemaining).toBe(13_333_333_333n);
    // February has not started in LA: every one of its days is projected in full.
    const feb = forecastMonth({
      history: history.filter((h) => h.day < '2026-01-31'),
      month: '2026-02',
      now,
      timeZone: 'America/Los_Angeles',
      recurringStillToCome: ZERO,
    });
    if (!feb.reliable) throw new Error('expected a reliable forecast');
    expect(feb.spentToDate).toBe(0n);
    expect(feb.remainingDays).toHaveLength(28);
    expect(feb.projectedRemaining).toBe(dollars(20 * 100 + 8 * 20));
  });

  it('Asia/Tokyo: February has begun, 27 full days plus the rest of Feb 1 remain', () => {
    const past = history.filter((h) => h.day < '2026-02-01');
    const f = forecastMonth({ history: past, month: '2026-02', now, timeZone: 'Asia/Tokyo', recurringStillToCome: ZERO });
    if (!f.reliable) throw new Error('expected a reliable forecast');
    expect(f.today).toBe('2026-02-01');
    expect(f.remainingDays).toEqual(days('2026-02-02', 27));
    expect(f.restOfToday).toBe(19_166_666_667n); // $20 × 23/24
    expect(f.projectedRemaining).toBe(dollars(20 * 100 + 7 * 20) + 19_166_666_667n);
    // January is over in Tokyo: nothing left to project.
    const jan = forecastMonth({ history: past, month: '2026-01', now, timeZone: 'Asia/Tokyo', recurringStillToCome: ZERO });
    if (!jan.reliable) throw new Error('expected a reliable forecast');
    expect(jan.projectedRemaining).toBe(0n);
    expect(jan.spentToDate).toBe(sum(days('2026-01-01', 31).map(pattern)));
  });

  it('a DST day in Los Angeles is 23 hours long', () => {
    // Sunday 2026-03-08, 12:00 PDT (19:00Z): 12 of the day's 23 hours are left.
    const f = forecastMonth({
      history: seeded('2026-02-01', 35),
      month: '2026-03',
      now: new Date('2026-03-08T19:00:00Z'),
      timeZone: 'America/Los_Angeles',
      recurringStillToCome: ZERO,
    });
    if (!f.reliable) throw new Error('expected a reliable forecast');
    expect(f.restOfToday).toBe(10_434_782_609n); // $20 × 12/23
  });
});
