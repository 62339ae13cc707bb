import { sum, ZERO, type Money } from '../../../src/domain/money.ts';
import type { CostStore, NormalizedCost, SyncStatePatch, UpsertCounts } from '../../../src/services/ports/source.ts';

/** An in-memory CostStore keyed by (source, sourceId), as the real store guarantees. */
export class FakeCostStore implements CostStore {
  readonly records = new Map<string, NormalizedCost>();
  readonly states = new Map<string, SyncStatePatch & { recordsTotal: number }>();
  readonly patches: Array<{ source: string; patch: SyncStatePatch }> = [];
  upserts = 0;

  async upsertCosts(records: NormalizedCost[]): Promise<UpsertCounts> {
    this.upserts++;
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    for (const r of records) {
      const key = `${r.source}\u0000${r.sourceId}`;
      const before = this.records.get(key);
      if (!before) counts.inserted++;
      else if (sameRecord(before, r)) counts.unchanged++;
      else counts.updated++;
      this.records.set(key, r);
    }
    return counts;
  }

  async getSyncState(source: string): Promise<{ watermark: Date | null } | null> {
    const s = this.states.get(source);
    return s ? { watermark: s.watermark ?? null } : null;
  }

  async saveSyncState(source: string, patch: SyncStatePatch): Promise<void> {
    this.patches.push({ source, patch });
    const s = this.states.get(source) ?? { recordsTotal: 0 };
    const { addRecords, ...rest } = patch;
    this.states.set(source, { ...s, ...rest, recordsTotal: s.recordsTotal + (addRecords ?? 0) });
  }

  all(source?: string): NormalizedCost[] {
    return [...this.records.values()].filter((r) => !source || r.source === source);
  }

  get(source: string, sourceId: string): NormalizedCost | undefined {
    return this.records.get(`${source}\u0000${sourceId}`);
  }

  total(source?: string): Money {
    return sum(this.all(source).map((r) => r.amount ?? ZERO));
  }
}

function sameRecord(a: NormalizedCost, b: NormalizedCost): boolean {
  return (Object.keys(a) as Array<keyof NormalizedCost>).every((k) =>
    a[k] instanceof Date ? (a[k] as Date).getTime() === (b[k] as Date).getTime() : a[k] === b[k],
  );
}
