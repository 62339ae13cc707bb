import { describe, expect, it } from 'vitest';
import { dayKey, daysOf, monthOf, monthPeriod, parsePeriod } from '../../src/domain/periods.ts';
import { failureText } from '../../src/format/failure-text.ts';

const ok = (text: string, now: Date, tz: string) => {
  const r = parsePeriod(text, now, tz);
  if (!r.ok) throw new Error(failureText(r.failure));
  return r.value;
};

describe('periods', () => {
  it('puts month boundaries at local midnight in the report time zone', () => {
    const tokyo = monthPeriod('2026-11', 'Asia/Tokyo');
    expect(tokyo.from.toISOString()).toBe('2026-10-31T15:00:00.000Z');
    expect(tokyo.to.toISOString()).toBe('2026-11-30T15:00:00.000Z');
    const la = monthPeriod('2026-03', 'America/Los_Angeles');
    expect(la.from.toISOString()).toBe('2026-03-01T08:00:00.000Z'); // PST
    expect(la.to.toISOString()).toBe('2026-04-01T07:00:00.000Z'); // PDT after the DST change
  });

  it('ends a month where the next one starts, also where the clocks skip midnight on the 1st', () => {
    // Asunción sprang forward at midnight on 1 October 2023: October starts at 01:00 local (04:00 UTC)
    // and ends at midnight on 1 November (03:00 UTC), not at 01:00 (an hour of November counted twice).
    expect(monthPeriod('2023-10', 'America/Asuncion').from.toISOString()).toBe('2023-10-01T04:00:00.000Z');
    expect(monthPeriod('2023-10', 'America/Asuncion').to.toISOString()).toBe('2023-11-01T03:00:00.000Z');
    expect(monthPeriod('2023-09', 'America/Asuncion').to.toISOString()).toBe('2023-10-01T04:00:00.000Z');
    for (const [zone, month, next] of [
      ['America/Havana', '2012-04', '2012-05'],
      ['Africa/Casablanca', '2008-06', '2008-07'],
      ['America/St_Johns', '2026-10', '2026-11'],
    ] as const)
      expect(monthPeriod(month, zone).to).toEqual(monthPeriod(next, zone).from);
  });

  it('reads the month of an instant in the time zone, not in UTC', () => {
    const instant = new Date('2026-11-30T16:00:00Z');
    expect(monthOf(instant, 'UTC')).toBe('2026-11');
    expect(monthOf(instant, 'Asia/Tokyo')).toBe('2026-12');
    expect(dayKey(new Date('2026-12-01T05:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-30');
  });

  it('parses every documented period', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(ok('', now, 'UTC').label).toBe('November 2026');
    expect(ok('this month', now, 'UTC').month).toBe('2026-11');
    expect(ok('last month', now, 'UTC').month).toBe('2026-10');
    expect(ok('last month', new Date('2026-01-05T00:00:00Z'), 'UTC').month).toBe('2025-12');
    expect(ok('2026-02', now, 'UTC').to.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    const week = ok('7d', now, 'UTC');
    expect([week.from.toISOString(), week.to.toISOString()]).toEqual(['2026-11-17T00:00:00.000Z', '2026-11-24T00:00:00.000Z']);
    expect(daysOf(ok('30d', now, 'UTC'), 'UTC')).toHaveLength(30);
    expect(daysOf(ok('90d', now, 'UTC'), 'UTC')).toHaveLength(90);
    const range = ok('2026-11-01..2026-11-07', now, 'Asia/Tokyo');
    expect([range.from.toISOString(), range.to.toISOString()]).toEqual(['2026-10-31T15:00:00.000Z', '2026-11-07T15:00:00.000Z']);
  });

  it('has 23- and 25-hour days across DST, and still one key per local day', () => {
    const march = ok('2026-03-07..2026-03-09', new Date('2026-11-23T00:00:00Z'), 'America/Los_Angeles');
    expect(daysOf(march, 'America/Los_Angeles')).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect((march.to.getTime() - march.from.getTime()) / 3600_000).toBe(71);
  });

  it('refuses what it does not understand, saying why', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    for (const bad of ['yesterday-ish', '2026-13', '2026-02-30..2026-03-01', '2026-03-10..2026-03-01', '0d', '999d']) {
      const r = parsePeriod(bad, now, 'UTC');
      expect(r.ok, bad).toBe(false);
    }
  });
});
