import type { Money } from '../../domain/money.ts';

export type SourceName = 'helicone' | 'langfuse';

/** One LLM call as every source is reduced to: the unit the store upserts by (source, sourceId). */
export interface NormalizedCost {
  source: SourceName;
  /** The source's own id (Helicone `request_id`, Langfuse observation `id`). */
  sourceId: string;
  occurredAt: Date;
  /** Slug, or null: the store keeps team-less records in a visible "unattributed" bucket. */
  team: string | null;
  /** The tag the team slug was derived from, kept as the team's display name (optional: the slug). */
  teamName?: string | null;
  feature: string | null;
  featureName?: string | null;
  environment: string | null;
  customer: string | null;
  workItem: string | null;
  model: string | null;
  provider: string | null;
  category: 'api' | 'embeddings';
  inputTokens: number;
  outputTokens: number;
  /** The part of inputTokens read from / written to the prompt cache (0 when the source does not say). */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** After pricing: null only when unpriced. */
  amount: Money | null;
  pricedBy: 'source' | 'aicost' | 'unpriced';
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface SyncStatePatch {
  watermark?: Date;
  lastRunAt?: Date;
  lastSuccess?: Date;
  lastError?: string | null;
  lastErrorAt?: Date;
  /** Added to the source's running total of records. */
  addRecords?: number;
  lastRecords?: number;
  lastPages?: number;
}

/**
 * What the sync needs from the database. The store guarantees that upserts are keyed by
 * (source, sourceId), so re-reading a window is idempotent and a re-costed record updates in place.
 */
export interface CostStore {
  upsertCosts(records: NormalizedCost[]): Promise<UpsertCounts>;
  getSyncState(source: string): Promise<{ watermark: Date | null } | null>;
  saveSyncState(source: string, patch: SyncStatePatch): Promise<void>;
  /** Keeps untrusted records aside with their reason (see trust.ts); never summed. */
  rejectRecords?(records: RejectedSourceRecord[], now: Date): Promise<void>;
}

/**
 * A source API reduced to one operation: every record whose time is in [from, to), page by page
 * (each yielded array is one API page, already normalized and priced), so memory stays bounded.
 * A record may be yielded more than once (pagination over live data); the store's upsert absorbs that.
 */
export interface SourceClient {
  readonly source: SourceName;
  pages(from: Date, to: Date, signal?: AbortSignal): AsyncGenerator<NormalizedCost[], void, undefined>;
}

/**
 * Source records that cannot be trusted are kept aside with their reason, never summed, and never
 * stop a sync (docs/trust.md, "What is rejected from sources"). Two places decide:
 * - the clients, per raw record (`keepAside`): a record whose shape, date or reported cost cannot be
 *   read (a cost that is not a finite number, a date that does not parse) is rejected instead of
 *   throwing for the whole page;
 * - the sync, per normalized record (`untrustedReason`): negative costs, costs above the per-call
 *   ceiling, and dates outside the window that was asked for or in the future.
 */
export interface RejectedSourceRecord {
  /** A cost source, or a provider whose bill it came from (its buckets are kept aside the same way). */
  source: SourceName | 'openai' | 'anthropic';
  sourceId: string;
  reason: string;
  /** The date and cost as the source sent them (bounded text), for the operator. */
  occurredAt: string | null;
  cost: string | null;
}
