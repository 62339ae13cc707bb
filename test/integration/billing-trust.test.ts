import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { tooWide } from '../support/widths.ts';
import { recordSlack } from '../support/recording.ts';
import { blocksText, startHarness, tableRows, type Harness } from '../support/app-harness.ts';
import {
  cyclingCursor,
  hostileOpenAiPage,
  startAnthropicCostStandIn,
  startOpenAiCostsStandIn,
  type AnthropicCost,
  type BillingStandIn,
  type OpenAiCost,
  type Rewrite,
} from '../support/billing-stand-ins.ts';

/**
 * Issue 22 item 5, over the real app: billing APIs answering schema-valid but hostile pages (a bucket of
 * 1967, one outside the window asked for, −$130M, +$140M, euros, a cursor cycling A → B → A, a page that
 * fails after the first) store none of it, say so in `/aicost sync`, and never show a code path.
 */
const NOW = new Date('2026-11-04T06:00:00Z');
const FINANCE = 'U0FINANCE';

describe.each(testProviders())('billing trust on %s', (provider) => {
  let h: Harness;
  let openai: BillingStandIn<OpenAiCost>;
  let anthropic: BillingStandIn<AnthropicCost>;
  const hostile: { openai: Rewrite | null; anthropic: Rewrite | null } = { openai: null, anthropic: null };
  const good: OpenAiCost[] = [
    { day: '2026-11-01', project_id: 'proj_a', line_item: 'gpt-4o, input', amount: fromUsd('41.5') },
    { day: '2026-11-02', project_id: 'proj_a', line_item: 'gpt-4o, output', amount: fromUsd('8.25') },
    { day: '2026-11-03', project_id: null, line_item: 'credit', amount: fromUsd('-1.25') },
  ];
  const window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-04T00:00:00Z') };
  const sync = async (source: 'openai' | 'anthropic', w = window) => {
    const results = await h.running.runtime.sync.run(NOW, { ...w, source });
    return results.find((r) => r.source === source)!;
  };
  const stored = async (p: string) => {
    const rows = await h.db.db.prisma.billedCost.findMany({ where: { provider: p }, orderBy: [{ day: 'asc' }, { lineItem: 'asc' }] });
    return rows.map((r) => `${r.day} ${r.scope} ${r.lineItem} ${r.amount}`);
  };

  beforeAll(async () => {
    openai = await startOpenAiCostsStandIn({ costs: [...good], hostile: (b, q) => hostile.openai?.(b, q) ?? b });
    anthropic = await startAnthropicCostStandIn({
      costs: [
        { day: '2026-11-01', workspace_id: 'wrkspc_a', description: 'Claude Sonnet 4 Usage - Input Tokens', amount: '1250' },
        { day: '2026-11-02', workspace_id: 'wrkspc_a', description: 'Claude Sonnet 4 Usage - Output Tokens', amount: '99999999999999999999999' },
      ],
      hostile: (b, q) => hostile.anthropic?.(b, q) ?? b,
    });
    h = await startHarness(
      provider,
      {
        REPORT_TIMEZONE: 'UTC',
        SCHEDULER_ENABLED: 'false',
        OPENAI_ADMIN_KEY: openai.adminKey,
        OPENAI_BASE_URL: openai.url,
        ANTHROPIC_ADMIN_KEY: anthropic.adminKey,
        ANTHROPIC_BASE_URL: anthropic.url,
      },
      () => NOW,
    );
  }, 120_000);
  afterAll(async () => {
    await openai?.close();
    await anthropic?.close();
    await h?.stop();
  });

  it('stores none of the hostile OpenAI buckets, keeps each aside with its reason, and stores the rest', async () => {
    hostile.openai = hostileOpenAiPage('2026-10-15', '2026-11-02');
    const r = await sync('openai');
    hostile.openai = null;
    expect(r).toMatchObject({ ok: true, error: null, rejected: 5 });
    expect(await stored('openai')).toEqual([
      `2026-11-01 proj_a gpt-4o, input ${fromUsd('41.5')}`,
      `2026-11-02 proj_a gpt-4o, output ${fromUsd('8.25')}`,
      `2026-11-03  credit ${fromUsd('-1.25')}`,
    ]);
    const kept = await h.db.db.prisma.rejectedRecord.findMany({ where: { source: 'openai' }, orderBy: { sourceId: 'asc' } });
    expect(Object.fromEntries(kept.map((k) => [k.sourceId, k.reason]))).toEqual({
      '1967-06-20 proj_a gpt-4o, input': expect.stringMatching(/^billed for 1967-06-20, outside the window asked for/),
      '2026-10-15 proj_a gpt-4o, input': expect.stringMatching(/^billed for 2026-10-15, outside the window asked for/),
      '2026-11-02 proj_a credit': expect.stringMatching(/credit of -\$130,000,000\.00, beyond any plausible refund/),
      '2026-11-02 proj_a gpt-4o, input': expect.stringMatching(/\$140,000,000\.00 is above the plausibility ceiling of \$1,000,000\.00/),
      '2026-11-02 proj_a gpt-4o, output': 'a cost in eur, not usd',
    });
  });

  it("keeps Anthropic's 99999999999999999999999 cents aside instead of failing the sync with a database error", async () => {
    const r = await sync('anthropic');
    expect(r).toMatchObject({ ok: true, error: null, rejected: 1 });
    expect(await stored('anthropic')).toEqual([`2026-11-01 wrkspc_a Claude Sonnet 4 Usage - Input Tokens ${fromUsd('12.5')}`]);
    const kept = await h.db.db.prisma.rejectedRecord.findFirstOrThrow({ where: { source: 'anthropic' } });
    expect(kept.reason).toMatch(/above the plausibility ceiling/);
  });

  it('/aicost sync counts what was kept aside per provider and says what it is', async () => {
    const { blocks } = (await h.command('sync')).reply;
    recordSlack(h.slack, `sync-status-billing-${provider}`);
    // Issue 21.7: nothing monospace wider than a laptop's Slack pane.
    expect(tooWide(blocks)).toEqual([]);
    const text = blocksText(blocks);
    // The status is a table block (about 105 characters wide): source, state, …, kept aside, last error.
    const row = (source: string) => tableRows(blocks).find((r) => r[0] === source);
    expect([row('openai')?.[1], row('openai')?.[5], row('openai')?.[6]]).toEqual(['on', '5', '-']);
    expect([row('anthropic')?.[1], row('anthropic')?.[5], row('anthropic')?.[6]]).toEqual(['on', '1', '-']);
    expect(text).toContain('6 bill row(s) from the providers were kept aside as untrustworthy');
  });

  it('a cursor cycling A → B → A fails the read at once, stores nothing of it, and /aicost sync says why', async () => {
    const before = openai.requests.length;
    hostile.openai = cyclingCursor();
    // 40 days: the real client reads 31 buckets a page, so the cycle starts on the second page.
    const r = await sync('openai', { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-10-11T00:00:00Z') });
    hostile.openai = null;
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/the cursor repeats/);
    expect(openai.requests.length - before).toBe(3);
    expect((await stored('openai')).filter((s) => s < '2026-11')).toEqual([]);
    const openaiRow = tableRows((await h.command('sync')).reply.blocks).find((r) => r[0] === 'openai');
    expect(openaiRow?.[6]).toMatch(/the cursor repeats/);
  });

  it('a read that fails after its first page stores nothing ("nothing of this read was stored" is true)', async () => {
    openai.costs.push({ day: '2026-09-02', project_id: 'proj_a', line_item: 'gpt-4o, input', amount: fromUsd('3') });
    hostile.openai = (b, q) => (q.get('page') === null ? b : { ...b, data: [{ object: 'bucket', start_time: 'soon' }] });
    const r = await sync('openai', { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-10-11T00:00:00Z') });
    hostile.openai = null;
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/unexpected response/);
    expect((await stored('openai')).filter((s) => s < '2026-11')).toEqual([]);
    // The same read, answered honestly, stores the day.
    expect(await sync('openai', { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-10-11T00:00:00Z') })).toMatchObject({ ok: true });
    expect((await stored('openai')).filter((s) => s < '2026-11')).toEqual([`2026-09-02 proj_a gpt-4o, input ${fromUsd('3')}`]);
  });

  it('a closed month does not change: a re-read bill is stored, and its difference is booked once in the open month (issue 21)', async () => {
    expect(await h.services.chargeback.transition('2026-09', 'close', FINANCE, NOW)).toMatchObject({ ok: true });
    const september = async () => (await h.services.chargeback.build('2026-09')).unallocated;
    expect(await september()).toBe(fromUsd('3'));
    const november = async () => (await h.services.chargeback.build('2026-11')).unallocated;
    const novemberBefore = await november();
    const w = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-09-05T00:00:00Z') };
    expect(await sync('openai', w)).toMatchObject({ ok: true, rejected: 0 });
    openai.costs.find((c) => c.day === '2026-09-02')!.amount = fromUsd('30');
    openai.costs.push({ day: '2026-09-03', project_id: 'proj_b', line_item: 'batch', amount: fromUsd('2') });
    expect(await sync('openai', w)).toMatchObject({ ok: true, rejected: 0 });
    // The bill is stored as the provider bills it now; September reads as it closed.
    expect((await stored('openai')).filter((s) => s < '2026-11')).toEqual([
      `2026-09-02 proj_a gpt-4o, input ${fromUsd('30')}`,
      `2026-09-03 proj_b batch ${fromUsd('2')}`,
    ]);
    expect(await september()).toBe(fromUsd('3'));
    // No team called OpenAI: the $29 more is booked on no team, on today, as a correction of 2026-09. Once.
    expect(await sync('openai', w)).toMatchObject({ ok: true, rejected: 0 });
    const booked = await h.db.db.prisma.unobservedBook.findMany({ where: { kind: 'correction' } });
    expect(booked.map((b) => [b.month, b.day, b.teamId, b.amount])).toEqual([['2026-09', '2026-11-04', null, fromUsd('29')]]);
    expect((await november()) - novemberBefore).toBe(fromUsd('29'));
  });
});
