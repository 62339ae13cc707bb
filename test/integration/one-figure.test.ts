import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { DEMO_FINANCE_USER, setUpDemo } from '../../src/demo/setup.ts';
import { formatMoney, fromUsd, roundToCents, sum } from '../../src/domain/money.ts';
import { cli } from '../support/cli.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { appHomeOpenedBody } from '../support/slack-payloads.ts';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { recordSlack } from '../support/recording.ts';

/**
 * Issue 21: one number everywhere. Every surface that shows a team's cost for a month (the chargeback
 * reply and draft with its cost-centre lines, the detail / summary / GL files, the FOCUS export, the
 * close notice, /aicost budget, /aicost team, /aicost top teams, /aicost iceberg, App Home) must show
 * the same string for it: one rounding of one exact amount, whatever else is in the table.
 */

type Table = { header: string[]; rows: string[][] };

/** The tables of a message, as Slack shows them: table blocks, and monospace tables in code blocks. */
function tablesOf(blocks: unknown): Table[] {
  const out: Table[] = [];
  for (const b of (blocks ?? []) as { type: string; rows?: { text: string }[][]; text?: { text?: string } }[]) {
    if (b.type === 'table' && b.rows) {
      const [header = [], ...rows] = b.rows.map((r) => r.map((c) => c.text));
      out.push({ header, rows });
    }
    for (const code of (b.text?.text ?? '').matchAll(/```([\s\S]*?)```/g)) {
      const lines = code[1]!.split('\n').filter((l) => l.trim() && !/^[-\s]+$/.test(l));
      const [header = [], ...rows] = lines.map((l) => l.trim().split(/\s{2,}/));
      out.push({ header, rows });
    }
  }
  return out;
}

/** The cell of `column` in the row that starts with `first`, in the first table having that column. */
function cell(blocks: unknown, column: string, first: string): string | undefined {
  for (const t of tablesOf(blocks)) {
    const j = t.header.findIndex((h) => h.toLowerCase() === column.toLowerCase());
    const row = t.rows.find((r) => r[0] === first);
    if (j >= 0 && row) return row[j];
  }
  return undefined;
}

/** Every text of a message (mrkdwn and plain text), joined, unescaped. */
function textOf(blocks: unknown): string {
  const texts: string[] = [];
  JSON.stringify(blocks ?? [], (k, v) => {
    if (k === 'text' && typeof v === 'string') texts.push(v);
    return v;
  });
  return texts.join('\n').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

// A zone with a half-hour offset and its own DST: month edges in local time differ from UTC's by 2½–3½ hours.
const ZONE = process.env.ONE_FIGURE_ZONE ?? 'America/St_Johns';
const money = (s: string) => formatMoney(fromUsd(s));
const MONEY = '(-?\\$[\\d,]+\\.\\d\\d)';

describe.each(testProviders())('one figure per team on every surface, on %s', (provider) => {
  let h: Harness;
  const now = new Date('2026-11-24T12:00:00Z');
  const month = '2026-10';

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: ZONE, SCHEDULER_ENABLED: 'false', FINANCE_USER_IDS: `U0FINANCE,${DEMO_FINANCE_USER}` }, () => now);
    await seedDemo({ teams: h.services.teams, writes: costWrites(h.db.db) }, { now, timeZone: ZONE, days: 60, scale: 0.05 });
    // Closes October (each team is posted its line) and sets budgets.
    await setUpDemo(h.services, { now, timeZone: ZONE });
  }, 120_000);
  afterAll(async () => {
    if (h) recordSlack(h.slack, `one-figure-running-${provider}`);
    await h?.stop();
  });

  const ask = async (text: string) => (await h.command(text, { userId: 'U0FINANCE' })).reply.blocks;

  it('a closed month: chargeback reply, draft, cost-centre lines, CSVs, GL, FOCUS, close notice, budget, team, top, iceberg', async () => {
    const teams = await h.services.teams.list();
    const cb = await h.services.chargeback.build(month);
    expect(cb.periodStatus).toBe('closed');
    expect(cb.lines.length).toBeGreaterThan(2);
    // /aicost team and iceberg are compared for teams without adjustments: every demo team, so none is skipped.
    expect(cb.lines.filter((l) => l.adjustments === 0n).length).toBe(cb.lines.length);

    const reply = await ask(`chargeback ${month}`);
    await h.services.chargeback.postDraft(now);
    const draft = (await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && textOf(c.args.blocks).includes(`Chargeback · ${month}`)))
      .args.blocks;
    const csv = (name: string) =>
      parse(h.slack.uploads.find((u) => u.filename === name)!.bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    const detail = csv(`aicost-chargeback-${month}.csv`);
    const summary = csv(`aicost-chargeback-${month}-summary.csv`);
    const gl = csv(`aicost-gl-${month}.csv`);
    // The FOCUS export as finance gets it: `npx aicost chargeback --month … --format focus`.
    const exported = await cli(['chargeback', '--month', month, '--format', 'focus'], { DATABASE_URL: h.db.url, REPORT_TIMEZONE: ZONE });
    expect(exported.code, exported.stderr).toBe(0);
    const focus = parse(exported.stdout, { columns: true }) as Record<string, string>[];
    const budget = await ask(`budget ${month}`);
    const top = await ask(`top teams ${month}`);

    for (const line of cb.lines) {
      const team = teams.find((t) => String(t.id) === line.teamId)!;
      const seen: Record<string, string | undefined> = {};
      seen['chargeback reply'] = cell(reply, 'True cost', line.slug);
      seen['chargeback draft table'] = cell(draft, 'True cost', line.slug);
      seen['cost-centre line'] = new RegExp(`${line.slug} → [^\\n]*? · ${MONEY}`).exec(textOf(draft))?.[1];
      // The detail file holds line items only: the team's lines add up to its figure.
      seen['detail CSV (sum of lines)'] = formatMoney(sum(detail.filter((r) => r.team === line.name).map((r) => fromUsd(r.total!))));
      const summaryRow = summary.find((r) => r.team === line.name);
      seen['summary CSV'] = summaryRow && money(summaryRow.total!);
      if (line.costCenter && cb.lines.filter((l) => l.costCenter === line.costCenter).length === 1) {
        const debit = gl.find((r) => r.cost_center === line.costCenter && r.debit);
        seen['GL debit'] = debit && money(debit.debit!);
      }
      seen['FOCUS export'] = formatMoney(roundToCents(sum(focus.filter((r) => r.SubAccountId === line.slug).map((r) => fromUsd(r.BilledCost!)))));
      const notice = h.slack.callsTo('chat.postMessage').find((c) => c.args.channel === team.channelId && textOf(c.args.blocks).includes(`${month} closed at`));
      seen['close notice'] = new RegExp(`${month} closed at ${MONEY}`).exec(textOf(notice?.args.blocks))?.[1];
      seen['/aicost budget'] = cell(budget, 'true cost', line.slug);
      if (line.adjustments === 0n) {
        // The team and iceberg views show cost as booked, without the chargeback's adjustments.
        seen['/aicost team'] = new RegExp(`True cost: ${MONEY}`).exec(textOf(await ask(`team ${line.slug} ${month}`)))?.[1];
        seen['/aicost iceberg'] = new RegExp(`True cost ${MONEY}`).exec(textOf(await ask(`iceberg ${line.slug} ${month}`)))?.[1];
      }
      const expected = seen['chargeback reply'];
      expect(expected, `${line.slug} in the chargeback reply`).toMatch(/^\$/);
      for (const [surface, shown] of Object.entries(seen)) expect(`${line.slug} ${surface}: ${shown}`).toBe(`${line.slug} ${surface}: ${expected}`);

      // API spend: the same figure in /aicost top teams, /aicost team, /aicost iceberg and the chargeback.
      if (line.adjustments === 0n) {
        const api: Record<string, string | undefined> = {
          '/aicost top teams': cell(top, 'API spend', line.slug),
          'chargeback API spend': cell(reply, 'API spend', line.slug),
          '/aicost team': new RegExp(`API spend: ${MONEY}`).exec(textOf(await ask(`team ${line.slug} ${month}`)))?.[1],
          '/aicost iceberg': new RegExp(`API spend ${MONEY}`).exec(textOf(await ask(`iceberg ${line.slug} ${month}`)))?.[1],
        };
        for (const [surface, shown] of Object.entries(api))
          expect(`${line.slug} API ${surface}: ${shown}`).toBe(`${line.slug} API ${surface}: ${api['/aicost top teams']}`);
      }
    }
    recordSlack(h.slack, `one-figure-closed-${provider}`);
  }, 240_000);

  // (The running month's chargeback is not compared: it accrues monthly hidden costs for the whole month.)
  it('the running month: App Home, /aicost budget and /aicost team agree to the cent', async () => {
    h.slack.reset();
    await postSigned(h.events, appHomeOpenedBody({ userId: 'U0FINANCE' }), { secret: SIGNING_SECRET });
    const home = textOf((await h.slack.waitFor('views.publish', (c) => c.args.user_id === 'U0FINANCE')).args.view);
    const budget = await ask('budget');
    const teams = await h.services.teams.list();
    let compared = 0;
    for (const team of teams) {
      const onHome = new RegExp(`\\*${team.name}\\* · ${MONEY} of`).exec(home)?.[1];
      if (!onHome) continue;
      compared++;
      const seen = {
        'App Home': onHome,
        '/aicost budget': cell(budget, 'true cost', team.slug),
        '/aicost team': new RegExp(`True cost: ${MONEY}`).exec(textOf(await ask(`team ${team.slug}`)))?.[1],
      };
      for (const [surface, shown] of Object.entries(seen))
        expect(`${team.slug} ${surface}: ${shown}`).toBe(`${team.slug} App Home: ${onHome}`.replace('App Home', surface));
    }
    expect(compared).toBeGreaterThan(1);
  }, 120_000);
});
