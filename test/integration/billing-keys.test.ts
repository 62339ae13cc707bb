import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, type Harness } from '../support/app-harness.ts';
import { startBilledHarness } from '../support/billed-harness.ts';
import { startOpenAiCostsStandIn, type BillingStandIn, type OpenAiCost } from '../support/billing-stand-ins.ts';
import { heliconeRow, startHeliconeStandIn, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * Issue 22 item 6, over the real app: OpenAI's costs are read per API key (`group_by=api_key_id`, as
 * the OpenAPI document has it), finance maps a key to a team with `/aicost admin map openai key`, a
 * mapped key's unobserved spend is its team's (before its project's mapping), and only what stays
 * unmapped is allocated.
 */
const NOW = new Date('2026-10-20T09:00:00Z');
const FINANCE = 'U0FINANCE';

describe.each(testProviders())('unobserved spend per API key on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let openai: BillingStandIn<OpenAiCost>;
  const unobserved = async () => {
    const cb = await h.services.chargeback.build('2026-10');
    expect(cb.reconcile().ok).toBe(true);
    return Object.fromEntries(cb.lines.map((l) => [l.slug, l.hiddenByCategory.get('unobserved (OpenAI bill)') ?? 0n]));
  };

  beforeAll(async () => {
    helicone = await startHeliconeStandIn({
      rows: [
        heliconeRow({ request_id: 'c1', request_created_at: '2026-10-05T10:00:00Z', cost: 3, properties: { team: 'chat' }, model: 'gpt-4o' }),
        heliconeRow({ request_id: 'w1', request_created_at: '2026-10-05T11:00:00Z', cost: 1, properties: { team: 'writer' }, model: 'gpt-4o' }),
      ],
    });
    // One shared project, two keys: the key says who made the calls.
    openai = await startOpenAiCostsStandIn({
      costs: [
        { day: '2026-10-05', project_id: 'proj_shared', api_key_id: 'key_chat', line_item: 'gpt-4o, input', amount: fromUsd('20') },
        { day: '2026-10-05', project_id: 'proj_shared', api_key_id: 'key_writer', line_item: 'gpt-4o, input', amount: fromUsd('5') },
      ],
    });
    h = await startBilledHarness(provider, { helicone, openai }, NOW, { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-20T00:00:00Z') });
  }, 120_000);
  afterAll(async () => {
    await helicone?.close();
    await openai?.close();
    await h?.stop();
  });

  it('reads the bill per key, as the document groups it', async () => {
    expect(openai.requests.at(-1)!.query.getAll('group_by')).toContain('api_key_id');
    const rows = await h.db.db.prisma.billedCost.findMany({ orderBy: { apiKey: 'asc' } });
    expect(rows.map((r) => [r.scope, r.apiKey, r.amount])).toEqual([
      ['proj_shared', 'key_chat', fromUsd('20')],
      ['proj_shared', 'key_writer', fromUsd('5')],
    ]);
  });

  it('unmapped, the gap of 21 is allocated by observed OpenAI spend (3 : 1)', async () => {
    expect(await unobserved()).toEqual({ chat: fromUsd('15.75'), writer: fromUsd('5.25') });
  });

  it("a mapped key's gap is its team's, even when its project is mapped to another team; only the rest is allocated", async () => {
    const refused = await h.command('admin map openai key key_chat chat', { userId: 'U0SOMEONE' });
    expect(blocksText(refused.reply.blocks)).toContain('Only finance');
    const bad = await h.command('admin map openai workspace wrkspc_01 chat', { userId: FINANCE });
    expect(blocksText(bad.reply.blocks)).toContain('openai bills are read per project or key');
    expect(blocksText((await h.command('admin map openai project proj_shared writer', { userId: FINANCE })).reply.blocks)).toContain('now belongs to writer');
    const ok = await h.command('admin map openai key key_chat chat', { userId: FINANCE });
    expect(blocksText(ok.reply.blocks)).toContain("openai API key key_chat now belongs to chat: its unobserved spend is chat's from now on");
    // key_chat: 20 − chat's 3 observed = 17, chat's. The project (key_writer's 5) is writer's: 5 − 1 = 4.
    expect(await unobserved()).toEqual({ chat: fromUsd('17'), writer: fromUsd('4') });
    // The group table is a table block (about 90 characters wide, issue 21.7).
    const rows = ((await h.command('reconcile 2026-10')).reply.blocks ?? []).flatMap((b) =>
      b.type === 'table' ? (b.rows as { text: string }[][]).map((r) => r.map((c) => c.text).slice(1, 6)) : [],
    );
    expect(rows).toContainEqual(['chat', 'key key_chat', '$20.00', '$3.00', '$17.00']);
    expect(rows).toContainEqual(['writer', 'proj_shared', '$5.00', '$1.00', '$4.00']);
    const audit = await h.db.db.prisma.billingMapping.findMany({ orderBy: { scopeId: 'asc' } });
    expect(audit.map((m) => [m.scopeType, m.scopeId])).toEqual([
      ['api_key', 'key_chat'],
      ['project', 'proj_shared'],
    ]);
  });
});
