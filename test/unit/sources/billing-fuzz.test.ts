import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromUsd, sum } from '../../../src/domain/money.ts';
import { createOpenAiCostsClient } from '../../../src/sources/billing/openai-costs.ts';
import type { BillingPage } from '../../../src/services/ports/billing-source.ts';
import { generatedFromSpec } from '../../support/generated-from-spec.ts';
import { describeWithDocs, sharedDocs } from '../../support/shared-docs.ts';
import { fastHttp } from './helpers.ts';

/**
 * OpenAI's Costs API as its OpenAPI document allows it, not as we imagined it: buckets generated from
 * `UsageTimeBucket` (json-schema-faker, seeded). Its `results` may hold any kind of usage result (the
 * document's oneOf), a costs result needs nothing but `object` (no amount, no currency), start times are
 * any integer. Half the buckets are steered into the days asked for, with costs results in and out of
 * USD. Every result must be counted once: in a day's rows (USD, with a value, in a real bucket) or kept
 * aside with a reason, and the rows must hold exactly the values read by the one parser. No page fails.
 */
const docs = sharedDocs('specs/openai-openapi.yaml');
const FROM = new Date('2026-10-01T00:00:00Z');
const TO = new Date('2026-10-08T00:00:00Z');
// At most 8 pages for 7 days: more would trip the guard against a cursor that never ends (a real server answers only the days asked for).
const BUCKETS = 56;
const PER_PAGE = 7;

function buckets(): Record<string, unknown>[] {
  const costs = generatedFromSpec('openai-openapi.yaml', 'CostsResult', BUCKETS * 2, (r, i, pick) => {
    if (i % 3 === 0) r.amount = { value: pick([0, 0.1 + 0.2, 12.345_678_901, -4.5, 1e-12, 3e6]), currency: pick(['usd', 'USD', 'eur']) };
    if (i % 5 === 0) r.api_key_id = pick(['key_a', 'key_b', null]);
  });
  return generatedFromSpec('openai-openapi.yaml', 'UsageTimeBucket', BUCKETS, (b, i) => {
    if (i % 2 !== 0) return;
    const day = FROM.getTime() / 1000 + 86_400 * (i % 7);
    b.start_time = day;
    b.end_time = day + 86_400;
    // Mostly costs results, with the document's other kinds left where the generator put them.
    b.results = [...(b.results as unknown[]).slice(0, 1), costs[2 * i]!, costs[2 * i + 1]!];
  });
}

type Result = { object?: unknown; amount?: { value?: number; currency?: string }; project_id?: unknown };

describeWithDocs(docs)('OpenAI costs answers generated from its document', () => {
  let server: Server;
  let url: string;
  let served: Record<string, unknown>[];
  beforeAll(async () => {
    served = buckets();
    // UsageResponse pages of PER_PAGE buckets, `page` the previous `next_page`.
    server = createServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '0');
      const data = served.slice(page, page + PER_PAGE);
      const more = page + PER_PAGE < served.length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'page', data, has_more: more, next_page: more ? String(page + PER_PAGE) : null }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((ok) => server?.close(ok)));

  it('counts every result once: in the day it bills, or kept aside with its reason', async () => {
    const client = createOpenAiCostsClient({ adminKey: 'sk-admin-fuzz', baseUrl: url, http: fastHttp() });
    const pages: BillingPage[] = [];
    for await (const p of client.days(FROM, TO)) pages.push(p);
    const results = served.flatMap((b) => (b.results as Result[]).map((r) => ({ bucket: b, r })));
    // What the document's contract lets us count as dollars of a day.
    const countable = results.filter(
      ({ bucket, r }) =>
        r.object === 'organization.costs.result' &&
        typeof r.amount?.value === 'number' &&
        (r.amount.currency ?? 'usd').toLowerCase() === 'usd' &&
        !Number.isNaN(new Date((bucket.start_time as number) * 1000).getTime()),
    );
    expect(countable.length).toBeGreaterThan(10);
    const rows = pages.flatMap((p) => p.flatMap((d) => d.rows));
    expect(sum(rows.map((r) => r.amount))).toBe(sum(countable.map(({ r }) => fromUsd(r.amount!.value!))));
    const kept = pages.flatMap((p) => p.rejected ?? []);
    expect(kept.length).toBe(results.length - countable.length);
    for (const k of kept) expect(k.reason).toMatch(/not a costs result|without amount\.value|not usd|is not a time|unreadable costs result/);
    // Each of those reasons occurs in what the document allows.
    for (const reason of [/not a costs result/, /without amount\.value/, /not usd/])
      expect(
        kept.some((k) => reason.test(k.reason)),
        String(reason),
      ).toBe(true);
  });
});
