import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { allocate, formatMoney, fromUsd, sub, sum, ZERO, type Money } from '../../src/domain/money.ts';
import { parse } from 'csv-parse/sync';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { tooWide } from '../support/widths.ts';
import { recordSlack } from '../support/recording.ts';
import { blocksText, startHarness, type Harness } from '../support/app-harness.ts';
import { startOpenAiCostsStandIn, type BillingStandIn, type OpenAiCost } from '../support/billing-stand-ins.ts';
import { heliconeRow, startHeliconeStandIn, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * "Done when" of issue 14, over the stand-ins and the real app: a month where OpenAI bills $X and
 * Helicone observed $Y shows unobserved $X − $Y exactly in /aicost reconcile, in the iceberg and in the
 * chargeback, and the chargeback still reconciles (and its total is what was billed).
 */

const billed: OpenAiCost[] = [
  { day: '2026-10-03', project_id: 'proj_abc', line_item: 'gpt-4o, input', amount: fromUsd('41.5') },
  { day: '2026-10-03', project_id: 'proj_abc', line_item: 'gpt-4o, output', amount: fromUsd('8.5') },
  { day: '2026-10-10', project_id: 'proj_abc', line_item: 'gpt-4o, input', amount: fromUsd('30') },
  { day: '2026-10-10', project_id: 'proj_other', line_item: 'batch, gpt-4o', amount: fromUsd('20.5') },
  { day: '2026-10-15', project_id: null, line_item: 'credit', amount: fromUsd('-1.25') },
  { day: '2026-10-20', project_id: 'proj_other', line_item: 'gpt-4o, input', amount: fromUsd('0') },
];
const X = sum(billed.map((b) => b.amount));

describe.each(testProviders())('reconciliation with the OpenAI bill, end to end, on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let openai: BillingStandIn<OpenAiCost>;
  let env: Record<string, string>;
  let Y: Money;

  beforeAll(async () => {
    const row = (id: string, at: string, team: string, cost: number) => heliconeRow({ request_id: id, request_created_at: at, cost, properties: { team } });
    helicone = await startHeliconeStandIn({
      rows: [
        row('r1', '2026-10-03T10:00:00Z', 'support', 12.34),
        row('r2', '2026-10-03T23:59:59Z', 'support', 0.66),
        row('r3', '2026-10-10T08:00:00Z', 'search', 5),
        row('r4', '2026-10-10T09:00:00Z', 'support', 25),
        row('r5', '2026-10-15T09:00:00Z', 'search', 2.5),
      ],
    });
    Y = sum(helicone.rows.map((r) => fromUsd(r.cost ?? 0)));
    openai = await startOpenAiCostsStandIn({ costs: billed });
    const sources = {
      REPORT_TIMEZONE: 'UTC',
      HELICONE_API_KEY: helicone.apiKey,
      HELICONE_BASE_URL: helicone.url,
      OPENAI_ADMIN_KEY: openai.adminKey,
      OPENAI_BASE_URL: openai.url,
    };
    // Team figures are asked by a user who is no team's member: open visibility (who sees what is tested elsewhere).
    h = await startHarness(provider, { ...sources, SCHEDULER_ENABLED: 'false', VISIBILITY: 'open' });
    env = { ...sources, DATABASE_URL: h.db.url };
  }, 120_000);
  afterAll(async () => {
    await helicone?.close();
    await openai?.close();
    await h?.stop();
  });

  it('syncs both, and a second read of the bill replaces it instead of adding', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await cli(['sync', '--from', '2026-10-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], env);
      expect(r.stdout + r.stderr).not.toContain('FAILED');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('openai: 31 billing days read');
    }
    const stored = await h.db.db.prisma.billedCost.aggregate({ _sum: { amount: true }, _count: true });
    expect(stored._sum.amount).toBe(X);
    expect(stored._count).toBe(billed.length);
    expect(openai.requests.every((r) => r.authorized)).toBe(true);
  }, 60_000);

  it('finance maps a project; others cannot', async () => {
    const refused = await h.command('admin map openai project proj_abc support', { userId: 'U0SOMEONE' });
    expect(blocksText(refused.reply.blocks)).toContain('Only finance');
    const wrongKind = await h.command('admin map openai workspace proj_abc support', { userId: 'U0FINANCE' });
    expect(blocksText(wrongKind.reply.blocks)).toContain('openai bills are read per project');
    const bad = await h.command('admin map openai project proj_abc nosuchteam', { userId: 'U0FINANCE' });
    expect(blocksText(bad.reply.blocks)).toContain('There is no team \\"nosuchteam');
    const ok = await h.command('admin map openai project proj_abc support', { userId: 'U0FINANCE' });
    expect(blocksText(ok.reply.blocks)).toContain('proj_abc now belongs to support');
  });

  it('/aicost reconcile shows billed $X, observed $Y and unobserved $X − $Y, per provider and team', async () => {
    const { reply } = await h.command('reconcile 2026-10');
    recordSlack(h.slack, `reconcile-${provider}`);
    // Issue 21.7: no monospace line wraps at a laptop's width (the table was about 100 characters).
    expect(tooWide(reply.blocks)).toEqual([]);
    const text = blocksText(reply.blocks);
    expect(text).toContain(`openai: billed ${formatMoney(X)}, observed ${formatMoney(Y)}, unobserved ${formatMoney(sub(X, Y))}`);
    // support: proj_abc billed 80, observed 12.34 + 0.66 + 25 = 38 → 42 unobserved
    const rows = (reply.blocks ?? []).flatMap((b) => (b.type === 'table' ? (b.rows as { text: string }[][]).map((r) => r.map((c) => c.text)) : []));
    expect(rows.find((r) => r[1] === 'support')).toEqual(['openai', 'support', 'proj_abc', '$80.00', '$38.00', '$42.00', '47.5%']);
    const team = blocksText((await h.command('team support 2026-10')).reply.blocks);
    expect(team).toContain('+ unobserved (OpenAI bill) $');
    const cliOut = await cli(['reconcile', '--month', '2026-10'], env);
    expect(cliOut.stdout).toContain(`unobserved ${formatMoney(sub(X, Y))}`);
  });

  it('the iceberg and the chargeback carry the unobserved spend exactly, and the chargeback reconciles to the bill', async () => {
    const { reply } = await h.command('iceberg 2026-10');
    const text = blocksText(reply.blocks);
    expect(text).toMatch(new RegExp(`Unobserved \\(OpenAI bill\\)\\s+${formatMoney(sub(X, Y)).replace('$', '\\$')}`));
    expect(text).toContain(`True cost ${formatMoney(X)}: API spend ${formatMoney(Y)}`);

    const cb = await h.services.chargeback.build('2026-10');
    expect(cb.reconcile()).toEqual({ ok: true, difference: 0n });
    const unobserved = sum(cb.lines.map((l) => l.hiddenByCategory.get('unobserved (OpenAI bill)') ?? ZERO)) + cb.unallocated;
    expect(unobserved).toBe(X - Y);
    expect(cb.totals.total).toBe(X); // observed + unobserved = billed, never observed + billed
    const support = cb.lines.find((l) => l.slug === 'support')!;
    const search = cb.lines.find((l) => l.slug === 'search')!;
    // support's own 42 (proj_abc) plus its share by the month's direct spend (38 : 7.5) of each day's
    // shared gap: 10-10 proj_other 20.5 − search's observed 5; 10-15 the 1.25 credit − search's 2.5.
    const weights = [fromUsd('38'), fromUsd('7.5')];
    const [a1, b1] = allocate(fromUsd('15.5'), weights);
    const [a2, b2] = allocate(fromUsd('-3.75'), weights);
    expect(support.hiddenByCategory.get('unobserved (OpenAI bill)')).toBe(fromUsd('42') + a1! + a2!);
    expect(search.hiddenByCategory.get('unobserved (OpenAI bill)')).toBe(b1! + b2!);
    const cliOut = await cli(['chargeback', '--month', '2026-10'], env);
    expect(cliOut.code).toBe(0);
    // The FOCUS export carries the unobserved lines too, and still sums to the bill.
    const focus = await cli(['chargeback', '--month', '2026-10', '--format', 'focus'], env);
    expect(focus.code).toBe(0);
    const rows = parse(focus.stdout, { columns: true }) as Record<string, string>[];
    expect(sum(rows.map((r) => fromUsd(r.BilledCost!)))).toBe(X);
    expect(sum(rows.filter((r) => r.ChargeDescription!.startsWith('API spend billed by the provider')).map((r) => fromUsd(r.BilledCost!)))).toBe(X - Y);
  }, 60_000);

  it("posts to finance once per provider and week when the week's unobserved share is above RECONCILE_ALERT_PCT", async () => {
    const job = h.running.runtime.jobs.find((j) => j.name === 'reconcile-alert')!;
    // Week of 2026-09-28: billed $50 on 10-03, observed $13: 74% unobserved.
    const first = await runClaimed(job, h.running.runtime.jobDeps, new Date('2026-10-05T09:00:00Z'));
    expect(first.summary).toContain('posted openai');
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && String(c.args.text).startsWith('openai: 74.0%'));
    expect(String(post.args.text)).toContain('($37.00 of $50.00 billed)');
    // Another run in the same week (a replica, a re-run with another slot) does not post again.
    const again = await runClaimed(job, h.running.runtime.jobDeps, new Date('2026-10-06T09:00:00Z'));
    expect(again.summary).toContain('posted none');
    expect(h.slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).startsWith('openai:'))).toHaveLength(1);
  });
});
