import { describe, expect, it } from 'vitest';
import { dayCalendar, isNull, parseFocusDecimal, parseFocusTime, readFocusRecord, spreadOverDays, type FocusRecord } from '../../src/domain/focus.ts';
import { fromUsd, nanos } from '../../src/domain/money.ts';

/** Reading FOCUS cells as the specification writes them (null handling, date/time and numeric formats). */
const base: FocusRecord = {
  ChargePeriodStart: '2026-10-01T00:00:00Z',
  ChargePeriodEnd: '2026-10-02T00:00:00Z',
  BillingCurrency: 'USD',
  ProviderName: 'AWS',
  ServiceName: 'Amazon EC2',
  ServiceCategory: 'Compute',
  ChargeCategory: 'Usage',
  ChargeDescription: 'NULL',
  EffectiveCost: '1.5',
  Tags: 'NULL',
  ResourceId: 'NULL',
};

describe('FOCUS null handling', () => {
  it('reads NULL, empty and JSON null as null in nullable columns', () => {
    expect(isNull('NULL')).toBe(true);
    expect(isNull('')).toBe(true);
    expect(isNull('Null value')).toBe(false);
    for (const Tags of ['NULL', '', 'null']) {
      const r = readFocusRecord({ ...base, Tags }, 2, 'EffectiveCost');
      expect(r.ok && r.row.tags).toEqual({});
    }
    const r = readFocusRecord({ ...base, Tags: '{"team":"support","owner":null}' }, 2, 'EffectiveCost');
    expect(r.ok && r.row.tags).toEqual({ team: 'support' });
    expect(r.ok && r.row.description).toBe('');
    // NULL where a value is mandatory is still refused
    expect(readFocusRecord({ ...base, BillingCurrency: 'NULL' }, 2, 'EffectiveCost')).toMatchObject({ ok: false, failure: { code: 'focus.currency' } });
    expect(readFocusRecord({ ...base, EffectiveCost: 'NULL' }, 2, 'EffectiveCost')).toMatchObject({ ok: false, failure: { code: 'focus.decimal' } });
    // the same charge with NULL or empty cells has the same identity
    const a = readFocusRecord(base, 2, 'EffectiveCost');
    const b = readFocusRecord({ ...base, ResourceId: '', ChargeDescription: '' }, 3, 'EffectiveCost');
    expect(a.ok && b.ok && a.row.identity === b.row.identity).toBe(true);
  });
});

describe('FOCUS dates', () => {
  it('refuses impossible dates and times instead of rolling them over', () => {
    expect(parseFocusTime('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseFocusTime('2026-02-29')).toBeNull();
    expect(parseFocusTime('2028-02-29')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parseFocusTime('2026-04-31T00:00:00Z')).toBeNull();
    expect(parseFocusTime('2026-10-02T24:00:00Z')).toBeNull();
    expect(parseFocusTime('2026-10-02T10:61:00Z')).toBeNull();
    expect(parseFocusTime('2026-10-02T10:00:00+15:00')).toBeNull();
    expect(parseFocusTime('2026-10-02T10:00:00.250+02:00')?.toISOString()).toBe('2026-10-02T08:00:00.250Z');
    expect(parseFocusTime('2026-10-02 10:00')?.toISOString()).toBe('2026-10-02T10:00:00.000Z');
  });
});

describe('FOCUS amounts and limits', () => {
  it('reads exponent notation exactly, and refuses what no row can cost', () => {
    expect(parseFocusDecimal('1.5e-3')).toBe(nanos(1_500_000n));
    expect(parseFocusDecimal('12345678.123456789')).toBe(fromUsd('12345678.123456789'));
    expect(parseFocusDecimal('1.2345678901E7')).toBe(fromUsd('12345678.901'));
    expect(parseFocusDecimal('-0.0000000005')).toBe(nanos(-1n));
    expect(parseFocusDecimal('1e300')).toBeNull();
    expect(parseFocusDecimal('1e-300')).toBe(nanos(0n));
    expect(parseFocusDecimal('NaN')).toBeNull();
    const refuse = (o: FocusRecord) => readFocusRecord({ ...base, ...o }, 7, 'EffectiveCost');
    expect(refuse({ EffectiveCost: '1e300' })).toMatchObject({ ok: false, row: 7, failure: { code: 'focus.amount-limit' } });
    expect(refuse({ EffectiveCost: '99999999999999' })).toMatchObject({ ok: false, failure: { code: 'focus.amount-limit' } });
    expect(refuse({ EffectiveCost: '-5000000' })).toMatchObject({ ok: false, failure: { code: 'focus.amount-limit' } });
    expect(refuse({ EffectiveCost: '-1000000' }).ok).toBe(true);
    expect(refuse({ ChargePeriodEnd: '2029-10-01T00:00:00Z' })).toMatchObject({ ok: false, failure: { code: 'focus.period-too-long', days: 1096 } });
    expect(refuse({ ChargePeriodStart: '2026-09-30T23:00:00Z', ChargePeriodEnd: '2026-11-01T00:00:00Z' }).ok).toBe(true);
  });
});

describe('spreading a charge over local days', () => {
  it('splits by the days of the report time zone, exactly', () => {
    const ny = dayCalendar('America/New_York');
    // a New York day (EDT, UTC-4) is one part there, two in UTC
    const start = new Date('2026-10-05T04:00:00Z');
    const end = new Date('2026-10-06T04:00:00Z');
    expect(spreadOverDays(start, end, fromUsd('24'), ny)).toEqual([{ day: '2026-10-05', amount: fromUsd('24') }]);
    expect(spreadOverDays(start, end, fromUsd('24'))).toEqual([
      { day: '2026-10-05', amount: fromUsd('20') },
      { day: '2026-10-06', amount: fromUsd('4') },
    ]);
    // the DST day (25 hours on 2026-11-01 in New York) is weighted by its length
    const parts = spreadOverDays(new Date('2026-11-01T04:00:00Z'), new Date('2026-11-03T05:00:00Z'), fromUsd('49'), ny);
    expect(parts).toEqual([
      { day: '2026-11-01', amount: fromUsd('25') },
      { day: '2026-11-02', amount: fromUsd('24') },
    ]);
  });
});
