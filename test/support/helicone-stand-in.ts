import { createServer, type IncomingHttpHeaders } from 'node:http';
import { seededRandom } from '../../src/demo/prng.ts';
import type { AddressInfo } from 'node:net';
import { fromUsd, sum, ZERO, type Money } from '../../src/domain/money.ts';

/**
 * A stand-in for Helicone's Jawn API, answering `POST /v1/request/query-clickhouse` in exactly the
 * documented shapes (see shared/specs/helicone-swagger.json and the samples): the `{ data, error }`
 * envelope, offset/limit paging with limit ≤ 1000 (more → HTTP 500 `{data:null,error:"invalid limit"}`),
 * the request_created_at filter tree, created_at sort (default desc), per-page de-duplication by
 * request_id, `isScored` as the filter it really is, 401 on a wrong bearer, and injectable 429/500s.
 *
 * The first half of this file is the generic JSON stand-in plumbing, also used by langfuse-stand-in.ts.
 */

// ---------------------------------------------------------------- generic JSON stand-in plumbing

export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Whether the request carried the right credentials (the credentials themselves are not logged). */
  authorized: boolean;
  status: number;
}

export interface InjectedFailure {
  /** Answer with this status (429 and 5xx get the server's own error body); omit to only delay. */
  status?: number;
  /** Retry-After seconds (or HTTP date) for a 429/503. */
  retryAfter?: number | string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
}

export interface JsonReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface StandInRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface JsonStandIn {
  url: string;
  requests: LoggedRequest[];
  /** The next `n` requests (any route) fail as described, then normal service resumes. */
  failNext(n: number, failure: InjectedFailure): void;
  close(): Promise<void>;
}

export async function startJsonServer(
  handle: (req: StandInRequest) => JsonReply,
  isAuthorized: (headers: IncomingHttpHeaders) => boolean,
  failureReply: (failure: InjectedFailure) => JsonReply,
): Promise<JsonStandIn> {
  const requests: LoggedRequest[] = [];
  const failures: InjectedFailure[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          body = text;
        }
        const failure = failures.shift();
        if (failure?.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
        let reply: JsonReply;
        try {
          reply = failure?.status !== undefined ? failureReply(failure) : handle({ method: req.method ?? 'GET', url, headers: req.headers, body });
        } catch (e) {
          reply = { status: 599, body: { error: `stand-in bug: ${(e as Error).message}` } };
        }
        requests.push({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          body,
          authorized: isAuthorized(req.headers),
          status: reply.status,
        });
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Synthetic data is deterministic: the same seeded PRNG as the demo. */
export { seededRandom };

/** A random USD amount with at most 9 decimals, below `maxNanos` nanodollars, as a JSON number. */
export function randomUsd(random: () => number, maxNanos = 50_000_000): number {
  const nanos = 1 + Math.floor(random() * maxNanos);
  return Number(`${Math.floor(nanos / 1e9)}.${String(nanos % 1e9).padStart(9, '0')}`);
}

// ---------------------------------------------------------------- Helicone

export const HELICONE_MAX_LIMIT = 1000;
export const HELICONE_PATH = '/v1/request/query-clickhouse';

/** A row as the API returns it (`HeliconeRequest`); tests may leave fields out to mimic gaps. */
export interface HeliconeRow {
  request_id: string;
  request_created_at: string;
  cost?: number | null;
  properties?: Record<string, string>;
  request_properties?: Record<string, string> | null;
  scores?: Record<string, number> | null;
  updated_at?: string;
  [field: string]: unknown;
}

const QUERY_KEYS = new Set(['filter', 'offset', 'limit', 'sort', 'isCached', 'includeInputs', 'isPartOfExperiment', 'isScored']);

export interface HeliconeStandIn extends JsonStandIn {
  apiKey: string;
  /** The dataset, mutable: push, splice or edit rows between calls. */
  rows: HeliconeRow[];
}

export async function startHeliconeStandIn(opts: { apiKey?: string; rows?: HeliconeRow[] } = {}): Promise<HeliconeStandIn> {
  const apiKey = opts.apiKey ?? 'sk-helicone-test-0000';
  const rows = opts.rows ?? [];
  const authorized = (h: IncomingHttpHeaders) => h.authorization === `Bearer ${apiKey}`;
  const envelopeError = (status: number, error: string): JsonReply => ({ status, body: { data: null, error } });

  const base = await startJsonServer(
    (req) => {
      if (req.method !== 'POST' || req.url.pathname !== HELICONE_PATH) return envelopeError(404, 'Not found');
      if (!authorized(req.headers)) return envelopeError(401, 'Unauthorized');
      const body = req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return envelopeError(400, 'body must be a JSON object');
      const params = body as Record<string, unknown>;
      const extra = Object.keys(params).filter((k) => !QUERY_KEYS.has(k));
      if (extra.length) return envelopeError(400, `"${extra[0]}" is an excess property and therefore is not allowed`);
      if (params.filter === undefined) return envelopeError(400, "'filter' is required");
      const limit = params.limit ?? 10;
      const offset = params.offset ?? 0;
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > HELICONE_MAX_LIMIT) {
        return envelopeError(500, 'invalid limit');
      }
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return envelopeError(500, 'invalid offset');
      const direction = (params.sort as { created_at?: string } | undefined)?.created_at ?? 'desc';

      let matching: HeliconeRow[];
      try {
        matching = rows.filter((r) => matchesFilter(params.filter, r));
      } catch (e) {
        return envelopeError(500, (e as Error).message);
      }
      // Helicone's isScored is a filter: false keeps only rows without scores, true only scored ones.
      if (typeof params.isScored === 'boolean') {
        const scored = (r: HeliconeRow) => Object.keys(r.scores ?? {}).length > 0;
        matching = matching.filter((r) => scored(r) === params.isScored);
      }
      const sign = direction === 'asc' ? 1 : -1;
      matching.sort((a, b) => sign * (Date.parse(a.request_created_at) - Date.parse(b.request_created_at)) || a.request_id.localeCompare(b.request_id));
      // Like the server: the page is de-duplicated by request_id (keeping the newest version).
      const page = new Map<string, HeliconeRow>();
      for (const r of matching.slice(offset, offset + limit)) {
        const seen = page.get(r.request_id);
        if (!seen || (r.updated_at ?? '') > (seen.updated_at ?? '')) page.set(r.request_id, r);
      }
      return { status: 200, body: { data: [...page.values()], error: null } };
    },
    authorized,
    (f) => {
      const headers: Record<string, string> = { ...f.headers };
      if (f.retryAfter !== undefined) {
        headers['retry-after'] = String(f.retryAfter);
        headers['ratelimit-limit'] = '200';
        headers['ratelimit-remaining'] = '0';
        headers['ratelimit-reset'] = String(f.retryAfter);
      }
      const body = f.body ?? (f.status === 429 ? { error: 'Too many requests, please try again later.' } : { data: null, error: 'Internal server error' });
      return { status: f.status ?? 500, headers, body };
    },
  );
  return { ...base, apiKey, rows };
}

/** Evaluates Helicone's filter tree on a row; throws on a leaf the stand-in does not model. */
function matchesFilter(node: unknown, row: HeliconeRow): boolean {
  if (node === 'all') return true;
  if (!node || typeof node !== 'object') throw new Error('invalid filter');
  const n = node as Record<string, unknown>;
  if ('operator' in n) {
    const left = matchesFilter(n.left, row);
    const right = matchesFilter(n.right, row);
    if (n.operator === 'and') return left && right;
    if (n.operator === 'or') return left || right;
    throw new Error(`invalid filter operator ${String(n.operator)}`);
  }
  return Object.entries(n).every(([table, columns]) => {
    if (table !== 'request_response_rmt') throw new Error(`unsupported filter table ${table}`);
    return Object.entries(columns as Record<string, unknown>).every(([column, ops]) => {
      if (column === 'request_created_at') return timeOps(ops as Record<string, string>, Date.parse(row.request_created_at));
      if (column === 'properties') {
        return Object.entries(ops as Record<string, { equals?: string }>).every(([key, op]) => row.properties?.[key] === op.equals);
      }
      if (column === 'request_id') return row.request_id === (ops as { equals?: string }).equals;
      throw new Error(`unsupported filter column ${column}`);
    });
  });
}

function timeOps(ops: Record<string, string>, t: number): boolean {
  return Object.entries(ops).every(([op, value]) => {
    const v = Date.parse(value);
    if (Number.isNaN(v)) throw new Error(`invalid timestamp ${value}`);
    switch (op) {
      case 'gte':
        return t >= v;
      case 'gt':
        return t > v;
      case 'lte':
        return t <= v;
      case 'lt':
        return t < v;
      case 'equals':
        return t === v;
      default:
        throw new Error(`unsupported operator ${op}`);
    }
  });
}

/** A complete `HeliconeRequest` (every field the spec requires), with `fields` overriding the defaults. */
export function heliconeRow(fields: Pick<HeliconeRow, 'request_id' | 'request_created_at'> & Partial<HeliconeRow>): HeliconeRow {
  const properties = fields.properties ?? {};
  const model = (fields.model as string | undefined) ?? 'gpt-4o-mini';
  const created = fields.request_created_at;
  return {
    response_id: `resp-${fields.request_id}`,
    response_created_at: created,
    response_body: '{"helicone_message": "fetching body from signed_url..."}',
    response_status: 200,
    response_model: model,
    request_body: '{"helicone_message": "fetching body from signed_url..."}',
    request_path: '/v1/chat/completions',
    request_user_id: null,
    request_properties: properties,
    request_model: model,
    model_override: null,
    helicone_user: null,
    provider: 'OPENAI',
    delay_ms: 800,
    time_to_first_token: null,
    total_tokens: 150,
    prompt_tokens: 100,
    prompt_cache_write_tokens: 0,
    prompt_cache_read_tokens: 0,
    completion_tokens: 50,
    reasoning_tokens: null,
    prompt_audio_tokens: null,
    completion_audio_tokens: null,
    cost: 0.0001,
    prompt_id: null,
    prompt_version: null,
    signed_body_url: null,
    llmSchema: null,
    country_code: 'US',
    asset_ids: [],
    asset_urls: null,
    scores: {},
    costUSD: fields.cost ?? null,
    properties,
    assets: [],
    target_url: 'https://api.openai.com/v1/chat/completions',
    model,
    cache_reference_id: '00000000-0000-0000-0000-000000000000',
    cache_enabled: false,
    updated_at: created,
    request_referrer: null,
    ai_gateway_body_mapping: null,
    storage_location: 's3',
    ...fields,
  };
}

export interface SyntheticOptions {
  /** Start of the time range; rows are spread evenly over [start, start + spanMs). */
  start: Date;
  spanMs: number;
  seed?: number;
  teams?: readonly string[];
  /** Every n-th row has no team property (0 = none). */
  teamlessEvery?: number;
  /** Rows carry a `ticket` property, one of this many work items (0 = none). */
  workItems?: number;
}

/** `n` rows with random costs; `total` is the exact sum of the costs as served (fromUsd of each). */
export function syntheticHeliconeRows(n: number, opts: SyntheticOptions): { rows: HeliconeRow[]; total: Money } {
  const random = seededRandom(opts.seed ?? 1);
  const teams = opts.teams ?? ['platform', 'search', 'billing'];
  const rows: HeliconeRow[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(opts.start.getTime() + Math.floor((i * opts.spanMs) / n));
    const properties: Record<string, string> = { feature: `feature-${i % 5}`, environment: 'production' };
    if (!(opts.teamlessEvery && i % opts.teamlessEvery === 0)) properties.team = teams[i % teams.length]!;
    if (opts.workItems) properties.ticket = `T-${i % opts.workItems}`;
    rows.push(
      heliconeRow({
        request_id: `req-${String(i).padStart(6, '0')}`,
        request_created_at: at.toISOString(),
        cost: randomUsd(random),
        properties,
        request_user_id: `customer-${i % 7}`,
      }),
    );
  }
  return { rows, total: sumCosts(rows.map((r) => r.cost)) };
}

/** Exact Money sum of USD amounts as served (null/absent counted as zero). */
export function sumCosts(costs: ReadonlyArray<number | string | null | undefined>): Money {
  return sum(costs.map((c) => (c === null || c === undefined ? ZERO : fromUsd(c))));
}
