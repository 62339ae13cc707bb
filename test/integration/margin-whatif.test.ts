import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProvider } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import { add, formatMoney, fromUsd, nanos, roundToCents, type Money } from '../../src/domain/money.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import type { NormalizedCost } from '../../src/services/ports/source.ts';
import { heliconeCall } from '../support/cost-records.ts';
import { testProviders } from '../support/database.ts';
import { tooWide } from '../support/widths.ts';
import { recordSlack } from '../support/recording.ts';
import { SIGNING_SECRET, blocksText, startHarness, type Harness, type ResponseUrlPost } from '../support/app-harness.ts';
import { eventCallbackEnvelope, newSlackTs } from '../support/slack-payloads.ts';
import { postSigned } from '../support/slack-signer.ts';

const FINANCE = 'U0FINANCE';
const LEAD = 'U0PAYLEAD';

/** A table the reply shows (a table block, or a code block), as rows of cells (header first, the dashes line dropped). */
function table(reply: ResponseUrlPost, caption: string): string[][] {
  const blocks = reply.blocks ?? [];
  const at = blocks.findIndex((b) => JSON.stringify(b).includes(`*${caption}*`));
  if (at < 0) throw new Error(`no table "${caption}" in ${blocksText(reply.blocks)}`);
  const next = blocks[at + 1] as { type: string; rows?: { text: string }[][] } | undefined;
  // A wide table is a table block after its caption (issue 21.7: no monospace wrapping at a laptop's width).
  if (next?.type === 'table') return next.rows!.map((r) => r.map((c) => c.text));
  const body = (blocks[at] as unknown as { text: { text: string } }).text.text.split('```')[1]!;
  return body
    .split('\n')
    .filter((l) => l.trim() && !/^-+(\s+-+)*$/.test(l.trim()))
    .map((l) => l.trim().split(/\s{2,}/));
}
/** "$1,000.50" / "-$50.02" → Money; "-" → null. */
const money = (cell: string): Money | null => (cell === '-' ? null : fromUsd(cell.replace(/[$,]/g, '')));
const summary = (reply: ResponseUrlPost) => blocksText(reply.blocks);

let seq = 0;
const call = (
  at: string,
  team: string,
  feature: string,
  customer: string | null,
  amount: string,
  extra: Omit<Partial<NormalizedCost>, 'occurredAt' | 'amount'> = {},
): NormalizedCost => heliconeCall({ sourceId: `m${++seq}`, at, team, feature, customer, amount, ...extra });

describe.each(testProviders())('revenue, margin and what-if over signed HTTP on %s', (provider) => {
  let h: Harness;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false', SAVING_CANDIDATE_MIN: '1' }, () => new Date('2026-11-05T10:00:00Z'));
    dir = mkdtempSync(join(tmpdir(), 'aicost-revenue-'));
    env = { DATABASE_URL: h.db.url, REPORT_TIMEZONE: 'UTC', FINANCE_USER_IDS: FINANCE };
    // Synced costs, written through the store the sync uses (teams and features created on first sight).
    const store = costStore(h.db.db, { timeZone: 'UTC' });
    await store.upsertCosts([
      call('2026-09-03T10:00:00Z', 'payments', 'checkout', 'acme', '100'),
      call('2026-09-04T10:00:00Z', 'payments', 'checkout', 'globex', '200'),
      call('2026-09-05T10:00:00Z', 'payments', 'checkout', null, '100'),
      call('2026-10-03T10:00:00Z', 'payments', 'checkout', 'acme', '50.005'),
      call('2026-10-04T10:00:00Z', 'payments', 'checkout', 'globex', '0.0033'),
      call('2026-10-06T10:00:00Z', 'support', 'triage', 'acme', '40.25', { model: 'claude-3-5-sonnet', provider: 'anthropic' }),
      call('2026-10-07T10:00:00Z', 'support', 'triage', 'initech', '12.3456789'),
      // What-if calls: o3 changed its price on 2025-06-10 in the table.
      call('2025-06-05T12:00:00Z', 'support', 'summarize', null, '2', { inputTokens: 100_000, cacheReadTokens: 20_000, outputTokens: 10_000 }),
      call('2025-06-20T12:00:00Z', 'support', 'summarize', null, '1', { inputTokens: 50_000, cacheReadTokens: 20_000, outputTokens: 5_000 }),
    ]);
    store.close();
    const pay = (await h.services.teams.bySlug('payments'))!;
    await h.services.teams.upsert({ ...pay, leadUserIds: [LEAD] });
    // A hidden cost of payments: $300 a month, shared by its customers in proportion to their API spend.
    expect(summary((await h.command('add 300 vector_db monthly 2026-09 payments "Pinecone"', { userId: FINANCE })).reply)).toContain('Added');
    expect(summary((await h.command('admin customer alias acme-corp acme', { userId: FINANCE })).reply)).toContain('acme-corp now counts as acme');
  });
  afterAll(async () => h?.stop());

  it('refuses a file with a bad row, naming the row, and stores nothing', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'customer,month,revenue,plan\nacme,2026-09,1000,pro\nglobex,2026-9,150,pro\numbrella,2026-10,12.345,starter\n');
    const r = await cli(['import', 'revenue', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was stored');
    expect(r.stderr).toContain('Row 3: month must be YYYY-MM');
    expect(r.stderr).toContain('Row 4: revenue "12.345" is not an amount');
    expect(await h.db.db.prisma.revenue.count()).toBe(0);
    expect(await h.db.db.prisma.auditLog.count({ where: { action: 'revenue.import' } })).toBe(0);
  });

  it('imports two months with npx aicost import revenue, resolving aliases, audited', async () => {
    const file = join(dir, 'revenue.csv');
    writeFileSync(
      file,
      [
        'Customer,Month,Revenue,Plan',
        'acme,2026-09,1000.00,pro',
        'acme-corp,2026-10,"1,000.50",enterprise',
        'globex,2026-09,150,pro',
        'globex,2026-10,$150,pro',
        'umbrella,2026-10,500,starter',
        'wayne,2026-10,99,',
      ].join('\r\n'),
    );
    const r = await cli(['import', 'revenue', file], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 rows stored for 2 months');
    expect(await h.db.db.prisma.revenue.findFirst({ where: { month: '2026-10', customer: 'acme' } })).toMatchObject({
      amount: fromUsd('1000.50'),
      plan: 'enterprise',
    });
    expect(await h.db.db.prisma.auditLog.count({ where: { action: 'revenue.import', actor: { startsWith: 'cli:' } } })).toBe(1);
  });

  it('re-importing a month replaces that month only', async () => {
    const again = await h.services.revenue.importCsv(
      'customer,month,revenue\nwayne,2026-10,99\nacme,2026-10,1000.50\nglobex,2026-10,150\numbrella,2026-10,500\n',
      { actor: FINANCE, source: 'test', now: new Date('2026-11-05T10:00:00Z'), slackUser: true },
    );
    expect(again.ok && again.months).toEqual([{ month: '2026-10', rows: 4, total: fromUsd('1749.50'), replacedRows: 4, replacedTotal: fromUsd('1749.50') }]);
    expect(await h.db.db.prisma.revenue.count({ where: { month: '2026-09' } })).toBe(2);
    // Plans come back from the first import for the next test.
    const restore = await h.services.revenue.importCsv(
      'customer,month,revenue,plan\nacme,2026-10,1000.50,enterprise\nglobex,2026-10,150,pro\numbrella,2026-10,500,starter\nwayne,2026-10,99,\n',
      { actor: FINANCE, source: 'test', now: new Date('2026-11-05T10:00:00Z'), slackUser: true },
    );
    expect(restore.ok).toBe(true);
    const notFinance = await h.services.revenue.importCsv('customer,month,revenue\nacme,2026-10,1\n', {
      actor: LEAD,
      source: 'test',
      now: new Date(),
      slackUser: true,
    });
    expect(notFinance).toEqual({ ok: false, refused: 'not-finance' });
  });

  it('imports a revenue CSV shared in the finance channel (files.info, url_private with the bot token), answering in its thread; finance only', async () => {
    const share = async (user: string, content: string) => {
      const file = h.slack.shareFile({ name: 'revenue-august.csv', content, user, channel: 'C0FINANCE' });
      const ts = newSlackTs();
      const event = {
        type: 'message',
        subtype: 'file_share',
        channel: 'C0FINANCE',
        channel_type: 'channel',
        user,
        ts,
        event_ts: ts,
        text: '',
        files: [{ id: file, name: 'revenue-august.csv', filetype: 'csv' }],
      };
      const res = await postSigned(h.events, JSON.stringify(eventCallbackEnvelope(event)), { secret: SIGNING_SECRET, contentType: 'application/json' });
      expect(res.status).toBe(200);
      return h.slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === ts);
    };
    const refused = await share(LEAD, 'customer,month,revenue\nacme,2026-08,10\n');
    expect(String(refused.args.text)).toContain('Revenue not imported');
    expect(JSON.stringify(refused.args.blocks)).toContain('Only finance can import revenue');
    expect(await h.db.db.prisma.revenue.count({ where: { month: '2026-08' } })).toBe(0);
    const bad = await share(FINANCE, 'customer,month,revenue\nacme,2026-08,10\nglobex,2026-08,ten\n');
    expect(JSON.stringify(bad.args.blocks)).toContain('Row 3: revenue');
    expect(await h.db.db.prisma.revenue.count({ where: { month: '2026-08' } })).toBe(0);
    const ok = await share(FINANCE, 'customer,month,revenue,plan\nacme,2026-08,10,pro\nglobex,2026-08,20.50,pro\n');
    expect(String(ok.args.text)).toContain('Revenue imported');
    expect(JSON.stringify(ok.args.blocks)).toContain('2026-08: 2 customers, $30.50');
    expect(await h.db.db.prisma.revenue.count({ where: { month: '2026-08' } })).toBe(2);
    const downloads = h.slack.callsTo('GET url_private');
    expect(downloads.length).toBe(3);
    expect(downloads.every((d) => d.authed)).toBe(true);
  });

  it('/aicost margin: figures foot per customer and per plan, losses first, cost without revenue its own group, revenue without cost listed', async () => {
    const { reply } = await h.command('margin 2026-09..2026-10', { userId: FINANCE });
    recordSlack(h.slack, `margin-${provider}`);
    const text = summary(reply);
    const rows = table(reply, 'By customer (losses first)');
    expect(reply.blocks?.some((b) => b.type === 'table')).toBe(true);
    // What stays monospace fits a laptop's Slack width (60 characters).
    const mono = (reply.blocks ?? []).flatMap((b) => ((b as { text?: { text?: string } }).text?.text ?? '').split('```').filter((_, i) => i % 2 === 1));
    for (const t of mono) for (const line of t.split('\n')) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(rows[0]).toEqual(['customer', 'plan', 'revenue', 'AI cost', 'margin', 'cost %', 'tier']);
    const body = rows.slice(1);
    const byName = new Map(body.map((r) => [r[0]!, r]));
    expect([...byName.keys()].sort()).toEqual(['acme', 'globex', 'umbrella', 'wayne']);
    // Every displayed margin is displayed revenue minus displayed cost.
    for (const r of body) expect(money(r[4]!)).toBe((money(r[2]!) ?? 0n) - money(r[3]!)!);
    // Losses first: globex (cost 350.02 vs 300 revenue). initech has cost but no revenue imported: its own
    // group, not a loss (it was ranked first among the losses).
    const losses = body.filter((r) => money(r[4]!)! < 0n).map((r) => r[0]);
    expect(body.slice(0, losses.length).map((r) => r[0])).toEqual(losses);
    expect(losses.sort()).toEqual(['globex']);
    expect(text).toContain('Served at a loss: 1 customer (globex).');
    const noRevenue = table(reply, 'Cost with no revenue imported');
    expect(noRevenue.slice(1)).toEqual([['initech', '$12.35', '$12.35', '$0.00']]);
    expect(text).toContain('Cost with no revenue imported: 1 customer (initech), $12.35: not counted as losses.');
    expect(text).toContain('Revenue but no AI cost: umbrella, wayne');
    // Independent of the allocation: customers carry every cost but the no-customer spend and its share of the hidden cost.
    // API with a customer: 100 + 200 + 50.005 + 0.0033 + 40.25 + 12.3456789; hidden 300 (Sep, 3/4 to customers) + 300 (Oct, all).
    const carried =
      fromUsd('100') + fromUsd('200') + fromUsd('50.005') + fromUsd('0.0033') + fromUsd('40.25') + fromUsd('12.3456789') + fromUsd('225') + fromUsd('300');
    const revenue = fromUsd('1000') + fromUsd('1000.50') + fromUsd('150') + fromUsd('150') + fromUsd('500') + fromUsd('99');
    const sumCol = (rs: string[][], i: number) => rs.reduce((s, r) => s + (money(r[i]!) ?? 0n), 0n);
    // Each customer's cost is its own figure, rounded once (decision 21); the total is the sum of the
    // figures shown, within half a cent per row of the exact total.
    const cost = sumCol(body, 3) + sumCol(noRevenue.slice(1), 1);
    const rowCount = BigInt(body.length + noRevenue.length - 1);
    expect(cost - carried <= rowCount * 5_000_000n && carried - cost <= rowCount * 5_000_000n).toBe(true);
    expect(sumCol(body, 2)).toBe(revenue);
    expect(text).toContain(
      `Revenue ${formatMoney(nanos(revenue))} · AI cost to serve ${formatMoney(nanos(cost))} · margin after AI cost ${formatMoney(nanos(revenue - cost))}`,
    );
    expect(text).toContain('AI cost no customer carries (calls without a customer id, internal use): $175.00');
    // globex: own API 200.0033 + Sep hidden 150 + its Oct share of 300 by spend (0.0033 / 50.0083).
    const globexShare = (fromUsd('300') * fromUsd('0.0033')) / fromUsd('50.0083');
    expect(money(byName.get('globex')![3]!)).toBe(roundToCents(nanos(fromUsd('350.0033') + globexShare)));
    // Plans: each plan row is the sum of its customers' rows (the plan shown is the latest month's).
    const plans = table(reply, 'By plan').slice(1);
    expect(plans.map((p) => p[0]).sort()).toEqual(['(no plan)', '(no revenue)', 'enterprise', 'pro', 'starter']);
    for (const p of plans) {
      if (p[0] === '(no revenue)') {
        expect([p[1], p[3], p[4]]).toEqual(['1', '$12.35', '-']);
        continue;
      }
      const members = body.filter((r) => r[1] === p[0]);
      expect(Number(p[1])).toBe(members.length);
      for (const i of [2, 3, 4]) expect(money(p[i]!) ?? 0n).toBe(sumCol(members, i));
    }
    expect(sumCol(plans, 3)).toBe(cost);
    expect(text).toContain('lean: under 3%; disciplined: 3–8%; typical: 8–20%; attribution gaps: 20–40%; out of control: over 40%');
    expect(text).toContain("in proportion to the customer's API spend within that team");
  });

  it('/aicost help lists the new commands; /aicost import says how to import', async () => {
    // Margins, customers, imports and aliases are finance's, so finance's help lists them; everyone's lists the what-if.
    expect(summary((await h.command('help', { userId: LEAD })).reply)).toContain('/aicost whatif &lt;feature&gt; &lt;model|cheapest&gt;');
    const help = summary((await h.command('help', { userId: FINANCE })).reply);
    // Slack mrkdwn: < and > arrive escaped.
    for (const c of [
      '/aicost margin',
      '/aicost customer &lt;id&gt;',
      '/aicost whatif &lt;feature&gt; &lt;model|cheapest&gt;',
      '/aicost import',
      'admin customer alias',
    ])
      expect(help).toContain(c);
    const how = summary((await h.command('import', { userId: FINANCE })).reply);
    expect(how).toContain('Share the revenue CSV in the finance channel');
    expect(how).toContain('npx aicost import revenue FILE.csv');
  });

  it('/aicost margin and customer are finance only', async () => {
    for (const cmd of ['margin', 'customer acme']) {
      const { reply } = await h.command(cmd, { userId: LEAD });
      expect(summary(reply)).toContain('only finance sees them');
      expect(summary(reply)).not.toContain('$');
    }
  });

  it('/aicost customer: cost by feature and model footing to the API figure, a six-month trend, revenue and margin, through an alias', async () => {
    const { reply } = await h.command('customer acme-corp 2026-09..2026-10', { userId: FINANCE });
    const text = summary(reply);
    expect(text).toContain('Customer acme');
    const breakdown = table(reply, 'API cost by feature and model').slice(1);
    expect(breakdown.map((r) => [r[0], r[1]]).sort()).toEqual([
      ['checkout', 'gpt-4o'],
      ['triage', 'claude-3-5-sonnet'],
    ]);
    const api = /API (\$[\d,.]+) \+ hidden and shared/.exec(text)![1]!;
    expect(breakdown.reduce((s, r) => s + money(r[2]!)!, 0n)).toBe(money(api));
    expect(money(api)).toBe(roundToCents(add(fromUsd('150.005'), fromUsd('40.25'))));
    expect(text).toContain(`Revenue ${formatMoney(fromUsd('2000.50'))}`);
    const trend = table(reply, 'Trend').slice(1);
    expect(trend.map((r) => r[0])).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(trend[4]![1]).toBe('$1,000.00');
    expect(trend[4]![2]).toBe('$175.00'); // 100 API + 3/4·300·(100/300)... = 100 + 75
    const unknown = await h.command('customer nobody-at-all', { userId: FINANCE });
    expect(summary(unknown.reply)).toContain('No customer named');
  });

  /** o3's price rows straight from the table's data, priced by hand in nanodollars (no pricing code). */
  function o3Expected(calls: { at: string; input: number; cached: number; output: number }[]): Money {
    const o3 = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === 'o3')!;
    const rows = o3.prices as { constraint?: { start_date: string }; prices: Record<string, number> }[];
    expect(rows.map((r) => r.constraint?.start_date ?? null)).toEqual([null, '2025-06-10']);
    let total = 0n;
    for (const c of calls) {
      const row = [...rows].reverse().find((r) => !r.constraint || c.at >= r.constraint.start_date)!;
      const perToken = (mtok: number) => BigInt(Math.round(mtok * 1000)); // $/Mtok → nanodollars per token
      total +=
        BigInt(c.input - c.cached) * perToken(row.prices.input_mtok!) +
        BigInt(c.cached) * perToken(row.prices.cache_read_mtok!) +
        BigInt(c.output) * perToken(row.prices.output_mtok!);
    }
    return nanos(total);
  }

  it('/aicost top customers counts an alias as its customer, as margin and customer do (it listed acme-corp apart)', async () => {
    // March 2025, a month no other test reads: one call under the alias, one under the customer, one under another.
    const store = costStore(h.db.db, { timeZone: 'UTC' });
    await store.upsertCosts([
      call('2025-03-03T10:00:00Z', 'payments', 'checkout', 'acme-corp', '7.50'),
      call('2025-03-04T10:00:00Z', 'payments', 'checkout', 'acme', '2.50'),
      call('2025-03-05T10:00:00Z', 'payments', 'checkout', 'globex', '6.00'),
      call('2025-02-05T10:00:00Z', 'payments', 'checkout', 'acme-corp', '4.00'),
    ]);
    store.close();
    h.slack.reset();
    const { reply } = await h.command('top customers 2025-03', { userId: FINANCE });
    recordSlack(h.slack, `top-customers-alias-${provider}`);
    const rows = table(reply, 'Top customers by API spend');
    expect(rows[0]!.slice(0, 4)).toEqual(['customer', 'API spend', 'share', 'calls']);
    expect(rows.slice(1).map((r) => (r[0] === 'Total' ? r.slice(0, 3) : r.slice(0, 4)))).toEqual([
      ['acme', '$10.00', '63%', '2'],
      ['globex', '$6.00', '38%', '1'],
      ['Total', '$16.00', '100%'],
    ]);
    // The change is against the same customer's February, also read through the alias.
    expect(rows[1]![4]).toBe('+$6.00 ▲');
  });

  it('/aicost whatif re-prices the same tokens at the table price in force before and after a price change', async () => {
    const before = { at: '2025-06-05', input: 100_000, cached: 20_000, output: 10_000 };
    const after = { at: '2025-06-20', input: 50_000, cached: 20_000, output: 5_000 };
    const cases: [string, (typeof before)[], string][] = [
      ['2025-06-01..2025-06-09', [before], '$2.00'],
      ['2025-06-10..2025-06-30', [after], '$1.00'],
      ['2025-06', [before, after], '$3.00'],
    ];
    for (const [period, calls, actual] of cases) {
      const { reply } = await h.command(`whatif summarize o3 ${period}`, { userId: FINANCE });
      const expected = o3Expected(calls);
      expect(expected % 10_000_000n).toBe(0n); // whole cents, so the displayed figure is the exact one
      // Like with like: o3's list price against gpt-4o's list price of the same tokens; the recorded cost
      // (here far above the list price) is shown beside it, its gap explained (issue 21.3).
      expect(summary(reply)).toContain(`On o3 this feature's tokens would have cost ${formatMoney(expected)} instead of $`);
      expect(summary(reply)).toContain(`The recorded cost ${actual} is`);
      expect(summary(reply)).toContain('says nothing about whether that model would do the job as well');
      const rows = table(reply, 'Per model used').slice(1);
      expect(rows[0]!.slice(0, 5)).toEqual([
        'gpt-4o',
        String(calls.length),
        calls.reduce((s, c) => s + c.input, 0).toLocaleString('en-US'),
        calls.reduce((s, c) => s + c.cached, 0).toLocaleString('en-US'),
        calls.reduce((s, c) => s + c.output, 0).toLocaleString('en-US'),
      ]);
    }
    expect(o3Expected([before])).not.toBe(o3Expected([{ ...before, at: '2025-06-20' }]));
  });

  it("/aicost whatif on the feature's own model reports no change (it said −98.7%: recorded cost against list price)", async () => {
    const { reply } = await h.command('whatif summarize gpt-4o 2025-06', { userId: FINANCE });
    // Said plainly, not "would have cost $X instead of $X (+0.0%)".
    expect(reply.text).toBe(
      'What if · summarize · June 2025: summarize already runs on gpt-4o: at list price its tokens cost $0.48, so there is no change to estimate.',
    );
    expect(summary(reply)).not.toContain('instead of');
    expect(summary(reply)).not.toContain('says nothing about whether that model would do the job');
    expect(summary(reply)).toContain("The recorded cost $3.00 is 6.3× the list price of these tokens: check the source's pricing.");
    // The per-model table (about 80 characters) is a table block, not monospace wrapping at a laptop's width.
    expect(tooWide(reply.blocks)).toEqual([]);
    recordSlack(h.slack, `whatif-own-model-${provider}`);
  });

  it('/aicost whatif names a model with no price instead of pricing it at $0, and finds the cheapest of the family', async () => {
    const unknown = await h.command('whatif summarize no-such-model-9 2025-06', { userId: FINANCE });
    expect(summary(unknown.reply)).toContain('does not know the model no-such-model-9');
    expect(summary(unknown.reply)).not.toContain('would have cost $0');
    const cheapest = await h.command('whatif summarize cheapest 2025-06', { userId: FINANCE });
    const m = /On ([\w.:-]+) \(instead of gpt-4o\) this feature's tokens would have cost (\$[\d,.]+) instead of (\$[\d,.]+) at list price/.exec(
      summary(cheapest.reply),
    );
    expect(m, summary(cheapest.reply)).not.toBeNull();
    expect(m![1]!.startsWith('gpt')).toBe(true);
    expect(money(m![2]!)! < money(m![3]!)!).toBe(true);
    const bad = await h.command('whatif nope-feature o3', { userId: LEAD });
    expect(summary(bad.reply)).toContain('No feature named');
  });

  it('the chargeback draft offers a saving candidate only when the like-with-like saving passes the threshold', async () => {
    const job = h.running.runtime.jobs.find((j) => j.name === 'chargeback')!;
    await runClaimed(job, h.running.runtime.jobDeps, new Date('2025-07-02T09:00:00Z'));
    const post = await h.slack.waitFor('chat.postMessage', (c) => String(c.args.text).startsWith('Chargeback 2025-06'));
    const text = JSON.stringify(post.args.blocks);
    // support's gpt-4o tokens cost $0.48 at list price; a cheaper model saves about $0.46 of that, under the
    // $1 minimum. It was offered as "saves $2.98" from the recorded $3.00 (6.3× the list price).
    expect(text).toContain('Chargeback draft · 2025-06');
    expect(text).not.toMatch(/support: summarize on /);
    expect(text).not.toContain('saves');
  });
});
