import type { CostStore } from './ports/cost-store.ts';
import type { Log } from './ports/log.ts';
import type { SourceClient } from './ports/source.ts';
import { syncAll, type SyncProgress, type SyncResult } from './source-sync.ts';
import type { Authz } from './authz.ts';
import { syncBilling, type BillingStore } from './billing-sync.ts';
import type { BillingClient } from './ports/billing-source.ts';
import type { Failure } from '../domain/result.ts';
import type { Money } from '../domain/money.ts';

/**
 * Pulling costs from the configured sources. A source without credentials is off (and `/aicost sync`
 * says so). One source failing does not stop the other. After a sync the callers run the checks that
 * depend on fresh data (budgets, anomalies).
 */
export interface SourceStatus {
  source: 'helicone' | 'langfuse' | 'openai' | 'anthropic';
  configured: boolean;
  lastSuccess: Date | null;
  lastRunAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  watermark: Date | null;
  recordsTotal: number;
  lastRecords: number;
}

/** What `/aicost sync` shows (format/sync-lines.ts): each source's state, and what `sync now` did. */
export interface SyncStatusView {
  /** What `sync now` did: null when not asked, 'started', or why not. */
  start: null | 'started' | Failure;
  now: Date;
  sources: (SourceStatus & { keptAside: number })[];
}

export function syncService(deps: {
  store: CostStore;
  clients: SourceClient[];
  backfillDays: number;
  authz: Authz;
  log: Log;
  afterSync?: (now: Date) => Promise<void>;
  /** Records who started a sync (the audit log). */
  audit?: (entry: { actor: string; action: string; entity: string; entityId?: string | null; after?: unknown }, at: Date) => Promise<void>;
  /** Sees each run's results (the /metrics counters). */
  observe?: (results: SyncResult[]) => void;
  /** Provider billing (OpenAI, Anthropic), synced with the sources. */
  billing?: {
    clients: BillingClient[];
    store: BillingStore;
    rereadDays?: number;
    maxRow?: Money;
    /**
     * Closed months (issue 21 item 2): frozen before a bill is stored, and after it the difference a
     * re-read made to a closed month is booked once as a correction in the open month.
     */
    closed?: {
      freezeClosed(now: Date): Promise<void>;
      bookCorrections(now: Date, cause: string, by: string | null, only?: { fromDay: string; toDay: string }): Promise<unknown>;
    };
  };
}) {
  const { store } = deps;
  const billing = deps.billing ?? { clients: [], store: null as unknown as BillingStore };
  const clients = deps.clients;
  let running: Promise<SyncResult[]> | null = null;

  async function run(now: Date, opts: { source?: string; from?: Date; to?: Date; onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncResult[]> {
    const chosen = opts.source ? clients.filter((c) => c.source === opts.source) : clients;
    const results = chosen.length
      ? await syncAll(chosen, { store, now, backfillDays: deps.backfillDays, from: opts.from, to: opts.to, onProgress: opts.onProgress })
      : [];
    // Provider billing (OpenAI, Anthropic) syncs with the others, reported in the same shape.
    const bills = billing.clients.filter((c) => !opts.source || c.provider === opts.source);
    if (bills.length) await deps.billing?.closed?.freezeClosed(now);
    for (const b of bills) {
      const started = Date.now();
      const r = await syncBilling(b, billing.store, {
        now,
        backfillDays: deps.backfillDays,
        rereadDays: deps.billing?.rereadDays,
        ...(deps.billing?.maxRow !== undefined ? { maxRow: deps.billing.maxRow } : {}),
        log: deps.log,
        from: opts.from,
        to: opts.to,
      });
      if (r.ok)
        await deps.billing?.closed?.bookCorrections(
          now,
          `the ${b.provider === 'openai' ? 'OpenAI' : 'Anthropic'} bill, read again on ${now.toISOString().slice(0, 10)}`,
          null,
          // Only the closed months the read covered can have changed.
          { fromDay: r.from.toISOString().slice(0, 10), toDay: new Date(Math.max(r.from.getTime(), r.to.getTime() - 1)).toISOString().slice(0, 10) },
        );
      results.push({
        source: r.provider,
        ok: r.ok,
        error: r.error ?? null,
        from: r.from,
        to: r.to,
        records: r.rows,
        pages: r.days,
        windows: r.days,
        watermark: null,
        durationMs: Date.now() - started,
        inserted: r.rows,
        updated: 0,
        unchanged: 0,
        rejected: r.rejected,
      });
    }
    for (const r of results) {
      if (r.ok) deps.log.info({ source: r.source, records: r.records, inserted: r.inserted, updated: r.updated }, 'sync done');
      else deps.log.warn({ source: r.source, error: r.error }, 'sync failed');
    }
    deps.observe?.(results);
    if (deps.afterSync) await deps.afterSync(now);
    return results;
  }

  async function statuses(): Promise<SourceStatus[]> {
    const states = await store.syncStates();
    return (['helicone', 'langfuse', 'openai', 'anthropic'] as const).map((source) => {
      const billed = source === 'openai' || source === 'anthropic';
      const s = states.find((x) => x.source === (billed ? `${source}-billing` : source));
      return {
        source,
        configured: billed ? billing.clients.some((c) => c.provider === source) : clients.some((c) => c.source === source),
        lastSuccess: s?.lastSuccess ?? null,
        lastRunAt: s?.lastRunAt ?? null,
        lastError: s?.lastError ?? null,
        lastErrorAt: s?.lastErrorAt ?? null,
        watermark: s?.watermark ?? null,
        recordsTotal: s?.recordsTotal ?? 0,
        lastRecords: s?.lastRecords ?? 0,
      };
    });
  }

  return {
    run,
    statuses,
    /** Resolves when no `sync now` is running (graceful shutdown waits for it). */
    async idle(): Promise<void> {
      await running?.catch(() => undefined);
    },
    /** `/aicost sync`: status for anyone; `sync now` starts a sync in the background (finance only). */
    async status(userId: string, start: boolean, now: Date): Promise<SyncStatusView> {
      let started: SyncStatusView['start'] = null;
      if (start) {
        if (!(await deps.authz.isFinance(userId))) started = { code: 'sync.finance-only' };
        else if (clients.length === 0 && billing.clients.length === 0) started = { code: 'sync.no-source' };
        else if (running) started = { code: 'sync.running' };
        else {
          await deps.audit?.({ actor: userId, action: 'sync.start', entity: 'sync', entityId: null, after: { sources: clients.map((c) => c.source) } }, now);
          running = run(now).finally(() => (running = null));
          running.catch((err: unknown) => deps.log.error({ err }, 'manual sync failed'));
          started = 'started';
        }
      }
      const list = await statuses();
      const rejected = await store.rejectedCounts();
      return { start: started, now, sources: list.map((s) => ({ ...s, keptAside: rejected.get(s.source) ?? 0 })) };
    },
  };
}

export type SyncService = ReturnType<typeof syncService>;
