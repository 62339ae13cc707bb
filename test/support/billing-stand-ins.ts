import type { IncomingHttpHeaders } from 'node:http';
import { nanos, toDecimalString, type Money } from '../../src/domain/money.ts';
import { startJsonServer, type JsonReply, type JsonStandIn } from './helicone-stand-in.ts';

/**
 * Stand-ins for the providers' billing APIs, answering as their documents say:
 * - OpenAI `GET /v1/organization/costs` (../shared/specs/openai-openapi.yaml: UsageResponse of
 *   CostsResult buckets): Bearer admin key, `start_time` required (Unix seconds), `end_time` exclusive,
 *   `bucket_width` only `1d`, repeated `group_by` of project_id / line_item / api_key_id (ungrouped
 *   fields are null and amounts summed), `limit` 1..180 (default 7) buckets, opaque `page` cursor with
 *   `has_more` / `next_page`, an empty `results` array for a day with no cost, `amount.value` a number.
 * - Anthropic `GET /v1/organizations/cost_report` (Admin API reference): `x-api-key` and
 *   `anthropic-version`, RFC 3339 `starting_at` / `ending_at`, `group_by[]` of workspace_id /
 *   description (description, cost_type, model, … are null when not grouped by description),
 *   `limit` 1..31 (default 7), `amount` a decimal string in cents, `currency` "USD"; and the same
 *   server's `GET /v1/organizations/usage_report/messages`: `group_by[]` of api_key_id / workspace_id /
 *   model / service_tier / context_window / inference_geo / speed (beta header) / account_id /
 *   service_account_id (ungrouped fields null), daily buckets (`limit` 1..31, default 7), each result's
 *   token counts (`uncached_input_tokens`, `output_tokens`, `cache_read_input_tokens`,
 *   `cache_creation.ephemeral_{1h,5m}_input_tokens`) and `server_tool_use.web_search_requests`; usage
 *   in the Console has `api_key_id` null. Each cost carries the usage behind it (`tokens` of its
 *   `token_type`, or web search `requests`), so the two reports agree as Anthropic's do.
 * Both answer 401 to a wrong key and can be made to fail (429 with Retry-After, 5xx) with `failNext`.
 * `hostile` rewrites each successful page before it is sent (extra buckets, cycling cursors, odd but
 * schema-valid values), for the tests of what aicost refuses to trust; the tests check that what it
 * sends still follows the document.
 */
export type Rewrite = (body: { data: unknown[]; has_more: boolean; next_page: string | null }, query: URLSearchParams) => unknown;

const DAY = 86_400;

export interface OpenAiCost {
  day: string;
  project_id: string | null;
  line_item: string;
  /** Nanodollars; rendered as a JSON number of USD (negative for credits). */
  amount: Money;
  api_key_id?: string | null;
}

export interface AnthropicCost {
  day: string;
  workspace_id: string | null;
  description: string;
  cost_type?: string;
  model?: string | null;
  /** Decimal string in cents, exactly as the API sends it ("123.45" = $1.2345). */
  amount: string;
  /** The key whose usage this cost is (null: the Console); only the usage report says it. */
  api_key_id?: string | null;
  /** For a token cost: its token type (default output_tokens) and how many tokens it was. */
  token_type?: (typeof ANTHROPIC_TOKEN_TYPES)[number];
  tokens?: number;
  /** For a web search cost: how many searches it was. */
  requests?: number;
  service_tier?: string;
  context_window?: string;
  inference_geo?: string;
}

const ANTHROPIC_TOKEN_TYPES = [
  'uncached_input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation.ephemeral_1h_input_tokens',
  'cache_creation.ephemeral_5m_input_tokens',
] as const;
const USAGE_GROUP_BY = ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo', 'speed', 'account_id', 'service_account_id'];

export interface BillingStandIn<T> extends JsonStandIn {
  adminKey: string;
  costs: T[];
}

const dayOf = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
/** The stand-ins' cursor for the page that starts `n` buckets after the first. */
export const encodeCursor = (n: number) => Buffer.from(`bucket:${n}`).toString('base64url');
const decodeCursor = (s: string): number | null => {
  const m = /^bucket:(\d+)$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
};

function rateLimitReply(body: unknown) {
  return (f: { status?: number; retryAfter?: number | string; headers?: Record<string, string>; body?: unknown }): JsonReply => ({
    status: f.status ?? 500,
    headers: { ...(f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {}), ...f.headers },
    body: f.body ?? (f.status === 429 ? body : { error: { message: 'The server had an error while processing your request.', type: 'server_error' } }),
  });
}

export async function startOpenAiCostsStandIn(opts: { adminKey?: string; costs?: OpenAiCost[]; hostile?: Rewrite } = {}): Promise<BillingStandIn<OpenAiCost>> {
  const adminKey = opts.adminKey ?? 'sk-admin-openai-test-0000';
  const costs = opts.costs ?? [];
  const authorized = (h: IncomingHttpHeaders) => h.authorization === `Bearer ${adminKey}`;
  const bad = (status: number, message: string, param: string | null = null): JsonReply => ({
    status,
    body: { error: { message, type: 'invalid_request_error', param, code: null } },
  });
  const base = await startJsonServer(
    (req) => {
      if (req.method !== 'GET' || req.url.pathname !== '/v1/organization/costs') return bad(404, 'Not found');
      if (!authorized(req.headers)) return bad(401, 'Incorrect API key provided.');
      const q = req.url.searchParams;
      const start = Number(q.get('start_time'));
      if (!q.get('start_time') || !Number.isInteger(start)) return bad(400, 'start_time is required', 'start_time');
      const end = q.get('end_time') === null ? Math.ceil(Date.now() / 1000) : Number(q.get('end_time'));
      if ((q.get('bucket_width') ?? '1d') !== '1d') return bad(400, 'bucket_width must be 1d', 'bucket_width');
      const limit = q.get('limit') === null ? 7 : Number(q.get('limit'));
      if (!Number.isInteger(limit) || limit < 1 || limit > 180) return bad(400, 'limit must be between 1 and 180', 'limit');
      const groupBy = q.getAll('group_by');
      if (groupBy.some((g) => !['project_id', 'line_item', 'api_key_id'].includes(g))) return bad(400, 'invalid group_by', 'group_by');
      const first = Math.floor(start / DAY) * DAY;
      const offset = q.get('page') === null ? 0 : decodeCursor(q.get('page')!);
      if (offset === null) return bad(400, 'invalid page', 'page');
      const buckets: unknown[] = [];
      let t = first + offset * DAY;
      for (; t < end && buckets.length < limit; t += DAY) {
        const day = dayOf(t);
        const groups = new Map<string, { project_id: string | null; line_item: string | null; api_key_id: string | null; amount: bigint }>();
        for (const c of costs.filter((x) => x.day === day)) {
          const g = {
            project_id: groupBy.includes('project_id') ? c.project_id : null,
            line_item: groupBy.includes('line_item') ? c.line_item : null,
            api_key_id: groupBy.includes('api_key_id') ? (c.api_key_id ?? null) : null,
          };
          const key = JSON.stringify(g);
          const prev = groups.get(key);
          if (prev) prev.amount += c.amount;
          else groups.set(key, { ...g, amount: c.amount });
        }
        buckets.push({
          object: 'bucket',
          start_time: t,
          end_time: t + DAY,
          results: [...groups.values()].map((g) => ({
            object: 'organization.costs.result',
            amount: { value: Number(toDecimalString(nanos(g.amount))), currency: 'usd' },
            line_item: g.line_item,
            project_id: g.project_id,
            api_key_id: g.api_key_id,
            quantity: null,
            quantity_unit: null,
          })),
        });
      }
      const hasMore = t < end;
      const body = { object: 'page', data: buckets, has_more: hasMore, next_page: hasMore ? encodeCursor((t - first) / DAY) : null };
      return { status: 200, body: opts.hostile ? opts.hostile(body, q) : body };
    },
    authorized,
    rateLimitReply({ error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
  );
  return { ...base, adminKey, costs };
}

export async function startAnthropicCostStandIn(
  opts: {
    adminKey?: string;
    costs?: AnthropicCost[];
    hostile?: Rewrite;
    /** Rewrites each usage report page, like `hostile`. */
    hostileUsage?: Rewrite;
    /** The usage report answers 403 (an admin key without access to it). */
    usageForbidden?: boolean;
  } = {},
): Promise<BillingStandIn<AnthropicCost>> {
  const adminKey = opts.adminKey ?? 'sk-ant-admin01-test-0000';
  const costs = opts.costs ?? [];
  const authorized = (h: IncomingHttpHeaders) => h['x-api-key'] === adminKey;
  const bad = (status: number, type: string, message: string): JsonReply => ({ status, body: { type: 'error', error: { type, message } } });
  const base = await startJsonServer(
    (req) => {
      const usage = req.url.pathname === '/v1/organizations/usage_report/messages';
      if (req.method !== 'GET' || (req.url.pathname !== '/v1/organizations/cost_report' && !usage)) return bad(404, 'not_found_error', 'Not found');
      if (!authorized(req.headers)) return bad(401, 'authentication_error', 'invalid x-api-key');
      if (!req.headers['anthropic-version']) return bad(400, 'invalid_request_error', 'anthropic-version: header is required');
      if (usage) return usageReport(req.url.searchParams, req.headers);
      const q = req.url.searchParams;
      const startText = q.get('starting_at');
      const start = startText ? Date.parse(startText) : Number.NaN;
      if (Number.isNaN(start)) return bad(400, 'invalid_request_error', 'starting_at: must be an RFC 3339 timestamp');
      const end = q.get('ending_at') === null ? Date.now() : Date.parse(q.get('ending_at')!);
      if (Number.isNaN(end)) return bad(400, 'invalid_request_error', 'ending_at: must be an RFC 3339 timestamp');
      if ((q.get('bucket_width') ?? '1d') !== '1d') return bad(400, 'invalid_request_error', 'bucket_width: only 1d');
      const limit = q.get('limit') === null ? 7 : Number(q.get('limit'));
      if (!Number.isInteger(limit) || limit < 1 || limit > 31) return bad(400, 'invalid_request_error', 'limit: must be between 1 and 31');
      const groupBy = q.getAll('group_by[]');
      if (groupBy.some((g) => !['workspace_id', 'description'].includes(g))) return bad(400, 'invalid_request_error', 'group_by: invalid value');
      const first = Math.floor(start / 1000 / DAY) * DAY;
      const offset = q.get('page') === null ? 0 : decodeCursor(q.get('page')!);
      if (offset === null) return bad(400, 'invalid_request_error', 'page: invalid');
      const buckets: unknown[] = [];
      let t = first + offset * DAY;
      for (; t * 1000 < end && buckets.length < limit; t += DAY) {
        const day = dayOf(t);
        const byDesc = groupBy.includes('description');
        const groups = new Map<string, { workspace_id: string | null; c: AnthropicCost | null; cents: bigint[] }>();
        for (const c of costs.filter((x) => x.day === day)) {
          const ws = groupBy.includes('workspace_id') ? c.workspace_id : null;
          const key = JSON.stringify([ws, byDesc ? c.description : null]);
          const g = groups.get(key) ?? { workspace_id: ws, c: byDesc ? c : null, cents: [] };
          g.cents.push(centsToAtto(c.amount));
          groups.set(key, g);
        }
        buckets.push({
          starting_at: new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
          ending_at: new Date((t + DAY) * 1000).toISOString().replace('.000Z', 'Z'),
          results: [...groups.values()].map((g) => ({
            currency: 'USD',
            amount: attoToCents(g.cents.reduce((a, b) => a + b, 0n)),
            workspace_id: g.workspace_id,
            description: g.c?.description ?? null,
            cost_type: g.c ? (g.c.cost_type ?? 'tokens') : null,
            context_window: g.c && isTokens(g.c) ? (g.c.context_window ?? '0-200k') : null,
            inference_geo: g.c && isTokens(g.c) ? (g.c.inference_geo ?? 'global') : null,
            model: g.c?.model ?? null,
            service_tier: g.c && isTokens(g.c) ? (g.c.service_tier ?? 'standard') : null,
            token_type: g.c && isTokens(g.c) ? (g.c.token_type ?? 'output_tokens') : null,
          })),
        });
      }
      const hasMore = t * 1000 < end;
      const body = { data: buckets, has_more: hasMore, next_page: hasMore ? encodeCursor((t - first) / DAY) : null };
      return { status: 200, body: opts.hostile ? opts.hostile(body, q) : body };
    },
    authorized,
    rateLimitReply({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit.' } }),
  );
  return { ...base, adminKey, costs };

  function usageReport(q: URLSearchParams, headers: IncomingHttpHeaders): JsonReply {
    if (opts.usageForbidden) return bad(403, 'permission_error', 'This API key does not have permission to use the specified resource.');
    const startText = q.get('starting_at');
    const start = startText ? Date.parse(startText) : Number.NaN;
    if (Number.isNaN(start)) return bad(400, 'invalid_request_error', 'starting_at: must be an RFC 3339 timestamp');
    const end = q.get('ending_at') === null ? Date.now() : Date.parse(q.get('ending_at')!);
    if (Number.isNaN(end)) return bad(400, 'invalid_request_error', 'ending_at: must be an RFC 3339 timestamp');
    // The document also allows 1h and 1m buckets; the stand-in answers the daily ones aicost asks for.
    if ((q.get('bucket_width') ?? '1d') !== '1d') return bad(400, 'invalid_request_error', 'bucket_width: the stand-in answers 1d only');
    const limit = q.get('limit') === null ? 7 : Number(q.get('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 31) return bad(400, 'invalid_request_error', 'limit: must be between 1 and 31 for 1d');
    const groupBy = q.getAll('group_by[]');
    if (groupBy.some((g) => !USAGE_GROUP_BY.includes(g))) return bad(400, 'invalid_request_error', 'group_by: invalid value');
    if (groupBy.includes('speed') && !String(headers['anthropic-beta'] ?? '').includes('fast-mode-2026-02-01'))
      return bad(400, 'invalid_request_error', 'group_by: speed requires the fast-mode-2026-02-01 beta header');
    const first = Math.floor(start / 1000 / DAY) * DAY;
    const offset = q.get('page') === null ? 0 : decodeCursor(q.get('page')!);
    if (offset === null) return bad(400, 'invalid_request_error', 'page: invalid');
    const by = (g: string, v: string | null | undefined) => (groupBy.includes(g) ? (v ?? null) : null);
    const buckets: unknown[] = [];
    let t = first + offset * DAY;
    for (; t * 1000 < end && buckets.length < limit; t += DAY) {
      const day = dayOf(t);
      const groups = new Map<string, Record<string, unknown> & { counts: Record<string, number>; searches: number }>();
      for (const c of costs.filter((x) => x.day === day && (x.tokens !== undefined || x.requests !== undefined))) {
        const dims = {
          api_key_id: by('api_key_id', c.api_key_id),
          workspace_id: by('workspace_id', c.workspace_id),
          model: by('model', c.model),
          service_tier: by('service_tier', isTokens(c) ? (c.service_tier ?? 'standard') : 'standard'),
          context_window: by('context_window', isTokens(c) ? (c.context_window ?? '0-200k') : '0-200k'),
          inference_geo: by('inference_geo', isTokens(c) ? (c.inference_geo ?? 'global') : 'global'),
        };
        const key = JSON.stringify(dims);
        const g = groups.get(key) ?? { ...dims, counts: {}, searches: 0 };
        if (isTokens(c) && c.tokens !== undefined) {
          const tt = c.token_type ?? 'output_tokens';
          g.counts[tt] = (g.counts[tt] ?? 0) + c.tokens;
        }
        if (!isTokens(c)) g.searches += c.requests ?? 0;
        groups.set(key, g);
      }
      buckets.push({
        starting_at: new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
        ending_at: new Date((t + DAY) * 1000).toISOString().replace('.000Z', 'Z'),
        results: [...groups.values()].map(({ counts, searches, ...dims }) => ({
          ...dims,
          uncached_input_tokens: counts.uncached_input_tokens ?? 0,
          cache_creation: {
            ephemeral_1h_input_tokens: counts['cache_creation.ephemeral_1h_input_tokens'] ?? 0,
            ephemeral_5m_input_tokens: counts['cache_creation.ephemeral_5m_input_tokens'] ?? 0,
          },
          cache_read_input_tokens: counts.cache_read_input_tokens ?? 0,
          output_tokens: counts.output_tokens ?? 0,
          server_tool_use: { web_search_requests: searches },
          // Returned only with the fast-mode beta header, which grouping by speed requires.
          ...(groupBy.includes('speed') ? { speed: 'standard' } : {}),
        })),
      });
    }
    const hasMore = t * 1000 < end;
    const body = { data: buckets, has_more: hasMore, next_page: hasMore ? encodeCursor((t - first) / DAY) : null };
    return { status: 200, body: opts.hostileUsage ? opts.hostileUsage(body, q) : body };
  }
}

const isTokens = (c: AnthropicCost) => (c.cost_type ?? 'tokens') === 'tokens';

/** Cents text → integer of 1e-12 cents (exact for the stand-in's sums). */
function centsToAtto(text: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text)!;
  const v = BigInt(m[2] || '0') * 10n ** 12n + BigInt(((m[3] ?? '') + '0'.repeat(12)).slice(0, 12));
  return m[1] === '-' ? -v : v;
}
function attoToCents(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % 10n ** 12n).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 10n ** 12n}${frac ? `.${frac}` : ''}`;
}

/** One OpenAI costs result as the document shapes it. */
export function openAiResult(value: number, project: string | null, lineItem: string | null, currency = 'usd') {
  return {
    object: 'organization.costs.result',
    amount: { value, currency },
    line_item: lineItem,
    project_id: project,
    api_key_id: null,
    quantity: null,
    quantity_unit: null,
  };
}

/**
 * What a schema-driven mock of OpenAI's document answered (issue 22): valid by the schema, hostile by
 * value. Adds to the first page a bucket dated 1967, one outside the window asked for (`outside`, a UTC
 * day), and to the bucket of `day` a −$130M credit, a +$140M charge and a charge in euros.
 */
export function hostileOpenAiPage(outside: string, day: string): Rewrite {
  const at = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;
  return (body, q) => {
    if (q.get('page') !== null) return body;
    const data = body.data as { start_time: number; results: unknown[] }[];
    for (const b of data)
      if (b.start_time === at(day))
        b.results.push(
          openAiResult(-130_000_000, 'proj_a', 'credit'),
          openAiResult(140_000_000, 'proj_a', 'gpt-4o, input'),
          openAiResult(5, 'proj_a', 'gpt-4o, output', 'eur'),
        );
    return {
      ...body,
      data: [
        { object: 'bucket', start_time: -80_000_000, end_time: -80_000_000 + DAY, results: [openAiResult(12.5, 'proj_a', 'gpt-4o, input')] },
        ...data,
        { object: 'bucket', start_time: at(outside), end_time: at(outside) + DAY, results: [openAiResult(7, 'proj_a', 'gpt-4o, input')] },
      ],
    };
  };
}

/** Next-page cursors that go A → B → A: has_more stays true and the read never ends by itself. */
export function cyclingCursor(): Rewrite {
  const a = encodeCursor(1);
  const b = encodeCursor(2);
  return (body, q) => ({ ...body, has_more: true, next_page: q.get('page') === a ? b : a });
}
