import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUsd, sum, type Money } from '../../src/domain/money.ts';
import { blocksText, startHarness, type Harness } from '../support/app-harness.ts';
import { checkBlocks } from '../support/block-kit-check.ts';
import { generatedFromSpec } from '../support/generated-from-spec.ts';
import { testProviders } from '../support/database.ts';
import { describeWithDocs, sharedDocs } from '../support/shared-docs.ts';

/**
 * Schema-valid source answers we did not imagine: rows generated from Helicone's and Langfuse's own OpenAPI documents
 * (json-schema-faker, seeded) rather than written by us. Negative and fractional token counts, empty
 * ids, dates that are any string, costs that are any double, nulls wherever the document allows them.
 * Half of the rows are steered into the day synced (their date is still a string, their tags still
 * strings: every row is checked against the document before it is served), with hostile tag values.
 *
 * What must hold, over the real app: the sync finishes; every row is stored or kept aside with its
 * reason (none lost, none counted twice); each stored cost is the row's cost read by the one parser;
 * and what people then ask shows the tags as text, inside Slack's limits.
 */
const docs = sharedDocs('specs/helicone-swagger.json', 'specs/langfuse-openapi.yml');
const describeDocs = describeWithDocs(docs);

const DAY = { from: new Date('2026-10-05T00:00:00Z'), to: new Date('2026-10-06T00:00:00Z') };
const NOW = new Date('2026-10-06T09:00:00Z');
const ROWS = 240;
/** Tag values people could type in a Helicone-Property header, meant to break markup or a spreadsheet. */
const HOSTILE = [
  '<!channel>',
  '<@U0FINANCE>',
  '*bold* _it_ ~s~ `code`',
  '=HYPERLINK("http://x")',
  '<https://evil.example|click me>',
  '&lt;escaped&gt; & raw <b>',
  '‮reversed',
  'Ünïcödé 🚀 team',
  ' padded ',
  'x'.repeat(5_000),
  '',
];

/** A day in the synced window: every other row is dated in it, so most of them reach the ledger. */
const inDay = (i: number) => new Date(DAY.from.getTime() + ((i * 7_919_000) % 86_400_000));

function heliconeRows(): Record<string, unknown>[] {
  return generatedFromSpec('helicone-swagger.json', 'HeliconeRequest', ROWS, (row, i, pick) => {
    // Unique ids (the document does not say they are; Helicone's are), so "none lost" can be counted.
    row.request_id = `${String(row.request_id)}#${i}`;
    if (i % 2 !== 0) return;
    const at = inDay(i);
    row.request_created_at = i % 4 === 0 ? at.toISOString() : at.toISOString().replace('T', ' ').replace('Z', '');
    row.properties = { team: pick(HOSTILE), feature: pick(HOSTILE), customer: pick(HOSTILE) };
    if (i % 6 === 0) row.cost = pick([0, 1e-12, 0.000_000_5, 0.1 + 0.2, 12.345_678_901, 1e300, -3, 5e-324]);
    // Counts are `double` in the document: fractions, and more than a database integer holds.
    if (i % 10 === 2) row.prompt_tokens = pick([2.5, 1e12, 3_000_000_000, 999_999_999.6]);
  });
}

function langfuseRows(): Record<string, unknown>[] {
  return generatedFromSpec('langfuse-openapi.yml', 'ObservationV2', ROWS, (row, i, pick) => {
    row.id = `${String(row.id)}#${i}`;
    if (i % 2 !== 0) return;
    row.startTime = inDay(i).toISOString();
    row.metadata = pick([{ team: pick(HOSTILE), feature: pick(HOSTILE) }, JSON.stringify({ team: pick(HOSTILE) }), null, [1, 2], 'not json']);
    row.tags = [`team:${pick(HOSTILE)}`];
    if (i % 6 === 0) row.totalCost = pick([0, 1e-12, 0.1 + 0.2, 12.345_678_901, 1e300, -3, null]);
    // usageDetails values are integers in the document: any integer, and any metric name.
    if (i % 10 === 2) row.usageDetails = pick([{ input: -5, output: 3 }, { input: 3_000_000_000 }, { total: 10, input_cached: 4, whatever: -1 }, {}]);
  });
}

interface Fuzzed {
  source: 'helicone' | 'langfuse';
  rows: () => Record<string, unknown>[];
  /** The id and the cost as the source's document names them. */
  id: (row: Record<string, unknown>) => string;
  cost: (row: Record<string, unknown>) => unknown;
  /** The page the stand-in answers for a request, as the document shapes it. */
  answer: (rows: Record<string, unknown>[], method: string, url: URL, body: string) => { data: Record<string, unknown>[]; body: unknown };
  env: (url: string) => Record<string, string>;
  /** Reasons some steered rows must be kept aside with. */
  reasons: RegExp[];
}

const SOURCES: Fuzzed[] = [
  {
    source: 'helicone',
    rows: heliconeRows,
    id: (r) => String(r.request_id),
    cost: (r) => r.cost,
    // {data, error}, `limit` rows from `offset`.
    answer: (rows, _m, _u, body) => {
      const q = JSON.parse(body) as { offset: number; limit: number };
      const data = rows.slice(q.offset, q.offset + q.limit);
      return { data, body: { data, error: null } };
    },
    env: (url) => ({ HELICONE_API_KEY: 'sk-helicone-fuzz', HELICONE_BASE_URL: url }),
    reasons: [/prompt_tokens is a negative token count/, /more than the 1,000,000,000 one call can have/],
  },
  {
    source: 'langfuse',
    rows: langfuseRows,
    id: (r) => String(r.id),
    cost: (r) => r.totalCost ?? (r.costDetails as Record<string, unknown> | null)?.total,
    // ObservationsV2Response: every row in one page of generations, no cursor after it.
    answer: (rows, _m, url) => {
      const data =
        url.pathname === '/api/public/v2/observations' && url.searchParams.get('type') === 'GENERATION' && !url.searchParams.get('cursor') ? rows : [];
      return { data, body: { data, meta: {} } };
    },
    env: (url) => ({ LANGFUSE_PUBLIC_KEY: 'pk-lf-fuzz', LANGFUSE_SECRET_KEY: 'sk-lf-fuzz', LANGFUSE_BASE_URL: url }),
    reasons: [/usageDetails\.input is a negative token count/, /more than the 1,000,000,000 one call can have/],
  },
];

describeDocs('schema-valid source answers we did not write', () => {
  describe.each(SOURCES.flatMap((f) => testProviders().map((p) => [f.source, p, f] as const)))('%s on %s', (_name, provider, f) => {
    let h: Harness;
    let server: Server;
    let rows: Record<string, unknown>[];
    let served = 0;

    beforeAll(async () => {
      rows = f.rows();
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const a = f.answer(rows, req.method ?? 'GET', new URL(req.url ?? '/', 'http://stand-in'), body);
          served += a.data.length;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(a.body));
        });
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false', VISIBILITY: 'open', ...f.env(url) }, () => NOW);
    }, 120_000);
    afterAll(async () => {
      await h?.stop();
      await new Promise((ok) => server?.close(ok));
    });

    it('stores or keeps aside every row, once, and stores each cost as the one parser reads it', async () => {
      const [result] = await h.running.runtime.sync.run(NOW, DAY);
      expect(result).toMatchObject({ ok: true });
      expect(served).toBe(ROWS);
      const stored = await h.db.db.prisma.costEntry.findMany({ where: { source: f.source } });
      const kept = await h.db.db.prisma.rejectedRecord.findMany({ where: { source: f.source } });
      const ids = new Set([...stored.map((s) => s.sourceId), ...kept.map((k) => k.sourceId)]);
      expect(stored.length + kept.length).toBe(ROWS);
      expect(ids.size).toBe(ROWS);
      for (const k of kept) expect(k.reason.length).toBeGreaterThan(0);
      // A negative or impossible token count is a reason to keep a row aside (it would price a call below zero, or not fit).
      for (const reason of f.reasons) expect(kept.map((k) => k.reason).filter((x) => reason.test(x)).length, String(reason)).toBeGreaterThan(0);
      // Every stored row that the source priced holds exactly its cost, as fromUsd reads it.
      const byId = new Map(rows.map((r) => [f.id(r), r]));
      const sourcePriced = stored.filter((s) => s.pricedBy === 'source');
      expect(sourcePriced.length).toBeGreaterThan(0);
      for (const s of sourcePriced) expect(s.amount, s.sourceId).toBe(fromUsd(f.cost(byId.get(s.sourceId)!) as number));
      for (const s of stored) {
        expect(s.occurredAt.getTime()).toBeGreaterThanOrEqual(DAY.from.getTime());
        expect(s.occurredAt.getTime()).toBeLessThan(DAY.to.getTime());
        for (const n of [s.inputTokens, s.outputTokens, s.cacheReadTokens, s.cacheWriteTokens]) expect(Number.isInteger(n) && n >= 0, s.sourceId).toBe(true);
      }
      // Running it again changes nothing.
      const before = sum(stored.map((s) => s.amount ?? 0n) as Money[]);
      const [again] = await h.running.runtime.sync.run(NOW, DAY);
      expect(again).toMatchObject({ ok: true, inserted: 0 });
      const after = await h.db.db.prisma.costEntry.findMany({ where: { source: f.source } });
      expect(sum(after.map((s) => s.amount ?? 0n) as Money[])).toBe(before);
      expect(await h.db.db.prisma.rejectedRecord.count({ where: { source: f.source } })).toBe(kept.length);
    }, 120_000);

    it('shows hostile tags as text, inside Slack limits, in every ranking', async () => {
      for (const question of ['top teams 2026-10', 'top features 2026-10', 'top customers 2026-10', 'team 2026-10', '']) {
        const { status, reply } = await h.command(question, { userId: 'U0FINANCE' });
        expect(status, question).toBe(200);
        expect(checkBlocks(reply.blocks, 'message'), question).toEqual([]);
        const text = `${reply.text ?? ''}\n${blocksText(reply.blocks)}`;
        // Tags never become mentions, links or formatting.
        expect(text, question).not.toContain('<!channel>');
        expect(text, question).not.toContain('<@U0FINANCE>');
        expect(text, question).not.toContain('<https://evil.example|click me>');
      }
    }, 120_000);
  });
});
