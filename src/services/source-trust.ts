import { formatMoney, fromUsd, toDecimalString, type Money } from '../domain/money.ts';
import type { NormalizedCost, RejectedSourceRecord, SourceName } from './ports/source.ts';

export type { RejectedSourceRecord };

/** A page of records; `rejected` holds what was kept aside while reading it. */
export type SourcePage = NormalizedCost[] & { rejected?: RejectedSourceRecord[] };

/** No single LLM call costs more than this; above it the record is kept aside (default $1,000). */
export const DEFAULT_MAX_CALL_COST: Money = fromUsd(1000);
/** A record dated later than now plus this is "in the future". */
const FUTURE_SKEW_MS = 5 * 60_000;

const clip = (v: unknown): string | null => (v === null || v === undefined ? null : String(typeof v === 'object' ? JSON.stringify(v) : v).slice(0, 100));

/** A reported cost that is present but not a usable number, as a reason; null when usable or absent. */
function unreadableCost(cost: unknown): string | null {
  if (cost === null || cost === undefined) return null;
  if (typeof cost === 'number') return Number.isFinite(cost) ? null : `cost is not a finite number (${String(cost)})`;
  if (typeof cost === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(cost)) return null;
  return `cost is not a number (${clip(cost)})`;
}

/** Maps raw items to records, keeping aside (with the reason) every item that cannot be read. */
export function keepAside<T>(
  source: SourceName,
  items: readonly T[],
  toRecord: (item: T, index: number) => NormalizedCost,
  describe: (item: T) => { id: unknown; occurredAt: unknown; cost: unknown },
): SourcePage {
  const records: SourcePage = [];
  const rejected: RejectedSourceRecord[] = [];
  items.forEach((item, i) => {
    const d = describe(item);
    const sourceId = typeof d.id === 'string' && d.id !== '' ? d.id.slice(0, 200) : `(no id: item ${i})`;
    const reject = (reason: string) => rejected.push({ source, sourceId, reason: reason.slice(0, 300), occurredAt: clip(d.occurredAt), cost: clip(d.cost) });
    const costProblem = unreadableCost(d.cost);
    if (costProblem) return reject(costProblem);
    try {
      records.push(toRecord(item, i));
    } catch (err) {
      reject(err instanceof Error ? err.message : String(err));
    }
  });
  if (rejected.length) records.rejected = rejected;
  return records;
}

/** Why a normalized record cannot be trusted, or null. `window` is the [from, to) that was asked for. */
export function untrustedReason(r: NormalizedCost, window: { from: Date; to: Date }, now: Date, maxCallCost: Money = DEFAULT_MAX_CALL_COST): string | null {
  const t = r.occurredAt.getTime();
  if (!Number.isFinite(t)) return 'unreadable date';
  if (t > now.getTime() + FUTURE_SKEW_MS) return `dated ${r.occurredAt.toISOString()}, in the future`;
  if (t < window.from.getTime() || t >= window.to.getTime()) {
    return `dated ${r.occurredAt.toISOString()}, outside the window asked for (${window.from.toISOString()} to ${window.to.toISOString()})`;
  }
  if (r.amount !== null && r.amount < 0n) return `negative cost (${formatMoney(r.amount)})`;
  if (r.amount !== null && r.amount > maxCallCost) return `cost ${formatMoney(r.amount)} is above the per-call ceiling of ${formatMoney(maxCallCost)}`;
  return null;
}

export function rejectedFromRecord(r: NormalizedCost, reason: string): RejectedSourceRecord {
  const at = Number.isFinite(r.occurredAt.getTime()) ? r.occurredAt.toISOString() : null;
  return { source: r.source, sourceId: r.sourceId.slice(0, 200), reason, occurredAt: at, cost: r.amount === null ? null : toDecimalString(r.amount) };
}
