import { afterEach, describe, expect, it } from 'vitest';
import { fromUsd, sum } from '../../../src/domain/money.ts';
import { createAnthropicCostClient } from '../../../src/sources/billing/anthropic-cost-report.ts';
import { createOpenAiCostsClient } from '../../../src/sources/billing/openai-costs.ts';
import { centsToMoney, type BillingClient, type BillingPage } from '../../../src/services/ports/billing-source.ts';
import {
  cyclingCursor,
  encodeCursor,
  hostileOpenAiPage,
  startAnthropicCostStandIn,
  startOpenAiCostsStandIn,
  type BillingStandIn,
} from '../../support/billing-stand-ins.ts';
import { fastHttp } from './helpers.ts';
import { describeWithDocs, sharedDocs } from '../../support/shared-docs.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
async function track<T extends BillingStandIn<unknown>>(p: Promise<T>): Promise<T> {
  const s = await p;
  closers.push(() => s.close());
  return s;
}
async function drain(client: BillingClient, from: Date, to: Date): Promise<BillingPage[]> {
  const pages: BillingPage[] = [];
  for await (const p of client.days(from, to)) pages.push(p);
  return pages;
}
const from = new Date('2026-10-01T00:00:00Z');
const to = new Date('2026-10-06T00:00:00Z');

describe('amounts in cents', () => {
  it('moves the decimal point in the text, exactly', () => {
    expect(centsToMoney('123.45', fromUsd)).toBe(fromUsd('1.2345'));
    expect(centsToMoney('5', fromUsd)).toBe(fromUsd('0.05'));
    expect(centsToMoney('-250.5', fromUsd)).toBe(fromUsd('-2.505'));
    expect(centsToMoney('0.0000000001', fromUsd)).toBe(0n); // below a nanodollar rounds half away from zero
    expect(centsToMoney('.00000005', fromUsd)).toBe(1n);
    expect(() => centsToMoney('1e3', fromUsd)).toThrow(RangeError);
  });
});

describe('OpenAI Costs client over the stand-in', () => {
  it('pages through every day, groups by project and line item, keeps zero and negative amounts, and empty days', async () => {
    const s = await track(
      startOpenAiCostsStandIn({
        costs: [
          { day: '2026-10-01', project_id: 'proj_abc', line_item: 'gpt-4o, input', amount: fromUsd('12.345678901') },
          { day: '2026-10-01', project_id: 'proj_abc', line_item: 'gpt-4o, output', amount: fromUsd('0') },
          { day: '2026-10-02', project_id: null, line_item: 'credit', amount: fromUsd('-5.5') },
          { day: '2026-10-04', project_id: 'proj_x', line_item: 'batch', amount: fromUsd('100.1') },
        ],
      }),
    );
    const http = fastHttp();
    const pages = await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, limit: 2, http }), from, to);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const days = pages.flat();
    expect(days.map((d) => d.day)).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05']);
    expect(days[0]!.rows).toEqual([
      { provider: 'openai', day: '2026-10-01', scope: 'proj_abc', lineItem: 'gpt-4o, input', amount: fromUsd('12.345678901') },
      { provider: 'openai', day: '2026-10-01', scope: 'proj_abc', lineItem: 'gpt-4o, output', amount: 0n },
    ]);
    expect(days[1]!.rows[0]).toMatchObject({ scope: '', amount: fromUsd('-5.5') });
    expect(days[2]!.rows).toEqual([]);
    const q = s.requests[0]!.query;
    expect(q.getAll('group_by')).toEqual(['project_id', 'line_item', 'api_key_id']);
    expect(q.get('start_time')).toBe(String(from.getTime() / 1000));
    expect(q.get('bucket_width')).toBe('1d');
    expect(s.requests.every((r) => r.authorized)).toBe(true);
  });

  it('waits as a 429 says (Retry-After), backs off on 5xx, then succeeds', async () => {
    const s = await track(startOpenAiCostsStandIn({ costs: [{ day: '2026-10-01', project_id: 'p', line_item: 'x', amount: fromUsd('1') }] }));
    s.failNext(1, { status: 429, retryAfter: 7 });
    s.failNext(1, { status: 503 });
    const http = fastHttp();
    const days = (await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, http }), from, to)).flat();
    expect(http.sleeps[0]).toBe(7000);
    expect(http.sleeps).toHaveLength(2);
    expect(sum(days.flatMap((d) => d.rows.map((r) => r.amount)))).toBe(fromUsd('1'));
  });

  it('reads per API key where the admin key allows it, and without the key grouping where it is refused', async () => {
    const s = await track(
      startOpenAiCostsStandIn({ costs: [{ day: '2026-10-01', project_id: 'p', line_item: 'x', api_key_id: 'key_a', amount: fromUsd('2') }] }),
    );
    const [page] = await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to);
    expect(page![0]!.rows[0]).toMatchObject({ scope: 'p', apiKey: 'key_a', amount: fromUsd('2') });
    s.failNext(1, {
      status: 403,
      body: { error: { message: 'You do not have access to api_key_id grouping.', type: 'invalid_request_error', param: null, code: null } },
    });
    const [fallback] = await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to);
    expect(fallback![0]!.rows[0]).toEqual({ provider: 'openai', day: '2026-10-01', scope: 'p', lineItem: 'x', amount: fromUsd('2') });
    expect(s.requests.slice(-2).map((r) => r.query.getAll('group_by'))).toEqual([
      ['project_id', 'line_item', 'api_key_id'],
      ['project_id', 'line_item'],
    ]);
  });

  it('a wrong key fails without the key in the message', async () => {
    const s = await track(startOpenAiCostsStandIn());
    const client = createOpenAiCostsClient({ adminKey: 'sk-admin-wrong-secret', baseUrl: s.url, http: fastHttp() });
    const err = await drain(client, from, to).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('401');
    expect((err as Error).message).not.toContain('sk-admin-wrong-secret');
  });

  it('keeps a cost in another currency aside, and refuses an invalid body', async () => {
    const s = await track(startOpenAiCostsStandIn());
    s.failNext(1, {
      status: 200,
      body: {
        object: 'page',
        data: [{ object: 'bucket', start_time: 1, end_time: 2, results: [{ object: 'organization.costs.result', amount: { value: 1, currency: 'eur' } }] }],
        has_more: false,
        next_page: null,
      },
    });
    const [page] = await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to);
    // The euro result is kept aside with its reason, never mixed into dollars, and the read goes on.
    expect(page!.rejected).toEqual([{ source: 'openai', sourceId: '1970-01-01 - -', reason: 'a cost in eur, not usd', occurredAt: '1970-01-01', cost: '1' }]);
    expect(page![0]!.rows).toEqual([]);
    s.failNext(1, { status: 200, body: { object: 'page', data: 'nope', has_more: false, next_page: null } });
    await expect(drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to)).rejects.toThrow(/unexpected response/);
  });
});

describe('cursors that do not advance (issue 22)', () => {
  it('a cursor cycling A → B → A fails the read at the third request, not the 10,002nd', async () => {
    const s = await track(startOpenAiCostsStandIn({ hostile: cyclingCursor() }));
    const err = await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, limit: 1, http: fastHttp() }), from, to).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toMatch(/the cursor repeats/);
    expect(s.requests).toHaveLength(3);
    const a = await track(startAnthropicCostStandIn({ hostile: cyclingCursor() }));
    const err2 = await drain(createAnthropicCostClient({ adminKey: a.adminKey, baseUrl: a.url, limit: 1, http: fastHttp() }), from, to).catch(
      (e: unknown) => e as Error,
    );
    expect((err2 as Error).message).toMatch(/the cursor repeats/);
    expect(a.requests).toHaveLength(3);
  });

  it('fresh cursors that never end stop after more pages than the window has days', async () => {
    let n = 0;
    const s = await track(startOpenAiCostsStandIn({ hostile: (body) => ({ ...body, data: [], has_more: true, next_page: encodeCursor(++n) }) }));
    const err = await drain(createOpenAiCostsClient({ adminKey: s.adminKey, baseUrl: s.url, limit: 1, http: fastHttp() }), from, to).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toMatch(/more than 7 pages for 5 days/);
    expect(s.requests.length).toBeLessThanOrEqual(7);
  });
});

describe('Anthropic cost report client over the stand-in', () => {
  it('reads cents strings exactly, by workspace and description, across pages', async () => {
    const s = await track(
      startAnthropicCostStandIn({
        costs: [
          { day: '2026-10-01', workspace_id: 'wrkspc_x', description: 'Claude Sonnet 4 Usage - Input Tokens', model: 'claude-sonnet-4', amount: '123.45' },
          { day: '2026-10-01', workspace_id: 'wrkspc_x', description: 'Claude Sonnet 4 Usage - Input Tokens', model: 'claude-sonnet-4', amount: '0.005' },
          { day: '2026-10-01', workspace_id: null, description: 'Web search', cost_type: 'web_search', amount: '1000' },
          { day: '2026-10-03', workspace_id: 'wrkspc_y', description: 'Credit', cost_type: 'tokens', amount: '-99.9' },
        ],
      }),
    );
    const pages = await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, limit: 2, http: fastHttp() }), from, to);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const days = pages.flat();
    expect(days[0]!.rows).toEqual([
      { provider: 'anthropic', day: '2026-10-01', scope: 'wrkspc_x', lineItem: 'Claude Sonnet 4 Usage - Input Tokens', amount: fromUsd('1.23455') },
      { provider: 'anthropic', day: '2026-10-01', scope: '', lineItem: 'Web search', amount: fromUsd('10') },
    ]);
    expect(days[2]!.rows[0]!.amount).toBe(fromUsd('-0.999'));
    const r = s.requests[0]!;
    expect(r.query.getAll('group_by[]')).toEqual(['workspace_id', 'description']);
    expect(r.query.get('starting_at')).toBe('2026-10-01T00:00:00.000Z');
  });

  it('honours a 429 Retry-After and a wrong key fails without the key', async () => {
    const s = await track(startAnthropicCostStandIn());
    s.failNext(1, { status: 429, retryAfter: 3 });
    const http = fastHttp();
    await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, http }), from, to);
    expect(http.sleeps).toEqual([3000]);
    const err = await drain(createAnthropicCostClient({ adminKey: 'sk-ant-admin-bad-secret', baseUrl: s.url, http: fastHttp() }), from, to).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toContain('401');
    expect((err as Error).message).not.toContain('sk-ant-admin-bad-secret');
  });
});

// The OpenAI stand-in is only worth what its shapes are: validated against OpenAI's own OpenAPI document.
const openaiDocs = sharedDocs('specs/openai-openapi.yaml');
const specFile = openaiDocs.path('specs/openai-openapi.yaml');
describeWithDocs(openaiDocs)('OpenAI costs stand-in matches the OpenAPI document', () => {
  it('every page it answers is a UsageResponse of CostsResult buckets, and the validator rejects a wrong one', async () => {
    const { SpecValidator, assertValid } = await import('./openapi.ts');
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const spec = new SpecValidator(parse(readFileSync(specFile, 'utf8'), { maxAliasCount: -1 }) as never, 'openai');
    const validate = spec.response('get', '/organization/costs');
    const s = await track(
      startOpenAiCostsStandIn({ costs: [{ day: '2026-10-01', project_id: 'proj_abc', line_item: 'gpt-4o, input', amount: fromUsd('-1.25') }] }),
    );
    for (const page of [undefined, 'YnVja2V0OjE']) {
      const url = new URL(
        `${s.url}/v1/organization/costs?start_time=${from.getTime() / 1000}&end_time=${to.getTime() / 1000}&limit=1&group_by=project_id&group_by=line_item${page ? `&page=${page}` : ''}`,
      );
      const body = await (await fetch(url, { headers: { authorization: `Bearer ${s.adminKey}` } })).json();
      assertValid(validate, body, `stand-in page ${page ?? 1}`);
    }
    // The hostile answers of the trust tests are schema-valid too: only their values are wrong.
    const hostile = await track(
      startOpenAiCostsStandIn({
        costs: [{ day: '2026-10-02', project_id: 'proj_a', line_item: 'x', amount: fromUsd('1') }],
        hostile: hostileOpenAiPage('2026-09-15', '2026-10-02'),
      }),
    );
    const hostileBody = await (
      await fetch(new URL(`${hostile.url}/v1/organization/costs?start_time=${from.getTime() / 1000}&end_time=${to.getTime() / 1000}&limit=3`), {
        headers: { authorization: `Bearer ${hostile.adminKey}` },
      })
    ).json();
    assertValid(validate, hostileBody, 'hostile page');
    expect(
      validate({
        object: 'page',
        data: [{ object: 'bucket', start_time: 1, end_time: 2, results: [{ object: 'organization.costs.result', amount: { value: '1.0', currency: 'usd' } }] }],
        has_more: false,
        next_page: null,
      }),
    ).toBe(false);
    expect(validate({ object: 'page', data: [], has_more: false })).toBe(false); // next_page is required
  });
});
