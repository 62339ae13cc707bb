import { z } from 'zod';
import { fromUsd } from '../../domain/money.ts';
import { SourceHttpError, apiUrl, requestJson, type HttpOptions } from '../http.ts';
import { validationMessage } from '../validation.ts';
import { centsToMoney, mergeRows, rejectedBillRow, utcDay, type BilledDay, type BilledRow, type BillingClient } from '../../services/ports/billing-source.ts';
import type { RejectedSourceRecord } from '../../services/ports/source.ts';
import { cursorGuard, withRejected } from './paging.ts';
import { indexUsage, splitByKey, type KeyShares, type TokenType, type UsageResult } from './anthropic-key-shares.ts';

/**
 * Anthropic Admin API cost report: `GET /v1/organizations/cost_report` with an admin key
 * (`x-api-key`, `anthropic-version: 2023-06-01`), RFC 3339 `starting_at` / `ending_at`, daily buckets
 * grouped by `group_by[]=workspace_id` and `group_by[]=description`, at most 31 buckets a page, cursor
 * `page` = the previous `next_page` while `has_more`. Each result's `amount` is a decimal string in the
 * lowest currency unit (cents): "123.45" is $1.2345. `workspace_id` null is the default workspace. A
 * result in another currency, or in a bucket whose start is not a time, is kept aside; the sync judges the rest.
 *
 * Per API key where the admin key allows it: the cost report cannot group by key, so each token and web
 * search cost is split between the keys by the messages usage report (`GET
 * /v1/organizations/usage_report/messages`, `group_by[]` api_key_id, workspace_id, model, service_tier,
 * context_window, inference_geo), read once for the window when the first page has a cost
 * (anthropic-key-shares.ts; ARCHITECTURE.md, "Anthropic bills per API key"). A usage report refused
 * (400, 403, 404) leaves the bill per workspace, as before; any other failure fails the read.
 */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_COST_PATH = '/v1/organizations/cost_report';
export const ANTHROPIC_USAGE_PATH = '/v1/organizations/usage_report/messages';
export const ANTHROPIC_MAX_BUCKETS = 31;
const USAGE_GROUP_BY = ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo'] as const;

export interface AnthropicCostOptions {
  adminKey: string;
  baseUrl?: string;
  /** Buckets per page, 1..31. Default 31. */
  limit?: number;
  http?: HttpOptions;
}

const costResult = z.looseObject({
  amount: z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'must be a decimal string of cents'),
  currency: z.string().default('USD'),
  workspace_id: z.string().nullish(),
  description: z.string().nullish(),
  cost_type: z.string().nullish(),
  model: z.string().nullish(),
  service_tier: z.string().nullish(),
  context_window: z.string().nullish(),
  inference_geo: z.string().nullish(),
  token_type: z.string().nullish(),
});

// Counts are read as any JSON value and judged when indexed (a negative, fractional or huge count is not trusted).
const usageResult = z.looseObject({
  api_key_id: z.string().nullish(),
  workspace_id: z.string().nullish(),
  model: z.string().nullish(),
  service_tier: z.string().nullish(),
  context_window: z.string().nullish(),
  inference_geo: z.string().nullish(),
  uncached_input_tokens: z.unknown(),
  output_tokens: z.unknown(),
  cache_read_input_tokens: z.unknown(),
  cache_creation: z.looseObject({ ephemeral_1h_input_tokens: z.unknown(), ephemeral_5m_input_tokens: z.unknown() }).nullish(),
  server_tool_use: z.looseObject({ web_search_requests: z.unknown() }).nullish(),
});

const usageReport = z.looseObject({
  data: z.array(z.looseObject({ starting_at: z.string(), ending_at: z.string(), results: z.array(usageResult) })),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

const costReport = z.looseObject({
  data: z.array(z.looseObject({ starting_at: z.string(), ending_at: z.string(), results: z.array(costResult) })),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

export function createAnthropicCostClient(options: AnthropicCostOptions): BillingClient {
  const limit = options.limit ?? ANTHROPIC_MAX_BUCKETS;
  if (!Number.isInteger(limit) || limit < 1 || limit > ANTHROPIC_MAX_BUCKETS)
    throw new RangeError(`Anthropic cost report limit must be 1..${ANTHROPIC_MAX_BUCKETS}, got ${limit}`);
  const base = options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL;
  const headers = { 'x-api-key': options.adminKey, 'anthropic-version': '2023-06-01' };
  const get = (url: URL, signal?: AbortSignal) =>
    requestJson({ method: 'GET', url, label: 'Anthropic', headers, secrets: [options.adminKey], signal }, options.http);

  /** The usage report for the window, indexed for splitting; null when the admin key may not read it. */
  async function readShares(from: Date, to: Date, signal?: AbortSignal): Promise<KeyShares | null> {
    const results: UsageResult[] = [];
    const seen = new Set<string>();
    const twice = new Set<string>();
    const cursor = cursorGuard(`Anthropic ${ANTHROPIC_USAGE_PATH}`, from, to);
    let page: string | undefined;
    for (;;) {
      const url = apiUrl(base, ANTHROPIC_USAGE_PATH, { starting_at: from.toISOString(), ending_at: to.toISOString(), bucket_width: '1d', limit, page });
      for (const g of USAGE_GROUP_BY) url.searchParams.append('group_by[]', g);
      let res: Awaited<ReturnType<typeof get>>;
      try {
        res = await get(url, signal);
      } catch (err) {
        if (page === undefined && err instanceof SourceHttpError && (err.status === 400 || err.status === 403 || err.status === 404)) return null;
        throw err;
      }
      const parsed = usageReport.safeParse(res.body);
      if (!parsed.success)
        throw new SourceHttpError(
          `Anthropic ${ANTHROPIC_USAGE_PATH}: unexpected response (${validationMessage(parsed.error)})`,
          'invalid-response',
          res.status,
          1,
        );
      for (const bucket of parsed.data.data) {
        const start = new Date(bucket.starting_at);
        if (Number.isNaN(start.getTime())) continue;
        const day = utcDay(start);
        // A day answered twice is not split at all: which answer to believe is not ours to guess.
        if (seen.has(day)) twice.add(day);
        seen.add(day);
        for (const r of bucket.results)
          results.push({
            day,
            apiKey: r.api_key_id ?? null,
            workspace: r.workspace_id ?? null,
            model: r.model ?? null,
            serviceTier: r.service_tier ?? null,
            contextWindow: r.context_window ?? null,
            inferenceGeo: r.inference_geo ?? null,
            tokens: {
              uncached_input_tokens: r.uncached_input_tokens,
              output_tokens: r.output_tokens,
              cache_read_input_tokens: r.cache_read_input_tokens,
              'cache_creation.ephemeral_1h_input_tokens': r.cache_creation?.ephemeral_1h_input_tokens ?? 0,
              'cache_creation.ephemeral_5m_input_tokens': r.cache_creation?.ephemeral_5m_input_tokens ?? 0,
            } satisfies Record<TokenType, unknown>,
            webSearchRequests: r.server_tool_use?.web_search_requests ?? 0,
          });
      }
      if (!parsed.data.has_more || !parsed.data.next_page) return indexUsage(results, twice);
      page = cursor.next(parsed.data.next_page, res.status);
    }
  }

  return {
    provider: 'anthropic',
    async *days(from, to, signal) {
      let page: string | undefined;
      let shares: KeyShares | null | undefined;
      const cursor = cursorGuard(`Anthropic ${ANTHROPIC_COST_PATH}`, from, to);
      for (;;) {
        const url = apiUrl(base, ANTHROPIC_COST_PATH, { starting_at: from.toISOString(), ending_at: to.toISOString(), bucket_width: '1d', limit, page });
        url.searchParams.append('group_by[]', 'workspace_id');
        url.searchParams.append('group_by[]', 'description');
        const res = await get(url, signal);
        const parsed = costReport.safeParse(res.body);
        if (!parsed.success)
          throw new SourceHttpError(
            `Anthropic ${ANTHROPIC_COST_PATH}: unexpected response (${validationMessage(parsed.error)})`,
            'invalid-response',
            res.status,
            1,
          );
        if (shares === undefined && parsed.data.data.some((b) => b.results.length)) shares = await readShares(from, to, signal);
        const out: BilledDay[] = [];
        const rejected: RejectedSourceRecord[] = [];
        for (const bucket of parsed.data.data) {
          const start = new Date(bucket.starting_at);
          const ok = !Number.isNaN(start.getTime());
          const day = ok ? utcDay(start) : `starting_at ${bucket.starting_at.slice(0, 40)}`;
          const rows: Omit<BilledRow, 'provider' | 'day'>[] = [];
          for (const r of bucket.results) {
            const reject = (reason: string) =>
              rejected.push(rejectedBillRow('anthropic', { day, scope: r.workspace_id, lineItem: r.description ?? r.cost_type, cost: r.amount }, reason));
            if (!ok) reject(`bucket starting_at "${bucket.starting_at.slice(0, 40)}" is not a time`);
            else if (r.currency.toUpperCase() !== 'USD') reject(`a cost in ${r.currency.slice(0, 20)}, not USD`);
            else {
              const scope = r.workspace_id ?? '';
              const lineItem = r.description ?? r.cost_type ?? '';
              const amount = centsToMoney(r.amount, fromUsd);
              const weights = shares?.weights({
                day,
                workspace: r.workspace_id ?? null,
                costType: r.cost_type ?? null,
                model: r.model ?? null,
                serviceTier: r.service_tier ?? null,
                contextWindow: r.context_window ?? null,
                inferenceGeo: r.inference_geo ?? null,
                tokenType: r.token_type ?? null,
              });
              if (!weights?.size) rows.push({ scope, lineItem, amount });
              // Each part keeps the amount it was split from, so the sync judges the bill row, not its parts.
              else for (const [apiKey, part] of splitByKey(amount, weights)) rows.push({ scope, lineItem, apiKey, amount: part, whole: amount });
            }
          }
          if (ok) out.push(mergeRows('anthropic', day, rows));
        }
        yield withRejected(out, rejected);
        if (!parsed.data.has_more || !parsed.data.next_page) return;
        page = cursor.next(parsed.data.next_page, res.status);
      }
    },
  };
}
