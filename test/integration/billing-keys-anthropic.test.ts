import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, tableRows, type Harness } from '../support/app-harness.ts';
import { startBilledHarness } from '../support/billed-harness.ts';
import { startAnthropicCostStandIn, type AnthropicCost, type BillingStandIn } from '../support/billing-stand-ins.ts';
import { heliconeRow, startHeliconeStandIn, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * Issue 22 item 6, the Anthropic half, over the real app: Anthropic's cost report groups cost by
 * workspace and description only, so each token cost is split between the API keys by the messages
 * usage report (grouped by `api_key_id`, as Anthropic's Admin API reference has it; ARCHITECTURE.md,
 * "Anthropic bills per API key"). Finance maps a key to a team with `/aicost admin map anthropic key`, a
 * mapped key's unobserved spend is its team's (before its workspace's mapping), and only what stays
 * unmapped is allocated. Console usage (`api_key_id` null) and a key nobody mapped stay with the workspace.
 */
const NOW = new Date('2026-10-20T09:00:00Z');
const FINANCE = 'U0FINANCE';
const OUT = 'Claude Sonnet 4 Usage - Output Tokens';
const OPUS = 'Claude Opus 4 Usage - Output Tokens';
const ws = { workspace_id: 'wrkspc_shared', model: 'claude-sonnet-4-20250514' } as const;

describe.each(testProviders())('unobserved Anthropic spend per API key on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let anthropic: BillingStandIn<AnthropicCost>;
  const unobserved = async () => {
    const cb = await h.services.chargeback.build('2026-10');
    expect(cb.reconcile().ok).toBe(true);
    return Object.fromEntries(cb.lines.map((l) => [l.slug, l.hiddenByCategory.get('unobserved (Anthropic bill)') ?? 0n]));
  };

  beforeAll(async () => {
    const claude = (id: string, team: string, cost: number) =>
      heliconeRow({ request_id: id, request_created_at: '2026-10-05T10:00:00Z', cost, properties: { team }, model: 'claude-sonnet-4', provider: 'ANTHROPIC' });
    helicone = await startHeliconeStandIn({ rows: [claude('c1', 'chat', 3), claude('w1', 'writer', 1)] });
    anthropic = await startAnthropicCostStandIn({
      costs: [
        // One shared workspace, $15 per million output tokens: the key says who made the calls.
        { day: '2026-10-05', ...ws, description: OUT, api_key_id: 'apikey_chat', tokens: 3_000_000, amount: '4500' },
        { day: '2026-10-05', ...ws, description: OUT, api_key_id: 'apikey_writer', tokens: 1_000_000, amount: '1500' },
        { day: '2026-10-05', ...ws, description: OUT, api_key_id: null, tokens: 200_000, amount: '300' },
        { day: '2026-10-05', ...ws, description: OUT, api_key_id: 'apikey_nobodys', tokens: 400_000, amount: '600' },
        // $5,000,000 in one bill row, ten keys' worth: each share is under the $1M ceiling, the row is not.
        ...Array.from({ length: 10 }, (_, i) => ({
          day: '2026-10-06',
          workspace_id: 'wrkspc_shared',
          model: 'claude-opus-4-20250514',
          description: OPUS,
          api_key_id: `apikey_bulk_${i}`,
          tokens: 1_000_000,
          amount: '50000000',
        })),
      ],
    });
    h = await startBilledHarness(provider, { helicone, anthropic }, NOW, { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-20T00:00:00Z') });
  }, 120_000);
  afterAll(async () => {
    await helicone?.close();
    await anthropic?.close();
    await h?.stop();
  });

  it('reads the bill per key: the usage report by api_key_id splits each cost row, the Console stays on the workspace', async () => {
    const usage = anthropic.requests.filter((r) => r.path === '/v1/organizations/usage_report/messages');
    expect(usage.length).toBeGreaterThan(0);
    expect(usage[0]!.query.getAll('group_by[]')).toContain('api_key_id');
    const rows = await h.db.db.prisma.billedCost.findMany({ where: { provider: 'anthropic' }, orderBy: [{ day: 'asc' }, { apiKey: 'asc' }] });
    expect(rows.map((r) => [r.day, r.scope, r.apiKey, r.lineItem, r.amount])).toEqual([
      ['2026-10-05', 'wrkspc_shared', '', OUT, fromUsd('3')],
      ['2026-10-05', 'wrkspc_shared', 'apikey_chat', OUT, fromUsd('45')],
      ['2026-10-05', 'wrkspc_shared', 'apikey_nobodys', OUT, fromUsd('6')],
      ['2026-10-05', 'wrkspc_shared', 'apikey_writer', OUT, fromUsd('15')],
    ]);
  });

  it('a $5M bill row split ten ways is judged as the $5M row: every share is kept aside, and /aicost sync says so', async () => {
    const kept = await h.db.db.prisma.rejectedRecord.findMany({ where: { source: 'anthropic' }, orderBy: { sourceId: 'asc' } });
    expect(kept).toHaveLength(10);
    expect(kept[0]!.sourceId).toBe(`2026-10-06 wrkspc_shared key apikey_bulk_0 ${OPUS}`);
    expect(kept.every((k) => /\$5,000,000\.00 is above the plausibility ceiling .* \(this key's share: \$500,000\.00\)/.test(k.reason))).toBe(true);
    const text = blocksText((await h.command('sync')).reply.blocks);
    expect(text).toContain('10 bill row(s) from the providers were kept aside as untrustworthy');
  });

  it('unmapped, the gap of 65 is allocated by observed Anthropic spend (3 : 1)', async () => {
    expect(await unobserved()).toEqual({ chat: fromUsd('48.75'), writer: fromUsd('16.25') });
  });

  it("a mapped key's gap is its team's, even when its workspace is mapped to another team; only the rest is allocated", async () => {
    // A mapping not understood answers with the usage, which names the key mapping for both providers.
    expect(blocksText((await h.command('admin map anthropic', { userId: FINANCE })).reply.blocks)).toContain(
      '/aicost admin map anthropic key apikey_01abc search',
    );
    const refused = await h.command('admin map anthropic key apikey_chat chat', { userId: 'U0SOMEONE' });
    expect(blocksText(refused.reply.blocks)).toContain('Only finance');
    const bad = await h.command('admin map anthropic project apikey_chat chat', { userId: FINANCE });
    expect(blocksText(bad.reply.blocks)).toContain('anthropic bills are read per workspace or key');
    const badId = await h.command('admin map anthropic key apikey/chat chat', { userId: FINANCE });
    expect(blocksText(badId.reply.blocks)).toMatch(/apikey\/chat.{0,4} is not an API key id/);
    expect(blocksText((await h.command('admin map anthropic workspace wrkspc_shared writer', { userId: FINANCE })).reply.blocks)).toContain(
      'now belongs to writer',
    );
    const ok = await h.command('admin map anthropic key apikey_chat chat', { userId: FINANCE });
    expect(blocksText(ok.reply.blocks)).toContain(
      "anthropic API key apikey_chat now belongs to chat: its unobserved spend is chat's from now on (also for open past months), before its workspace's mapping.",
    );
    // apikey_chat: 45 − chat's 3 observed = 42, chat's. The workspace (writer's 15, the Console's 3, the unmapped key's 6) is writer's: 24 − 1 = 23.
    expect(await unobserved()).toEqual({ chat: fromUsd('42'), writer: fromUsd('23') });
    // Reconcile's "by mapped team" table (a table block): provider, team, projects/workspaces, billed, observed, unobserved, coverage.
    const rows = tableRows((await h.command('reconcile 2026-10')).reply.blocks);
    expect(rows.find((r) => r[1] === 'chat')?.slice(2, 6)).toEqual(['key apikey_chat', '$45.00', '$3.00', '$42.00']);
    expect(rows.find((r) => r[1] === 'writer')?.slice(2, 6)).toEqual(['wrkspc_shared', '$24.00', '$1.00', '$23.00']);
    // The team view over Slack carries the same line as the chargeback.
    expect(blocksText((await h.command('team chat')).reply.blocks)).toContain('+ unobserved (Anthropic bill) $42.00');
    expect(blocksText((await h.command('team writer')).reply.blocks)).toContain('+ unobserved (Anthropic bill) $23.00');
    const mappings = await h.db.db.prisma.billingMapping.findMany({ orderBy: { scopeId: 'asc' } });
    expect(mappings.map((m) => [m.provider, m.scopeType, m.scopeId])).toEqual([
      ['anthropic', 'api_key', 'apikey_chat'],
      ['anthropic', 'workspace', 'wrkspc_shared'],
    ]);
    const audit = await h.db.db.prisma.auditLog.findMany({ where: { action: 'billing.map' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actor, a.entityId])).toEqual([
      [FINANCE, 'anthropic:wrkspc_shared'],
      [FINANCE, 'anthropic:apikey_chat'],
    ]);
  });
});
