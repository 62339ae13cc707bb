import type { Money } from '../../domain/money.ts';
import type { BilledDay, BillingProvider } from './billing-source.ts';
import type { RejectedSourceRecord, SyncStatePatch } from './source.ts';
/**
 * Provider billing (issue 14): billed amounts per (provider, UTC day, project/workspace, line item),
 * finance's mapping of projects/workspaces to teams, the observed spend to reconcile with, and charges
 * imported from FOCUS files. The only code that touches these tables.
 */
export interface BilledRecord {
  provider: BillingProvider;
  day: string;
  scope: string;
  lineItem: string;
  /** The API key billed; "" when the bill does not say. */
  apiKey?: string;
  amount: Money;
}
export interface BillingMappingRecord {
  provider: BillingProvider;
  scopeType: 'project' | 'workspace' | 'api_key';
  scopeId: string;
  teamId: number;
}
/** Observed (Helicone/Langfuse) spend per UTC day, team and provider as the source named it, and model. */
export interface ObservedRow {
  day: string;
  teamId: number | null;
  provider: string | null;
  model: string | null;
  amount: Money;
}
export interface ImportedChargeRecord {
  rowKey: string;
  day: string;
  category: string;
  amount: Money;
  teamId: number | null;
  featureId: number | null;
  providerName: string | null;
  serviceName: string | null;
  description: string | null;
  file: string;
  /** "YYYY-MM-DD" the charge belongs to when it is a correction of a closed month booked on `day`, else null. */
  originalDay?: string | null;
  /** A line of aicost's own export that no team carries: kept unattributed/unallocated, never allocated. */
  unassigned?: 'unattributed' | 'unallocated' | null;
}
/** A charge of a FOCUS import on its way in; a correction's `chargeKey` is the rowKey of the charge on its own day. */
export interface StagedCharge extends ImportedChargeRecord {
  chargeKey: string | null;
  originalDay: string | null;
  unassigned: 'unattributed' | 'unallocated' | null;
}
/**
 * One FOCUS import, streamed: batches are staged as the file is read, and only `commit` makes them
 * visible, in one transaction (a row key seen before is replaced, never added; a correction of a closed
 * month becomes the difference from what its family already booked). `abort` leaves nothing behind.
 */
export interface ChargeImport {
  stage(rows: StagedCharge[]): Promise<void>;
  commit(now: Date): Promise<{ inserted: number; replaced: number; corrections: number }>;
  abort(): Promise<void>;
}
export interface BillingRepository {
  /**
   * Replaces each returned day's rows of the provider with what was read (in one transaction), so a
   * re-read of a day (late data, revisions, a line item that disappeared) never adds to it.
   */
  replaceDays(
    days: BilledDay[],
    fetchedAt: Date,
    rejected?: readonly RejectedSourceRecord[],
  ): Promise<{
    days: number;
    rows: number;
  }>;
  /** Billed rows of days in [fromDay, toDay) ("YYYY-MM-DD"). */
  billed(fromDay: string, toDay: string): Promise<BilledRecord[]>;
  mappings(): Promise<BillingMappingRecord[]>;
  setMapping(m: BillingMappingRecord, by: string): Promise<BillingMappingRecord | null>;
  /** Direct spend from every source per UTC day, team, provider and model, for entries in [from, to). */
  observed(from: Date, to: Date): Promise<ObservedRow[]>;
  /** Starts a streamed FOCUS import: every row or none (see {@link ChargeImport}). */
  beginChargeImport(): Promise<ChargeImport>;
  charges(
    fromDay: string,
    toDay: string,
  ): Promise<
    (ImportedChargeRecord & {
      id: number;
    })[]
  >;
  /** Whether any bill or imported charge is stored (reports skip the true-cost pass when nothing hidden exists). */
  any(): Promise<boolean>;
  getSyncState(source: string): Promise<{
    watermark: Date | null;
  } | null>;
  saveSyncState(source: string, patch: SyncStatePatch): Promise<void>;
}
