import { add, type Money } from '../../domain/money.ts';
import type { RejectedSourceRecord } from './source.ts';

/** Providers whose own invoices aicost reads (their admin cost APIs), to reconcile observed spend. */
export type BillingProvider = 'openai' | 'anthropic';

/** One billed amount: a provider's day (UTC), project/workspace ("" for none) and line item ("" for none). */
export interface BilledRow {
  provider: BillingProvider;
  day: string;
  scope: string;
  lineItem: string;
  /** The API key billed (OpenAI `api_key_id`, an Anthropic key's share); "" or absent when the bill does not say. */
  apiKey?: string;
  amount: Money;
  /**
   * When this row is a key's share of one bill row (Anthropic, split by usage), that bill row's amount:
   * what the sync judges (a $5M row split ten ways is still a $5M row). Never stored.
   */
  whole?: Money;
}

/** One daily bucket as the provider returned it: every row of that day (empty when nothing was billed). */
export interface BilledDay {
  provider: BillingProvider;
  day: string;
  rows: BilledRow[];
}

/**
 * One page of a billing API: its daily buckets, and (`rejected`) the results that could not be read
 * (another currency than USD, an amount or a date that does not parse), kept aside with their reason.
 */
export type BillingPage = BilledDay[] & { rejected?: RejectedSourceRecord[] };

/**
 * A billing API reduced to one operation: the daily buckets that start in [from, to), page by page.
 * What the API answered is not trusted: the sync checks every bucket (window, closed months, amounts).
 */
export interface BillingClient {
  readonly provider: BillingProvider;
  days(from: Date, to: Date, signal?: AbortSignal): AsyncGenerator<BillingPage, void, undefined>;
}

/** Rows with the same (day, scope, API key, line item) summed, so a bucket has one row per key (and their whole bill rows with them). */
export function mergeRows(provider: BillingProvider, day: string, rows: Omit<BilledRow, 'provider' | 'day'>[]): BilledDay {
  const byKey = new Map<string, BilledRow>();
  for (const r of rows) {
    const key = `${r.scope}\u0000${r.apiKey ?? ''}\u0000${r.lineItem}`;
    const prev = byKey.get(key);
    if (prev) {
      prev.amount = add(prev.amount, r.amount);
      const whole = add(prev.whole ?? prev.amount, r.whole ?? r.amount);
      if (prev.whole !== undefined || r.whole !== undefined) prev.whole = whole;
    } else
      byKey.set(key, {
        provider,
        day,
        scope: r.scope,
        lineItem: r.lineItem,
        ...(r.apiKey ? { apiKey: r.apiKey } : {}),
        amount: r.amount,
        ...(r.whole !== undefined ? { whole: r.whole } : {}),
      });
  }
  return { provider, day, rows: [...byKey.values()] };
}

/** The UTC day "YYYY-MM-DD" of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * A decimal string in cents (Anthropic's `amount`: "123.45" is $1.2345) in Money, exactly: the decimal
 * point is moved two places in the text (never a float), then rounded half away from zero at the nanodollar.
 */
export function centsToMoney(text: string, parseUsd: (usd: string) => Money): Money {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal amount of cents: ${text}`);
  const whole = (m[2] ?? '').padStart(3, '0');
  return parseUsd(`${m[1]}${whole.slice(0, -2)}.${whole.slice(-2)}${m[3] ?? ''}`);
}

/** The id a kept-aside bill row is known by: its day, project/workspace, API key and line item. */
export function billingRecordId(day: string, scope: string, lineItem: string, apiKey = ''): string {
  return `${day} ${scope || '-'}${apiKey ? ` key ${apiKey}` : ''} ${lineItem || '-'}`.slice(0, 200);
}

/** A bill row (or a result that could not be read) kept aside with its reason, as the operator sees it (bounded texts). */
export function rejectedBillRow(
  provider: BillingProvider,
  r: { day: string; scope?: string | null; lineItem?: string | null; apiKey?: string | null; cost: unknown },
  reason: string,
): RejectedSourceRecord {
  const clip = (v: unknown) => (v === null || v === undefined ? null : String(typeof v === 'object' ? JSON.stringify(v) : v).slice(0, 100));
  return {
    source: provider,
    sourceId: billingRecordId(r.day, r.scope ?? '', r.lineItem ?? '', r.apiKey ?? ''),
    reason: reason.slice(0, 300),
    occurredAt: clip(r.day),
    cost: clip(r.cost),
  };
}
