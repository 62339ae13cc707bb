import type { IncomingHttpHeaders } from 'node:http';
import type { Money } from '../../src/domain/money.ts';
import { randomUsd, seededRandom, startJsonServer, sumCosts, type JsonReply, type JsonStandIn, type SyntheticOptions } from './helicone-stand-in.ts';

/**
 * A stand-in for Langfuse's public API in the documented shapes (shared/specs/langfuse-openapi.yml and
 * the samples): v2 observations (field groups, cursor paging, newest first, limit ≤ 1000), v1
 * observations (page paging, limit ≤ 100, `_deprecation`), v1 traces (list and by id, field groups,
 * totalCost -1 without `metrics`), Basic auth with the documented 401 body, a "v2 disabled" mode that
 * answers 404 like an older self-hosted deployment, and injectable 429/500s.
 */

export const LANGFUSE_V2_MAX_LIMIT = 1000;
export const LANGFUSE_V1_MAX_LIMIT = 100;
const PROJECT_ID = 'cm0proj1234567890abcdef';

/** What the stand-in stores per observation; rendered to v1 or v2 shape on the way out. */
export interface LangfuseObservationRow {
  id: string;
  traceId: string | null;
  startTime: string;
  type: string;
  name?: string | null;
  environment?: string;
  metadata?: Record<string, unknown> | null;
  model?: string | null;
  usageDetails?: Record<string, number>;
  costDetails?: Record<string, number>;
  /** Langfuse's total cost in USD, null when it could not price the call. */
  totalCost?: number | null;
}

export interface LangfuseTraceRow {
  id: string;
  timestamp: string;
  name?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown> | null;
  environment?: string;
  release?: string | null;
}

export interface LangfuseStandIn extends JsonStandIn {
  publicKey: string;
  secretKey: string;
  observations: LangfuseObservationRow[];
  traces: LangfuseTraceRow[];
  /** false: v2 routes answer 404, as on deployments that predate them. */
  v2Enabled: boolean;
  /** Re-costs an observation (Langfuse computes costs, sometimes after ingestion). */
  setCost(id: string, usd: number | null): void;
}

const DEPRECATION = {
  message: 'On Langfuse Cloud, Langfuse v3 is deprecated and this endpoint will be removed on November 16, 2026.',
  replacement: 'GET /api/public/v2/observations?fromStartTime=<from>&toStartTime=<to>',
  docsUrl: 'https://langfuse.com/docs/api-and-data-platform/features/observations-api',
  sunsetAt: '2026-11-16',
};

const V2_GROUPS = ['core', 'basic', 'time', 'io', 'metadata', 'model', 'usage', 'prompt', 'metrics', 'trace_context'];
const TRACE_GROUPS = ['core', 'io', 'scores', 'observations', 'metrics'];

export async function startLangfuseStandIn(
  opts: { publicKey?: string; secretKey?: string; observations?: LangfuseObservationRow[]; traces?: LangfuseTraceRow[]; v2Enabled?: boolean } = {},
): Promise<LangfuseStandIn> {
  const publicKey = opts.publicKey ?? 'pk-lf-test';
  const secretKey = opts.secretKey ?? 'sk-lf-test-secret';
  const expected = `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`;
  const authorized = (h: IncomingHttpHeaders) => h.authorization === expected;
  const state = {
    observations: opts.observations ?? [],
    traces: opts.traces ?? [],
    v2Enabled: opts.v2Enabled ?? true,
  };
  const traceOf = (id: string | null) => (id ? state.traces.find((t) => t.id === id) : undefined);

  const base = await startJsonServer(
    (req) => {
      const path = req.url.pathname;
      const q = req.url.searchParams;
      if (req.method !== 'GET') return { status: 405, body: { message: 'Method not allowed' } };
      if (path.startsWith('/api/public/v2/') && !state.v2Enabled) return { status: 404, body: { message: 'Not Found' } };
      if (!authorized(req.headers)) {
        return { status: 401, body: { message: "Invalid credentials. Confirm that you've configured the correct host." } };
      }
      if (path === '/api/public/v2/observations') return v2Observations(q, state.observations, traceOf);
      if (path === '/api/public/observations') return v1Observations(q, state.observations);
      if (path === '/api/public/traces') return v1Traces(q, state.traces, state.observations);
      const byId = /^\/api\/public\/traces\/([^/]+)$/.exec(path);
      if (byId) {
        const trace = traceOf(decodeURIComponent(byId[1]!));
        if (!trace) return { status: 404, body: { message: 'Trace not found within authorized project' } };
        const fields = groups(q.get('fields'), TRACE_GROUPS);
        if ('error' in fields) return fields.error;
        const own = state.observations.filter((o) => o.traceId === trace.id);
        return {
          status: 200,
          body: {
            ...renderTrace(trace, own, fields.set),
            observations: fields.set.has('observations') ? own.map(renderV1Observation) : [],
            _deprecation: DEPRECATION,
          },
        };
      }
      return { status: 404, body: { message: 'Not Found' } };
    },
    authorized,
    (f) => {
      const headers: Record<string, string> = { ...f.headers };
      if (f.retryAfter !== undefined) {
        headers['retry-after'] = String(f.retryAfter);
        headers['x-ratelimit-limit'] = '15';
        headers['x-ratelimit-remaining'] = '0';
      }
      const body =
        f.body ??
        (f.status === 429
          ? {
              message: 'Rate limit exceeded. Use GET /api/public/v2/observations for high-volume reads.',
              code: 'rate_limited',
              details: { retryAfterSeconds: Number(f.retryAfter ?? 1), limit: 15, remaining: 0, resetAt: new Date().toISOString() },
            }
          : { message: 'Internal Server Error' });
      return { status: f.status ?? 500, headers, body };
    },
  );

  return {
    ...base,
    publicKey,
    secretKey,
    get observations() {
      return state.observations;
    },
    get traces() {
      return state.traces;
    },
    get v2Enabled() {
      return state.v2Enabled;
    },
    set v2Enabled(v: boolean) {
      state.v2Enabled = v;
    },
    setCost(id, usd) {
      const o = state.observations.find((x) => x.id === id);
      if (!o) throw new Error(`no observation ${id}`);
      o.totalCost = usd;
      o.costDetails = usd === null ? {} : { total: usd };
    },
  };
}

function invalidRequest(path: string, message: string): JsonReply {
  return { status: 400, body: { message: 'Invalid request data', error: [{ code: 'custom', message, path: [path] }] } };
}

function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number | JsonReply {
  const raw = q.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) return invalidRequest(name, `Expected integer >= ${min}`);
  if (n > max) {
    return {
      status: 400,
      body: {
        message: 'Invalid request data',
        error: [
          {
            code: 'too_big',
            maximum: max,
            type: 'number',
            inclusive: true,
            exact: false,
            message: `Number must be less than or equal to ${max}`,
            path: [name],
          },
        ],
      },
    };
  }
  return n;
}

function groups(raw: string | null, known: string[]): { set: Set<string> } | { error: JsonReply } {
  const list =
    raw === null
      ? known
      : [
          'core',
          ...raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ];
  const unknown = list.find((g) => !known.includes(g));
  return unknown ? { error: invalidRequest('fields', `Unknown field group ${unknown}`) } : { set: new Set(list) };
}

/** Observations of `type` with fromStartTime ≤ startTime < toStartTime, newest first (id breaks ties). */
function select(q: URLSearchParams, rows: LangfuseObservationRow[]): LangfuseObservationRow[] {
  const from = q.get('fromStartTime');
  const to = q.get('toStartTime');
  const type = q.get('type');
  return rows
    .filter((o) => (!type || o.type === type) && (!from || Date.parse(o.startTime) >= Date.parse(from)) && (!to || Date.parse(o.startTime) < Date.parse(to)))
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || b.id.localeCompare(a.id));
}

interface Cursor {
  lastStartTimeTo: string;
  lastTraceId: string | null;
  lastId: string;
}

function v2Observations(q: URLSearchParams, rows: LangfuseObservationRow[], traceOf: (id: string | null) => LangfuseTraceRow | undefined): JsonReply {
  const limit = intParam(q, 'limit', 50, 1, LANGFUSE_V2_MAX_LIMIT);
  if (typeof limit !== 'number') return limit;
  const fields = groups(q.get('fields') ?? 'basic', V2_GROUPS);
  if ('error' in fields) return fields.error;
  let items = select(q, rows);
  const rawCursor = q.get('cursor');
  if (rawCursor) {
    let c: Cursor;
    try {
      c = JSON.parse(Buffer.from(rawCursor, 'base64').toString('utf8')) as Cursor;
    } catch {
      return invalidRequest('cursor', 'Invalid cursor');
    }
    const at = Date.parse(c.lastStartTimeTo);
    items = items.filter((o) => Date.parse(o.startTime) < at || (Date.parse(o.startTime) === at && o.id < c.lastId));
  }
  const page = items.slice(0, limit);
  const last = page.at(-1);
  // Like Langfuse: a full page carries a cursor (the page after it may be empty: `{data: [], meta: {}}`).
  const meta =
    page.length === limit && last
      ? {
          cursor: Buffer.from(JSON.stringify({ lastStartTimeTo: last.startTime, lastTraceId: last.traceId, lastId: last.id } satisfies Cursor)).toString(
            'base64',
          ),
        }
      : {};
  return { status: 200, body: { data: page.map((o) => renderV2Observation(o, traceOf(o.traceId), fields.set)), meta } };
}

function renderV2Observation(o: LangfuseObservationRow, trace: LangfuseTraceRow | undefined, g: Set<string>) {
  const withModel = g.has('model');
  return {
    id: o.id,
    traceId: o.traceId,
    startTime: o.startTime,
    endTime: o.startTime,
    projectId: PROJECT_ID,
    parentObservationId: null,
    type: o.type,
    modelId: withModel && o.model ? `model-${o.model}` : null,
    inputPrice: null,
    outputPrice: null,
    totalPrice: null,
    ...(g.has('basic') && {
      name: o.name ?? null,
      level: 'DEFAULT',
      statusMessage: null,
      version: null,
      environment: o.environment ?? 'default',
      bookmarked: false,
      public: false,
      userId: trace?.userId ?? null,
      sessionId: trace?.sessionId ?? null,
      isRootObservation: false,
    }),
    ...(g.has('time') && { completionStartTime: null, createdAt: o.startTime, updatedAt: o.startTime }),
    ...(g.has('io') && { input: null, output: null }),
    ...(g.has('metadata') && { metadata: o.metadata ?? {} }),
    ...(withModel && { providedModelName: o.model ?? null, internalModelId: o.model ? `model-${o.model}` : null, modelParameters: {} }),
    ...(g.has('usage') && {
      usageDetails: o.usageDetails ?? {},
      costDetails: o.costDetails ?? {},
      totalCost: o.totalCost ?? null,
      usagePricingTierName: null,
    }),
    ...(g.has('prompt') && { promptId: null, promptName: null, promptVersion: null }),
    ...(g.has('metrics') && { latency: 0, timeToFirstToken: null }),
    ...(g.has('trace_context') && { tags: trace?.tags ?? [], release: trace?.release ?? null, traceName: trace?.name ?? null }),
  };
}

function pageOf<T>(q: URLSearchParams, items: T[], max: number): { data: T[]; meta: object } | JsonReply {
  const page = intParam(q, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof page !== 'number') return page;
  const limit = intParam(q, 'limit', 50, 1, max);
  if (typeof limit !== 'number') return limit;
  return {
    data: items.slice((page - 1) * limit, page * limit),
    meta: { page, limit, totalItems: items.length, totalPages: Math.ceil(items.length / limit) },
  };
}

function v1Observations(q: URLSearchParams, rows: LangfuseObservationRow[]): JsonReply {
  const paged = pageOf(q, select(q, rows), LANGFUSE_V1_MAX_LIMIT);
  if ('status' in paged) return paged;
  return { status: 200, body: { data: paged.data.map(renderV1Observation), meta: paged.meta, _deprecation: DEPRECATION } };
}

function renderV1Observation(o: LangfuseObservationRow) {
  const u = o.usageDetails ?? {};
  const input = Object.entries(u)
    .filter(([k]) => k.startsWith('input'))
    .reduce((s, [, v]) => s + v, 0);
  const output = Object.entries(u)
    .filter(([k]) => k.startsWith('output'))
    .reduce((s, [, v]) => s + v, 0);
  const cost = o.totalCost ?? null;
  return {
    id: o.id,
    projectId: PROJECT_ID,
    traceId: o.traceId,
    parentObservationId: null,
    name: o.name ?? null,
    type: o.type,
    environment: o.environment ?? 'default',
    startTime: o.startTime,
    endTime: o.startTime,
    version: null,
    createdAt: o.startTime,
    updatedAt: o.startTime,
    input: null,
    output: null,
    metadata: o.metadata ?? {},
    level: 'DEFAULT',
    statusMessage: null,
    model: o.model ?? null,
    modelParameters: {},
    completionStartTime: null,
    promptId: null,
    promptName: null,
    promptVersion: null,
    usageDetails: u,
    costDetails: o.costDetails ?? {},
    usage: { unit: 'TOKENS', input, output, total: u.total ?? input + output },
    unit: 'TOKENS',
    promptTokens: input,
    completionTokens: output,
    totalTokens: u.total ?? input + output,
    usagePricingTierName: null,
    usagePricingTierId: null,
    modelId: o.model ? `model-${o.model}` : null,
    inputPrice: null,
    outputPrice: null,
    totalPrice: null,
    calculatedInputCost: null,
    calculatedOutputCost: null,
    calculatedTotalCost: cost,
    latency: 0,
    timeToFirstToken: null,
  };
}

function v1Traces(q: URLSearchParams, traces: LangfuseTraceRow[], observations: LangfuseObservationRow[]): JsonReply {
  const fields = groups(q.get('fields'), TRACE_GROUPS);
  if ('error' in fields) return fields.error;
  const from = q.get('fromTimestamp');
  const to = q.get('toTimestamp');
  const selected = traces
    .filter((t) => (!from || Date.parse(t.timestamp) >= Date.parse(from)) && (!to || Date.parse(t.timestamp) < Date.parse(to)))
    .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp) || b.id.localeCompare(a.id));
  const paged = pageOf(q, selected, LANGFUSE_V1_MAX_LIMIT);
  if ('status' in paged) return paged;
  const data = paged.data.map((t) => {
    const own = observations.filter((o) => o.traceId === t.id);
    return { ...renderTrace(t, own, fields.set), observations: fields.set.has('observations') ? own.map((o) => o.id) : [] };
  });
  return { status: 200, body: { data, meta: paged.meta, _deprecation: DEPRECATION } };
}

function renderTrace(t: LangfuseTraceRow, own: LangfuseObservationRow[], g: Set<string>) {
  const metrics = g.has('metrics');
  return {
    id: t.id,
    externalId: null,
    timestamp: t.timestamp,
    name: t.name ?? null,
    userId: t.userId ?? null,
    release: t.release ?? null,
    version: null,
    projectId: PROJECT_ID,
    environment: t.environment ?? 'default',
    public: false,
    bookmarked: false,
    tags: t.tags ?? [],
    sessionId: t.sessionId ?? null,
    createdAt: t.timestamp,
    updatedAt: t.timestamp,
    ...(g.has('io') && { input: null, output: null, metadata: t.metadata ?? {} }),
    scores: [],
    // Without the `metrics` group Langfuse reports -1 for both.
    totalCost: metrics ? own.reduce((s, o) => s + (o.totalCost ?? 0), 0) : -1,
    latency: metrics ? 0 : -1,
    htmlPath: `/project/${PROJECT_ID}/traces/${t.id}`,
  };
}

/**
 * `n` generations (every `embeddingEvery`-th an EMBEDDING) over [start, start + spanMs), two per trace.
 * Team is on the trace (tag `team:<x>` and trace metadata), feature on the observation's metadata.
 * `total` is the exact sum of the costs as served.
 */
export function syntheticLangfuseData(
  n: number,
  opts: SyntheticOptions & { embeddingEvery?: number },
): { observations: LangfuseObservationRow[]; traces: LangfuseTraceRow[]; total: Money } {
  const random = seededRandom(opts.seed ?? 2);
  const teams = opts.teams ?? ['platform', 'search', 'billing'];
  const observations: LangfuseObservationRow[] = [];
  const traces: LangfuseTraceRow[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(opts.start.getTime() + Math.floor((i * opts.spanMs) / n));
    const traceId = `trace-${String(Math.floor(i / 2)).padStart(6, '0')}`;
    if (i % 2 === 0) {
      const team = opts.teamlessEvery && (i / 2) % opts.teamlessEvery === 0 ? null : teams[(i / 2) % teams.length]!;
      traces.push({
        id: traceId,
        // A trace starts a little before its first observation.
        timestamp: new Date(at.getTime() - 250).toISOString(),
        name: 'synthetic',
        userId: `customer-${i % 7}`,
        sessionId: `sess-${i % 11}`,
        tags: team ? [`team:${team}`] : [],
        metadata: team ? { team } : {},
        environment: 'production',
      });
    }
    const cost = randomUsd(random);
    const embedding = opts.embeddingEvery !== undefined && i % opts.embeddingEvery === 0;
    observations.push({
      id: `obs-${String(i).padStart(6, '0')}`,
      traceId,
      startTime: at.toISOString(),
      type: embedding ? 'EMBEDDING' : 'GENERATION',
      name: 'llm-call',
      environment: 'production',
      metadata: { feature: `feature-${i % 5}` },
      model: embedding ? 'text-embedding-3-small' : 'gpt-4o-mini',
      usageDetails: embedding ? { input: 500, total: 500 } : { input: 1000, output: 200, total: 1200 },
      costDetails: { total: cost },
      totalCost: cost,
    });
  }
  return { observations, traces, total: sumCosts(observations.map((o) => o.totalCost)) };
}
