import { describe, expect, it } from 'vitest';
import { anomaliesFromCsv, readDailyCsv } from '../../../src/domain/anomaly/csv.ts';
import { weeklySeries } from './synthetic.ts';

const series = weeklySeries().map((p, i) => (i === 45 ? { ...p, value: p.value * 2 } : p));

describe('anomaliesFromCsv', () => {
  it('reads a headed CSV with extra columns and returns one alert line per anomalous day', () => {
    const text = ['team,date,value,label', ...series.map((p) => `ml,${p.date},${p.value},0`)].join('\n');
    const lines = anomaliesFromCsv(text);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(Object.keys(line).sort()).toEqual(['actual', 'date', 'expected', 'impact', 'impactPct', 'score']);
    expect(line.date).toBe(series[45]!.date);
    expect(line.actual).toBe(series[45]!.value);
    expect(line.impact).toBeCloseTo(line.actual - line.expected, 3);
    expect(line.impactPct!).toBeGreaterThan(60);
    expect(line.score).toBeGreaterThan(3.5);
    expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });

  it('reads a CSV without header the same way', () => {
    const text = `${series.map((p) => `${p.date},${p.value}`).join('\n')}\n`;
    expect(anomaliesFromCsv(text).map((l) => l.date)).toEqual([series[45]!.date]);
    expect(readDailyCsv(text)).toHaveLength(series.length);
  });

  it('sums repeated dates, passes options through, and names the bad line', () => {
    expect(readDailyCsv('date,cost\n2026-01-01,1.5\n2026-01-01,2\n')).toEqual([
      { date: '2026-01-01', value: 1.5 },
      { date: '2026-01-01', value: 2 },
    ]);
    const text = series.map((p) => `${p.date},${p.value}`).join('\n');
    expect(anomaliesFromCsv(text, { minImpact: 10_000 })).toEqual([]);
    expect(() => readDailyCsv('date,value\n2026-01-01,12\n2026-01-02,abc\n')).toThrow(/line 3/);
    expect(() => readDailyCsv('date,value\n2026-02-30,12\n')).toThrow(/line 2/);
  });
});
