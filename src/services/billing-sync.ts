import { DAY_MS } from '../domain/time-windows.ts';
import type { SyncStatePatch } from './ports/source.ts';
import type { BilledDay, BillingClient, BillingProvider } from './ports/billing-source.ts';

/**
 * Reading provider billing: from the last day read minus `rereadDays` (billing lands late, hours and
 * sometimes a day, and is revised), or `backfillDays` back on the first run, up to now. Every day read
 * replaces that day's stored rows, so re-reading never adds.
 */
export interface BillingStore {
  replaceDays(days: BilledDay[], fetchedAt: Date): Promise<{ days: number; rows: number }>;
  getSyncState(source: string): Promise<{ watermark: Date | null } | null>;
  saveSyncState(source: string, patch: SyncStatePatch): Promise<void>;
}

export interface BillingSyncResult {
  provider: BillingProvider;
  ok: boolean;
  days: number;
  rows: number;
  from: Date;
  to: Date;
  error?: string;
}

export const DEFAULT_REREAD_DAYS = 3;

const utcMidnight = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS);

export async function syncBilling(
  client: BillingClient,
  store: BillingStore,
  opts: { now: Date; backfillDays: number; rereadDays?: number; from?: Date; to?: Date; signal?: AbortSignal },
): Promise<BillingSyncResult> {
  const source = `${client.provider}-billing`;
  const state = await store.getSyncState(source);
  const reread = opts.rereadDays ?? DEFAULT_REREAD_DAYS;
  const from =
    opts.from ??
    (state?.watermark
      ? utcMidnight(Math.min(state.watermark.getTime(), opts.now.getTime()) - reread * DAY_MS)
      : utcMidnight(opts.now.getTime() - opts.backfillDays * DAY_MS));
  const to = opts.to ?? opts.now;
  let days = 0;
  let rows = 0;
  let pages = 0;
  try {
    for await (const page of client.days(from, to, opts.signal)) {
      const r = await store.replaceDays(page, opts.now);
      days += r.days;
      rows += r.rows;
      pages++;
    }
    const patch: SyncStatePatch = { lastRunAt: opts.now, lastSuccess: opts.now, lastError: null, lastRecords: rows, lastPages: pages, addRecords: rows };
    if (!opts.to) patch.watermark = utcMidnight(to.getTime());
    await store.saveSyncState(source, patch);
    return { provider: client.provider, ok: true, days, rows, from, to };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await store.saveSyncState(source, { lastRunAt: opts.now, lastError: message, lastErrorAt: opts.now });
    return { provider: client.provider, ok: false, days, rows, from, to, error: message };
  }
}
