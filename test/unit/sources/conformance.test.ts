import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHeliconeClient, heliconeQueryBody } from '../../../src/sources/helicone/client.ts';
import { LANGFUSE_TRACE_FIELDS, LANGFUSE_V2_FIELDS } from '../../../src/sources/langfuse/client.ts';
import { heliconeRow, startHeliconeStandIn, syntheticHeliconeRows, type HeliconeStandIn } from '../../support/helicone-stand-in.ts';
import { startLangfuseStandIn, syntheticLangfuseData, type LangfuseStandIn } from '../../support/langfuse-stand-in.ts';
import { describeWithDocs, sharedDocs } from '../../support/shared-docs.ts';
import { SOURCE_FIXTURES, SOURCE_FIXTURES_DIR, loadFixture, type SourceFixture } from '../../support/source-fixtures.ts';
import { fastHttp } from './helpers.ts';
import { SpecValidator, assertValid, loadSample, loadSpec } from './openapi.ts';

/**
 * The stand-ins and fixtures are only worth what their shapes are: every body the stand-ins answer,
 * every sample file and every fixture of ours (test/fixtures/sources) is validated against the
 * response schemas of the OpenAPI documents, and the request bodies our client sends against the
 * documented request schema (additionalProperties: false). The documents are third-party and stay in
 * the shared folder: without it these tests skip (and fail in CI).
 */

const docs = sharedDocs('specs/helicone-swagger.json', 'specs/langfuse-openapi.yml', 'specs/samples');

const describeSpecs = describeWithDocs(docs);

/** The validators, built on first use (inside a test, so a skipped file never reads the documents). */
const validators = new Map<Api, SpecValidator>();
type Api = 'helicone' | 'langfuse';
function spec(api: Api): SpecValidator {
  let v = validators.get(api);
  if (!v) {
    v = api === 'helicone' ? new SpecValidator(loadSpec('helicone-swagger.json'), 'helicone') : new SpecValidator(loadSpec('langfuse-openapi.yml'), 'langfuse');
    validators.set(api, v);
  }
  return v;
}
const helicone = () => spec('helicone');
const langfuse = () => spec('langfuse');

const QUERY = '/v1/request/query-clickhouse';
const start = new Date('2026-08-18T00:00:00.000Z');
const DAY = 86_400_000;

describeSpecs('the validator itself', () => {
  it('rejects what the specs forbid (so passing means something)', () => {
    const sample = loadSample('helicone-request-query-clickhouse.response.json') as { data: Array<Record<string, unknown>> };
    const result = helicone().response('post', QUERY);
    expect(result({ ...sample, data: [{ ...sample.data[0], not_in_spec: 1 }] })).toBe(false); // additionalProperties: false
    expect(result({ data: null, error: null })).toBe(false);
    expect(result({ data: [], error: null })).toBe(true);
    const v2 = langfuse().response('get', '/api/public/v2/observations');
    expect(v2({ data: [] })).toBe(false); // meta is required
    const obs = (loadSample('langfuse-observations-v2.response.json') as { data: Array<Record<string, unknown>> }).data[0]!;
    expect(v2({ data: [{ ...obs, traceId: null, level: null }], meta: {} })).toBe(true); // nullable, also beside $ref
    expect(v2({ data: [{ ...obs, id: null }], meta: {} })).toBe(false);
    expect(v2({ data: [{ ...obs, level: 'LOUD' }], meta: {} })).toBe(false);
    expect(helicone().schema('RequestQueryParams')({ filter: 'all', page: 2 })).toBe(false);
  });
});

describeSpecs('sample files match the specs', () => {
  const cases: Array<[Api, string, string, string]> = [
    ['helicone', 'post', QUERY, 'helicone-request-query-clickhouse.response.json'],
    ['helicone', 'post', QUERY, 'helicone-error-invalid-limit.response.json'],
    ['helicone', 'post', '/v1/metrics/costOverTime', 'helicone-metrics-costOverTime.response.json'],
    ['helicone', 'post', '/v1/property/query', 'helicone-property-query.response.json'],
    ['helicone', 'post', '/v1/property/{propertyKey}/top-costs/query', 'helicone-property-top-costs.response.json'],
    ['helicone', 'post', '/v1/property/properties/over-time', 'helicone-property-over-time.response.json'],
    ['langfuse', 'get', '/api/public/v2/observations', 'langfuse-observations-v2.response.json'],
    ['langfuse', 'get', '/api/public/v2/observations', 'langfuse-observations-v2-lastpage.response.json'],
    ['langfuse', 'get', '/api/public/observations', 'langfuse-observations-v1.response.json'],
    ['langfuse', 'get', '/api/public/traces', 'langfuse-traces.response.json'],
    ['langfuse', 'get', '/api/public/metrics', 'langfuse-metrics-daily.response.json'],
    ['langfuse', 'get', '/api/public/v2/metrics', 'langfuse-metrics-v2.response.json'],
  ];
  it.each(cases)('%#: %s %s %s %s', (api, method, path, file) => {
    assertValid(spec(api).response(method, path), loadSample(file), file);
  });

  it('the sample request body matches RequestQueryParams', () => {
    assertValid(helicone().schema('RequestQueryParams'), loadSample('helicone-request-query-clickhouse.request.json'), 'sample request');
  });

  it('the Helicone 429 sample is NOT an envelope (no data field): a client must not rely on one', () => {
    expect(helicone().schema('ResultError_string_')(loadSample('helicone-error-429.response.json'))).toBe(false);
  });
});

describeSpecs('our own fixtures (test/fixtures/sources) match the specs', () => {
  const cases: Array<[Api, string, string, SourceFixture]> = [
    ['helicone', 'post', QUERY, 'helicone-request-query-clickhouse.response.json'],
    ['helicone', 'post', QUERY, 'helicone-error-500.response.json'],
    ['langfuse', 'get', '/api/public/v2/observations', 'langfuse-observations-v2.response.json'],
    ['langfuse', 'get', '/api/public/observations', 'langfuse-observations-v1.response.json'],
    ['langfuse', 'get', '/api/public/traces', 'langfuse-traces.response.json'],
  ];
  it.each(cases)('%#: %s %s %s %s', (api, method, path, file) => {
    assertValid(spec(api).response(method, path), loadFixture(file), `fixture ${file}`);
  });

  it('covers every fixture file, so none escapes the check', () => {
    const files = readdirSync(SOURCE_FIXTURES_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual([...SOURCE_FIXTURES].sort());
    expect(cases.map((c) => c[3]).sort()).toEqual([...SOURCE_FIXTURES].sort());
  });

  it('the Helicone error fixture is an error envelope, not data', () => {
    expect(loadFixture('helicone-error-500.response.json')).toMatchObject({ data: null, error: expect.any(String) });
  });
});

describeSpecs('Helicone stand-in answers in the documented shapes', () => {
  let server: HeliconeStandIn;
  beforeAll(async () => {
    const { rows } = syntheticHeliconeRows(30, { start, spanMs: DAY, teamlessEvery: 4 });
    rows.push(heliconeRow({ request_id: 'sparse', request_created_at: start.toISOString(), cost: null, request_properties: null }));
    server = await startHeliconeStandIn({ rows });
  });
  afterAll(() => server.close());

  const post = (body: unknown, key = server.apiKey) =>
    fetch(`${server.url}${QUERY}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));

  it('a data page and the empty page after it', async () => {
    const window = { from: start, to: new Date(start.getTime() + DAY) };
    const full = await post(heliconeQueryBody(window, 0, 1000));
    expect(full.status).toBe(200);
    expect((full.body as { data: unknown[] }).data).toHaveLength(31);
    assertValid(helicone().response('post', QUERY), full.body, 'data page');
    const empty = await post(heliconeQueryBody(window, 1000, 1000));
    assertValid(helicone().response('post', QUERY), empty.body, 'empty page');
  });

  it('errors: invalid limit (HTTP 500), wrong key (401), injected 500: all {data: null, error}', async () => {
    const invalid = await post({ filter: 'all', limit: 1001 });
    expect(invalid).toEqual({ status: 500, body: loadSample('helicone-error-invalid-limit.response.json') });
    const denied = await post({ filter: 'all' }, 'wrong');
    expect(denied.status).toBe(401);
    server.failNext(1, { status: 500 });
    const failed = await post({ filter: 'all' });
    expect(failed.status).toBe(500);
    for (const r of [invalid, denied, failed]) assertValid(helicone().response('post', QUERY), r.body, `HTTP ${r.status}`);
  });

  it('an injected 429 is the sample body with Retry-After and RateLimit-* headers', async () => {
    server.failNext(1, { status: 429, retryAfter: 3 });
    const res = await fetch(`${server.url}${QUERY}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('ratelimit-reset')).toBe('3');
    expect(await res.json()).toEqual(loadSample('helicone-error-429.response.json'));
  });

  it('every body our client sends is a valid RequestQueryParams', async () => {
    const before = server.requests.length;
    const client = createHeliconeClient({ baseUrl: server.url, apiKey: server.apiKey, pageSize: 7, http: fastHttp() });
    for await (const page of client.pages(start, new Date(start.getTime() + 2 * DAY))) void page;
    const sent = server.requests.slice(before);
    expect(sent.length).toBeGreaterThan(4);
    for (const r of sent) assertValid(helicone().schema('RequestQueryParams'), r.body, 'client request');
  });
});

describeSpecs('Langfuse stand-in answers in the documented shapes', () => {
  let server: LangfuseStandIn;
  const auth = () => `Basic ${Buffer.from(`${server.publicKey}:${server.secretKey}`).toString('base64')}`;
  const get = (path: string, query: Record<string, string> = {}, authorization = auth()) =>
    fetch(`${server.url}${path}?${new URLSearchParams(query)}`, { headers: { authorization } }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { data: unknown[]; meta: Record<string, unknown> },
    }));

  beforeAll(async () => {
    const { observations, traces } = syntheticLangfuseData(12, { start, spanMs: DAY, embeddingEvery: 3, teamlessEvery: 3 });
    observations.push({ id: 'bare', traceId: null, startTime: start.toISOString(), type: 'GENERATION', totalCost: null });
    server = await startLangfuseStandIn({ observations, traces });
  });
  afterAll(() => server.close());

  const window = () => ({ fromStartTime: start.toISOString(), toStartTime: new Date(start.getTime() + DAY).toISOString() });

  it('v2 observations: every field group, cursor pages, the empty last page', async () => {
    const v = langfuse().response('get', '/api/public/v2/observations');
    for (const fields of [LANGFUSE_V2_FIELDS, 'core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context']) {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await get('/api/public/v2/observations', { ...window(), fields, limit: '5', ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        assertValid(v, res.body, `v2 page ${pages}`);
        cursor = res.body.meta.cursor as string | undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3); // 13 rows: 5 + 5 + 3
    }
    const last = await get('/api/public/v2/observations', { ...window(), limit: '13' });
    const after = await get('/api/public/v2/observations', { ...window(), limit: '13', cursor: last.body.meta.cursor as string });
    expect(after.body).toEqual(loadSample('langfuse-observations-v2-lastpage.response.json'));
  });

  it('v1 observations, traces list (with and without metrics) and a trace by id', async () => {
    const obs = await get('/api/public/observations', { ...window(), page: '1', limit: '5' });
    assertValid(langfuse().response('get', '/api/public/observations'), obs.body, 'v1 observations');
    expect(obs.body.meta).toEqual({ page: 1, limit: 5, totalItems: 13, totalPages: 3 });
    for (const fields of [LANGFUSE_TRACE_FIELDS, undefined]) {
      const traces = await get('/api/public/traces', { page: '1', limit: '100', ...(fields ? { fields } : {}) });
      assertValid(langfuse().response('get', '/api/public/traces'), traces.body, `traces fields=${fields}`);
      const costs = (traces.body.data as Array<{ totalCost: number }>).map((t) => t.totalCost);
      expect(costs.every((c) => c === -1)).toBe(fields !== undefined); // no `metrics` group → -1
    }
    const one = await get(`/api/public/traces/${server.traces[0]!.id}`);
    assertValid(langfuse().response('get', '/api/public/traces/{traceId}'), one.body, 'trace by id');
  });

  it('errors: 401 and limit errors have the sample bodies; v2 disabled answers 404', async () => {
    const denied = await get('/api/public/v2/observations', {}, 'Basic bad');
    expect(denied).toEqual({ status: 401, body: loadSample('langfuse-error-401.response.json') });
    const tooBig = await get('/api/public/observations', { limit: '101' });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ message: 'Invalid request data', error: [{ code: 'too_big', maximum: 100, path: ['limit'] }] });
    server.v2Enabled = false;
    try {
      expect((await get('/api/public/v2/observations')).status).toBe(404);
    } finally {
      server.v2Enabled = true;
    }
  });

  it('an injected 429 has the documented body and headers', async () => {
    server.failNext(1, { status: 429, retryAfter: 37 });
    const res = await fetch(`${server.url}/api/public/observations`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('37');
    const body = await res.json();
    const sample = loadSample('langfuse-error-429.response.json') as Record<string, unknown>;
    expect(Object.keys(body as object).sort()).toEqual(Object.keys(sample).sort());
    expect(body).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 37, remaining: 0 } });
  });
});
