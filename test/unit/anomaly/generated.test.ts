import { describe, expect, it } from 'vitest';
import { naiveDetector, robustDetector } from '../../../bench/anomaly-quality.ts';
import { evaluate, falsePerSeriesMonth, generateSeries, loadLabelledDir, recall } from '../../../bench/anomaly-sets.ts';
import { detectAnomalies, isMaterialForTeam } from '../../../src/domain/anomaly/detector.ts';
import { addDays, weekdayOf } from '../../../src/domain/calendar.ts';
import { describeWithDocs, sharedDocs } from '../../support/shared-docs.ts';
import { rng, weeklySeries } from './synthetic.ts';

const SPEND = { minImpact: 25, minImpactPct: 20, zThreshold: 3.5 };
const alertDays = (series: { date: string; value: number }[]) =>
  detectAnomalies(series, SPEND)
    .filter((v) => v.alert)
    .map((v) => v.date);
/** Runs of consecutive days (what the job posts once and threads). */
const groups = (days: string[]) =>
  days.reduce<string[][]>((out, d) => {
    const last = out.at(-1);
    if (last && addDays(last.at(-1)!, 1) === d) last.push(d);
    else out.push([d]);
    return out;
  }, []);

describe('detector behaviour on generated spend series', () => {
  it('weekly seasonality: a clean 12-week series with half-price weekends raises nothing', () => {
    expect(alertDays(weeklySeries({ days: 84 }))).toEqual([]);
  });

  it('spike: a one-day ×2.5 spike alerts that day only', () => {
    const s = weeklySeries({ days: 84 }).map((p, i) => (i === 60 ? { ...p, value: p.value * 2.5 } : p));
    expect(alertDays(s)).toEqual([s[60]!.date]);
  });

  it('level shift: one group of alerts at the shift, then the new level is normal', () => {
    const s = weeklySeries({ days: 84 }).map((p, i) => (i >= 45 ? { ...p, value: p.value * 2 } : p));
    const g = groups(alertDays(s));
    expect(g).toHaveLength(1);
    expect(g[0]![0]).toBe(s[45]!.date);
  });

  it('slow drift: a 12-day ramp to ×2 alerts during the ramp and not after the level settled', () => {
    const s = weeklySeries({ days: 98 }).map((p, i) => ({ ...p, value: p.value * (i < 45 ? 1 : i >= 57 ? 2 : 1 + (i - 44) / 12) }));
    const alerts = alertDays(s);
    expect(alerts.some((d) => d >= s[45]!.date && d <= s[57]!.date)).toBe(true);
    expect(alerts.filter((d) => d > s[71]!.date)).toEqual([]);
  });

  it('seasonal break: weekends start running at weekday level; alerted on the first weekend only', () => {
    // Before the weekday re-baseline the cleaned weekends never taught the weekday factor: every weekend alerted.
    const s = weeklySeries({ days: 98 }).map((p, i) => {
      const wd = weekdayOf(p.date);
      return i >= 49 && (wd === 0 || wd === 6) ? { ...p, value: p.value * 2.1 } : p;
    });
    const g = groups(alertDays(s));
    expect(g).toHaveLength(1);
    expect(g[0]![0]! >= s[49]!.date && g[0]![0]! <= s[55]!.date).toBe(true);
  });

  it('sparse: a feature that spends on some days alerts on a day 10 × its usual, never on its zero days', () => {
    // Before the intermittent rule a mostly-zero series never alerted, whatever the day.
    const r = rng(11);
    const s = Array.from({ length: 90 }, (_, i) => ({ date: addDays('2026-01-05', i), value: i === 70 ? 400 : r() < 0.4 ? 30 + 20 * r() : 0 }));
    expect(alertDays(s)).toEqual([s[70]!.date]);
  });

  it('scores generated sets better than the goal on spikes and nothing planted (bench definitions)', () => {
    const detector = (days: readonly { date: string; value: number }[]) => new Set(alertDays([...days]));
    const spikes = evaluate(
      Array.from({ length: 10 }, (_, i) => generateSeries('spike', 1000 + i)),
      detector,
      14,
    );
    expect(recall(spikes)).toBeGreaterThanOrEqual(0.7);
    const quiet = evaluate(
      Array.from({ length: 10 }, (_, i) => generateSeries('quiet', 6000 + i)),
      detector,
      14,
    );
    expect(falsePerSeriesMonth(quiet)).toBeLessThanOrEqual(0.3);
  });
});

describe('isMaterialForTeam (share gate for feature alerts)', () => {
  it('passes a feature move of at least the share of its team expected day, and anything without a team expectation', () => {
    expect(isMaterialForTeam(100, 1000, 10)).toBe(true);
    expect(isMaterialForTeam(-100, 1000, 10)).toBe(true);
    expect(isMaterialForTeam(99, 1000, 10)).toBe(false);
    expect(isMaterialForTeam(1, null, 10)).toBe(true);
  });
});

const shared = sharedDocs('data/anomaly/ms_api01_daily.csv');
describeWithDocs(shared)('on the labelled series in the shared folder (bench definitions)', () => {
  it('finds more labelled windows than the naive 3σ rule with no more false alert groups', () => {
    const series = loadLabelledDir(shared.path('data/anomaly'));
    const robust = evaluate(series, robustDetector(), 14);
    const naive = evaluate(series, naiveDetector(), 14);
    expect(robust.found).toBeGreaterThan(naive.found);
    expect(robust.falseGroups).toBeLessThanOrEqual(naive.falseGroups);
  });
});
