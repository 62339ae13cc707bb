import { describe, expect, it } from 'vitest';
import { CUBES, allGrainsOf, decomposeWithMonths, localMonths, zoneMonthRows } from '../../src/db/rollups.ts';
import { monthPeriod } from '../../src/domain/periods.ts';

/**
 * How a period is read from the customer rollups (issue 25): a month of the zone the local-month buckets
 * are built in is one bucket of grain 5; without them it is a UTC month plus and minus the offset's hours.
 */
const customerTeams = CUBES.find((c) => c.table === 'CustomerTeamRollup')!;
const grains = allGrainsOf(customerTeams);

describe('reading a period from the customer rollups', () => {
  it('reads a local month as its one local-month bucket, in zones with odd offsets and DST', () => {
    for (const zone of ['America/New_York', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Asuncion', 'UTC']) {
      const local = localMonths(zone);
      // Asunción's October 2023 starts at 01:00: its clocks skipped midnight on the 1st.
      for (const month of ['2026-03', '2026-10', '2026-11', '2023-10']) {
        const p = monthPeriod(month, zone);
        const plan = decomposeWithMonths(p.from, p.to, grains, local);
        const [y, m] = month.split('-').map(Number) as [number, number];
        expect(plan).toEqual([{ piece: { grain: 5, from: (y - 1970) * 12 + m - 1, to: (y - 1970) * 12 + m }, sign: 1 }]);
        expect(local.start(local.of(p.from.getTime()))).toBe(p.from.getTime());
        expect(local.of(p.to.getTime() - 1)).toBe((y - 1970) * 12 + m - 1);
      }
    }
  });

  it('without local-month buckets, a New York month is its UTC month and the hours of the offset at each end', () => {
    const p = monthPeriod('2026-10', 'America/New_York');
    const plan = decomposeWithMonths(p.from, p.to, grains, null);
    expect(plan.filter((x) => 'grain' in x.piece && x.piece.grain === 4)).toHaveLength(1);
    expect(plan.some((x) => 'grain' in x.piece && x.piece.grain === 5)).toBe(false);
    expect(plan.filter((x) => x.sign === -1).length).toBeGreaterThan(0);
  });

  it('a period that is not whole local months still reads the pieces that sum to it exactly', () => {
    const local = localMonths('America/New_York');
    const from = new Date('2026-09-17T13:45:00Z');
    const to = new Date('2026-11-02T08:00:00Z');
    const plan = decomposeWithMonths(from, to, grains, local);
    // Every piece's span, signed, adds up to the period.
    const span = (x: (typeof plan)[number]) => {
      const p = x.piece;
      if ('raw' in p) return p.to.getTime() - p.from.getTime();
      if (p.grain === 5) return local.start(p.to) - local.start(p.from);
      if (p.grain === 4) return Date.UTC(1970, p.to) - Date.UTC(1970, p.from);
      const ms = { 0: 900_000, 1: 3_600_000, 2: 86_400_000 }[p.grain]!;
      return (p.to - p.from) * ms;
    };
    expect(plan.reduce((s, x) => s + x.sign * span(x), 0)).toBe(to.getTime() - from.getTime());
  });

  it('"ZoneMonth" holds every local month start from 1900 to 2199 in order', () => {
    const rows = zoneMonthRows('America/St_Johns');
    expect(rows).toHaveLength(1 + 300 * 12);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.fromSec).toBeGreaterThan(rows[i - 1]!.fromSec);
      expect(rows[i]!.month).toBe(rows[i - 1]!.month + 1);
    }
    expect(rows.find((r) => r.month === 0)).toEqual({ fromSec: Date.UTC(1970, 0, 1, 3, 30) / 1000, month: 0 });
    expect(rows[1]!.month).toBe((1900 - 1970) * 12);
  });
});
