import { z } from 'zod';
import { DEFAULT_ATTRIBUTION, attribute, type AttributionConfig, type DimensionRules } from '../attribution.ts';
import { SourceHttpError, apiUrl, basicAuth, requestJson, type HttpOptions } from '../http.ts';
import { priceRecord, type PriceFn, type TokenUsage } from '../pricing.ts';
import { DAY_MS, parseSourceTime, timeWindows } from '../../domain/time-windows.ts';
import type { NormalizedCost, SourceClient } from '../../services/ports/source.ts';
import { tokenCount, validationMessage } from '../validation.ts';
import { keepAside } from '../../services/source-trust.ts';

/**
 * Langfuse: prefers `GET /api/public/v2/observations` (cursor paging, field groups, userId/sessionId/
 * tags denormalized onto each observation). A deployment that answers 404 there (self-hosted, older)
 * is read through v1 instead: `GET /api/public/observations` (page paging, ≤ 100 per page) joined by
 * traceId to v1 traces for userId, sessionId, tags and trace metadata.
 *
 * One pass per observation type (the `type` query parameter takes one value; the `filter` parameter
 * could take several, but it overrides every other query filter, the time window included).
 */

export const LANGFUSE_DEFAULT_BASE_URL = 'https://cloud.langfuse.com';
export const LANGFUSE_V2_MAX_PAGE_SIZE = 1000;
export const LANGFUSE_V1_MAX_PAGE_SIZE = 100;
export const LANGFUSE_V2_FIELDS = 'core,basic,usage,model,metadata,trace_context';
/** Trace field groups for the v1 join: `core` has userId/sessionId/tags, `io` carries metadata. */
export const LANGFUSE_TRACE_FIELDS = 'core,io';

export type LangfuseObservationType = 'GENERATION' | 'EMBEDDING' | (string & {});

export interface LangfuseClientOptions {
  publicKey: string;
  secretKey: string;
  /** `https://cloud.langfuse.com`, `https://us.cloud.langfuse.com`, … or a self-hosted host. */
  baseUrl?: string;
  /** Default GENERATION and EMBEDDING. */
  types?: readonly LangfuseObservationType[];
  /** 'auto' (default) uses v2 and falls back to v1 when v2 answers 404. */
  api?: 'auto' | 'v2' | 'v1';
  /** v2 page size, at most 1000. Default 1000. */
  pageSize?: number;
  /** v1 page size, at most 100. Default 100. */
  v1PageSize?: number;
  /** Queries are split into time windows of this size. Default 1 day. */
  windowMs?: number;
  /** v1 join: traces are listed from this long before a window (a trace starts before its observations). Default 1 h. */
  traceLookbackMs?: number;
  /** v1 join: at most this many traces are cached. Default 50,000. */
  traceCacheSize?: number;
  attribution?: AttributionConfig;
  http?: HttpOptions;
  price?: PriceFn;
}

// ---- response schemas: only the fields we read; unknown fields pass, absent/null optional ones are fine

const optString = z.string().nullish();
/** Counts and amounts arrive as numbers (some versions send decimal strings). */
const amount = z.union([z.number(), z.string()]).nullish();
const numberMap = z
  .record(z.string(), z.union([z.number(), z.string(), z.null()]))
  .nullish()
  .catch(null);

const observationCommon = {
  id: z.string().min(1),
  traceId: optString,
  startTime: z.string(),
  type: optString,
  environment: optString,
  metadata: z.unknown(),
  usageDetails: numberMap,
  costDetails: numberMap,
};

export const v2ObservationSchema = z.looseObject({
  ...observationCommon,
  userId: optString,
  sessionId: optString,
  providedModelName: optString,
  totalCost: amount,
  traceName: optString,
  tags: z.array(z.string()).nullish().catch(null),
});

export const v1ObservationSchema = z.looseObject({
  ...observationCommon,
  model: optString,
  calculatedTotalCost: amount,
  usage: z.looseObject({ input: amount, output: amount }).nullish().catch(null),
  promptTokens: amount,
  completionTokens: amount,
});

export const v1TraceSchema = z.looseObject({
  id: z.string().min(1),
  name: optString,
  userId: optString,
  sessionId: optString,
  environment: optString,
  metadata: z.unknown(),
  tags: z.array(z.string()).nullish().catch(null),
});

const v2PageSchema = z.looseObject({
  data: z.array(z.unknown()),
  meta: z.looseObject({ cursor: z.string().nullish() }).nullish(),
});
const v1PageSchema = z.looseObject({
  data: z.array(z.unknown()),
  meta: z.looseObject({ page: z.number(), totalPages: z.number() }),
});

type V2Observation = z.infer<typeof v2ObservationSchema>;
type V1Observation = z.infer<typeof v1ObservationSchema>;
type TraceInfo = z.infer<typeof v1TraceSchema>;

/** What v1 and v2 observations are both reduced to before normalizing (names as in v2). */
interface ObservationView {
  id: string;
  traceId: string | null;
  startTime: string;
  type: string | null;
  environment: string | null;
  userId: string | null;
  sessionId: string | null;
  traceName: string | null;
  metadata: unknown;
  tags: readonly string[] | null;
  model: string | null;
  usage: TokenUsage;
  costUsd: number | string | null | undefined;
}

export function createLangfuseClient(options: LangfuseClientOptions): SourceClient {
  const pageSize = checkedPageSize(options.pageSize ?? LANGFUSE_V2_MAX_PAGE_SIZE, LANGFUSE_V2_MAX_PAGE_SIZE, 'v2');
  const v1PageSize = checkedPageSize(options.v1PageSize ?? LANGFUSE_V1_MAX_PAGE_SIZE, LANGFUSE_V1_MAX_PAGE_SIZE, 'v1');
  const types = options.types ?? ['GENERATION', 'EMBEDDING'];
  const windowMs = options.windowMs ?? DAY_MS;
  const rules = (options.attribution ?? DEFAULT_ATTRIBUTION).langfuse;
  const base = options.baseUrl ?? LANGFUSE_DEFAULT_BASE_URL;
  const authorization = basicAuth(options.publicKey, options.secretKey);
  /** Which API this deployment speaks; settled by the first v2 answer in 'auto'. */
  let api: 'v2' | 'v1' | 'unknown' = options.api === 'v1' ? 'v1' : options.api === 'v2' ? 'v2' : 'unknown';
  const traces = new TraceResolver(options.traceCacheSize ?? 50_000, options.traceLookbackMs ?? 3_600_000);

  function get(path: string, query: Record<string, string | number | undefined>, signal?: AbortSignal) {
    return requestJson(
      {
        method: 'GET',
        url: apiUrl(base, path, query),
        label: 'Langfuse',
        headers: { authorization },
        secrets: [options.secretKey, authorization.slice('Basic '.length)],
        retryHintFromBody: langfuseRetryHint,
        signal,
      },
      options.http,
    ).then((res) => res.body);
  }

  async function* v2Pages(window: Window, type: string, signal?: AbortSignal) {
    let cursor: string | undefined;
    do {
      const body = await get(
        '/api/public/v2/observations',
        {
          fields: LANGFUSE_V2_FIELDS,
          type,
          fromStartTime: window.from.toISOString(),
          toStartTime: window.to.toISOString(),
          limit: pageSize,
          cursor,
        },
        signal,
      );
      api = 'v2';
      const page = parse(v2PageSchema, body, 'v2 observations page');
      // A record that cannot be read is kept aside with its reason; it never stops the sync.
      yield keepAside(
        'langfuse',
        page.data,
        (item) => toRecord(fromV2(parse(v2ObservationSchema, item, 'v2 observation')), rules, options.price),
        rawObservation,
      );
      const next = page.meta?.cursor ?? undefined;
      if (next !== undefined && next === cursor) throw invalid(`v2 observations returned the same cursor twice`);
      cursor = next || undefined;
    } while (cursor);
  }

  async function* v1Pages(window: Window, type: string, signal?: AbortSignal) {
    for (let page = 1; ; page++) {
      const body = await get(
        '/api/public/observations',
        {
          type,
          fromStartTime: window.from.toISOString(),
          toStartTime: window.to.toISOString(),
          page,
          limit: v1PageSize,
        },
        signal,
      );
      const parsed = parse(v1PageSchema, body, 'v1 observations page');
      const items = parsed.data.map((item) => parse(v1ObservationSchema, item, 'v1 observation'));
      const traceIds = items.flatMap((o) => (o.traceId ? [o.traceId] : []));
      await traces.resolve(traceIds, window, (path, query) => get(path, query, signal));
      yield keepAside(
        'langfuse',
        items,
        (o) => toRecord(fromV1(o, o.traceId ? traces.get(o.traceId) : null), rules, options.price),
        (o) => ({ id: o.id, occurredAt: o.startTime, cost: o.calculatedTotalCost ?? o.costDetails?.total }),
      );
      if (items.length === 0 || page >= parsed.meta.totalPages) break;
    }
  }

  return {
    source: 'langfuse',
    async *pages(from, to, signal) {
      for (const window of timeWindows(from, to, windowMs)) {
        for (const type of types) {
          if (api !== 'v1') {
            try {
              yield* v2Pages(window, type, signal);
              continue;
            } catch (e) {
              // Only the very first v2 answer decides; a 404 after v2 has worked is a real error.
              if (!(api === 'unknown' && e instanceof SourceHttpError && e.status === 404)) throw e;
              api = 'v1';
            }
          }
          yield* v1Pages(window, type, signal);
        }
      }
    },
  };
}

type Window = { from: Date; to: Date };
type Getter = (path: string, query: Record<string, string | number | undefined>) => Promise<unknown>;

/**
 * The v1 join from observations to traces. On the first miss in a window it lists that window's
 * traces (from `lookbackMs` before it, since a trace starts before its observations) in pages of 100;
 * any trace still missing is fetched by id. Caches at most `capacity` traces (oldest evicted first).
 */
class TraceResolver {
  private readonly cache = new Map<string, TraceInfo | null>();
  private readonly listed = new Set<string>();

  constructor(
    private readonly capacity: number,
    private readonly lookbackMs: number,
  ) {}

  get(id: string): TraceInfo | null {
    return this.cache.get(id) ?? null;
  }

  async resolve(ids: readonly string[], window: Window, get: Getter): Promise<void> {
    const missing = () => [...new Set(ids)].filter((id) => !this.cache.has(id));
    const windowKey = `${window.from.toISOString()}/${window.to.toISOString()}`;
    if (missing().length > 0 && !this.listed.has(windowKey)) {
      this.listed.add(windowKey);
      await this.listWindow(window, get);
    }
    for (const id of missing()) {
      try {
        const body = await get(`/api/public/traces/${encodeURIComponent(id)}`, { fields: LANGFUSE_TRACE_FIELDS });
        this.remember(id, parse(v1TraceSchema, body, 'v1 trace'));
      } catch (e) {
        if (!(e instanceof SourceHttpError && e.status === 404)) throw e;
        this.remember(id, null); // an observation whose trace is gone still counts, unattributed by trace
      }
    }
  }

  private async listWindow(window: Window, get: Getter): Promise<void> {
    for (let page = 1; ; page++) {
      const body = await get('/api/public/traces', {
        fromTimestamp: new Date(window.from.getTime() - this.lookbackMs).toISOString(),
        toTimestamp: window.to.toISOString(),
        fields: LANGFUSE_TRACE_FIELDS,
        page,
        limit: LANGFUSE_V1_MAX_PAGE_SIZE,
      });
      const parsed = parse(v1PageSchema, body, 'v1 traces page');
      for (const item of parsed.data) {
        const trace = parse(v1TraceSchema, item, 'v1 trace');
        this.remember(trace.id, trace);
      }
      if (parsed.data.length === 0 || page >= parsed.meta.totalPages) break;
    }
  }

  private remember(id: string, trace: TraceInfo | null): void {
    // Keep only what the join reads, so cached traces stay small whatever their input/output.
    const slim = trace && {
      id: trace.id,
      name: trace.name,
      userId: trace.userId,
      sessionId: trace.sessionId,
      environment: trace.environment,
      metadata: trace.metadata,
      tags: trace.tags,
    };
    this.cache.delete(id);
    this.cache.set(id, slim);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** What a raw observation says about itself, for a record kept aside. */
function rawObservation(item: unknown): { id: unknown; occurredAt: unknown; cost: unknown } {
  const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const details = (o.costDetails && typeof o.costDetails === 'object' ? o.costDetails : {}) as Record<string, unknown>;
  return { id: o.id, occurredAt: o.startTime, cost: o.totalCost ?? details.total };
}

function fromV2(o: V2Observation): ObservationView {
  return {
    id: o.id,
    traceId: o.traceId ?? null,
    startTime: o.startTime,
    type: o.type ?? null,
    environment: o.environment ?? null,
    userId: o.userId ?? null,
    sessionId: o.sessionId ?? null,
    traceName: o.traceName ?? null,
    metadata: asObject(o.metadata),
    tags: o.tags ?? null,
    model: o.providedModelName ?? null,
    usage: usageOf(o.usageDetails, null),
    costUsd: o.totalCost ?? o.costDetails?.total,
  };
}

function fromV1(o: V1Observation, trace: TraceInfo | null): ObservationView {
  const own = asObject(o.metadata);
  const inherited = asObject(trace?.metadata);
  return {
    id: o.id,
    traceId: o.traceId ?? null,
    startTime: o.startTime,
    type: o.type ?? null,
    environment: o.environment ?? trace?.environment ?? null,
    userId: trace?.userId ?? null,
    sessionId: trace?.sessionId ?? null,
    traceName: trace?.name ?? null,
    // The observation's own metadata wins over the trace's.
    metadata: own && inherited ? { ...inherited, ...own } : (own ?? inherited),
    tags: trace?.tags ?? null,
    model: o.model ?? null,
    usage: usageOf(o.usageDetails, {
      input: o.usage?.input ?? o.promptTokens,
      output: o.usage?.output ?? o.completionTokens,
    }),
    costUsd: o.costDetails?.total ?? o.calculatedTotalCost,
  };
}

export function toRecord(view: ObservationView, rules: DimensionRules, price?: PriceFn): NormalizedCost {
  const occurredAt = parseSourceTime(view.startTime);
  if (!occurredAt) throw invalid(`observation ${view.id}: unreadable startTime`);
  const attribution = attribute(rules, {
    fields: { ...view },
    metadata: view.metadata,
    tags: view.tags,
  });
  return priceRecord(
    {
      source: 'langfuse',
      sourceId: view.id,
      occurredAt,
      ...attribution,
      model: view.model,
      provider: null, // Langfuse does not report the provider
      category: view.type === 'EMBEDDING' ? 'embeddings' : 'api',
      inputTokens: view.usage.input,
      outputTokens: view.usage.output,
      cacheReadTokens: view.usage.cacheRead ?? 0,
      cacheWriteTokens: view.usage.cacheWrite ?? 0,
      sourceCostUsd: view.costUsd,
      usage: view.usage,
    },
    price,
  );
}

/**
 * Tokens from `usageDetails`, whose keys are partitions ("input", "input_cache_read",
 * "cache_read_input_tokens", "output", "output_reasoning", …; "total" is their sum): input and
 * output are the sums of the input-ish and output-ish keys. Falls back to the legacy `usage` counts.
 */
function usageOf(
  details: Record<string, number | string | null> | null | undefined,
  legacy: { input: number | string | null | undefined; output: number | string | null | undefined } | null,
): TokenUsage {
  const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  let seen = false;
  for (const [key, raw] of Object.entries(details ?? {})) {
    const k = key.toLowerCase();
    if (k === 'total' || !/output|completion|input|prompt/.test(k)) continue;
    const n = tokenCount(raw, `usageDetails.${key}`);
    if (n === 0) continue;
    if (/output|completion/.test(k)) usage.output += n;
    else if (/input|prompt/.test(k)) {
      usage.input += n;
      if (/cache_read|cached/.test(k)) usage.cacheRead += n;
      else if (/cache_creation|cache_write/.test(k)) usage.cacheWrite += n;
    } else continue;
    seen = true;
  }
  if (!seen && legacy) {
    usage.input = tokenCount(legacy.input, 'usage.input');
    usage.output = tokenCount(legacy.output, 'usage.output');
  }
  // The sums stay within what one call can have, as each part does.
  for (const [part, n] of Object.entries(usage)) tokenCount(n, `usageDetails (${part})`);
  return usage;
}

/** Metadata as an object; some versions send it as a JSON string. */
function asObject(value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Langfuse's 429 body carries `details.retryAfterSeconds` as well as the `Retry-After` header. */
function langfuseRetryHint(body: unknown): number | undefined {
  const details = body && typeof body === 'object' ? (body as { details?: unknown }).details : undefined;
  const seconds = details && typeof details === 'object' ? (details as { retryAfterSeconds?: unknown }).retryAfterSeconds : undefined;
  return typeof seconds === 'number' ? seconds : undefined;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  throw invalid(`${what}${typeof id === 'string' ? ` ${id}` : ''} has an unexpected shape: ${validationMessage(result.error)}`);
}

function invalid(message: string): SourceHttpError {
  return new SourceHttpError(`Langfuse ${message}`, 'invalid-response', 200, 1);
}

function checkedPageSize(n: number, max: number, api: string): number {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`Langfuse ${api} page size must be 1..${max}, got ${n}`);
  return n;
}
