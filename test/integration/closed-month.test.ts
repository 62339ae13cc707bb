import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, startHarness, type Harness } from '../support/app-harness.ts';
import {
  openAiResult,
  startAnthropicCostStandIn,
  startOpenAiCostsStandIn,
  type AnthropicCost,
  type BillingStandIn,
  type OpenAiCost,
  type Rewrite,
} from '../support/billing-stand-ins.ts';
import { recordSlack } from '../support/recording.ts';
import { heliconeRow, startHeliconeStandIn, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * Issue 21 item 2, over the real app: once October is closed, nothing changes what October reads
 * (`team`, `iceberg`, `budget`, `margin`, `chargeback`): a mapping, a re-read bill (in the window asked
 * for or outside it), a hidden cost dated in October and a late source record. What they change is booked
 * once, in November, as a correction of 2026-10, shown as such, and finance is told.
 */
const NOW = new Date('2026-11-04T09:00:00Z');
const FINANCE = 'U0FINANCE';
const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };

describe.each(testProviders())('a closed month stays closed on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let openai: BillingStandIn<OpenAiCost>;
  let hostile: Rewrite | null = null;
  /** What October reads when it closed: each read's text. */
  const closed = new Map<string, string>();
  const READS = ['team claims 2026-10', 'team support 2026-10', 'iceberg 2026-10', 'budget 2026-10', 'margin 2026-10', 'chargeback 2026-10'];
  const read = async (q: string) => {
    const r = await h.command(q, { userId: FINANCE });
    expect(r.status).toBe(200);
    return blocksText(r.reply.blocks);
  };
  const expectOctoberUnchanged = async () => {
    for (const q of READS) expect(await read(q), q).toBe(closed.get(q));
  };
  const corrections = () => h.db.db.prisma.unobservedBook.findMany({ where: { kind: 'correction' }, orderBy: { id: 'asc' } });
  const novemberLine = async (slug: string) => (await h.services.chargeback.build('2026-11')).lines.find((l) => l.slug === slug);

  beforeAll(async () => {
    helicone = await startHeliconeStandIn({
      rows: [
        heliconeRow({ request_id: 'c1', request_created_at: '2026-10-05T10:00:00Z', cost: 10, properties: { team: 'claims' }, model: 'gpt-4o' }),
        heliconeRow({ request_id: 's1', request_created_at: '2026-10-05T11:00:00Z', cost: 30, properties: { team: 'support' }, model: 'gpt-4o' }),
      ],
    });
    // proj_support billed $100 on Oct 5; $40 of it observed: $60 unobserved, unmapped, split by observed OpenAI spend (claims $15, support $45).
    openai = await startOpenAiCostsStandIn({
      costs: [{ day: '2026-10-05', project_id: 'proj_support', line_item: 'gpt-4o, input', amount: fromUsd('100') }],
      hostile: (b, q) => hostile?.(b, q) ?? b,
    });
    h = await startHarness(
      provider,
      {
        REPORT_TIMEZONE: 'UTC',
        SCHEDULER_ENABLED: 'false',
        HELICONE_API_KEY: helicone.apiKey,
        HELICONE_BASE_URL: helicone.url,
        OPENAI_ADMIN_KEY: openai.adminKey,
        OPENAI_BASE_URL: openai.url,
      },
      () => NOW,
    );
    expect((await h.running.runtime.sync.run(NOW, OCTOBER)).every((r) => r.ok)).toBe(true);
    expect((await h.command('budget set claims 100 2026-10', { userId: FINANCE })).status).toBe(200);
    expect(await h.services.chargeback.transition('2026-10', 'close', FINANCE, NOW)).toMatchObject({ ok: true });
    for (const q of READS) closed.set(q, await read(q));
  }, 120_000);
  afterAll(async () => {
    if (h) recordSlack(h.slack, `closed-month-${provider}`);
    await helicone?.close();
    await openai?.close();
    await h?.stop();
  });

  it('reads October as it closed: the unobserved spend split by observed OpenAI spend', () => {
    expect(closed.get('team claims 2026-10')).toContain('unobserved (OpenAI bill) $15.00');
    expect(closed.get('team support 2026-10')).toContain('unobserved (OpenAI bill) $45.00');
    expect(closed.get('chargeback 2026-10')).toMatch(/claims.*\$25\.00/);
  });

  it('a mapping changes nothing October reads; the difference is booked once in November as a correction of 2026-10, and finance is told', async () => {
    const r = await h.command('admin map openai project proj_support support', { userId: FINANCE });
    const said = blocksText(r.reply.blocks);
    expect(said).toContain('openai project proj_support now belongs to support');
    expect(said).toContain('2026-10 is closed and keeps its figures: the $17.50 this moves in 2026-10');
    expect(said).toContain('booked in 2026-11 as a correction of 2026-10');
    await expectOctoberUnchanged();
    // Live October would now be: support's project $100 − $30 observed = $70, claims' $10 observed unbilled = −$10
    // split over the OpenAI callers (claims −$2.50, support −$7.50): claims −$17.50 and support +$17.50 from what closed.
    expect((await corrections()).map((c) => [c.month, c.day, c.teamId === null ? null : c.amount])).toEqual([
      ['2026-10', '2026-11-04', -fromUsd('17.5')],
      ['2026-10', '2026-11-04', fromUsd('17.5')],
    ]);
    const claims = await novemberLine('claims');
    expect(claims?.adjustmentLines).toEqual([{ label: 'correction of 2026-10 (closed): unobserved (OpenAI bill)', amount: -fromUsd('17.5'), reference: null }]);
    expect([...(claims?.hiddenByCategory.keys() ?? [])]).toEqual([]);
    const november = await read('chargeback 2026-11');
    expect(november).toContain('correction of 2026-10 (closed): unobserved (OpenAI bill)');
    expect(await read('team support 2026-11')).toContain('unobserved (OpenAI bill), correction of 2026-10 $17.50');
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && JSON.stringify(c.args).includes('Correction of 2026-10'));
    const text = blocksText(post.args.blocks);
    expect(text).toContain('openai project proj_support mapped to support');
    expect(text).toContain('claims: -$17.50 unobserved (OpenAI bill), correction of 2026-10');
    expect(text).toContain('support: +$17.50 unobserved (OpenAI bill), correction of 2026-10');
    // The same mapping again books nothing more.
    expect((await h.command('admin map openai project proj_support support', { userId: FINANCE })).status).toBe(200);
    expect(await corrections()).toHaveLength(2);
  });

  it('a re-read bill of October in the window asked for changes nothing October reads; its difference is booked once', async () => {
    openai.costs[0]!.amount = fromUsd('120');
    const window = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-10T00:00:00Z'), source: 'openai' };
    expect((await h.running.runtime.sync.run(NOW, window)).every((r) => r.ok)).toBe(true);
    await expectOctoberUnchanged();
    const booked = await corrections();
    expect(booked).toHaveLength(3);
    expect(booked[2]).toMatchObject({
      month: '2026-10',
      day: '2026-11-04',
      amount: fromUsd('20'),
      note: expect.stringMatching(/^the OpenAI bill, read again on 2026-11-04/),
    });
    // Stored as the provider now bills it.
    expect((await h.db.db.prisma.billedCost.findFirstOrThrow({ where: { day: '2026-10-05' } })).amount).toBe(fromUsd('120'));
    // Read again: nothing more is booked.
    expect((await h.running.runtime.sync.run(NOW, window)).every((r) => r.ok)).toBe(true);
    expect(await corrections()).toHaveLength(3);
    expect((await novemberLine('support'))?.adjustmentLines).toEqual([
      { label: 'correction of 2026-10 (closed): unobserved (OpenAI bill)', amount: fromUsd('37.5'), reference: null },
    ]);
  });

  it('a bucket of October outside the window asked for is kept aside: nothing read or booked changes', async () => {
    const at = Date.parse('2026-10-20T00:00:00Z') / 1000;
    hostile = (b, q) =>
      q.get('page') === null
        ? {
            ...b,
            data: [
              ...b.data,
              { object: 'bucket', start_time: at, end_time: at + 86_400, results: [openAiResult(195_000_000, 'proj_support', 'gpt-4o, input')] },
            ],
          }
        : b;
    const r = await h.running.runtime.sync.run(NOW, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-04T00:00:00Z'), source: 'openai' });
    hostile = null;
    expect(r.find((x) => x.source === 'openai')).toMatchObject({ ok: true, rejected: 1 });
    await expectOctoberUnchanged();
    expect(await corrections()).toHaveLength(3);
    expect(await h.db.db.prisma.billedCost.count({ where: { day: '2026-10-20' } })).toBe(0);
  });

  it('a hidden cost dated in October is refused with the reason, and changes nothing', async () => {
    const r = await h.command('add 500 vector_db once 2026-10-15 claims "Pinecone"', { userId: FINANCE });
    expect(blocksText(r.reply.blocks)).toContain('2026-10 is closed: its numbers do not change');
    await expectOctoberUnchanged();
    expect(await h.db.db.prisma.hiddenCost.count()).toBe(0);
  });

  it('a late source record of October is booked once in November as a correction and changes nothing October reads', async () => {
    helicone.rows.push(heliconeRow({ request_id: 'c2', request_created_at: '2026-10-07T10:00:00Z', cost: 5, properties: { team: 'claims' }, model: 'gpt-4o' }));
    const sync = () => h.running.runtime.sync.run(NOW, { ...OCTOBER, source: 'helicone' });
    expect((await sync()).every((r) => r.ok)).toBe(true);
    expect((await sync()).every((r) => r.ok)).toBe(true);
    await expectOctoberUnchanged();
    const claims = await novemberLine('claims');
    expect(claims?.adjustmentLines).toContainEqual({ label: 'correction: 1 late helicone record of a closed month', amount: fromUsd('5'), reference: null });
    expect(claims?.adjustmentLines).toHaveLength(2);
  });

  it('closing November keeps what was booked in it, and reopening October reads it from the bill again', async () => {
    expect((await h.services.chargeback.transition('2026-10', 'reopen', FINANCE, NOW)).ok).toBe(true);
    expect(await read('team support 2026-10')).not.toBe(closed.get('team support 2026-10'));
    // While October is open it carries the mapping and the re-read bill itself: November does not count them again.
    expect((await novemberLine('support'))?.adjustmentLines ?? []).toEqual([]);
    // Closing it again: October now carries the mapping and the re-read bill, so what was booked for it is reversed in November.
    expect((await h.services.chargeback.transition('2026-10', 'close', FINANCE, NOW)).ok).toBe(true);
    const support = await novemberLine('support');
    expect(support?.adjustmentLines.map((a) => a.amount).reduce((a, b) => a + b, 0n)).toBe(0n);
    expect(await h.db.db.prisma.unobservedBook.count({ where: { kind: 'correction' } })).toBe(5);
  });

  it('two bookings at once (a sync while finance maps) book the difference once', async () => {
    const before = (await corrections()).length;
    for (const q of READS) closed.set(q, await read(q)); // October as it closed again
    // The state changes under both: proj_support now maps to claims (written as the repository does, unbooked).
    await h.services.billing.setMapping(
      { provider: 'openai', scopeType: 'project', scopeId: 'proj_support', teamId: (await h.services.teams.bySlug('claims'))!.id },
      FINANCE,
    );
    await Promise.all([
      h.services.reconcile.bookCorrections(NOW, 'a mapping', FINANCE),
      h.services.reconcile.bookCorrections(NOW, 'the OpenAI bill, read again', null),
    ]);
    const after = await corrections();
    expect(after).toHaveLength(before + 2);
    // claims takes support's: $120 billed − $40 observed... all of October's unobserved, moved from support to claims.
    expect(after.slice(before).reduce((a, c) => a + c.amount, 0n)).toBe(0n);
    expect(await h.services.reconcile.bookCorrections(NOW, 'again', null)).toEqual([]);
    await expectOctoberUnchanged();
  });
});

describe.each(testProviders())('a closed month and an Anthropic workspace mapping on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let anthropic: BillingStandIn<AnthropicCost>;

  beforeAll(async () => {
    helicone = await startHeliconeStandIn({
      rows: [
        heliconeRow({
          request_id: 'w1',
          request_created_at: '2026-10-05T10:00:00Z',
          cost: 10,
          properties: { team: 'writer' },
          model: 'claude-sonnet-4',
          provider: 'ANTHROPIC',
        }),
        heliconeRow({
          request_id: 'r1',
          request_created_at: '2026-10-05T11:00:00Z',
          cost: 30,
          properties: { team: 'research' },
          model: 'claude-sonnet-4',
          provider: 'ANTHROPIC',
        }),
      ],
    });
    // wrkspc_research billed $100 (in cents, as the cost report writes it): $60 unobserved, split writer $15, research $45.
    anthropic = await startAnthropicCostStandIn({
      costs: [{ day: '2026-10-05', workspace_id: 'wrkspc_research', description: 'Claude Sonnet 4 Usage - Input Tokens', amount: '10000' }],
    });
    h = await startHarness(
      provider,
      {
        REPORT_TIMEZONE: 'UTC',
        SCHEDULER_ENABLED: 'false',
        HELICONE_API_KEY: helicone.apiKey,
        HELICONE_BASE_URL: helicone.url,
        ANTHROPIC_ADMIN_KEY: anthropic.adminKey,
        ANTHROPIC_BASE_URL: anthropic.url,
      },
      () => NOW,
    );
    expect((await h.running.runtime.sync.run(NOW, OCTOBER)).every((r) => r.ok)).toBe(true);
    expect(await h.services.chargeback.transition('2026-10', 'close', FINANCE, NOW)).toMatchObject({ ok: true });
  }, 120_000);
  afterAll(async () => {
    await helicone?.close();
    await anthropic?.close();
    await h?.stop();
  });

  it('mapping a workspace changes nothing October reads and books the move as a correction of 2026-10', async () => {
    const team = async () => blocksText((await h.command('team writer 2026-10', { userId: FINANCE })).reply.blocks);
    const before = await team();
    expect(before).toContain('unobserved (Anthropic bill) $15.00');
    const r = await h.command('admin map anthropic workspace wrkspc_research research', { userId: FINANCE });
    expect(blocksText(r.reply.blocks)).toContain('booked in 2026-11 as a correction of 2026-10');
    expect(await team()).toBe(before);
    const booked = await h.db.db.prisma.unobservedBook.findMany({ where: { kind: 'correction' }, orderBy: { id: 'asc' } });
    expect(booked.map((b) => [b.provider, b.amount])).toEqual([
      ['anthropic', -fromUsd('17.5')],
      ['anthropic', fromUsd('17.5')],
    ]);
    const writer = (await h.services.chargeback.build('2026-11')).lines.find((l) => l.slug === 'writer');
    expect(writer?.adjustmentLines).toEqual([
      { label: 'correction of 2026-10 (closed): unobserved (Anthropic bill)', amount: -fromUsd('17.5'), reference: null },
    ]);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && JSON.stringify(c.args).includes('Correction of 2026-10'));
    expect(blocksText(post.args.blocks)).toContain('writer: -$17.50 unobserved (Anthropic bill), correction of 2026-10');
  });
});
