import { DAY_MS } from '../domain/time-windows.ts';
import { formatMoney, fromUsd, neg, toDecimalString, ZERO, type Money } from '../domain/money.ts';
import type { Log } from './ports/log.ts';
import type { RejectedSourceRecord, SyncStatePatch } from './ports/source.ts';
import { rejectedBillRow, type BilledDay, type BilledRow, type BillingClient, type BillingProvider } from './ports/billing-source.ts';

/**
 * Reading provider billing: from the last day read minus `rereadDays` (billing lands late, hours and
 * sometimes a day, and is revised), or `backfillDays` back on the first run, up to now. Every day read
 * replaces that day's stored rows, so re-reading never adds.
 *
 * A billing API is an outside source like any other, so nothing it answers is trusted (issue 22): a
 * bucket outside the window asked for, a row not in USD, an amount above the plausibility ceiling or a
 * credit beyond it and a second bucket for a day already read are
 * kept aside (the RejectedRecord table, counted in `/aicost sync`) and stored nowhere else. A read is
 * stored whole or not at all: every page is read before anything is written, then the days are replaced
 * in one transaction.
 */
export interface BillingStore {
  /** Replaces each day's rows with the read ones and keeps `rejected` aside, in one transaction. */
  replaceDays(days: BilledDay[], fetchedAt: Date, rejected?: readonly RejectedSourceRecord[]): Promise<{ days: number; rows: number }>;
  getSyncState(source: string): Promise<{ watermark: Date | null } | null>;
  saveSyncState(source: string, patch: SyncStatePatch): Promise<void>;
}

export interface BillingSyncResult {
  provider: BillingProvider;
  ok: boolean;
  days: number;
  rows: number;
  /** Bill rows kept aside as untrustworthy by this read. */
  rejected: number;
  from: Date;
  to: Date;
  error?: string;
}

export const DEFAULT_REREAD_DAYS = 3;
/** No provider bills more than this for one day, project/workspace, API key and line item (default $1,000,000). */
export const DEFAULT_MAX_BILL_ROW: Money = fromUsd(1_000_000);

const utcMidnight = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS);
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Why a bill row read for the window [from, to) cannot be trusted, or null. */
export function untrustedBillRow(r: BilledRow, window: { from: Date; to: Date }, ceiling: Money): string | null {
  const start = Date.parse(`${r.day}T00:00:00Z`);
  if (!Number.isFinite(start) || r.day < dayOf(utcMidnight(window.from.getTime()).getTime()) || start >= window.to.getTime())
    return `billed for ${r.day}, outside the window asked for (${window.from.toISOString()} to ${window.to.toISOString()})`;
  // A key's share is judged by the bill row it was split from (a $5M row split ten ways is still a $5M row).
  const billed = r.whole ?? r.amount;
  const of = r.whole === undefined ? '' : ` (this key's share: ${formatMoney(r.amount)})`;
  if (billed > ceiling) return `${formatMoney(billed)} is above the plausibility ceiling of ${formatMoney(ceiling)} per day and line item${of}`;
  if (billed < neg(ceiling))
    return `a credit of ${formatMoney(billed)}, beyond any plausible refund (the ceiling is ${formatMoney(ceiling)} per day and line item)${of}`;
  return null;
}

export async function syncBilling(
  client: BillingClient,
  store: BillingStore,
  opts: {
    now: Date;
    backfillDays: number;
    rereadDays?: number;
    from?: Date;
    to?: Date;
    signal?: AbortSignal;
    maxRow?: Money;
    log?: Log;
  },
): Promise<BillingSyncResult> {
  const source = `${client.provider}-billing`;
  const state = await store.getSyncState(source);
  const reread = opts.rereadDays ?? DEFAULT_REREAD_DAYS;
  const ceiling = opts.maxRow ?? DEFAULT_MAX_BILL_ROW;
  const from =
    opts.from ??
    (state?.watermark
      ? utcMidnight(Math.min(state.watermark.getTime(), opts.now.getTime()) - reread * DAY_MS)
      : utcMidnight(opts.now.getTime() - opts.backfillDays * DAY_MS));
  const to = opts.to ?? opts.now;
  const window = { from, to };
  const result: BillingSyncResult = { provider: client.provider, ok: false, days: 0, rows: 0, rejected: 0, from, to };
  const fail = async (message: string) => {
    result.error = message;
    await store.saveSyncState(source, { lastRunAt: opts.now, lastError: message, lastErrorAt: opts.now });
    return result;
  };
  const rejected: RejectedSourceRecord[] = [];
  const reject = (r: BilledRow, reason: string) => rejected.push(rejectedBillRow(client.provider, { ...r, cost: toDecimalString(r.amount) }, reason));

  // 1. Read every page; nothing is written until the whole read succeeded.
  const read = new Map<string, BilledDay>();
  let pages = 0;
  try {
    for await (const page of client.days(from, to, opts.signal)) {
      pages++;
      rejected.push(...(page.rejected ?? []));
      for (const d of page) {
        if (read.has(d.day)) {
          for (const r of d.rows) reject(r, `a second bucket for ${d.day} in the same read`);
          continue;
        }
        const outside = untrustedBillRow({ ...d, scope: '', lineItem: '', amount: ZERO }, window, ceiling);
        if (outside) {
          // An empty bucket outside the window has nothing to keep aside, and must not empty a stored day.
          for (const r of d.rows) reject(r, outside);
          continue;
        }
        const rows = [];
        for (const r of d.rows) {
          const why = untrustedBillRow(r, window, ceiling);
          if (why) reject(r, why);
          else rows.push(r);
        }
        read.set(d.day, { ...d, rows });
      }
    }
  } catch (err) {
    return fail(err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500));
  }

  // 2. Store it, all or nothing. A closed month's day is stored like any other: its reads stay as the month
  // closed (its unobserved spend is frozen), and the difference is booked in the open month by the caller.
  try {
    const r = await store.replaceDays([...read.values()], opts.now, rejected);
    result.days = r.days;
    result.rows = r.rows;
    result.rejected = rejected.length;
    const patch: SyncStatePatch = {
      lastRunAt: opts.now,
      lastSuccess: opts.now,
      lastError: null,
      lastRecords: r.rows,
      lastPages: pages,
      addRecords: r.rows,
    };
    if (!opts.to) patch.watermark = utcMidnight(to.getTime());
    await store.saveSyncState(source, patch);
    result.ok = true;
    return result;
  } catch (err) {
    // A database error names code paths and queries: the log has it, users read what happened.
    opts.log?.error({ err, source }, 'storing the bill failed');
    return fail('the bill was read but could not be stored (a database error, in the log); nothing of this read was stored');
  }
}
