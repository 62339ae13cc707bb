import { DAY_MS, countWindows, timeWindows } from '../domain/time-windows.ts';
import type { CostStore, SourceClient, UpsertCounts } from './ports/source.ts';
import type { Money } from '../domain/money.ts';
import { rejectedFromRecord, untrustedReason, type RejectedSourceRecord, type SourcePage } from './source-trust.ts';

/**
 * Pulling a source into the store, resumably.
 *
 * The range is [from, to): from = watermark − overlap (Langfuse re-costs after ingestion and both
 * sources deliver late, so the recent past is re-read every run), or now − backfillDays on the first
 * run; to = now. It is read in ascending time windows; each page is upserted as it arrives (memory
 * stays bounded) and the watermark moves to a window's end only once all of that window is stored.
 * A crash therefore resumes from the last complete window, and re-reading is harmless because the
 * store upserts by (source, sourceId): a duplicate is "unchanged", a re-costed record "updated".
 */

export const DEFAULT_OVERLAP_MS = 2 * DAY_MS;
export const DEFAULT_SYNC_WINDOW_MS = DAY_MS;

function firstRunDays(days: number | undefined): number {
  if (days === undefined) throw new Error('a first sync needs backfillDays (SYNC_BACKFILL_DAYS) or an explicit from');
  return days;
}

export interface SyncProgress {
  source: string;
  records: number;
  pages: number;
  windowsDone: number;
  windowsTotal: number;
  /** The window being read. */
  window: { from: Date; to: Date };
  elapsedMs: number;
  /** Records per second so far. */
  ratePerSecond: number;
  /** Estimated time left from the pace of finished windows; null before the first one finishes. */
  etaMs: number | null;
}

export interface SyncOptions {
  store: CostStore;
  now: Date;
  /** Explicit range (e.g. a manual backfill); otherwise derived from the watermark. */
  from?: Date;
  to?: Date;
  overlapMs?: number;
  /** How far back a first run reads (SYNC_BACKFILL_DAYS; the default lives in the config schema). Needed only without `from` and a watermark. */
  backfillDays?: number;
  windowMs?: number;
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
  /** Monotonic ms clock for rate and ETA. Default performance.now. */
  clock?: () => number;
  /** Records costing more than this per call are kept aside (default $1,000; see trust.ts). */
  maxCallCost?: Money;
}

export interface SyncSourceOptions extends SyncOptions {
  client: SourceClient;
  /** Key of the sync state; defaults to the client's source name. */
  source?: string;
}

export interface SyncResult extends UpsertCounts {
  source: string;
  ok: boolean;
  /** Safe message of the failure that stopped this source, or null. */
  error: string | null;
  from: Date;
  to: Date;
  records: number;
  /** Records kept aside as untrustworthy (counted in `records`, never stored as costs). */
  rejected: number;
  pages: number;
  windows: number;
  /** The watermark after the run (unchanged when nothing completed). */
  watermark: Date | null;
  durationMs: number;
}

/**
 * Yields the pages of `source` while already requesting the next one, so the network round trip of
 * page n + 1 overlaps with storing page n. At most one page is read ahead (memory stays bounded); an
 * error of the read-ahead surfaces when that page is reached, as it would have without it.
 */
export async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  next.catch(() => undefined); // handled when awaited below; this only avoids an "unhandled" report meanwhile
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/**
 * Syncs one source. Never throws for a source failure: the error is saved as the source's last
 * error and returned in the result (a failing store while recording it is still thrown).
 */
export async function syncSource(opts: SyncSourceOptions): Promise<SyncResult> {
  const source = opts.source ?? opts.client.source;
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const windowMs = opts.windowMs ?? DEFAULT_SYNC_WINDOW_MS;

  const state = await opts.store.getSyncState(source);
  let watermark = state?.watermark ?? null;
  const to = opts.to ?? opts.now;
  const from =
    opts.from ??
    (watermark
      ? new Date(watermark.getTime() - (opts.overlapMs ?? DEFAULT_OVERLAP_MS))
      : new Date(opts.now.getTime() - firstRunDays(opts.backfillDays) * DAY_MS));

  const result: SyncResult = {
    source,
    ok: true,
    error: null,
    from,
    to,
    records: 0,
    rejected: 0,
    pages: 0,
    windows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    watermark,
    durationMs: 0,
  };
  const windowsTotal = countWindows(from, to, windowMs);
  const report = (window: { from: Date; to: Date }) => {
    if (!opts.onProgress) return;
    const elapsedMs = clock() - started;
    opts.onProgress({
      source,
      records: result.records,
      pages: result.pages,
      windowsDone: result.windows,
      windowsTotal,
      window,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (result.records * 1000) / elapsedMs : 0,
      etaMs: result.windows > 0 ? (elapsedMs / result.windows) * (windowsTotal - result.windows) : null,
    });
  };

  await opts.store.saveSyncState(source, { lastRunAt: opts.now });
  try {
    for (const window of timeWindows(from, to, windowMs)) {
      let insertedHere = 0;
      for await (const read of prefetched<SourcePage>(opts.client.pages(window.from, window.to, opts.signal))) {
        result.pages++;
        // Untrusted records are kept aside with their reason, never summed, and never stop the sync.
        const rejected: RejectedSourceRecord[] = [...(read.rejected ?? [])];
        const page = read.filter((r) => {
          const reason = untrustedReason(r, window, opts.now, opts.maxCallCost);
          if (reason) rejected.push(rejectedFromRecord(r, reason));
          return reason === null;
        });
        result.records += page.length + rejected.length;
        if (rejected.length > 0) {
          result.rejected += rejected.length;
          await opts.store.rejectRecords?.(rejected, opts.now);
        }
        if (page.length > 0) {
          const counts = await opts.store.upsertCosts(page);
          result.inserted += counts.inserted;
          result.updated += counts.updated;
          result.unchanged += counts.unchanged;
          insertedHere += counts.inserted;
        }
        report(window);
      }
      result.windows++;
      // Never move the watermark backwards (an explicit re-sync of an old range leaves it alone).
      const advanced = watermark === null || window.to > watermark;
      if (advanced) watermark = window.to;
      await opts.store.saveSyncState(source, {
        ...(advanced ? { watermark: window.to } : {}),
        // The running total counts distinct records: re-reads are not new records.
        addRecords: insertedHere,
      });
      report(window);
    }
    await opts.store.saveSyncState(source, {
      lastSuccess: opts.now,
      lastError: null,
      lastRecords: result.records,
      lastPages: result.pages,
    });
  } catch (e) {
    result.ok = false;
    result.error = errorMessage(e);
    await opts.store.saveSyncState(source, {
      lastError: result.error,
      lastErrorAt: opts.now,
      lastRecords: result.records,
      lastPages: result.pages,
    });
  }
  result.watermark = watermark;
  result.durationMs = clock() - started;
  return result;
}

/**
 * Syncs each source in turn (one at a time, to stay gentle on the store); a failing source, even one
 * whose failure could not be recorded, never stops the others. One result per source, in order.
 */
export async function syncAll(clients: readonly SourceClient[], opts: SyncOptions): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (const client of clients) {
    try {
      results.push(await syncSource({ ...opts, client }));
    } catch (e) {
      const to = opts.to ?? opts.now;
      results.push({
        source: client.source,
        ok: false,
        error: errorMessage(e),
        from: opts.from ?? to,
        to,
        records: 0,
        rejected: 0,
        pages: 0,
        windows: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        watermark: null,
        durationMs: 0,
      });
    }
  }
  return results;
}

function errorMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
