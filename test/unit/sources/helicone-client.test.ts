import { afterEach, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { fromUsd } from '../../../src/domain/money.ts';
import { createHeliconeClient } from '../../../src/sources/helicone/client.ts';
import { SourceHttpError } from '../../../src/sources/http.ts';
import { syncSource } from '../../../src/services/source-sync.ts';
import {
  HELICONE_PATH,
  heliconeRow,
  startHeliconeStandIn,
  sumCosts,
  syntheticHeliconeRows,
  type HeliconeRow,
  type HeliconeStandIn,
} from '../../support/helicone-stand-in.ts';
import { loadFixture } from '../../support/source-fixtures.ts';
import { FakeCostStore } from './fake-store.ts';
import { DAY, addMs, collect, fastHttp } from './helpers.ts';

const start = new Date('2026-08-17T00:00:00.000Z');
let server: HeliconeStandIn | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(rows: HeliconeRow[] = [], pageSize?: number) {
  server = await startHeliconeStandIn({ rows });
  const http = fastHttp();
  const client = createHeliconeClient({ baseUrl: server.url, apiKey: server.apiKey, pageSize, http });
  return { server, http, client, store: new FakeCostStore() };
}

describe('Helicone client', () => {
  it('pulls many pages over several day windows; the store total equals the exact sum', async () => {
    const { rows, total } = syntheticHeliconeRows(5000, { start, spanMs: 3 * DAY, teamlessEvery: 10 });
    const { server, client, store } = await setup(rows);
    const result = await syncSource({ client, store, from: start, now: addMs(start, 3 * DAY) });
    expect(result).toMatchObject({ ok: true, records: 5000, inserted: 5000, windows: 3, pages: 6 });
    expect(store.all()).toHaveLength(5000);
    expect(store.all().filter((r) => r.team === null)).toHaveLength(500);
    expect(store.total()).toBe(total);

    const bodies = server.requests.map((r) => r.body as { offset: number; limit: number; sort: unknown; filter: unknown });
    expect(bodies.every((b) => b.limit === 1000)).toBe(true);
    // Per day window (~1667 rows): two pages, then the empty page that ends it.
    expect(bodies.map((b) => b.offset)).toEqual([0, 1000, 2000, 0, 1000, 2000, 0, 1000, 2000]);
    expect(bodies[0]).toEqual({
      filter: {
        left: { request_response_rmt: { request_created_at: { gte: '2026-08-17T00:00:00.000Z' } } },
        operator: 'and',
        right: { request_response_rmt: { request_created_at: { lt: '2026-08-18T00:00:00.000Z' } } },
      },
      offset: 0,
      limit: 1000,
      sort: { created_at: 'asc' },
      isCached: false,
      includeInputs: false,
    });
    expect(server.requests.every((r) => r.authorized)).toBe(true);
  });

  it('never sends isScored, which would silently drop scored requests', async () => {
    const { server, client } = await setup([
      heliconeRow({ request_id: 'scored', request_created_at: '2026-08-17T01:00:00.000Z', scores: { 'helicone-score-feedback': 1 } }),
    ]);
    const pages = await collect(client, start, addMs(start, DAY));
    expect(pages.flat().map((r) => r.sourceId)).toEqual(['scored']);
    expect(server.requests.every((r) => !('isScored' in (r.body as object)))).toBe(true);
  });

  it('a row seen on two pages is one record after upsert', async () => {
    // The same request_id twice in the table (a newer version of the row), 3 rows apart; pages of 2.
    const t = (m: number) => `2026-08-17T00:0${m}:00.000Z`;
    const rows = [
      heliconeRow({ request_id: 'a', request_created_at: t(1), cost: 0.1 }),
      heliconeRow({ request_id: 'dup', request_created_at: t(2), cost: 0.25 }),
      heliconeRow({ request_id: 'b', request_created_at: t(3), cost: 0.1 }),
      heliconeRow({ request_id: 'c', request_created_at: t(4), cost: 0.1 }),
      { ...heliconeRow({ request_id: 'dup', request_created_at: t(5), cost: 0.25 }), updated_at: t(6) },
    ];
    const { client, store } = await setup(rows, 2);
    const pages = await collect(client, start, addMs(start, DAY));
    const ids = pages.map((p) => p.map((r) => r.sourceId));
    expect(ids).toEqual([['a', 'dup'], ['b', 'c'], ['dup']]);
    const counts = await Promise.all(pages.map((p) => store.upsertCosts(p)));
    expect(counts.reduce((s, c) => s + c.inserted, 0)).toBe(4);
    expect(store.all()).toHaveLength(4);
    expect(store.total()).toBe(fromUsd('0.55'));
  });

  it('retries a 429 after exactly the Retry-After wait', async () => {
    const { rows, total } = syntheticHeliconeRows(10, { start, spanMs: DAY });
    const { server, client, store, http } = await setup(rows);
    server.failNext(2, { status: 429, retryAfter: 7 });
    const result = await syncSource({ client, store, from: start, now: addMs(start, DAY) });
    expect(result.ok).toBe(true);
    expect(http.sleeps).toEqual([7000, 7000]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200, 200]);
    expect(store.total()).toBe(total);
  });

  it('surfaces a persistent 500 envelope as a clear error after the retries', async () => {
    const { server, client, http } = await setup([]);
    server.failNext(6, { status: 500, body: loadFixture('helicone-error-500.response.json') });
    const err = await collect(client, start, addMs(start, DAY)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceHttpError);
    expect((err as Error).message).toBe(
      `Helicone POST ${HELICONE_PATH} failed: HTTP 500: query timed out after 30 s (aicost fixture) (gave up after 6 attempts)`,
    );
    expect(server.requests).toHaveLength(6);
    expect(http.sleeps).toHaveLength(5);
  });

  it('an error in a 200 envelope is an error too', async () => {
    const { server, client } = await setup([]);
    server.failNext(1, { status: 200, body: { data: null, error: 'clickhouse timeout' } });
    await expect(collect(client, start, addMs(start, DAY))).rejects.toThrow('clickhouse timeout');
  });

  it('does not retry a 401 and keeps the key out of the error', async () => {
    server = await startHeliconeStandIn({ apiKey: 'sk-right-key' });
    const client = createHeliconeClient({ baseUrl: server.url, apiKey: 'sk-wrong-key-123', http: fastHttp() });
    const err = (await collect(client, start, addMs(start, DAY)).catch((e: unknown) => e)) as SourceHttpError;
    expect(err).toMatchObject({ status: 401, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(err.message).not.toContain('sk-wrong-key-123');
    expect(server.requests[0]!.authorized).toBe(false);
  });

  it('normalizes the fixture rows: attribution, tokens, provider, cost 0 as a real 0', async () => {
    const fixture = loadFixture('helicone-request-query-clickhouse.response.json') as { data: Array<Record<string, unknown>> };
    const { client } = await setup(fixture.data as HeliconeRow[]);
    const [first, second, failed] = (await collect(client, new Date('2026-09-14T00:00:00Z'), new Date('2026-09-15T00:00:00Z'))).flat();
    expect(first).toEqual({
      source: 'helicone',
      sourceId: 'a1c0ffee-0001-4a1c-8c57-000000000001',
      occurredAt: new Date('2026-09-14T09:12:30.250Z'),
      team: 'billing',
      feature: 'invoice-explainer',
      environment: 'production',
      customer: 'cust_northwind',
      workItem: 'FIN-1207',
      model: 'gpt-4o-mini',
      provider: 'openai',
      category: 'api',
      inputTokens: 2000,
      outputTokens: 500,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      amount: 600_000n,
      pricedBy: 'source',
    });
    expect(second).toMatchObject({ team: 'growth', customer: 'cust_initech', workItem: null, amount: 15_000_000n, provider: 'anthropic' });
    expect(failed).toMatchObject({ team: 'billing', customer: null, feature: null, amount: 0n, pricedBy: 'source' });
  });

  it('tolerates absent fields and unknown ones; prices tokens-only rows; leaves unknown models unpriced', async () => {
    const at = '2026-08-17T05:00:00.000Z';
    const rows = [
      // Only the two fields we cannot do without, plus tokens and a field no spec knows.
      {
        request_id: 'minimal',
        request_created_at: at,
        model: 'gpt-4o-mini',
        provider: 'OPENAI',
        prompt_tokens: 1000,
        completion_tokens: 100,
        brand_new_field: { x: 1 },
      },
      heliconeRow({ request_id: 'unknown-model', request_created_at: at, model: 'acme-llm-9000', cost: null, provider: 'CUSTOM' }),
      heliconeRow({ request_id: 'embed', request_created_at: at, model: 'text-embedding-3-small', request_path: '/v1/embeddings', cost: 0.00002 }),
      heliconeRow({ request_id: 'no-team', request_created_at: at, properties: { feature: 'x' }, request_properties: null, cost: 0.5 }),
    ];
    const { client, store } = await setup(rows);
    await syncSource({ client, store, from: start, now: addMs(start, DAY) });
    const expected = calcPrice({ input_tokens: 1000, output_tokens: 100 }, 'gpt-4o-mini', { providerId: 'openai', timestamp: new Date(at) })!;
    expect(store.get('helicone', 'minimal')).toMatchObject({ pricedBy: 'aicost', amount: fromUsd(expected.total_price), team: null });
    expect(store.get('helicone', 'unknown-model')).toMatchObject({ pricedBy: 'unpriced', amount: null });
    expect(store.get('helicone', 'embed')).toMatchObject({ category: 'embeddings', amount: 20_000n });
    expect(store.get('helicone', 'no-team')).toMatchObject({ team: null, feature: 'x', amount: 500_000_000n });
    expect(store.all()).toHaveLength(4);
  });

  it('keeps a row without request_id aside, with a reason that names the row, and reads on', async () => {
    const { client } = await setup([{ request_created_at: '2026-08-17T05:00:00.000Z' } as never]);
    const pages = (await collect(client, start, addMs(start, DAY))) as (unknown[] & { rejected?: { reason: string; sourceId: string }[] })[];
    expect(pages.flat()).toHaveLength(0);
    expect(pages[0]!.rejected).toEqual([
      expect.objectContaining({ sourceId: '(no id: item 0)', reason: expect.stringMatching(/Helicone row 0 has an unexpected shape: request_id/) }),
    ]);
  });

  it('refuses a page size over 1000 (the server would answer HTTP 500 "invalid limit")', () => {
    expect(() => createHeliconeClient({ apiKey: 'k', pageSize: 1001 })).toThrow(RangeError);
  });

  it('sumCosts is exact where floats are not', () => {
    expect(sumCosts([0.1, 0.2])).toBe(300_000_000n);
  });
});
