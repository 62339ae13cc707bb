import { readFileSync } from 'node:fs';
import type { SourcesConfig } from '../config.ts';
import type { CostStore } from '../db/repositories/cost-store.ts';
import type { ReplyParts } from '../format/reply-lines.ts';
import { alignTable } from '../format/table.ts';
import type { Logger } from '../logger.ts';
import { createHeliconeClient, createLangfuseClient, parseAttributionConfig, syncAll, type AttributionConfig, type SourceClient, type SyncProgress, type SyncResult } from '../sources/index.ts';
import type { Authz } from './authz.ts';
import { createAnthropicCostClient } from '../sources/billing/anthropic-cost-report.ts';
import { createOpenAiCostsClient } from '../sources/billing/openai-costs.ts';
import { syncBilling, type BillingStore } from '../sources/billing/sync.ts';
import type { BillingClient } from '../sources/billing/types.ts';

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

export function loadAttribution(file: string | undefined): AttributionConfig {
  if (!file) return parseAttributionConfig({});
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`ATTRIBUTION_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  return parseAttributionConfig(json);
}

export function sourceClients(config: SourcesConfig): SourceClient[] {
  const attribution = loadAttribution(config.ATTRIBUTION_FILE);
  const clients: SourceClient[] = [];
  if (config.HELICONE_API_KEY) clients.push(createHeliconeClient({ apiKey: config.HELICONE_API_KEY, baseUrl: config.HELICONE_BASE_URL, attribution }));
  if (config.LANGFUSE_PUBLIC_KEY && config.LANGFUSE_SECRET_KEY) {
    clients.push(createLangfuseClient({ publicKey: config.LANGFUSE_PUBLIC_KEY, secretKey: config.LANGFUSE_SECRET_KEY, baseUrl: config.LANGFUSE_BASE_URL, attribution }));
  }
  return clients;
}

/** The provider billing clients (issue 14): each is off without its admin key. */
export function billingClients(config: Pick<SourcesConfig, 'OPENAI_ADMIN_KEY' | 'OPENAI_BASE_URL' | 'ANTHROPIC_ADMIN_KEY' | 'ANTHROPIC_BASE_URL'>): BillingClient[] {
  const out: BillingClient[] = [];
  if (config.OPENAI_ADMIN_KEY) out.push(createOpenAiCostsClient({ adminKey: config.OPENAI_ADMIN_KEY, baseUrl: config.OPENAI_BASE_URL }));
  if (config.ANTHROPIC_ADMIN_KEY) out.push(createAnthropicCostClient({ adminKey: config.ANTHROPIC_ADMIN_KEY, baseUrl: config.ANTHROPIC_BASE_URL }));
  return out;
}

export function syncService(deps: {
  store: CostStore; clients: SourceClient[]; backfillDays: number; authz: Authz; log: Logger; afterSync?: (now: Date) => Promise<void>;
  billing?: { clients: BillingClient[]; store: BillingStore; rereadDays?: number };
}) {
  const { store } = deps;
  const billing = deps.billing ?? { clients: [], store: null as unknown as BillingStore };
  const clients = deps.clients;
  let running: Promise<SyncResult[]> | null = null;

  async function run(now: Date, opts: { source?: string; from?: Date; to?: Date; onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncResult[]> {
    const chosen = opts.source ? clients.filter((c) => c.source === opts.source) : clients;
    const results = chosen.length ? await syncAll(chosen, { store, now, backfillDays: deps.backfillDays, from: opts.from, to: opts.to, onProgress: opts.onProgress }) : [];
    // Provider billing (OpenAI, Anthropic) syncs with the others, reported in the same shape.
    for (const b of billing.clients.filter((c) => !opts.source || c.provider === opts.source)) {
      const started = Date.now();
      const r = await syncBilling(b, billing.store, { now, backfillDays: deps.backfillDays, rereadDays: deps.billing?.rereadDays, from: opts.from, to: opts.to });
      results.push({
        source: r.provider, ok: r.ok, error: r.error ?? null, from: r.from, to: r.to, records: r.rows, pages: r.days, windows: r.days,
        watermark: null, durationMs: Date.now() - started, inserted: r.rows, updated: 0, unchanged: 0,
      });
    }
    for (const r of results) {
      if (r.ok) deps.log.info({ source: r.source, records: r.records, inserted: r.inserted, updated: r.updated }, 'sync done');
      else deps.log.warn({ source: r.source, error: r.error }, 'sync failed');
    }
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
        lastSuccess: s?.lastSuccess ?? null, lastRunAt: s?.lastRunAt ?? null, lastError: s?.lastError ?? null, lastErrorAt: s?.lastErrorAt ?? null,
        watermark: s?.watermark ?? null, recordsTotal: s?.recordsTotal ?? 0, lastRecords: s?.lastRecords ?? 0,
      };
    });
  }

  return {
    run,
    statuses,
    /** `/aicost sync`: status for anyone; `sync now` starts a sync in the background (finance only). */
    async status(userId: string, start: boolean, now: Date): Promise<ReplyParts> {
      const notes: string[] = [];
      if (start) {
        if (!(await deps.authz.isFinance(userId))) notes.push('Only finance can start a sync. Nothing was started.');
        else if (clients.length === 0 && billing.clients.length === 0) notes.push('No source is configured, so there is nothing to sync.');
        else if (running) notes.push('A sync is already running.');
        else {
          running = run(now).finally(() => (running = null));
          running.catch((err: unknown) => deps.log.error({ err }, 'manual sync failed'));
          notes.push('Sync started. Run /aicost sync again in a minute to see the result.');
        }
      }
      const list = await statuses();
      const ago = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never');
      const table = alignTable(
        ['source', 'state', 'last success', 'data up to', 'records', 'last error'],
        list.map((s) => [
          s.source,
          s.configured ? 'on' : 'off (no credentials)',
          ago(s.lastSuccess),
          s.watermark ? `${ago(s.watermark)} (lag ${Math.max(0, Math.round((now.getTime() - s.watermark.getTime()) / 60_000))} min)` : '-',
          s.recordsTotal.toLocaleString('en-US'),
          s.lastError ? `${ago(s.lastErrorAt)}: ${s.lastError.slice(0, 80)}` : '-',
        ]),
      );
      return { title: 'Cost sources', summary: [], tables: [{ caption: 'Sync status', table }], notes: [...notes, 'Helicone needs HELICONE_API_KEY; Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY; the OpenAI and Anthropic bills need OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY.'] };
    },
  };
}

export type SyncService = ReturnType<typeof syncService>;
