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
  type AnthropicCost,
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

describe('Anthropic bill per API key, split by the usage report (issue 22 item 6)', () => {
  const SONNET_OUT = 'Claude Sonnet 4 Usage - Output Tokens';
  const SONNET_IN = 'Claude Sonnet 4 Usage - Input Tokens';
  const sonnet = { workspace_id: 'wrkspc_shared', model: 'claude-sonnet-4-20250514' } as const;
  // $15 per million output tokens, $3 per million input tokens: what each key's usage cost, in cents.
  const costs: AnthropicCost[] = [
    { day: '2026-10-02', ...sonnet, description: SONNET_OUT, api_key_id: 'apikey_chat', tokens: 3_000_000, amount: '4500' },
    { day: '2026-10-02', ...sonnet, description: SONNET_OUT, api_key_id: 'apikey_writer', tokens: 1_000_000, amount: '1500' },
    { day: '2026-10-02', ...sonnet, description: SONNET_OUT, api_key_id: null, tokens: 200_000, amount: '300' },
    { day: '2026-10-02', ...sonnet, description: SONNET_IN, token_type: 'uncached_input_tokens', api_key_id: 'apikey_writer', tokens: 1, amount: '0.0003' },
    { day: '2026-10-02', ...sonnet, description: SONNET_IN, token_type: 'uncached_input_tokens', api_key_id: 'apikey_chat', tokens: 2, amount: '0.0006' },
    {
      day: '2026-10-02',
      workspace_id: 'wrkspc_shared',
      description: 'Web Search',
      cost_type: 'web_search',
      api_key_id: 'apikey_chat',
      requests: 30,
      amount: '30',
    },
    {
      day: '2026-10-02',
      workspace_id: 'wrkspc_shared',
      description: 'Web Search',
      cost_type: 'web_search',
      api_key_id: 'apikey_writer',
      requests: 10,
      amount: '10',
    },
    { day: '2026-10-02', workspace_id: 'wrkspc_shared', description: 'Code Execution', cost_type: 'code_execution', amount: '25' },
    { day: '2026-10-04', ...sonnet, description: SONNET_OUT, api_key_id: 'apikey_writer', tokens: 100, amount: '0.15' },
  ];
  const rowsOf = (pages: BillingPage[]) =>
    pages
      .flat()
      .flatMap((d) => d.rows)
      .map((r) => `${r.day} ${r.scope} ${r.apiKey ?? '-'} ${r.lineItem} ${r.amount}`)
      .sort();

  it('splits each token and web search cost between the keys exactly; the Console and code execution stay on the workspace', async () => {
    const s = await track(startAnthropicCostStandIn({ costs }));
    const pages = await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, limit: 2, http: fastHttp() }), from, to);
    expect(rowsOf(pages)).toEqual(
      [
        `2026-10-02 wrkspc_shared - Code Execution ${fromUsd('0.25')}`,
        `2026-10-02 wrkspc_shared - ${SONNET_OUT} ${fromUsd('3')}`,
        `2026-10-02 wrkspc_shared apikey_chat ${SONNET_IN} ${fromUsd('0.000006')}`,
        `2026-10-02 wrkspc_shared apikey_chat ${SONNET_OUT} ${fromUsd('45')}`,
        `2026-10-02 wrkspc_shared apikey_chat Web Search ${fromUsd('0.3')}`,
        `2026-10-02 wrkspc_shared apikey_writer ${SONNET_IN} ${fromUsd('0.000003')}`,
        `2026-10-02 wrkspc_shared apikey_writer ${SONNET_OUT} ${fromUsd('15')}`,
        `2026-10-02 wrkspc_shared apikey_writer Web Search ${fromUsd('0.1')}`,
        `2026-10-04 wrkspc_shared apikey_writer ${SONNET_OUT} ${fromUsd('0.0015')}`,
      ].sort(),
    );
    // The split never changes the bill: per day, the parts add up to what the cost report says.
    expect(sum(pages.flat().flatMap((d) => d.rows.map((r) => r.amount)))).toBe(fromUsd('63.651509'));
    // Asked as the documents say: the cost report by workspace and description, the usage report by key, with every page read.
    const usage = s.requests.filter((r) => r.path === '/v1/organizations/usage_report/messages');
    expect(usage.length).toBe(3); // five days, two buckets a page
    expect(usage[0]!.query.getAll('group_by[]')).toEqual(['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo']);
    expect(usage[0]!.query.get('bucket_width')).toBe('1d');
    expect(usage[1]!.query.get('page')).toBe(encodeCursor(2));
    expect(usage.every((r) => r.authorized && r.status === 200)).toBe(true);
  });

  it('splits with the odd nanodollars by largest remainder, so the parts always add up', async () => {
    // Three keys, one token each, 100 nanodollars in all (cents 0.000004 + 0.000003 + 0.000003): 34, 33, 33.
    const s = await track(
      startAnthropicCostStandIn({
        costs: [
          ['apikey_a', '0.000004'],
          ['apikey_b', '0.000003'],
          ['apikey_c', '0.000003'],
        ].map(([k, amount]) => ({ day: '2026-10-01', ...sonnet, description: SONNET_OUT, api_key_id: k!, tokens: 1, amount: amount! })),
      }),
    );
    const rows = (await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to)).flat().flatMap((d) => d.rows);
    expect(rows.map((r) => [r.apiKey, r.amount, r.whole])).toEqual([
      ['apikey_a', 34n, 100n],
      ['apikey_b', 33n, 100n],
      ['apikey_c', 33n, 100n],
    ]);
  });

  it('splits nothing by usage it cannot trust: negative, fractional or huge counts, keys no one could map, a day answered twice', async () => {
    type Usage = { starting_at: string; results: Record<string, unknown>[] };
    const onChat = (change: (r: Record<string, unknown>) => void) => (body: { data: unknown[] }) => {
      for (const b of body.data as Usage[]) for (const r of b.results) if (r.api_key_id === 'apikey_chat' && r.output_tokens) change(r);
      return body;
    };
    const hostile: [string, (body: { data: unknown[]; has_more: boolean; next_page: string | null }) => unknown][] = [
      ['a negative count', onChat((r) => (r.output_tokens = -3_000_000))],
      ['a fractional count', onChat((r) => (r.output_tokens = 2.5))],
      ['a count beyond 2^53', onChat((r) => (r.output_tokens = 1e300))],
      ['a key id with spaces', onChat((r) => (r.api_key_id = 'apikey chat; drop'))],
      ['a key id of 129 characters', onChat((r) => (r.api_key_id = 'k'.repeat(129)))],
      ['a day answered twice', (body) => ({ ...body, data: [...body.data, ...(body.data as Usage[]).filter((b) => b.starting_at.startsWith('2026-10-02'))] })],
    ];
    for (const [what, rewrite] of hostile) {
      const s = await track(startAnthropicCostStandIn({ costs, hostileUsage: rewrite }));
      const rows = rowsOf(await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to));
      expect(rows, what).toContain(`2026-10-02 wrkspc_shared - ${SONNET_OUT} ${fromUsd('63')}`);
      expect(
        rows.filter((r) => r.includes(SONNET_OUT) && r.startsWith('2026-10-02')),
        what,
      ).toHaveLength(1);
    }
    // A count that is merely zero is no reason to distrust the others: only the keys with usage share.
    const zero = await track(startAnthropicCostStandIn({ costs, hostileUsage: onChat((r) => (r.uncached_input_tokens = 0)) }));
    expect(rowsOf(await drain(createAnthropicCostClient({ adminKey: zero.adminKey, baseUrl: zero.url, http: fastHttp() }), from, to))).toContain(
      `2026-10-02 wrkspc_shared apikey_chat ${SONNET_OUT} ${fromUsd('45')}`,
    );
    // The usage report's cursor is guarded like the cost report's.
    const cycling = await track(startAnthropicCostStandIn({ costs, hostileUsage: cyclingCursor() }));
    const err = await drain(createAnthropicCostClient({ adminKey: cycling.adminKey, baseUrl: cycling.url, limit: 1, http: fastHttp() }), from, to).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toContain('usage_report/messages: the cursor repeats');
  });

  it('an admin key that may not read the usage report keeps the bill per workspace', async () => {
    const s = await track(startAnthropicCostStandIn({ costs, usageForbidden: true }));
    const rows = rowsOf(await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, http: fastHttp() }), from, to));
    expect(rows).toContain(`2026-10-02 wrkspc_shared - ${SONNET_OUT} ${fromUsd('63')}`);
    expect(rows.every((r) => r.split(' ')[2] === '-')).toBe(true);
  });

  it('waits as a 429 on the usage report says; a usage report that keeps failing fails the read', async () => {
    // The failure is armed while the cost page is answered, so it hits the next request: the usage report.
    let arm: (() => void) | null = null;
    const s: BillingStandIn<AnthropicCost> = await track(
      startAnthropicCostStandIn({
        costs,
        hostile: (b) => {
          arm?.();
          return b;
        },
      }),
    );
    arm = () => {
      s.failNext(1, { status: 429, retryAfter: 7 });
      arm = null;
    };
    const http = fastHttp();
    const pages = await drain(createAnthropicCostClient({ adminKey: s.adminKey, baseUrl: s.url, http }), from, to);
    expect(http.sleeps).toEqual([7000]);
    expect(s.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v1/organizations/cost_report', 200],
      ['/v1/organizations/usage_report/messages', 429],
      ['/v1/organizations/usage_report/messages', 200],
    ]);
    expect(
      pages
        .flat()
        .flatMap((d) => d.rows)
        .some((r) => r.apiKey === 'apikey_chat'),
    ).toBe(true);

    const v: BillingStandIn<AnthropicCost> = await track(
      startAnthropicCostStandIn({
        costs,
        hostile: (b) => {
          v.failNext(100, { status: 500 });
          return b;
        },
      }),
    );
    const err = await drain(createAnthropicCostClient({ adminKey: v.adminKey, baseUrl: v.url, http: fastHttp({ maxRetries: 2 }) }), from, to).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toContain('500');
    expect((err as Error).message).not.toContain(v.adminKey);
  });
});

describe('Anthropic usage report stand-in answers in the documented shape', () => {
  it('has the documented fields, nulls what is not grouped, and refuses what the reference refuses', async () => {
    const s = await track(
      startAnthropicCostStandIn({
        costs: [
          { day: '2026-10-01', workspace_id: 'wrkspc_x', model: 'claude-sonnet-4', description: 'd', api_key_id: 'apikey_a', tokens: 7, amount: '1' },
          { day: '2026-10-01', workspace_id: null, model: 'claude-sonnet-4', description: 'd', api_key_id: null, tokens: 2, amount: '1' },
        ],
      }),
    );
    const ask = async (query: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${s.url}/v1/organizations/usage_report/messages?starting_at=2026-10-01T00:00:00Z&ending_at=2026-10-02T00:00:00Z&${query}`, {
        headers: { 'x-api-key': s.adminKey, 'anthropic-version': '2023-06-01', ...headers },
      });
      return { status: res.status, body: (await res.json()) as { data: { starting_at: string; ending_at: string; results: Record<string, unknown>[] }[] } };
    };
    const { status, body } = await ask('group_by[]=api_key_id');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['data', 'has_more', 'next_page']);
    expect(Object.keys(body.data[0]!).sort()).toEqual(['ending_at', 'results', 'starting_at']);
    const results = body.data[0]!.results;
    for (const r of results)
      expect(Object.keys(r).sort()).toEqual(
        [
          'api_key_id',
          'cache_creation',
          'cache_read_input_tokens',
          'context_window',
          'inference_geo',
          'model',
          'output_tokens',
          'server_tool_use',
          'service_tier',
          'uncached_input_tokens',
          'workspace_id',
        ].sort(),
      );
    // Grouped by key only: the Console's usage has api_key_id null, and every other dimension is null.
    expect(results.map((r) => [r.api_key_id, r.workspace_id, r.model, r.output_tokens])).toEqual([
      ['apikey_a', null, null, 7],
      [null, null, null, 2],
    ]);
    expect(results[0]!.cache_creation).toEqual({ ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 });
    expect(results[0]!.server_tool_use).toEqual({ web_search_requests: 0 });
    expect((await ask('group_by[]=speed')).status).toBe(400);
    expect((await ask('group_by[]=speed', { 'anthropic-beta': 'fast-mode-2026-02-01' })).status).toBe(200);
    expect((await ask('group_by[]=project_id')).status).toBe(400);
    expect((await ask('limit=32')).status).toBe(400);
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
