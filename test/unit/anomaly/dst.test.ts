import { describe, expect, it } from 'vitest';
import { rollupDaily } from '../../../src/domain/anomaly/intraday.ts';
import { detectAnomalies } from '../../../src/domain/anomaly/detector.ts';
import { weekdayOf } from '../../../src/domain/calendar.ts';
import { rng, WEEKDAY_FACTORS } from './synthetic.ts';

const LA = 'America/Los_Angeles';
const HOUR = 3_600_000;

/** One point per real (UTC) hour between two instants: a DST day in LA gets 23 or 25 of them. */
function everyHour(fromIso: string, toIso: string, value: (at: Date) => number): { at: Date; value: number }[] {
  const out: { at: Date; value: number }[] = [];
  for (let t = Date.parse(fromIso); t < Date.parse(toIso); t += HOUR) {
    const at = new Date(t);
    out.push({ at, value: value(at) });
  }
  return out;
}

describe('rollupDaily across DST in America/Los_Angeles', () => {
  it('gives the spring-forward day 23 hours and the fall-back day 25', () => {
    const spring = rollupDaily(
      everyHour('2026-03-07T08:00:00Z', '2026-03-10T07:00:00Z', () => 10),
      LA,
    );
    expect(spring).toEqual([
      { date: '2026-03-07', value: 240 },
      { date: '2026-03-08', value: 230 },
      { date: '2026-03-09', value: 240 },
    ]);
    const fall = rollupDaily(
      everyHour('2026-10-31T07:00:00Z', '2026-11-03T08:00:00Z', () => 10),
      LA,
    );
    expect(fall).toEqual([
      { date: '2026-10-31', value: 240 },
      { date: '2026-11-01', value: 250 },
      { date: '2026-11-02', value: 240 },
    ]);
    // 07:30 UTC on 8 March is still 23:30 on the 7th in Los Angeles.
    expect(rollupDaily([{ at: new Date('2026-03-08T07:30:00Z'), value: 1 }], LA)).toEqual([{ date: '2026-03-07', value: 1 }]);
  });

  it.each([
    ['spring forward', '2026-02-01T08:00:00Z', '2026-03-22T07:00:00Z', '2026-03-08', -4.2],
    ['fall back', '2026-09-20T07:00:00Z', '2026-11-15T08:00:00Z', '2026-11-01', 4.2],
  ])('%s: the 23/25-hour day rolled up by local date raises no alert', (_label, from, to, dstDay, pct) => {
    const r = rng(5);
    const points = everyHour(from, to, (at) => {
      const local = rollupDaily([{ at, value: 0 }], LA)[0]!.date;
      return 10 * WEEKDAY_FACTORS[weekdayOf(local)]! * (1 + 0.04 * (2 * r() - 1));
    });
    const verdicts = detectAnomalies(rollupDaily(points, LA));
    const day = verdicts.find((v) => v.date === dstDay)!;
    expect(day.status).toBe('scored');
    // The short/long day shows as a ~4% dip/rise (plus noise), well inside the 20% materiality gate.
    expect(Math.abs(day.impactPct! - pct)).toBeLessThan(3);
    expect(day.alert).toBe(false);
    expect(verdicts.filter((v) => v.alert)).toEqual([]);
  });
});
