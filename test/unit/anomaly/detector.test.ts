import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_OPTIONS, anomalyAlerts, detectAnomalies, detectSpendAnomalies, fillDailyGaps } from '../../../src/domain/anomaly/detector.ts';
import { addDays } from '../../../src/domain/calendar.ts';
import { dollars, fromUsd, type Money } from '../../../src/domain/money.ts';
import { weeklySeries } from './synthetic.ts';

const withValue = (series: { date: string; value: number }[], index: number, f: (v: number) => number) =>
  series.map((p, i) => (i === index ? { ...p, value: f(p.value) } : p));

describe('detectAnomalies on a weekday-patterned series', () => {
  const clean = weeklySeries();

  it('raises nothing on the clean series although weekends are half of weekdays', () => {
    const verdicts = detectAnomalies(clean);
    expect(verdicts.filter((v) => v.status === 'scored')).toHaveLength(clean.length - DEFAULT_DETECTOR_OPTIONS.minHistoryDays);
    expect(verdicts.filter((v) => v.alert)).toEqual([]);
  });

  it('needs the weekday factor: without it the weekly pattern itself alerts', () => {
    expect(anomalyAlerts(clean, { weekly: false }).length).toBeGreaterThan(0);
  });

  it('flags an injected spike, on that day only, with expected near the true level', () => {
    const i = 45; // a Thursday, base 1100
    const series = withValue(clean, i, (v) => v * 2);
    const alerts = anomalyAlerts(series);
    expect(alerts.map((a) => a.date)).toEqual([series[i]!.date]);
    const a = alerts[0]!;
    expect(a.direction).toBe('spike');
    expect(a.expected!).toBeGreaterThan(1100 * 0.9);
    expect(a.expected!).toBeLessThan(1100 * 1.1);
    expect(a.impact!).toBeCloseTo(a.actual - a.expected!, 9);
    expect(a.impactPct!).toBeGreaterThan(60);
    expect(a.score!).toBeGreaterThan(DEFAULT_DETECTOR_OPTIONS.zThreshold);
    expect(a.actual).toBeGreaterThan(a.upper!);
  });

  it('flags an injected dip', () => {
    const i = 44;
    const series = withValue(clean, i, (v) => v * 0.3);
    const alerts = anomalyAlerts(series);
    expect(alerts.map((a) => [a.date, a.direction])).toEqual([[series[i]!.date, 'dip']]);
    expect(alerts[0]!.actual).toBeLessThan(alerts[0]!.lower!);
    expect(anomalyAlerts(series, { direction: 'up' })).toEqual([]);
  });

  it('treats a missing day as 0 (an outage is a dip)', () => {
    const missing = clean[50]!.date;
    const verdicts = detectAnomalies(clean.filter((p) => p.date !== missing));
    const v = verdicts.find((x) => x.date === missing)!;
    expect(v.actual).toBe(0);
    expect(v.alert).toBe(true);
    expect(v.direction).toBe('dip');
    expect(
      fillDailyGaps([
        { date: '2026-01-01', value: 1 },
        { date: '2026-01-03', value: 2 },
        { date: '2026-01-03', value: 3 },
      ]),
    ).toEqual([
      { date: '2026-01-01', value: 1 },
      { date: '2026-01-02', value: 0 },
      { date: '2026-01-03', value: 5 },
    ]);
  });

  it('keeps a 3-day spike out of the following baseline', () => {
    const series = clean.map((p, i) => (i >= 40 && i <= 42 ? { ...p, value: p.value * 3 } : p));
    const verdicts = detectAnomalies(series);
    expect(verdicts.filter((v) => v.alert).map((v) => v.date)).toEqual([series[40]!.date, series[41]!.date, series[42]!.date]);
    for (const v of verdicts.slice(43, 56)) {
      expect(v.alert).toBe(false);
      expect(Math.abs(v.impactPct!)).toBeLessThan(15);
    }
    expect(verdicts.slice(40, 43).every((v) => v.direction === 'spike')).toBe(true);
  });

  it('alerts on a level shift, then takes it as the new normal', () => {
    const shift = 35;
    const series = clean.map((p, i) => (i >= shift ? { ...p, value: p.value * 1.8 } : p));
    const verdicts = detectAnomalies(series);
    const alertIdx = verdicts.flatMap((v, i) => (v.alert ? [i] : []));
    expect(alertIdx[0]).toBe(shift);
    expect(Math.max(...alertIdx)).toBeLessThan(shift + 10);
    expect(verdicts[shift]!.date).toBe(series[shift]!.date);
    expect(verdicts[shift]!.direction).toBe('spike');
    // Two weeks later the expected value is the new level (1.8 × the old one).
    const later = verdicts[shift + 14]!;
    expect(later.alert).toBe(false);
    expect(later.expected! / later.actual).toBeGreaterThan(0.85);
    expect(later.expected! / later.actual).toBeLessThan(1.15);
  });

  it('gives no verdict before 14 days of history, a verdict from day 15 on', () => {
    const short = withValue(clean.slice(0, 14), 13, (v) => v * 10);
    const verdicts = detectAnomalies(short);
    expect(verdicts.every((v) => v.status === 'warming-up' && !v.alert && v.score === null && v.expected === null)).toBe(true);
    const fifteen = withValue(clean.slice(0, 15), 14, (v) => v * 10);
    const last = detectAnomalies(fifteen).at(-1)!;
    expect(last.historyDays).toBe(14);
    expect(last.status).toBe('scored');
    expect(last.alert).toBe(true);
  });

  it('ignores changes that are statistically odd but too small in % or in $', () => {
    const series = withValue(clean, 45, (v) => v * 1.15);
    const v = detectAnomalies(series, { zThreshold: 0.5 })[45]!;
    expect(v.alert).toBe(false); // +15% < 20%
    expect(detectAnomalies(series, { zThreshold: 0.5, minImpactPct: 10 })[45]!.alert).toBe(true);
    const big = withValue(clean, 45, (v) => v * 2);
    expect(detectAnomalies(big, { minImpact: 5000 })[45]!.alert).toBe(false);
  });
});

describe('quiet and sparse series', () => {
  it('never alerts on a sparse, mostly-zero series even without a $ floor', () => {
    const values = [
      0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
      0,
    ];
    const series = values.map((value, i) => ({ date: addDays('2026-03-01', i), value }));
    const verdicts = detectAnomalies(series, { minImpact: 0 });
    expect(verdicts.filter((v) => v.alert)).toEqual([]);
    // Mostly zero: a day counts as unusual only at 3 × the window's largest day; the 4 (largest so far 2) is not.
    expect(verdicts[26]!.outlier).toBe(false);
    expect(verdicts[26]!.status).toBe('sparse');
    expect(verdicts.at(-2)!.outlier).toBe(false); // 9 < 3 × 4
    expect(verdicts.at(-2)!.status).toBe('sparse');
    // The same spike on a series that is not mostly zero does alert: the sparse rule is what holds.
    const busy = series.map((p, i) => ({ ...p, value: i === values.length - 2 ? 40 : 5 + (i % 3) }));
    expect(
      detectAnomalies(busy, { minImpact: 0 })
        .filter((v) => v.alert)
        .map((v) => v.date),
    ).toEqual([series.at(-2)!.date]);
  });

  it('falls back from a zero MAD to the mean absolute deviation (flat series with one blip)', () => {
    const series = Array.from({ length: 40 }, (_, i) => ({ date: addDays('2026-01-01', i), value: i % 9 === 0 ? 104 : 100 }));
    const verdicts = detectAnomalies(series);
    expect(verdicts.filter((v) => v.alert)).toEqual([]);
    const v = verdicts[30]!;
    expect(Number.isFinite(v.score!)).toBe(true);
    // Intermittent: two thirds of the days exactly 100, the rest 160. Residuals are 0 on most days,
    // so MAD is 0; scoring against a ~0 scale would flag every 160 day.
    const intermittent = Array.from({ length: 50 }, (_, i) => ({ date: addDays('2026-01-01', i), value: i % 3 === 2 ? 160 : 100 }));
    expect(detectAnomalies(intermittent, { weekly: false }).filter((v) => v.alert)).toEqual([]);
    const jumped = detectAnomalies(series.map((p, i) => (i === 35 ? { ...p, value: 150 } : p)));
    expect(jumped[35]!.alert).toBe(true);
    expect(Number.isFinite(jumped[35]!.score!)).toBe(true);
  });
});

describe('detectSpendAnomalies (Money)', () => {
  const toMoney = (s: { date: string; value: number }[], scale: number) => s.map((p) => ({ date: p.date, amount: fromUsd((p.value * scale).toFixed(2)) }));

  it('reports actual, expected and impact as exact Money', () => {
    const series = toMoney(
      withValue(weeklySeries(), 45, (v) => v * 2),
      1,
    );
    const verdicts = detectSpendAnomalies(series);
    const alerts = verdicts.filter((v) => v.alert);
    expect(alerts.map((a) => a.date)).toEqual([series[45]!.date]);
    const a = alerts[0]!;
    expect(typeof a.impact).toBe('bigint');
    expect(a.actual).toBe(series[45]!.amount);
    expect(a.impact).toBe(a.actual - a.expected!);
  });

  it('applies the $ floor: a doubling of $10/day spend is below the default $25', () => {
    const series = toMoney(
      withValue(weeklySeries(), 45, (v) => v * 2),
      0.01,
    ); // ~$11/day
    expect(detectSpendAnomalies(series).filter((v) => v.alert)).toEqual([]);
    const lowFloor: Money = dollars(5);
    expect(
      detectSpendAnomalies(series, { minImpact: lowFloor })
        .filter((v) => v.alert)
        .map((v) => v.date),
    ).toEqual([series[45]!.date]);
  });
});
