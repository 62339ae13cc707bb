import { describe, expect, it } from 'vitest';
import { detectUnitCostAnomalies } from '../../../src/domain/anomaly/unit-cost.ts';
import { anomalyAlerts } from '../../../src/domain/anomaly/detector.ts';
import { addDays } from '../../../src/domain/calendar.ts';
import { rng } from './synthetic.ts';

/** ~1000 tickets a day at ~$0.05 each, with day-to-day noise on both. */
function tickets(days = 56, seed = 3) {
  const r = rng(seed);
  return Array.from({ length: days }, (_, i) => {
    const volume = Math.round(1000 * (1 + 0.08 * (2 * r() - 1)));
    const unit = 0.05 * (1 + 0.05 * (2 * r() - 1));
    return { date: addDays('2026-02-01', i), volume, cost: volume * unit };
  });
}

describe('detectUnitCostAnomalies', () => {
  it('flags "cost per ticket doubled without more tickets"', () => {
    const series = tickets().map((p, i) => (i === 45 ? { ...p, cost: p.cost * 2 } : p));
    const verdicts = detectUnitCostAnomalies(series);
    const alerts = verdicts.filter((v) => v.alert);
    expect(alerts.map((a) => a.date)).toEqual([series[45]!.date]);
    const a = alerts[0]!;
    expect(a.volumeFlat).toBe(true);
    expect(a.unitCostRatio!).toBeGreaterThan(1.8);
    expect(a.unitCostRatio!).toBeLessThan(2.2);
    expect(a.excessCost!).toBeGreaterThan(40);
    expect(a.reason).toMatch(/cost per unit 2\.\d× usual/);
  });

  it('stays quiet when spend doubles because usage doubled', () => {
    const series = tickets().map((p, i) => (i === 45 ? { ...p, cost: p.cost * 2, volume: p.volume * 2 } : p));
    expect(detectUnitCostAnomalies(series).filter((v) => v.alert)).toEqual([]);
    // …although the total-spend detector does see that day.
    expect(anomalyAlerts(series.map((p) => ({ date: p.date, value: p.cost }))).map((a) => a.date)).toEqual([series[45]!.date]);
  });

  it('does not call it a unit-cost anomaly when volume moved beyond the tolerance', () => {
    const series = tickets().map((p, i) => (i === 45 ? { ...p, cost: p.cost * 2 * 1.5, volume: Math.round(p.volume * 1.5) } : p));
    const v = detectUnitCostAnomalies(series)[45]!;
    expect(v.unitCostRatio!).toBeGreaterThan(1.8);
    expect(v.volumeFlat).toBe(false);
    expect(v.alert).toBe(false);
    expect(detectUnitCostAnomalies(series, { volumeTolerancePct: 80 })[45]!.alert).toBe(true);
  });

  it('treats a zero-volume day as no data, not as a zero unit cost', () => {
    const series = tickets().map((p, i) => (i === 30 ? { ...p, cost: 0, volume: 0 } : p));
    const verdicts = detectUnitCostAnomalies(series);
    expect(verdicts[30]!.status).toBe('no-data');
    expect(verdicts[30]!.unitCost).toBeNull();
    expect(verdicts.filter((v) => v.alert)).toEqual([]);
  });
});
