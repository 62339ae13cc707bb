import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { intradayEarlyWarning, learnIntradayShape, projectDay, rollupDaily } from '../../../src/domain/anomaly/intraday.ts';
import { addDays, weekdayOf } from '../../../src/domain/calendar.ts';
import { rng, WEEKDAY_FACTORS } from './synthetic.ts';

const LA = 'America/Los_Angeles';
/** Quiet nights, busy office hours, a moderate evening: 8×0.2 + 10×2 + 6×0.6 = 25.2 per day. */
const HOUR_WEIGHT = Array.from({ length: 24 }, (_, h) => (h < 8 ? 0.2 : h < 18 ? 2 : 0.6));
const DAY_WEIGHT = 25.2;

function hourly(start: string, days: number, seed = 11): { at: Date; date: string; hour: number; value: number }[] {
  const r = rng(seed);
  const out: { at: Date; date: string; hour: number; value: number }[] = [];
  for (let d = 0; d < days; d++) {
    const date = addDays(start, d);
    const [y, m, day] = date.split('-').map(Number) as [number, number, number];
    for (let h = 0; h < 24; h++) {
      const at = new Date(new TZDate(y, m - 1, day, h, 0, 0, LA).getTime());
      out.push({ at, date, hour: h, value: 10 * HOUR_WEIGHT[h]! * WEEKDAY_FACTORS[weekdayOf(date)]! * (1 + 0.1 * (2 * r() - 1)) });
    }
  }
  return out;
}

describe('learnIntradayShape and projectDay', () => {
  const points = hourly('2026-04-01', 35);
  const shape = learnIntradayShape(
    points.map((p) => ({ timestamp: p.at, value: p.value })),
    LA,
  );

  it('learns the usual cumulative share by local hour', () => {
    expect(shape.days).toBe(28);
    expect(shape.cumulativeShare).toHaveLength(24);
    expect(shape.cumulativeShare[7]!).toBeCloseTo(1.6 / DAY_WEIGHT, 2);
    expect(shape.cumulativeShare[17]!).toBeCloseTo(21.6 / DAY_WEIGHT, 2);
    expect(shape.cumulativeShare[23]).toBe(1);
    expect(shape.cumulativeShareLow[12]!).toBeLessThanOrEqual(shape.cumulativeShare[12]!);
    expect(shape.cumulativeShareHigh[12]!).toBeGreaterThanOrEqual(shape.cumulativeShare[12]!);
  });

  it('reads naive "YYYY-MM-DD HH:mm:ss" timestamps as local wall-clock time', () => {
    const naive = points.map((p) => ({ timestamp: `${p.date} ${String(p.hour).padStart(2, '0')}:00:00`, value: p.value }));
    expect(learnIntradayShape(naive, LA).cumulativeShare).toEqual(shape.cumulativeShare);
    // Read as UTC instead, office hours would land 7 hours off.
    const asUtc = learnIntradayShape(
      naive.map((p) => ({ ...p, timestamp: `${p.timestamp.replace(' ', 'T')}Z` })),
      LA,
    );
    expect(asUtc.cumulativeShare[7]!).not.toBeCloseTo(shape.cumulativeShare[7]!, 2);
  });

  it('projects the day from what arrived so far', () => {
    const usual = shape.cumulativeShare;
    const noonShare = 9.6 / DAY_WEIGHT;
    const p = projectDay({ soFar: 96, hourOfDay: 12, usualShareByHour: usual });
    expect(p.shareElapsed).toBeCloseTo(noonShare, 2);
    expect(p.projected!).toBeGreaterThan(252 * 0.95);
    expect(p.projected!).toBeLessThan(252 * 1.05);
    expect(projectDay({ soFar: 96, fractionElapsed: 0.5, usualShareByHour: usual }).projected).toBe(p.projected);
    // 12:30: half of hour 12 (weight 2) has arrived as well.
    expect(projectDay({ soFar: 106, hourOfDay: 12.5, usualShareByHour: usual }).shareElapsed).toBeCloseTo(10.6 / DAY_WEIGHT, 2);
    const ranged = projectDay({
      soFar: 96,
      hourOfDay: 12,
      usualShareByHour: usual,
      shareRange: { low: shape.cumulativeShareLow, high: shape.cumulativeShareHigh },
    });
    expect(ranged.projectedLow!).toBeLessThanOrEqual(ranged.projected!);
    expect(ranged.projectedHigh!).toBeGreaterThanOrEqual(ranged.projected!);
    expect(projectDay({ soFar: 3, hourOfDay: 2, usualShareByHour: usual }).projected).toBeNull();
  });
});

describe('intradayEarlyWarning', () => {
  const points = hourly('2026-04-01', 29);
  const historyPoints = points.filter((p) => p.date < '2026-04-29');
  const history = rollupDaily(historyPoints, LA);
  const shape = learnIntradayShape(
    historyPoints.map((p) => ({ timestamp: p.at, value: p.value })),
    LA,
  );
  const today = points.filter((p) => p.date === '2026-04-29' && p.hour < 12);
  const soFar = today.reduce((a, p) => a + p.value, 0);

  it('stays quiet on a normal morning and warns when the morning runs at 2.5×', () => {
    const normal = intradayEarlyWarning({ history, date: '2026-04-29', soFar, hourOfDay: 12, shape });
    expect(normal.status).toBe('projected');
    if (normal.status !== 'projected') return;
    expect(normal.verdict.alert).toBe(false);
    expect(normal.verdict.date).toBe('2026-04-29');

    const hot = intradayEarlyWarning({ history, date: '2026-04-29', soFar: soFar * 2.5, hourOfDay: 12, shape });
    expect(hot.status).toBe('projected');
    if (hot.status !== 'projected') return;
    expect(hot.verdict.alert).toBe(true);
    expect(hot.verdict.direction).toBe('spike');
    expect(hot.projection.projected!).toBeCloseTo(hot.verdict.actual, 6);
  });

  it('says so instead of guessing with fewer than 21 days of history, or too early in the day', () => {
    const short = intradayEarlyWarning({ history: history.slice(-20), date: '2026-04-29', soFar: soFar * 2.5, hourOfDay: 12, shape });
    expect(short).toEqual({ status: 'insufficient-history', historyDays: 20, needed: 21 });
    const early = intradayEarlyWarning({ history, date: '2026-04-29', soFar: 1, hourOfDay: 1, shape });
    expect(early.status).toBe('too-early');
  });
});
