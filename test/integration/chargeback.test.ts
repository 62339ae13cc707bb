import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { formatMoney, fromUsd, sum } from '../../src/domain/money.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { replyText } from '../../src/format/reply-lines.ts';
import { chargebackParts } from '../../src/format/chargeback-lines.ts';
import { ask } from '../../src/format/ask.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { blockActionsBody } from '../support/slack-payloads.ts';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { recordSlack } from '../support/recording.ts';
import { parse } from 'csv-parse/sync';

const FINANCE = 'U0FINANCE';
const TZ = 'America/New_York';

describe.each(testProviders())('monthly chargeback over signed HTTP on %s', (provider) => {
  let h: Harness;
  let seq = 0;
  const october = { pay: ['1200.50', '0.0042', '300'], evil: ['45.10'], none: ['9.99'] };

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false' }, () => new Date('2026-11-02T15:00:00Z'));
    const pay = await h.services.teams.upsert({
      slug: 'payments',
      name: 'Payments',
      channelId: 'C0PAYMENTS',
      leadUserIds: ['U0PAYLEAD'],
      costCenter: 'CC-100',
    });
    const evil = await h.services.teams.upsert({ slug: 'evil', name: '=HYPERLINK("http://x","y")', channelId: 'C0EVIL', costCenter: '+CC-666' });
    const e = (teamId: number | null, at: string, amount: string) => ({
      source: 'helicone',
      sourceId: `cb${++seq}`,
      occurredAt: new Date(at),
      teamId,
      featureId: null,
      amount: fromUsd(amount),
      workItem: `T-${seq % 3}`,
    });
    await costWrites(h.db.db).insertMany([
      e(pay.id, '2026-10-01T04:00:00Z', october.pay[0]!), // Oct 1 00:00 in New York
      e(pay.id, '2026-10-15T12:00:00Z', october.pay[1]!),
      e(pay.id, '2026-11-01T03:30:00Z', october.pay[2]!), // Oct 31 23:30 in New York: still October
      e(pay.id, '2026-11-01T04:00:00Z', '77'), // Nov 1 00:00 in New York: November
      e(evil.id, '2026-10-20T12:00:00Z', october.evil[0]!),
      e(null, '2026-10-21T12:00:00Z', october.none[0]!),
    ]);
    await h.command('budget set payments 1000 2026-10', { userId: FINANCE });
  });
  afterAll(async () => h?.stop());

  const job = (name: string) => h.running.runtime.jobs.find((j) => j.name === name)!;
  let draftTs = '';
  let draftBlocks: unknown[] = [];

  it('posts the draft for last month to finance with a chart, a reconciliation and the detail CSV (three upload calls)', async () => {
    const r = await runClaimed(job('chargeback'), h.running.runtime.jobDeps, new Date('2026-11-02T14:00:00Z'));
    expect(r.ran).toBe(true);
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && String(c.args.text).startsWith('Chargeback 2026-10'));
    draftTs = String(post.response?.ts);
    draftBlocks = post.args.blocks as unknown[];
    const text = JSON.stringify(draftBlocks);
    const payTotal = sum(october.pay.map((x) => fromUsd(x)));
    expect(text).toContain(formatMoney(payTotal));
    expect(text).toContain('Reconciled:');
    expect(text).toContain('"type":"image"');
    expect(text).toContain('Close month');
    expect(text).toContain('*Cost centres*');
    // Detail, summary and GL files, each in the draft's thread.
    await h.slack.waitForUpload((u) => u.filename === 'aicost-gl-2026-10.csv');
    expect(h.slack.callsTo('files.getUploadURLExternal').map((c) => c.args.filename)).toEqual([
      'aicost-chargeback-2026-10.csv',
      'aicost-chargeback-2026-10-summary.csv',
      'aicost-gl-2026-10.csv',
    ]);
    const upload = await h.slack.waitForUpload((u) => u.filename === 'aicost-chargeback-2026-10.csv');
    const csv = upload.bytes.toString('utf8');
    // Only line items: summing the total column gives the grand total, which is in the summary file.
    const detail = parse(csv, { columns: true }) as Record<string, string>[];
    expect(new Set(detail.map((r) => r.line_type))).toEqual(new Set(['line']));
    const summary = parse((await h.slack.waitForUpload((u) => u.filename === 'aicost-chargeback-2026-10-summary.csv')).bytes.toString('utf8'), {
      columns: true,
    }) as Record<string, string>[];
    const grand = summary.find((r) => r.line_type === 'grand_total')!;
    const cents = (x: string) => BigInt(x.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1'));
    expect(detail.reduce((a, r) => a + cents(r.total!), 0n)).toBe(cents(grand.total!));
    expect(csv.split('\n')[0]).toContain('period,period_status,team,cost_center');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv).toContain("'+CC-666");
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    for (const complete of h.slack.callsTo('files.completeUploadExternal'))
      expect(complete.args).toMatchObject({ channel_id: 'C0FINANCE', thread_ts: draftTs });
    // The same slot again posts nothing more.
    expect((await runClaimed(job('chargeback'), h.running.runtime.jobDeps, new Date('2026-11-02T14:00:30Z'))).ran).toBe(false);
  });

  const click = (actionId: string, userId: string, id: string) =>
    postSigned(
      h.events,
      blockActionsBody({ actionId, userId, blocks: draftBlocks, messageTs: draftTs, channelId: 'C0FINANCE', responseUrl: h.slack.responseUrl(id) }),
      { secret: SIGNING_SECRET },
    );

  it('refuses close to anyone but finance and changes nothing', async () => {
    await click('period_close', 'U0PAYLEAD', 'nope');
    const answer = await h.slack.waitForResponse((r) => r.url.endsWith('nope'));
    expect(String(answer.body.text)).toContain('Only finance');
    expect(await h.db.db.prisma.accountingPeriod.count({ where: { status: 'closed' } })).toBe(0);
  });

  it('closes for finance: snapshot, each team told its own line, draft updated, audited', async () => {
    await click('period_close', FINANCE, 'close');
    const answer = await h.slack.waitForResponse((r) => r.url.endsWith('close'));
    expect(String(answer.body.text)).toContain('2026-10 closed');
    const teamPost = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0PAYMENTS');
    expect(String(teamPost.args.text)).toContain(`closed at ${formatMoney(sum(october.pay.map((x) => fromUsd(x))))}`);
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0EVIL');
    const update = await h.slack.waitFor('chat.update', (c) => c.args.ts === draftTs);
    expect(JSON.stringify(update.args.blocks)).toContain('Finalize');
    expect(JSON.stringify(update.args.blocks)).toContain('"type":"image"'); // the closed message keeps its chart
    expect(JSON.stringify(teamPost.args.blocks)).toMatch(/Budget \$1,000\.00: \$[\d,.]+ (over|under) budget/);
    recordSlack(h.slack, `chargeback-close-${provider}`);
    draftBlocks = update.args.blocks as unknown[];
    expect(await h.db.db.prisma.auditLog.count({ where: { action: 'period.close', actor: FINANCE } })).toBe(1);
  });

  it('books a late cost for the closed month as a correction in November, leaving October unchanged', async () => {
    const before = await h.services.chargeback.build('2026-10');
    const store = costStore(h.db.db, { timeZone: TZ, clock: () => new Date('2026-11-03T15:00:00Z') });
    await store.upsertCosts([
      {
        source: 'helicone',
        sourceId: 'late-1',
        occurredAt: new Date('2026-10-25T12:00:00Z'),
        team: 'payments',
        feature: null,
        environment: null,
        customer: null,
        workItem: null,
        model: null,
        provider: null,
        category: 'api',
        inputTokens: 1,
        outputTokens: 1,
        amount: fromUsd('12.34'),
        pricedBy: 'source',
      },
    ]);
    store.close();
    const after = await h.services.chargeback.build('2026-10');
    expect(after.totals.total).toBe(before.totals.total);
    const november = await h.services.chargeback.build('2026-11');
    const pay = november.lines.find((l) => l.slug === 'payments')!;
    expect(pay.adjustmentLines.map((a) => [a.label, a.amount])).toEqual([['correction: 1 late helicone record of a closed month', fromUsd('12.34')]]);
    expect(november.reconcile().ok).toBe(true);
  });

  it('takes finance adjustments and credits for an open month only, audited, and still reconciles', async () => {
    const refused = await h.command('admin adjust payments -50 2026-10 duplicate import', { userId: FINANCE });
    expect(JSON.stringify(refused.reply.blocks)).toContain('2026-10 is closed');
    const notFinance = await h.command('admin adjust payments -50 2026-11 duplicate import', { userId: 'U0PAYLEAD' });
    expect(JSON.stringify(notFinance.reply.blocks)).toContain('Only finance');
    const ok = await h.command('admin adjust payments -50 2026-11 duplicate Helicone import', { userId: FINANCE });
    expect(JSON.stringify(ok.reply.blocks)).toContain('-$50.00 for payments in 2026-11');
    const november = await h.services.chargeback.build('2026-11');
    const pay = november.lines.find((l) => l.slug === 'payments')!;
    expect(pay.adjustmentLines.map((a) => [a.label, a.amount])).toContainEqual(['credit: duplicate Helicone import', fromUsd('-50')]);
    expect(november.reconcile().ok).toBe(true);
    expect(await h.db.db.prisma.auditLog.count({ where: { action: 'adjustment.create', actor: FINANCE } })).toBe(1);
  });

  it('finalizes irreversibly', async () => {
    await click('period_finalize', FINANCE, 'fin');
    expect(String((await h.slack.waitForResponse((r) => r.url.endsWith('fin'))).body.text)).toContain('finalized');
    await click('period_reopen', FINANCE, 'reopen');
    expect(String((await h.slack.waitForResponse((r) => r.url.endsWith('reopen'))).body.text)).toContain('is finalized; it cannot be reopened');
  });

  it('balances the GL file to zero and shows others only their own team', async () => {
    const cb = await h.services.chargeback.build('2026-10');
    const gl = h.services.chargeback
      .files(cb)
      .gl.trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const cents = (s: string) => BigInt(Math.round(Number(s || '0') * 100));
    expect(gl.reduce((a, r) => a + cents(r.at(-2)!) - cents(r.at(-1)!), 0n)).toBe(0n);
    const lead = await h.command('chargeback 2026-10', { userId: 'U0PAYLEAD' });
    const text = JSON.stringify(lead.reply.blocks);
    expect(text).toContain('payments');
    expect(text).not.toContain('evil');
  });
});

describe.each(testProviders())('chargeback on the demo data on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { SCHEDULER_ENABLED: 'false', VISIBILITY: 'open' });
    await seedDemo({ teams: h.services.teams, writes: costWrites(h.db.db) }, { now: new Date('2026-11-23T12:00:00Z'), timeZone: 'UTC', days: 70, scale: 0.05 });
  });
  afterAll(async () => h?.stop());

  it('prints team totals equal to /aicost top teams for the month', async () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const top = replyText((await ask(h.services.askDeps, { text: 'top teams 2026-10', userId: 'U0X', channelId: null, now })).reply, 'UTC');
    const cb = replyText({ kind: 'message', parts: chargebackParts(await h.services.chargeback.build('2026-10'), null) }, 'UTC');
    for (const slug of ['support', 'claims', 'growth', 'platform', 'search']) {
      const fromTop = new RegExp(`^${slug} +(\\$[\\d,.]+)`, 'm').exec(top)?.[1];
      // The chargeback's API spend column; each table is rounded on its own (largest remainder, so
      // it foots), so a row may differ by one cent between two tables, never more.
      const fromCb = new RegExp(`^${slug} +(\\$[\\d,.]+)`, 'm').exec(cb)?.[1];
      expect(fromTop, slug).toBeDefined();
      expect(fromCb, slug).toBeDefined();
      const c = (s: string) => Math.round(Number(s.replace(/[$,]/g, '')) * 100);
      expect(Math.abs(c(fromCb!) - c(fromTop!)), slug).toBeLessThanOrEqual(1);
    }
    expect(cb).toContain('Reconciled:');
  });
});
