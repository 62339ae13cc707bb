import { ZERO, nanos } from '../../domain/money.ts';
import type { IntervalGroupRow } from '../../services/ports/costs.ts';

/**
 * `groupByIntervals` rows from (interval, key, amount, count) sums (several per pair add up), shared by the ledger and rollup
 * readers so both order and fill them alike: a key's interval without calls is 0 (as `groupBy` has no
 * row for it), keys without calls anywhere are left out, and keys come in the order per-interval
 * `groupBy` calls would first list them.
 */
export function intervalGroups(intervals: number, sums: { i: number; key: string | null; amount: bigint; count: number }[]): IntervalGroupRow[] {
  const byKey = new Map<string | null, IntervalGroupRow>();
  for (const s of sums) {
    let row = byKey.get(s.key);
    if (!row) {
      row = { key: s.key, amounts: Array.from({ length: intervals }, () => ZERO), counts: Array.from({ length: intervals }, () => 0) };
      byKey.set(s.key, row);
    }
    row.amounts[s.i] = nanos(row.amounts[s.i]! + s.amount);
    row.counts[s.i] = row.counts[s.i]! + s.count;
  }
  const first = (r: IntervalGroupRow) => r.counts.findIndex((c) => c !== 0);
  const rows = [...byKey.values()].filter((r) => first(r) >= 0);
  // An interval whose calls net to none has no `groupBy` row (HAVING calls <> 0): its amount is 0.
  for (const r of rows) r.counts.forEach((c, i) => c === 0 && (r.amounts[i] = ZERO));
  return rows.sort((a, b) => {
    const fa = first(a);
    const fb = first(b);
    if (fa !== fb) return fa - fb;
    const x = a.amounts[fa]!;
    const y = b.amounts[fb]!;
    if (x !== y) return x > y ? -1 : 1;
    return a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1;
  });
}
