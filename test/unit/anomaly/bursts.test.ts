import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { findBursts, type HourlyValue } from '../../../src/domain/anomaly/bursts.ts';
import { addDays } from '../../../src/domain/calendar.ts';
import { dayStart } from '../../../src/domain/periods.ts';
import { rng } from './synthetic.ts';

const LA = 'America/Los_Angeles';
/** Quiet nights, busy office hours, a moderate evening (per hour, × the level). */
const PROFILE = Array.from({ length: 24 }, (_, h) => (h < 8 ? 0.2 : h < 18 ? 2 : 0.6));

/**
 * `days` local days of spend from `start` in LA: every real hour of each day (23 or 25 on DST days) is
 * `level × PROFILE[local hour] × (1 ± noise)`, times `multiplier(day, hour)`.
 */
function series(start: string, days: number, opts: { level?: number; noise?: number; seed?: number; multiplier?: (day: number, hour: number) => number } = {}) {
  const { level = 10, noise = 0.1, seed = 7, multiplier = () => 1 } = opts;
  const r = rng(seed);
  const out: HourlyValue[] = [];
  for (let d = 0; d < days; d++) {
    const date = addDays(start, d);
    const from = dayStart(date, LA).getTime();
    const to = dayStart(addDays(date, 1), LA).getTime();
    for (let t = from; t < to; t += 3600_000) {
      const hour = new TZDate(t, LA).getHours();
      out.push({ at: new Date(t), value: level * PROFILE[hour]! * (1 + noise * (2 * r() - 1)) * multiplier(d, hour) });
    }
  }
  return out;
}

describe('findBursts', () => {
  it('finds two hours at three times their usual spend, with those hours, their usual, and the excess', () => {
    const points = series('2026-05-04', 36, { multiplier: (d, h) => (d === 35 && (h === 14 || h === 15) ? 3 : 1) });
    const bursts = findBursts(points, LA);
    expect(bursts).toHaveLength(1);
    const b = bursts[0]!;
    expect(b).toMatchObject({ date: addDays('2026-05-04', 35), startHour: 14, endHour: 15, hours: 2 });
    expect(b.from.toISOString()).toBe(new Date(dayStart(b.date, LA).getTime() + 14 * 3600_000).toISOString());
    expect(b.expected).toBeCloseTo(40, -0.5);
    expect(b.actual / b.expected).toBeGreaterThan(2.5);
    expect(b.excess).toBeCloseTo(b.actual - b.expected, 9);
  });

  it('reads only the hours that ended by `until`: the running hour is not judged', () => {
    const points = series('2026-05-04', 36, { multiplier: (d, h) => (d === 35 && (h === 14 || h === 15) ? 3 : 1) });
    const day = addDays('2026-05-04', 35);
    const at = (h: number) => new Date(dayStart(day, LA).getTime() + h * 3600_000);
    expect(findBursts(points, LA, {}, { dates: [day], until: at(14.5) })).toHaveLength(0);
    expect(findBursts(points, LA, {}, { dates: [day], until: at(15) })[0]).toMatchObject({ startHour: 14, endHour: 14 });
  });

  it('stays quiet on noisy ordinary days', () => {
    const points = series('2026-05-04', 70, { noise: 0.3, seed: 3 });
    expect(findBursts(points, LA)).toEqual([]);
  });

  it('alerts a level shift on its first days at most, once a day, never hour after hour', () => {
    const points = series('2026-05-04', 40, { multiplier: (d) => (d >= 25 ? 2.5 : 1) });
    const bursts = findBursts(points, LA);
    const dates = bursts.map((b) => b.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates.every((d) => d <= addDays('2026-05-04', 26))).toBe(true);
  });

  describe('sparse counts: the Poisson floor', () => {
    // About one purchase an hour in office hours, none most nights; the test hour is 03:00.
    const counts = (burst: number) => {
      const r = rng(17);
      const out: HourlyValue[] = [];
      for (let d = 0; d < 35; d++)
        for (let h = 0; h < 24; h++) {
          const mean = h >= 8 && h < 18 ? 1.5 : 0.1;
          // Poisson by inversion.
          let k = 0;
          for (let p = Math.exp(-mean), s = p, u = r(); u > s; k++, p *= mean / k, s += p);
          out.push({ at: `${addDays('2026-05-04', d)} ${String(h).padStart(2, '0')}:00:00`, value: d === 34 && h === 3 ? burst : k });
        }
      return out;
    };
    it('3 purchases in an hour that usually has none is chance at these counts; 25 is a burst', () => {
      expect(findBursts(counts(3), 'UTC', { minShareOfDay: 0 }).filter((b) => b.date === '2026-06-07')).toEqual([]);
      expect(findBursts(counts(25), 'UTC', { minShareOfDay: 0 }).filter((b) => b.date === '2026-06-07')[0]).toMatchObject({ startHour: 3 });
    });
    it('without the floor (an event worth almost nothing) the same 3 would be called a burst', () => {
      expect(findBursts(counts(3), 'UTC', { minShareOfDay: 0, unitValue: 1e-9, pctFloor: 0 }).some((b) => b.date === '2026-06-07')).toBe(true);
    });
  });

  describe('busy heavy-tailed hours: the pooled noise floor', () => {
    // Thousands of calls an hour, each hour ±25% (lognormal): a window's 14 past values can be tight by chance.
    const busy = (burstAt: number | null) => {
      const r = rng(2);
      const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      const out: HourlyValue[] = [];
      for (let d = 0; d < 120; d++)
        for (let h = 0; h < 24; h++) {
          const value = 1000 * (h < 8 ? 0.3 : 1) * Math.exp(0.25 * normal());
          out.push({ at: new Date(Date.UTC(2026, 0, 5 + d, h)), value: d === burstAt && (h === 13 || h === 14) ? 3 * value : value });
        }
      return out;
    };
    it('four months of noise raise no burst; without the floor one would be called', () => {
      expect(findBursts(busy(null), 'UTC')).toEqual([]);
      expect(findBursts(busy(null), 'UTC', { pooledFloor: 0 }).length).toBeGreaterThan(0);
    });
    it('two hours at three times their usual still are a burst', () => {
      expect(findBursts(busy(100), 'UTC').map((b) => [b.date, b.startHour, b.endHour])).toEqual([['2026-04-15', 13, 14]]);
    });
  });

  describe('DST days in the local zone', () => {
    // 2026-11-01 has 25 hours in LA (01:00 twice), 2026-03-08 has 23 (no 02:00).
    it('a 25-hour and a 23-hour day are ordinary days', () => {
      for (const start of ['2026-10-01', '2026-02-05']) {
        const points = series(start, 45, { seed: 9 });
        expect(findBursts(points, LA)).toEqual([]);
      }
    });
    it('a burst on the 25-hour day is placed at its local hours', () => {
      const points = series('2026-10-01', 32, { multiplier: (d, h) => (d === 31 && h === 16 ? 4 : 1) });
      const [b] = findBursts(points, LA);
      expect(b).toMatchObject({ date: '2026-11-01', startHour: 16, endHour: 16 });
      expect(new TZDate(b!.from.getTime(), LA).getHours()).toBe(16);
      // 16:00 on a 25-hour day is 17 real hours after midnight.
      expect(b!.from.getTime() - dayStart('2026-11-01', LA).getTime()).toBe(17 * 3600_000);
    });
  });
});
