import { describe, expect, it } from 'vitest';
import { fromUsd, sum, ZERO } from '../../../src/domain/money.ts';
import { billingProviderOf, coveragePct, reconcileDays, type BilledInput, type ObservedInput } from '../../../src/domain/reconciliation.ts';
import { syncBilling, type BillingStore } from '../../../src/services/billing-sync.ts';
import type { BilledDay, BillingClient } from '../../../src/services/ports/billing-source.ts';
import { lastCompletedWeek } from '../../../src/jobs/reconcile-alert.ts';

const b = (day: string, scope: string, usd: string, provider: 'openai' | 'anthropic' = 'openai'): BilledInput => ({
  provider,
  day,
  scope,
  lineItem: 'x',
  amount: fromUsd(usd),
});
const o = (day: string, teamId: number | null, usd: string, provider: 'openai' | 'anthropic' = 'openai'): ObservedInput => ({
  provider,
  day,
  teamId,
  amount: fromUsd(usd),
});

describe('reconcileDays', () => {
  it('splits each day into mapped teams and the shared rest, summing exactly to billed − observed', () => {
    const gaps = reconcileDays(
      [b('2026-10-01', 'proj_a', '10'), b('2026-10-01', 'proj_b', '5'), b('2026-10-01', '', '-1')],
      [o('2026-10-01', 1, '4'), o('2026-10-01', 2, '3'), o('2026-10-01', null, '0.5')],
      [{ provider: 'openai', scopeId: 'proj_a', teamId: 1 }],
      '2026-10-02',
    );
    expect(gaps).toHaveLength(1);
    const d = gaps[0]!;
    expect(d.billed).toBe(fromUsd('14'));
    expect(d.observed).toBe(fromUsd('7.5'));
    expect(d.unobserved).toBe(fromUsd('6.5'));
    expect(d.groups.map((g) => [g.teamId, g.unobserved])).toEqual([
      [null, fromUsd('0.5')],
      [1, fromUsd('6')],
    ]);
    expect(sum(d.groups.map((g) => g.unobserved))).toBe(d.unobserved);
  });

  it('keeps negative gaps, skips days not billed yet or not complete, and keeps providers apart', () => {
    const gaps = reconcileDays(
      [b('2026-10-01', '', '2'), b('2026-10-03', '', '9'), b('2026-10-01', 'w', '1', 'anthropic')],
      [o('2026-10-01', null, '3'), o('2026-10-02', null, '100'), o('2026-10-03', null, '1'), o('2026-10-01', null, '0.25', 'anthropic')],
      [],
      '2026-10-03',
    );
    expect(gaps.map((g) => [g.provider, g.day, g.unobserved])).toEqual([
      ['anthropic', '2026-10-01', fromUsd('0.75')],
      ['openai', '2026-10-01', fromUsd('-1')],
    ]);
    expect(coveragePct(fromUsd('3'), fromUsd('2'))).toBe(150);
    expect(coveragePct(ZERO, ZERO)).toBeNull();
  });

  it('knows who billed an observed call', () => {
    expect(billingProviderOf('openai', null)).toBe('openai');
    expect(billingProviderOf('ANTHROPIC', 'claude-3')).toBe('anthropic');
    expect(billingProviderOf('azure', 'gpt-4o')).toBeNull(); // Azure OpenAI is on the Azure bill
    expect(billingProviderOf(null, 'gpt-4o-mini')).toBe('openai');
    expect(billingProviderOf(null, 'claude-sonnet-4')).toBe('anthropic');
    expect(billingProviderOf(null, 'llama-3')).toBeNull();
  });
});

describe('syncBilling', () => {
  function memoryStore() {
    const rows = new Map<string, bigint>();
    const state = new Map<string, { watermark: Date | null }>();
    const store: BillingStore = {
      async replaceDays(days: BilledDay[]) {
        for (const d of days) {
          for (const k of [...rows.keys()]) if (k.startsWith(`${d.provider}|${d.day}|`)) rows.delete(k);
          for (const r of d.rows) rows.set(`${r.provider}|${r.day}|${r.scope}|${r.lineItem}`, r.amount);
        }
        return { days: days.length, rows: days.reduce((a, d) => a + d.rows.length, 0) };
      },
      async getSyncState(s) {
        return state.get(s) ?? null;
      },
      async saveSyncState(s, p) {
        if (p.watermark) state.set(s, { watermark: p.watermark });
        else if (!state.has(s)) state.set(s, { watermark: null });
      },
    };
    return { rows, state, store };
  }
  const client = (amounts: Record<string, string>, seen: { from: Date; to: Date }[]): BillingClient => ({
    provider: 'openai',
    async *days(from, to) {
      seen.push({ from, to });
      const out: BilledDay[] = [];
      for (let t = from.getTime(); t < to.getTime(); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        out.push({
          provider: 'openai',
          day,
          rows: amounts[day] ? [{ provider: 'openai', day, scope: 'p', lineItem: 'x', amount: fromUsd(amounts[day]) }] : [],
        });
      }
      yield out;
    },
  });

  it('backfills on the first run, then re-reads the last days, replacing revised amounts instead of adding', async () => {
    const m = memoryStore();
    const seen: { from: Date; to: Date }[] = [];
    const now = new Date('2026-10-10T06:00:00Z');
    await syncBilling(client({ '2026-10-08': '5', '2026-10-09': '1' }, seen), m.store, { now, backfillDays: 5 });
    expect(seen[0]!.from.toISOString()).toBe('2026-10-05T00:00:00.000Z');
    // The 9th is revised upward, the 8th loses its line item.
    const later = new Date('2026-10-11T06:00:00Z');
    await syncBilling(client({ '2026-10-09': '3', '2026-10-10': '2' }, seen), m.store, { now: later, backfillDays: 5, rereadDays: 3 });
    expect(seen[1]!.from.toISOString()).toBe('2026-10-07T00:00:00.000Z');
    expect([...m.rows.entries()]).toEqual([
      ['openai|2026-10-09|p|x', fromUsd('3')],
      ['openai|2026-10-10|p|x', fromUsd('2')],
    ]);
  });

  it('a store that fails says what happened, never the database error with its code paths (issue 22)', async () => {
    const m = memoryStore();
    const logged: object[] = [];
    m.store.replaceDays = async () => {
      throw new Error('Invalid `prisma.billedCost.createMany()` invocation in /srv/aicost/src/db/repositories/billing.ts:33:7 value out of range');
    };
    const r = await syncBilling(client({ '2026-10-08': '5' }, []), m.store, {
      now: new Date('2026-10-10T00:00:00Z'),
      backfillDays: 5,
      log: { info: () => {}, warn: () => {}, error: (o) => logged.push(o) },
    });
    expect(r.ok).toBe(false);
    expect(r.error).toBe('the bill was read but could not be stored (a database error, in the log); nothing of this read was stored');
    expect(logged).toHaveLength(1);
  });

  it('records a failure without throwing', async () => {
    const m = memoryStore();
    const failing: BillingClient = {
      provider: 'openai',
      // biome-ignore lint/correctness/useYield: a source that fails before its first page
      async *days() {
        throw new Error('OpenAI GET /v1/organization/costs failed: HTTP 401');
      },
    };
    const r = await syncBilling(failing, m.store, { now: new Date('2026-10-10T00:00:00Z'), backfillDays: 5 });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('401');
  });
});

describe('lastCompletedWeek', () => {
  it('is the Monday of the UTC week before the one `at` is in', () => {
    expect(lastCompletedWeek(new Date('2026-10-05T09:00:00Z'))).toBe('2026-09-28'); // a Monday
    expect(lastCompletedWeek(new Date('2026-10-11T23:00:00Z'))).toBe('2026-09-28'); // the Sunday after
    expect(lastCompletedWeek(new Date('2026-10-12T00:00:00Z'))).toBe('2026-10-05');
  });
});
