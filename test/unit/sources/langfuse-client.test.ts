import { afterEach, describe, expect, it } from 'vitest';
import { fromUsd } from '../../../src/domain/money.ts';
import { SourceHttpError } from '../../../src/sources/http.ts';
import { LANGFUSE_V2_FIELDS, createLangfuseClient, type LangfuseClientOptions } from '../../../src/sources/langfuse/client.ts';
import { syncSource } from '../../../src/services/source-sync.ts';
import { startLangfuseStandIn, syntheticLangfuseData, type LangfuseStandIn } from '../../support/langfuse-stand-in.ts';
import { FakeCostStore } from './fake-store.ts';
import { DAY, addMs, collect, fastHttp } from './helpers.ts';
import { loadFixture, type SourceFixture } from '../../support/source-fixtures.ts';

const start = new Date('2026-08-17T00:00:00.000Z');
let server: LangfuseStandIn | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(data: Parameters<typeof startLangfuseStandIn>[0] = {}, options: Partial<LangfuseClientOptions> = {}) {
  server = await startLangfuseStandIn(data);
  const http = fastHttp();
  const client = createLangfuseClient({ baseUrl: server.url, publicKey: server.publicKey, secretKey: server.secretKey, http, ...options });
  return { server, http, client, store: new FakeCostStore() };
}

/** A fetch that answers every request with one fixture file (to run documented bodies through the client). */
function fixtureFetch(file: SourceFixture): typeof fetch {
  return (async () => new Response(JSON.stringify(loadFixture(file)), { status: 200 })) as typeof fetch;
}

describe('Langfuse client, v2', () => {
  it('follows cursors over many pages, one pass per type; the store total equals the exact sum', async () => {
    const { observations, traces, total } = syntheticLangfuseData(5000, { start, spanMs: 2 * DAY, embeddingEvery: 10, teamlessEvery: 7 });
    const { server, client, store } = await setup({ observations, traces });
    const result = await syncSource({ client, store, from: start, now: addMs(start, 2 * DAY) });
    expect(result).toMatchObject({ ok: true, records: 5000, inserted: 5000 });
    expect(store.total()).toBe(total);
    expect(store.all().filter((r) => r.category === 'embeddings')).toHaveLength(500);
    expect(store.all().filter((r) => r.team === null).length).toBeGreaterThan(0);

    const queries = server.requests.map((r) => Object.fromEntries(r.query));
    expect(queries.every((q) => q.fields === LANGFUSE_V2_FIELDS && q.limit === '1000')).toBe(true);
    expect(server.requests.every((r) => r.path === '/api/public/v2/observations' && r.authorized)).toBe(true);
    // Day 1: 2250 generations → 3 pages (the third is short, so no cursor); 250 embeddings → 1 page.
    const day1 = queries.filter((q) => q.fromStartTime === start.toISOString());
    expect(day1.map((q) => [q.type, q.cursor ? 'cursor' : 'first'])).toEqual([
      ['GENERATION', 'first'],
      ['GENERATION', 'cursor'],
      ['GENERATION', 'cursor'],
      ['EMBEDDING', 'first'],
    ]);
  });

  it('normalizes the v2 fixture: metadata, tags, userId, environment, trace as work item', async () => {
    const http = fastHttp({ fetch: fixtureFetch('langfuse-observations-v2.response.json') });
    const client = createLangfuseClient({ publicKey: 'pk', secretKey: 'sk', types: ['GENERATION'], http });
    const it = client.pages(new Date('2026-09-14T00:00:00Z'), new Date('2026-09-15T00:00:00Z'))[Symbol.asyncIterator]();
    const first = (await it.next()).value as Awaited<ReturnType<typeof collect>>[number];
    await it.return?.();
    expect(first[0]).toEqual({
      source: 'langfuse',
      sourceId: 'obs_fx_7QW1',
      occurredAt: new Date('2026-09-14T10:02:00.125Z'),
      team: 'billing',
      feature: 'invoice-explainer',
      environment: 'production',
      customer: 'cust_northwind',
      workItem: 'FIN-1207',
      model: 'gpt-4o-mini',
      provider: null,
      category: 'api',
      inputTokens: 2000,
      outputTokens: 500,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      amount: 600_000n,
      pricedBy: 'source',
    });
    // Cache-read tokens count as input; no ticket_id → the trace is the work item.
    expect(first[1]).toMatchObject({ team: 'growth', inputTokens: 3000, outputTokens: 400, workItem: 'trace_fx_b02', amount: fromUsd('0.0122352') });
    expect(http.sleeps).toEqual([]);
  });

  it('a cost that changes between two syncs updates the record instead of duplicating it', async () => {
    const { observations, traces } = syntheticLangfuseData(50, { start, spanMs: DAY });
    const target = observations[10]!;
    target.totalCost = null; // not costed yet at first read: priced by us from its tokens
    target.costDetails = {};
    const { server, client, store } = await setup({ observations, traces });
    await syncSource({ client, store, now: addMs(start, DAY), backfillDays: 1 });
    expect(store.get('langfuse', target.id)).toMatchObject({ pricedBy: 'aicost' });

    server.setCost(target.id, 0.123456789); // Langfuse costs it later
    const second = await syncSource({ client, store, now: addMs(start, DAY + 3_600_000) });
    expect(second).toMatchObject({ ok: true, inserted: 0, updated: 1, unchanged: 49 });
    expect(store.all()).toHaveLength(50);
    expect(store.get('langfuse', target.id)).toMatchObject({ pricedBy: 'source', amount: 123_456_789n });
    expect(store.total()).toBe(syntheticTotal(server));
  });

  it('retries a 429 using Retry-After, or the body hint when there is no header', async () => {
    const { observations, traces, total } = syntheticLangfuseData(20, { start, spanMs: DAY });
    const { server, client, store, http } = await setup({ observations, traces });
    server.failNext(1, { status: 429, retryAfter: 5 });
    server.failNext(1, { status: 429, body: { message: 'Rate limit exceeded', code: 'rate_limited', details: { retryAfterSeconds: 37 } } });
    const result = await syncSource({ client, store, from: start, now: addMs(start, DAY) });
    expect(result.ok).toBe(true);
    expect(http.sleeps).toEqual([5000, 37_000]);
    expect(store.total()).toBe(total);
  });

  it('does not retry a 401', async () => {
    server = await startLangfuseStandIn();
    const client = createLangfuseClient({ baseUrl: server.url, publicKey: server.publicKey, secretKey: 'sk-lf-wrong-secret', http: fastHttp() });
    const err = (await collect(client, start, addMs(start, DAY)).catch((e: unknown) => e)) as SourceHttpError;
    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.status).toBe(401);
    expect(err.message).toContain('Invalid credentials');
    expect(err.message).not.toContain('sk-lf-wrong-secret');
    expect(server.requests).toHaveLength(1);
  });

  it('a 404 after v2 has answered is an error, not a silent switch to v1', async () => {
    const { observations, traces } = syntheticLangfuseData(4, { start, spanMs: 2 * DAY });
    const { server, client } = await setup({ observations, traces });
    const pages = client.pages(start, addMs(start, 2 * DAY));
    await pages.next();
    server.v2Enabled = false;
    await expect(collect({ source: 'langfuse', pages: () => pages }, start, start)).rejects.toMatchObject({ status: 404 });
  });
});

describe('Langfuse client, v1 fallback', () => {
  it('falls back to v1 on 404 and joins traces for user, session, tags and trace metadata', async () => {
    const { observations, traces, total } = syntheticLangfuseData(500, { start, spanMs: 2 * DAY, embeddingEvery: 10, teamlessEvery: 5 });
    const { server, client, store } = await setup({ observations, traces, v2Enabled: false });
    const result = await syncSource({ client, store, from: start, now: addMs(start, 2 * DAY) });
    expect(result).toMatchObject({ ok: true, records: 500, inserted: 500 });
    expect(store.total()).toBe(total);

    const paths = server.requests.map((r) => r.path);
    expect(paths.filter((p) => p === '/api/public/v2/observations')).toHaveLength(1); // tried once, then remembered
    expect(paths.filter((p) => p.startsWith('/api/public/traces/'))).toHaveLength(0); // all found by listing
    const v1 = server.requests.filter((r) => r.path === '/api/public/observations').map((r) => Object.fromEntries(r.query));
    expect(v1.every((q) => q.limit === '100')).toBe(true);
    // Day 1: 225 generations → pages 1..3 of 100.
    expect(v1.filter((q) => q.type === 'GENERATION' && q.fromStartTime === start.toISOString()).map((q) => q.page)).toEqual(['1', '2', '3']);

    const trace = traces[1]!;
    const obs = observations.find((o) => o.traceId === trace.id)!;
    expect(store.get('langfuse', obs.id)).toMatchObject({
      team: trace.tags![0]!.replace('team:', ''),
      feature: (obs.metadata as { feature: string }).feature,
      customer: trace.userId,
      workItem: trace.id,
      environment: 'production',
    });
    expect(store.all().filter((r) => r.team === null)).toHaveLength(
      observations.filter((o) => traces.find((t) => t.id === o.traceId)!.tags!.length === 0).length,
    );
  });

  it('fetches by id a trace that started long before the window, and survives a deleted trace', async () => {
    const at = '2026-08-17T10:00:00.000Z';
    const { server, client, store } = await setup({
      v2Enabled: false,
      traces: [{ id: 'old-trace', timestamp: '2026-08-10T00:00:00.000Z', userId: 'u-old', tags: ['team:Long Runners'] }],
      observations: [
        { id: 'o1', traceId: 'old-trace', startTime: at, type: 'GENERATION', totalCost: 0.5, costDetails: { total: 0.5 } },
        { id: 'o2', traceId: 'gone', startTime: at, type: 'GENERATION', totalCost: 0.25, costDetails: { total: 0.25 } },
      ],
    });
    await syncSource({ client, store, from: start, now: addMs(start, DAY) });
    expect(store.get('langfuse', 'o1')).toMatchObject({ team: 'long-runners', customer: 'u-old', workItem: 'old-trace' });
    expect(store.get('langfuse', 'o2')).toMatchObject({ team: null, customer: null, workItem: 'gone', amount: 250_000_000n });
    const byId = server.requests.filter((r) => r.path.startsWith('/api/public/traces/')).map((r) => r.path);
    expect(byId.sort()).toEqual(['/api/public/traces/gone', '/api/public/traces/old-trace']);
  });

  it('normalizes the v1 fixtures: calculatedTotalCost/costDetails, model, usage', async () => {
    const http = fastHttp({
      fetch: (async (url: URL) =>
        new Response(
          JSON.stringify(loadFixture(url.pathname.includes('/traces') ? 'langfuse-traces.response.json' : 'langfuse-observations-v1.response.json')),
        )) as unknown as typeof fetch,
    });
    const client = createLangfuseClient({ publicKey: 'pk', secretKey: 'sk', api: 'v1', types: ['GENERATION'], http });
    const [records] = await collect(client, new Date('2026-09-14T00:00:00Z'), new Date('2026-09-15T00:00:00Z'));
    expect(records![0]).toMatchObject({
      sourceId: 'obs_fx_7QW1',
      team: 'billing',
      customer: 'cust_northwind',
      workItem: 'FIN-1207',
      amount: 600_000n,
      model: 'gpt-4o-mini',
    });
    expect(records![1]).toMatchObject({ team: 'growth', environment: 'staging', inputTokens: 3000, outputTokens: 400, amount: 12_235_200n });
    expect(http.sleeps).toEqual([]);
  });
});

function syntheticTotal(s: LangfuseStandIn) {
  return s.observations.reduce((acc, o) => acc + (o.totalCost === null || o.totalCost === undefined ? 0n : fromUsd(o.totalCost)), 0n);
}
