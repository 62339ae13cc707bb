import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import type { KnownBlock } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { sendWithFallback } from '../../src/slack/block-fallback.ts';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { postSigned } from '../support/slack-signer.ts';
import { slashCommandBody } from '../support/slack-payloads.ts';
import { recordSlack } from '../support/recording.ts';

/**
 * What people see foots: in every table of /aicost team, top, iceberg, budget, chargeback and the
 * chargeback draft, the parts add up to the totals shown, across and down, and the chargeback's cells
 * are the detail CSV's and the GL's cells. The data is chosen to round badly: a $1,000 shared cost
 * split three ways by API spend, sub-cent calls, half cents.
 */

const FINANCE = 'U0FINANCE';
const NOW = new Date('2026-11-02T15:00:00Z');
const MONEY = /-?\$[\d,]+\.\d{2}\b/g;
const cents = (s: string) => {
  const n = Math.round(Number(s.replace(/[$,]/g, '')) * 100);
  return s.startsWith('-') ? -Math.abs(n) : n;
};

interface Table {
  caption: string;
  header: string[];
  rows: { label: string; cells: string[]; money: number[] }[];
}

/** The tables of a message: monospace code blocks (columns split on 2+ spaces) and table blocks. */
function tablesOf(blocks: unknown[]): Table[] {
  const out: Table[] = [];
  let caption = '';
  for (const b of blocks as { type: string; text?: { text?: string }; rows?: { text: string }[][] }[]) {
    if (b.type === 'section' && b.text?.text) {
      const t = b.text.text;
      const cap = /^\*([^*]+)\*/.exec(t);
      if (cap) caption = cap[1]!;
      const code = /```([\s\S]*?)```/.exec(t);
      if (code) {
        const lines = code[1]!.split('\n');
        const header = lines[0]!.trim().split(/\s{2,}/);
        const rows = lines.slice(2).map((l) => {
          const cells = l.trim().split(/\s{2,}/);
          return { label: cells[0]!, cells, money: (l.slice(cells[0]!.length).match(MONEY) ?? []).map(cents) };
        });
        out.push({ caption, header, rows });
      }
    }
    if (b.type === 'table' && b.rows) {
      const [head, ...body] = b.rows.map((r) => r.map((c) => c.text));
      out.push({
        caption,
        header: head!,
        rows: body.map((cells) => ({ label: cells[0]!, cells, money: cells.slice(1).flatMap((c) => (c.match(MONEY) ?? []).map(cents)) })),
      });
    }
  }
  return out;
}

/** A "Total" row equals the sum of the rows above it, in every money column. */
function footsDown(t: Table): void {
  const total = t.rows.find((r) => r.label === 'Total' || r.label === 'True cost');
  if (!total) return;
  const parts = t.rows.filter((r) => r !== total);
  total.money.forEach((v, k) =>
    expect(
      parts.reduce((a, r) => a + (r.money[k] ?? 0), 0),
      `${t.caption}: column ${t.header[k + 1]}`,
    ).toBe(v),
  );
}

/** The last money column is the sum of the money columns before it (tables of parts and their total). */
function footsAcross(t: Table): void {
  for (const r of t.rows) {
    const total = r.money.at(-1)!;
    expect(
      r.money.slice(0, -1).reduce((a, b) => a + b, 0),
      `${t.caption}: row ${r.label}`,
    ).toBe(total);
  }
}

describe.each(testProviders())('displayed totals foot and equal the exports, on %s', (provider) => {
  let h: Harness;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false' }, () => NOW);
    const support = await h.services.teams.upsert({
      slug: 'support',
      name: 'Support',
      channelId: 'C0SUPPORT',
      leadUserIds: ['U0SUPLEAD'],
      costCenter: 'CC-210',
    });
    const claims = await h.services.teams.upsert({ slug: 'claims', name: 'Claims', channelId: 'C0CLAIMS', costCenter: 'CC-220' });
    const growth = await h.services.teams.upsert({ slug: 'growth', name: 'Growth', channelId: 'C0GROWTH' });
    const triage = await h.services.teams.upsertFeature({ slug: 'triage', name: 'Triage', teamId: support.id });
    const reply = await h.services.teams.upsertFeature({ slug: 'reply-draft', name: 'Reply draft', teamId: support.id });
    const e = (teamId: number | null, featureId: number | null, day: string, amount: string) => ({
      source: 'helicone',
      sourceId: `p${++seq}`,
      occurredAt: new Date(`${day}T12:00:00Z`),
      teamId,
      featureId,
      amount: fromUsd(amount),
      workItem: `W-${seq % 7}`,
    });
    await costWrites(h.db.db).insertMany([
      e(support.id, triage.id, '2026-10-03', '413.354'),
      e(support.id, reply.id, '2026-10-09', '300.0049'),
      e(support.id, triage.id, '2026-10-21', '0.0042'),
      e(claims.id, null, '2026-10-05', '208.155'),
      e(claims.id, null, '2026-10-30', '91.8451'),
      e(growth.id, null, '2026-10-12', '100.005'),
      e(growth.id, null, '2026-10-01', '55.50'),
      e(null, null, '2026-10-13', '14.2649'),
      e(support.id, triage.id, '2026-11-01', '40.335'),
      e(claims.id, null, '2026-11-02', '20.005'),
    ]);
    for (const text of [
      'add 1000 vector_db monthly 2026-10 shared "Pinecone"',
      'add 4.50 human_review per-item 2026-10 triage "5 min at $54/h"',
      'add 100 observability monthly 2026-10 shared even "Langfuse seat"',
      'budget set support 900 2026-10',
      'budget set support 1200 monthly',
      'budget set claims 400 monthly',
    ])
      expect(JSON.stringify((await h.command(text, { userId: FINANCE })).reply)).not.toMatch(/not (added|changed|set)|did not understand|not allowed/i);
  });
  afterAll(async () => {
    recordSlack(h.slack, `presentation-${provider}`);
    await h?.stop();
  });

  const tablesFor = async (text: string, userId = FINANCE) => {
    const { reply } = await h.command(text, { userId });
    return { blocks: reply.blocks ?? [], tables: tablesOf(reply.blocks ?? []) };
  };

  it('says what was done, refuses with "not allowed", suggests a misspelt verb, and shows finance its commands', async () => {
    const hidden = JSON.stringify((await h.command('hidden')).reply.blocks);
    expect(hidden).toContain('<@U0FINANCE>');
    const added = (await h.command('add 12 observability once 2026-10-04 growth "Langfuse seat"', { userId: FINANCE })).reply;
    expect(added.text).toMatch(/Added \$12\.00 of observability on 2026-10-04, for growth \(#\d+\)/);
    const refused = (await h.command('add 100 vector_db monthly shared "Pinecone"', { userId: 'U0SUPLEAD' })).reply;
    expect(refused.text).toContain('Not allowed');
    expect(refused.text).not.toContain('understand');
    const typo = (await h.command('tema support')).reply;
    expect(typo.text).toContain('Did you mean `team`?');
    expect(JSON.stringify(typo.blocks)).toContain('/aicost team support');
    const nonsense = (await h.command('flibbertigibbet now')).reply;
    expect((nonsense.text ?? '').match(/did not understand/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(JSON.stringify(nonsense.blocks)).not.toContain('payments');
    const member = JSON.stringify((await h.command('help', { userId: 'U0SOMEONE' })).reply.blocks);
    const finance = JSON.stringify((await h.command('help', { userId: FINANCE })).reply.blocks);
    expect(member).not.toContain('/aicost admin team');
    expect(finance).toContain('/aicost admin team');
    expect(finance).toMatch(/\/aicost budget set (support|claims|growth) 5000/);
    // A reader of no team is shown no team's slug, not even in examples.
    expect(member).not.toContain('payments');
    expect(member).not.toMatch(/\/aicost team (support|claims|growth)/);
    expect(member).toContain('/aicost team your-team');
  });

  it('foots every table of /aicost team, top and iceberg, and the true cost line adds up', async () => {
    for (const cmd of [
      'team support 2026-10',
      'top teams 2026-10',
      'top features 2026-10',
      'iceberg 2026-10',
      'iceberg support 2026-10',
      'feature triage 2026-10',
    ]) {
      const { blocks, tables } = await tablesFor(cmd);
      expect(tables.length, cmd).toBeGreaterThan(0);
      for (const t of tables) {
        expect(t.rows.some((r) => r.label === 'Total' || r.label === 'True cost') || t.rows.length === 1, `${cmd}: ${t.caption} has a total`).toBe(true);
        footsDown(t);
      }
      const line = /True cost: (\$[\d,.]+) = API spend (\$[\d,.]+) \+ hidden (\$[\d,.]+) \([^)]*\) \+ allocated shared (\$[\d,.]+)/.exec(
        JSON.stringify(blocks),
      );
      if (line) expect(cents(line[2]!) + cents(line[3]!) + cents(line[4]!), cmd).toBe(cents(line[1]!));
    }
  });

  it('compares with the previous comparable period: change per row (which foots), the total change and the top movers', async () => {
    const { blocks, tables } = await tablesFor('top teams');
    const text = JSON.stringify(blocks);
    // Nov 1 to now (Nov 2, 15:00) against Oct 1 to Oct 2, 15:00.
    expect(text).toContain('Change vs Oct 1–2, 2026 ($55.50)');
    expect(text).toContain('Top movers: growth -$55.50 ▼ (-100%)');
    const t = tables[0]!;
    expect(t.header).toContain('change');
    expect(t.rows.find((r) => r.label === 'growth')!.cells.at(-1)).toBe('-$55.50 ▼');
    expect(t.rows.find((r) => r.label === 'support')!.cells.at(-1)).toMatch(/^\+\$40\.3\d ▲$/);
    footsDown(t);
    expect(JSON.stringify((await tablesFor('team support 2026-10')).blocks)).toContain('API spend change vs September 2026 ($0.00): +$713.36 ▲ (new)');
  });

  it('shows any month with /aicost budget [team] [month]: budget and its parts, true cost, variance, requests', async () => {
    const { blocks, tables } = await tablesFor('budget 2026-10');
    const text = JSON.stringify(blocks);
    expect(text).toContain('Budgets · October 2026');
    // The standing amounts were set in November and take effect from then: October keeps its own.
    expect(text).toContain('support: $900.00 set for 2026-10 = $900.00');
    expect(text).not.toContain('claims: standing');
    const november = JSON.stringify((await tablesFor('budget 2026-11')).blocks);
    expect(november).toContain('support: standing $1,200.00 a month = $1,200.00');
    expect(november).toContain('claims: standing $400.00 a month = $400.00');
    const t = tables[0]!;
    const chargeback = tablesOf((await h.command('chargeback 2026-10', { userId: FINANCE })).reply.blocks ?? []).find(
      (x) => x.caption === 'True cost per team',
    )!;
    for (const r of t.rows) {
      const [budget, cost, over] = [t.header.indexOf('budget'), t.header.indexOf('true cost'), t.header.indexOf('over budget')].map((k) => r.cells[k]!);
      expect(cents(cost!), r.label).toBe(chargeback.rows.find((x) => x.label === r.label)!.money[4]);
      if (budget !== '-') expect(cents(over!), r.label).toBe(cents(cost!) - cents(budget!));
    }
    expect(JSON.stringify((await h.command('request 150 support launch week', { userId: 'U0SUPLEAD' })).reply)).toContain('Request sent');
    const mine = JSON.stringify((await h.command('budget support', { userId: 'U0SUPLEAD' })).reply.blocks);
    expect(mine).toContain('Budgets · November 2026 · Support');
    expect(mine).toMatch(/#\d+ support asked \$150\.00 on 2026-11-02 \(<@U0SUPLEAD>: launch week\) → pending/);
  });

  it('foots the budget tables both ways, and their true cost is the chargeback’s', async () => {
    const { tables } = await tablesFor('budget');
    const split = tables.find((t) => t.caption.startsWith('What the true cost'))!;
    footsAcross(split);
    footsDown(split);
    const status = tables.find((t) => t.caption.startsWith('Budget, true cost'))!;
    const col = status.header.indexOf('true cost');
    for (const r of status.rows) expect(cents(r.cells[col]!), r.label).toBe(split.rows.find((s) => s.label === r.label)!.money.at(-1));
  });

  it('shows /aicost chargeback with parts that foot to the totals and equal the detail CSV and the GL', async () => {
    const { tables } = await tablesFor('chargeback 2026-10');
    const cost = tables.find((t) => t.caption === 'True cost per team')!;
    footsAcross(cost);
    footsDown(cost);
    const cb = await h.services.chargeback.build('2026-10');
    const files = h.services.chargeback.files(cb);
    const detail = parse(files.detail, { columns: true }) as Record<string, string>[];
    const gl = parse(files.gl, { columns: true }) as Record<string, string>[];
    // Totals live in the summary file; the detail file holds only line items (a pivot sums it once).
    const summary = parse(files.summary, { columns: true }) as Record<string, string>[];
    const c = (s: string | undefined) => Math.round(Number(s || '0') * 100);
    for (const r of cost.rows.filter((x) => !['Total', 'Unattributed', 'Unallocated shared'].includes(x.label))) {
      const row = summary.find((d) => d.line_type === 'team_total' && cb.lines.find((l) => l.slug === r.label)?.name === d.team)!;
      const [api, hidden, shared, adjustments, total] = r.money as [number, number, number, number, number];
      expect(c(row.direct_cost), r.label).toBe(api + hidden);
      expect(c(row.allocated_shared_cost), r.label).toBe(shared);
      expect(c(row.adjustments), r.label).toBe(adjustments);
      expect(c(row.total), r.label).toBe(total);
      // The detail lines of the team sum to its total row, and its GL debit is the same cents.
      expect(
        detail.filter((d) => d.line_type === 'line' && d.team === row.team).reduce((a, d) => a + c(d.total), 0),
        r.label,
      ).toBe(total);
      expect(c(gl.find((g) => g.description!.endsWith(`: ${row.team}`))!.debit), r.label).toBe(total);
    }
    const grand = summary.find((d) => d.line_type === 'grand_total')!;
    const total = cost.rows.find((r) => r.label === 'Total')!.money;
    expect(c(grand.direct_cost)).toBe(total[0]! + total[1]!);
    expect(c(grand.allocated_shared_cost)).toBe(total[2]);
    expect(c(grand.total)).toBe(total[4]);
    // Summing the detail lines gives the grand total; the shared costs are booked in full.
    expect(detail.filter((d) => d.line_type === 'line').reduce((a, d) => a + c(d.total), 0)).toBe(total[4]);
    expect(total[2]).toBe(110_000);
  });

  it('answers without the table block when Slack refuses it (monospace instead), rather than failing', async () => {
    h.slack.failNext('response_url', { status: 400 });
    const responseUrl = h.slack.responseUrl('refused-table');
    await postSigned(h.events, slashCommandBody({ text: 'chargeback 2026-10', userId: FINANCE, responseUrl }), { secret: SIGNING_SECRET });
    const refused = await h.slack.waitForResponse((r) => r.url === responseUrl && r.status === 400);
    expect(JSON.stringify(refused.body.blocks)).toContain('"type":"table"');
    const ok = await h.slack.waitForResponse((r) => r.url === responseUrl && r.status === 200);
    const blocks = ok.body.blocks as unknown[];
    expect(JSON.stringify(blocks)).not.toContain('"type":"table"');
    expect(JSON.stringify(blocks)).not.toContain('The chart was left out');
    const cost = tablesOf(blocks).find((t) => t.caption === 'True cost per team')!;
    footsAcross(cost);
    footsDown(cost);
  });

  it('posts without its chart when Slack refuses the blocks (invalid_blocks), once', async () => {
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: h.slack.url, retryConfig: { retries: 0 } });
    // What the notifier does with every message it sends (post, update, DM).
    const post = (channel: string, text: string, b: KnownBlock[]) =>
      sendWithFallback(b, (x) => client.chat.postMessage({ channel, text, ...(x ? { blocks: x } : {}) }));
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: 'Chart below' } },
      { type: 'image', image_url: 'https://quickchart.example.test/chart?c=%7B%7D', alt_text: 'chart' },
    ] as KnownBlock[];
    h.slack.failNext('chat.postMessage', { error: 'invalid_blocks' });
    const before = h.slack.callsTo('chat.postMessage').length;
    await post('C0SUPPORT', 'Chart below', blocks);
    const calls = h.slack.callsTo('chat.postMessage').slice(before);
    expect(calls).toHaveLength(2);
    expect(JSON.stringify(calls[1]!.args.blocks)).not.toContain('"type":"image"');
    expect(JSON.stringify(calls[1]!.args.blocks)).toContain('The chart was left out');
    // A refusal that has nothing to do with what can be left out is not retried.
    h.slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(post('C0NOPE', 'x', blocks)).rejects.toThrow(/channel_not_found/);
  });

  it('posts the draft with the same cents as the file attached to it', async () => {
    await runClaimed(h.running.runtime.jobs.find((j) => j.name === 'chargeback')!, h.running.runtime.jobDeps, NOW);
    const post = await h.slack.waitFor('chat.postMessage', (x) => x.args.channel === 'C0FINANCE' && String(x.args.text).startsWith('Chargeback 2026-10'));
    const tables = tablesOf(post.args.blocks as unknown[]);
    const cost = tables.find((t) => t.caption === 'True cost per team')!;
    footsAcross(cost);
    footsDown(cost);
    const upload = await h.slack.waitForUpload((u) => u.filename.endsWith('-summary.csv'));
    const summary = parse(upload.bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    const grand = summary.find((d) => d.line_type === 'grand_total')!;
    expect(Math.round(Number(grand.total) * 100)).toBe(cost.rows.find((r) => r.label === 'Total')!.money[4]);
    // Charts: value axes from zero, dollar ticks.
    const image = (post.args.blocks as { type: string; image_url?: string }[]).find((b) => b.type === 'image')!;
    const config = new URL(image.image_url!).searchParams.get('c')!;
    expect(config).toContain('"beginAtZero":true');
    expect(config).toContain("return '$'+");
  });
});
