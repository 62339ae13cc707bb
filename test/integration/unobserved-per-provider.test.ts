import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detailCsv } from '../../src/domain/csv-export.ts';
import { fromUsd, sum } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, type Harness } from '../support/app-harness.ts';
import { startBilledHarness } from '../support/billed-harness.ts';
import { startAnthropicCostStandIn, startOpenAiCostsStandIn, type AnthropicCost, type BillingStandIn, type OpenAiCost } from '../support/billing-stand-ins.ts';
import { heliconeRow, startHeliconeStandIn, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * Issue 21 item 4, over the real app: a team that only calls OpenAI carries none of Anthropic's
 * unobserved spend (and the other way round), and every view names it "unobserved (OpenAI bill)",
 * never "hidden".
 */
const NOW = new Date('2026-10-20T09:00:00Z');
const FINANCE = 'U0FINANCE';

describe.each(testProviders())('unobserved spend per provider on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let openai: BillingStandIn<OpenAiCost>;
  let anthropic: BillingStandIn<AnthropicCost>;

  beforeAll(async () => {
    helicone = await startHeliconeStandIn({
      rows: [
        // chat calls only OpenAI, writer only Anthropic; writer spends more, so a pool by direct spend would give it most of OpenAI's gap.
        heliconeRow({ request_id: 'c1', request_created_at: '2026-10-05T10:00:00Z', cost: 10, properties: { team: 'chat' }, model: 'gpt-4o' }),
        heliconeRow({
          request_id: 'w1',
          request_created_at: '2026-10-05T11:00:00Z',
          cost: 30,
          properties: { team: 'writer' },
          model: 'claude-sonnet-4',
          provider: 'ANTHROPIC',
        }),
      ],
    });
    openai = await startOpenAiCostsStandIn({ costs: [{ day: '2026-10-05', project_id: 'proj_x', line_item: 'gpt-4o, input', amount: fromUsd('25') }] });
    anthropic = await startAnthropicCostStandIn({
      costs: [{ day: '2026-10-05', workspace_id: 'wrkspc_x', description: 'Claude Sonnet 4 Usage - Input Tokens', amount: '3800' }],
    });
    h = await startBilledHarness(provider, { helicone, openai, anthropic }, NOW, {
      from: new Date('2026-10-01T00:00:00Z'),
      to: new Date('2026-10-20T00:00:00Z'),
    });
  }, 120_000);
  afterAll(async () => {
    await helicone?.close();
    await openai?.close();
    await anthropic?.close();
    await h?.stop();
  });

  it("allocates each provider's unobserved spend only to the teams that call that provider", async () => {
    const cb = await h.services.chargeback.build('2026-10');
    expect(cb.reconcile().ok).toBe(true);
    const chat = cb.lines.find((l) => l.slug === 'chat')!;
    const writer = cb.lines.find((l) => l.slug === 'writer')!;
    // OpenAI billed 25, observed 10: 15 unobserved, all chat's. Anthropic billed 38, observed 30: 8, all writer's.
    expect(Object.fromEntries(chat.hiddenByCategory)).toEqual({ 'unobserved (OpenAI bill)': fromUsd('15') });
    expect(Object.fromEntries(writer.hiddenByCategory)).toEqual({ 'unobserved (Anthropic bill)': fromUsd('8') });
    expect(sum([chat.total, writer.total])).toBe(fromUsd('63'));
  });

  it('names it "unobserved (OpenAI bill)" in the team view, the budget and the chargeback export, never "hidden"', async () => {
    const team = blocksText((await h.command('team chat')).reply.blocks);
    expect(team).toContain('+ unobserved (OpenAI bill) $15.00');
    expect(team).not.toMatch(/hidden \$15\.00/);
    expect((await h.command('budget set chat 100', { userId: FINANCE })).status).toBe(200);
    const budget = blocksText((await h.command('budget')).reply.blocks);
    expect(budget).toMatch(/team +API spend +hidden +unobserved \(Anthropic bill\) +unobserved \(OpenAI bill\) +shared +true cost/);
    expect(budget).toMatch(/chat +\$10\.00 +\$0\.00 +\$0\.00 +\$15\.00 +\$0\.00 +\$25\.00/);
    // The budget post names it too: chat at $25 of a $20 budget posts to finance (chat has no channel).
    expect((await h.command('budget set chat 20', { userId: FINANCE })).status).toBe(200);
    await h.services.budgets.check(NOW);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && JSON.stringify(c.args).includes('chat'));
    expect(JSON.stringify(post.args)).toContain('API spend $10.00 + hidden $0.00 + unobserved (OpenAI bill) $15.00 + allocated shared $0.00');
    const csv = detailCsv(await h.services.chargeback.build('2026-10'));
    expect(csv).toMatch(/chat.*unobserved \(OpenAI bill\).*15\.00/);
    expect(csv).toMatch(/writer.*unobserved \(Anthropic bill\).*8\.00/);
    expect(csv).not.toMatch(/chat.*Anthropic/);
  });
});
