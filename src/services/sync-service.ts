import { readFileSync } from 'node:fs';
import type { SourcesConfig } from '../config.ts';
import type { CostStore } from '../db/repositories/cost-store.ts';
import type { ReplyParts } from '../format/reply-lines.ts';
import { alignTable } from '../format/table.ts';
import type { Logger } from '../logger.ts';
import { createHeliconeClient, createLangfuseClient, parseAttributionConfig, syncAll, type AttributionConfig, type SourceClient, type SyncProgress, type SyncResult } from '../sources/index.ts';
import type { Authz } from './authz.ts';

/**
 * Pulling costs from the configured sources. A source without credentials is off (and `/aicost sync`
 * says so). One source failing does not stop the other. After a sync the callers run the checks that
 * depend on fresh data (budgets, anomalies).
 */
export interface SourceStatus {
  source: 'helicone' | 'langfuse';
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

export function syncService(deps: { store: CostStore; clients: SourceClient[]; backfillDays: number; authz: Authz; log: Logger; afterSync?: (now: Date) => Promise<void>; observe?: (results: SyncResult[]) => void }) {
  const { store, clients } = deps;
  let running: Promise<SyncResult[]> | null = null;

  async function run(now: Date, opts: { source?: string; from?: Date; to?: Date; onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncResult[]> {
    const chosen = opts.source ? clients.filter((c) => c.source === opts.source) : clients;
    const results = await syncAll(chosen, { store, now, backfillDays: deps.backfillDays, from: opts.from, to: opts.to, onProgress: opts.onProgress });
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
    return (['helicone', 'langfuse'] as const).map((source) => {
      const s = states.find((x) => x.source === source);
      return {
        source,
        configured: clients.some((c) => c.source === source),
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
        else if (clients.length === 0) notes.push('No source is configured, so there is nothing to sync.');
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
      return { title: 'Cost sources', summary: [], tables: [{ caption: 'Sync status', table }], notes: [...notes, 'Helicone needs HELICONE_API_KEY; Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY.'] };
    },
  };
}

export type SyncService = ReturnType<typeof syncService>;
