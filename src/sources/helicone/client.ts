import { z } from 'zod';
import { DEFAULT_ATTRIBUTION, attribute, type AttributionConfig, type DimensionRules } from '../attribution.ts';
import { SourceHttpError, apiUrl, requestJson, type HttpOptions } from '../http.ts';
import { priceRecord, type PriceFn } from '../pricing.ts';
import { DAY_MS, parseSourceTime, timeWindows } from '../../domain/time-windows.ts';
import type { NormalizedCost, SourceClient } from '../../services/ports/source.ts';
import { tokenCount, validationMessage } from '../validation.ts';
import { keepAside } from '../../services/source-trust.ts';

/**
 * Helicone: `POST /v1/request/query-clickhouse`, offset/limit paging inside bounded time windows.
 *
 * Two traps in this endpoint, both handled here:
 * - `isScored` / `isPartOfExperiment` are filters, not flags: `isScored: false` (as in Helicone's own
 *   example) adds "scores = {}" and silently drops every scored request. We never send them.
 * - The server de-duplicates rows by request_id inside a page, so a short page is not proof of the
 *   last page: we stop only on an empty page.
 * The sort is by created_at only, so ties can shuffle across pages; a row read twice is absorbed by the
 * store's upsert, and the sync's overlap re-read catches a rare miss.
 */

export const HELICONE_DEFAULT_BASE_URL = 'https://api.helicone.ai';
export const HELICONE_MAX_PAGE_SIZE = 1000;
export const HELICONE_QUERY_PATH = '/v1/request/query-clickhouse';

export interface HeliconeClientOptions {
  apiKey: string;
  /** `https://api.helicone.ai`, `https://eu.api.helicone.ai`, or a self-hosted Jawn. */
  baseUrl?: string;
  /** Rows per request, at most 1000. Default 1000. */
  pageSize?: number;
  /** Queries are split into time windows of this size so offsets stay shallow. Default 1 day. */
  windowMs?: number;
  attribution?: AttributionConfig;
  http?: HttpOptions;
  price?: PriceFn;
}

const nullableString = z.string().nullish();
const count = z.number().nullish();
/** Property maps are Record<string,string> per spec; anything else is tolerated and ignored. */
const propertyMap = z.record(z.string(), z.unknown()).nullish().catch(null);

/** The fields of `HeliconeRequest` we read; unknown fields pass, absent or null optional ones are fine. */
export const heliconeRequestSchema = z.looseObject({
  request_id: z.string().min(1),
  request_created_at: z.string(),
  model: nullableString,
  model_override: nullableString,
  request_model: nullableString,
  response_model: nullableString,
  provider: nullableString,
  request_path: nullableString,
  target_url: nullableString,
  prompt_tokens: count,
  completion_tokens: count,
  prompt_cache_read_tokens: count,
  prompt_cache_write_tokens: count,
  cost: z.union([z.number(), z.string()]).nullish(),
  properties: propertyMap,
  request_properties: propertyMap,
  request_user_id: nullableString,
});
export type HeliconeRequestItem = z.infer<typeof heliconeRequestSchema>;

/** `{ data, error }`: exactly one of them is non-null. */
const envelopeSchema = z.looseObject({ data: z.array(z.unknown()).nullish(), error: z.unknown().nullish() });

/** The request body for one page: `RequestQueryParams` (additionalProperties: false). */
export function heliconeQueryBody(window: { from: Date; to: Date }, offset: number, limit: number) {
  const createdAt = (op: 'gte' | 'lt', at: Date) => ({
    request_response_rmt: { request_created_at: { [op]: at.toISOString() } },
  });
  return {
    filter: { left: createdAt('gte', window.from), operator: 'and' as const, right: createdAt('lt', window.to) },
    offset,
    limit,
    sort: { created_at: 'asc' as const },
    isCached: false,
    includeInputs: false,
  };
}

export function createHeliconeClient(options: HeliconeClientOptions): SourceClient {
  const pageSize = options.pageSize ?? HELICONE_MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > HELICONE_MAX_PAGE_SIZE) {
    throw new RangeError(`Helicone page size must be 1..${HELICONE_MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  const windowMs = options.windowMs ?? DAY_MS;
  const rules = (options.attribution ?? DEFAULT_ATTRIBUTION).helicone;
  const url = apiUrl(options.baseUrl ?? HELICONE_DEFAULT_BASE_URL, HELICONE_QUERY_PATH);

  async function queryPage(window: { from: Date; to: Date }, offset: number, signal?: AbortSignal): Promise<unknown[]> {
    const res = await requestJson(
      {
        method: 'POST',
        url,
        label: 'Helicone',
        headers: { authorization: `Bearer ${options.apiKey}` },
        body: heliconeQueryBody(window, offset, pageSize),
        secrets: [options.apiKey],
        signal,
      },
      options.http,
    );
    const envelope = envelopeSchema.safeParse(res.body);
    if (!envelope.success) {
      throw new SourceHttpError(`Helicone ${HELICONE_QUERY_PATH}: response is not a {data, error} envelope`, 'invalid-response', res.status, 1);
    }
    const { data, error } = envelope.data;
    if (error !== null && error !== undefined) {
      const detail = typeof error === 'string' ? error : JSON.stringify(error);
      throw new SourceHttpError(`Helicone ${HELICONE_QUERY_PATH} failed: ${detail}`, 'http', res.status, 1, detail);
    }
    return data ?? [];
  }

  return {
    source: 'helicone',
    async *pages(from, to, signal) {
      for (const window of timeWindows(from, to, windowMs)) {
        for (let offset = 0; ; offset += pageSize) {
          const items = await queryPage(window, offset, signal);
          if (items.length === 0) break;
          // A record that cannot be read is kept aside with its reason; it never stops the sync.
          yield keepAside(
            'helicone',
            items,
            (item, i) => normalizeHeliconeRequest(parseItem(item, offset + i), rules, options.price),
            (item) => {
              const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
              return { id: o.request_id, occurredAt: o.request_created_at, cost: o.cost };
            },
          );
        }
      }
    },
  };
}

/**
 * The same fields as `heliconeRequestSchema`, unknown keys stripped. zod compiles a plain object
 * schema into a fast path that a loose one (which copies every unknown key through its catch-all)
 * does not get; at ~45 fields a row that halves the cost of validation, the largest client-side cost
 * of a large sync. `parseItem` puts the unknown keys back, so its result is what the loose schema gives.
 */
const knownFieldsSchema = z.object(heliconeRequestSchema.shape);

function parseItem(item: unknown, index: number): HeliconeRequestItem {
  const known = knownFieldsSchema.safeParse(item);
  // Same checks on the same fields, so this succeeds exactly when the loose schema does; the parsed
  // known fields win over their raw values, as in the loose schema's output. (A JSON "__proto__" key,
  // which the loose schema treats specially, takes the loose path.)
  if (known.success && !Object.hasOwn(item as object, '__proto__')) return { ...(item as Record<string, unknown>), ...known.data };
  const parsed = heliconeRequestSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const id = item && typeof item === 'object' ? (item as Record<string, unknown>).request_id : undefined;
  throw new SourceHttpError(
    `Helicone row ${index}${typeof id === 'string' ? ` (request_id ${id})` : ''} has an unexpected shape: ${validationMessage(parsed.error)}`,
    'invalid-response',
    200,
    1,
  );
}

export function normalizeHeliconeRequest(item: HeliconeRequestItem, rules: DimensionRules, price?: PriceFn): NormalizedCost {
  const occurredAt = parseSourceTime(item.request_created_at);
  if (!occurredAt) {
    throw new SourceHttpError(`Helicone request ${item.request_id}: unreadable request_created_at`, 'invalid-response', 200, 1);
  }
  // The server fills `model` with "unknown" when it has none.
  const model = [item.model, item.model_override, item.response_model, item.request_model].find((m) => m && m !== 'unknown') ?? null;
  const path = `${item.request_path ?? ''} ${item.target_url ?? ''}`;
  const attribution = attribute(rules, {
    fields: item,
    properties: [item.properties, item.request_properties],
  });
  const tokens = {
    input: tokenCount(item.prompt_tokens, 'prompt_tokens'),
    output: tokenCount(item.completion_tokens, 'completion_tokens'),
    cacheRead: tokenCount(item.prompt_cache_read_tokens, 'prompt_cache_read_tokens'),
    cacheWrite: tokenCount(item.prompt_cache_write_tokens, 'prompt_cache_write_tokens'),
  };
  return priceRecord(
    {
      source: 'helicone',
      sourceId: item.request_id,
      occurredAt,
      ...attribution,
      model,
      provider: item.provider ? item.provider.toLowerCase() : null,
      category: /\/embeddings\b/.test(path) || /embed/i.test(model ?? '') ? 'embeddings' : 'api',
      // prompt_tokens already includes cache reads and writes.
      inputTokens: tokens.input,
      outputTokens: tokens.output,
      cacheReadTokens: tokens.cacheRead,
      cacheWriteTokens: tokens.cacheWrite,
      sourceCostUsd: item.cost,
      usage: tokens,
    },
    price,
  );
}
