import type { RejectedSourceRecord } from '../source-trust.ts';
import type { NormalizedCost, SyncStatePatch, UpsertCounts } from './source.ts';

/** A source record kept aside as untrustworthy (one per source and id; the latest reason wins). */
export interface RejectedRecordRow {
  source: string;
  sourceId: string;
  reason: string;
  occurredAt: string | null;
  cost: string | null;
  firstSeen: Date;
  lastSeen: Date;
  seenCount: number;
}

/**
 * The write side of ingestion: upserts normalized source records by (source, sourceId), so re-reading a
 * window never double-counts and a re-costed record updates in place. Teams and features are created on
 * first sight (aliases resolve to the team they name). A record that belongs to a month already closed
 * is never written into that month: it is booked as a correction at `now`, in the open month, with
 * `originalAt` keeping when it happened; a re-costed record of a closed month adds a delta correction.
 */
/** What the sources deliver, normalized (see src/sources/types.ts). */
export type IncomingCost = NormalizedCost;
export interface UpsertResult extends UpsertCounts {
  corrections: number;
}
export type { SyncStatePatch };
export interface CostStore {
  upsertCosts(records: IncomingCost[]): Promise<UpsertResult>;
  getSyncState(source: string): Promise<{
    watermark: Date | null;
  } | null>;
  saveSyncState(source: string, patch: SyncStatePatch): Promise<void>;
  /** Keeps untrustworthy records aside with their reason (never summed). */
  rejectRecords(records: RejectedSourceRecord[], now: Date): Promise<void>;
  rejectedCounts(): Promise<Map<string, number>>;
  rejectedList(opts?: { source?: string; limit?: number }): Promise<RejectedRecordRow[]>;
  close(): void;
  syncStates(): Promise<
    {
      source: string;
      watermark: Date | null;
      lastRunAt: Date | null;
      lastSuccess: Date | null;
      lastError: string | null;
      lastErrorAt: Date | null;
      recordsTotal: number;
      lastRecords: number;
      lastPages: number;
    }[]
  >;
}
