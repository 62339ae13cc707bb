import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { bigJson } from '../../src/db/repositories/budgets.ts';
import type { RequestContext } from '../../src/services/budget-service.ts';
import { fromUsd, sub } from '../../src/domain/money.ts';
import { dayStart } from '../../src/domain/periods.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { blockActionsBody, viewSubmissionBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { recordSlack } from '../support/recording.ts';

const TZ = 'America/Los_Angeles';
const FINANCE = 'U0FINANCE';
const LEAD = 'U0SUPLEAD';
const SPIKE = '2026-11-10';

/**
 * Issue 12, points 7: one spike is one incident, posted once per audience (the team; finance copied
 * once above its floor), naming the feature and model that drove it and the calls against the usual
 * count, with the leads mentioned; a feedback click edits a status line into both copies and keeps
 * their numbers, chart and buttons; `/aicost anomalies` lists the incident once with its status.
 */
describe.each(testProviders())('an anomaly is one incident on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false', ANOMALY_INTRADAY: 'false' });
    const team = await h.services.teams.upsert({ slug: 'support', name: 'Support', channelId: 'C0SUPPORT', leadUserIds: [LEAD] });
    const triage = await h.services.teams.upsertFeature({ slug: 'triage', name: 'Triage', teamId: team.id });
    const drafts = await h.services.teams.upsertFeature({ slug: 'drafts', name: 'Drafts', teamId: team.id });
    const rows = [];
    let n = 0;
    // Six weeks of ~10 triage calls a day at $8 each, then a retry loop on SPIKE: 130 calls.
    for (let t = Date.UTC(2026, 8, 28); t <= Date.UTC(2026, 10, 10); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      const calls = day === SPIKE ? 130 : weekend ? 4 : 10 + (n % 3) - 1;
      const noon = dayStart(day, TZ).getTime() + 12 * 3600_000;
      for (let c = 0; c < calls; c++)
        rows.push({
          source: 'seed',
          sourceId: `t${n}-${c}`,
          occurredAt: new Date(noon + c * 1000),
          teamId: team.id,
          featureId: triage.id,
          model: 'gpt-4o',
          customer: 'acme',
          amount: fromUsd('8'),
        });
      rows.push({
        source: 'seed',
        sourceId: `d${n}`,
        occurredAt: new Date(noon + 3600_000),
        teamId: team.id,
        featureId: drafts.id,
        model: 'claude',
        customer: 'globex',
        amount: fromUsd(weekend ? '10' : '40'),
      });
      n++;
    }
    await costWrites(h.db.db).insertMany(rows);
  });
  afterAll(async () => h?.stop());

  it('posts one incident to the team and one copy to finance, and a click keeps the post whole', async () => {
    const job = h.running.runtime.jobs.find((j) => j.name === 'anomalies')!;
    await runClaimed(job, h.running.runtime.jobDeps, new Date(dayStart('2026-11-11', TZ).getTime() + 30 * 60_000));
    const posts = h.slack.callsTo('chat.postMessage');
    const team = posts.filter((c) => c.args.channel === 'C0SUPPORT');
    const finance = posts.filter((c) => c.args.channel === 'C0FINANCE');
    expect(team).toHaveLength(1);
    expect(finance).toHaveLength(1);
    expect(await h.db.db.prisma.anomalyIncident.count()).toBe(1);
    const body = JSON.stringify(team[0]!.args.blocks);
    expect(body).toContain(`Spend spike in team support on ${SPIKE}`);
    expect(body).toContain('*Driven by* feature *triage* on model *gpt-4o*');
    // Nothing is tagged with an environment here, so it is no driver ("environment (none)" would say nothing).
    expect(body).not.toMatch(/environment \*?\(none\)/);
    expect(body).toMatch(/\*Calls\* 131 against a usual 1[01] \(calls ×1[23]\)/);
    expect(body).toContain(`<@${LEAD}>`);
    expect(body).toContain('*Same event* (other series that moved on the same day) feature triage');
    const impact = /\*Impact\* (\$[\d,.]+)/.exec(body)?.[1];
    expect(impact).toBeDefined();

    const teamTs = String(team[0]!.response?.ts);
    const financeTs = String(finance[0]!.response?.ts);
    const res = await postSigned(
      h.events,
      blockActionsBody({
        actionId: 'anomaly_feedback_investigating',
        userId: LEAD,
        blocks: team[0]!.args.blocks as unknown[],
        messageTs: teamTs,
        channelId: 'C0SUPPORT',
        responseUrl: h.slack.responseUrl('fb'),
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    await h.slack.waitForResponse((r) => r.url.endsWith('fb'));
    const edited = await h.slack.waitFor('chat.update', (c) => c.args.ts === teamTs);
    const copy = await h.slack.waitFor('chat.update', (c) => c.args.ts === financeTs && c.args.channel === 'C0FINANCE');
    for (const u of [edited, copy]) {
      const text = JSON.stringify(u.args.blocks);
      expect(text).toContain(`*Impact* ${impact}`);
      expect(text).toContain('"type":"image"');
      expect(text).toContain('"type":"actions"');
      expect(text).toMatch(new RegExp(`\\*Status:\\* Investigating · marked by <@${LEAD}> on 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`));
    }
    const list = await h.command('anomalies', { userId: LEAD });
    const table = blocksText(list.reply.blocks);
    expect(table.match(/team support/g)).toHaveLength(1);
    expect(table).toContain('Investigating');
    recordSlack(h.slack, `anomaly-incident-${provider}`);
  });
});

/**
 * Points 5, 8 and 9: budget posts state the true figure, once per check; the automatic request asks
 * for forecast − budget and shows budget, spent, forecast, shortfall, last months and drivers; Deny
 * takes an optional reason; decisions state the new effective budget; `budget set` states it too.
 */
describe.each(testProviders())('budget posts and requests on %s', (provider) => {
  let h: Harness;
  let now = new Date('2026-11-20T18:00:00Z');
  let searchId = 0;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false', ANOMALY_INTRADAY: 'false' }, () => now);
    const search = await h.services.teams.upsert({ slug: 'search', name: 'Search', channelId: 'C0SEARCH', leadUserIds: ['U0SRCLEAD'] });
    searchId = search.id;
    const feature = await h.services.teams.upsertFeature({ slug: 'ranker', name: 'Ranker', teamId: search.id });
    const rows = [];
    // $34.70 a day at 02:00 local from Sep 1 to Nov 20: November so far is 20 × $34.70 = $694.00.
    for (let t = Date.UTC(2026, 8, 1); t <= Date.UTC(2026, 10, 20); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      rows.push({
        source: 'seed',
        sourceId: `s${day}`,
        occurredAt: new Date(dayStart(day, TZ).getTime() + 2 * 3600_000),
        teamId: search.id,
        featureId: feature.id,
        model: 'gpt-4o',
        amount: fromUsd('34.70'),
      });
    }
    await costWrites(h.db.db).insertMany(rows);
    const set = await h.command('budget set search 400 2026-11', { userId: FINANCE });
    expect(blocksText(set.reply.blocks)).toContain("Search's own budget for 2026-11 is now $400.00.");
  });
  afterAll(async () => h?.stop());

  it('heads the over-budget post with the real figure, once, with no past day as future', async () => {
    h.slack.reset();
    await h.running.runtime.services.budgets.check(now);
    const team = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SEARCH');
    expect(team).toHaveLength(1); // 80% and 100% crossed together, and the forecast: one post
    const header = (team[0]!.args.blocks as { type: string; text?: { text: string } }[])[0]!.text!.text;
    expect(header).toBe('Search is over its November 2026 budget: $694.00 of $400.00 (173%), since Nov 12');
    const body = JSON.stringify(team[0]!.args.blocks);
    expect(body).toContain('over budget since Nov 12');
    expect(body).not.toMatch(/around Nov (1\d|[1-9])\b/);
    expect(body).toMatch(/Forecast for the month: \$1,\d{3}\.\d\d, \$\d{3}\.\d\d over the budget/);
    // Finance gets the 100% copy and the automatic request.
    const finance = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0FINANCE');
    expect(finance.filter((c) => String(c.args.text).includes('(173%)'))).toHaveLength(1);
    recordSlack(h.slack, `budget-over-${provider}`);
  });

  it('asks for the projected overrun and shows budget, spent, forecast, shortfall, past months and drivers', async () => {
    const auto = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { automatic: true } });
    const ctx = bigJson.parse<RequestContext>(auto.context)!;
    expect(ctx.budget).toBe(fromUsd('400'));
    expect(ctx.spent).toBe(fromUsd('694'));
    expect(ctx.forecast! > fromUsd('1000')).toBe(true);
    expect(auto.amount).toBe(sub(ctx.forecast!, fromUsd('400')));
    expect(ctx.history.map((x) => x.month)).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(ctx.history[2]!.cost).toBe(fromUsd((34.7 * 31).toFixed(2)));
    const msg = h.slack
      .callsTo('chat.postMessage')
      .find((c) => c.args.channel === 'C0FINANCE' && JSON.stringify(c.args.blocks).includes(`Budget request #${auto.id}`));
    const text = JSON.stringify(msg?.args.blocks);
    for (const s of [
      '*Budget*\\n$400.00',
      '*Spent so far*\\n$694.00 (173%)',
      '*Forecast*\\n$',
      '*Projected shortfall*\\n$',
      'October 2026: $1,075.70',
      'feature ranker: $694.00',
      'model gpt-4o: $694.00',
    ])
      expect(text).toContain(s);
  });

  it('denies through a form with an optional reason, and says the budget now in force', async () => {
    const auto = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { automatic: true } });
    h.slack.reset();
    const msg = {
      blocks: [
        {
          type: 'actions',
          block_id: `overrun_${auto.id}`,
          elements: [{ type: 'button', action_id: 'overrun_deny', value: String(auto.id), text: { type: 'plain_text', text: 'Deny' } }],
        },
      ],
    };
    await postSigned(
      h.events,
      blockActionsBody({
        actionId: 'overrun_deny',
        userId: FINANCE,
        blocks: msg.blocks,
        messageTs: auto.messageTs!,
        channelId: 'C0FINANCE',
        responseUrl: h.slack.responseUrl('deny'),
      }),
      { secret: SIGNING_SECRET },
    );
    const open = await h.slack.waitFor('views.open');
    const view = open.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('overrun_deny_modal');
    expect(JSON.stringify(open.args.view)).toMatch(
      /When asked: budget \$400\.00 · spent \$694\.00 · forecast \$1,\d{3}\.\d\d · projected shortfall \*\$\d{3}\.\d\d\*/,
    );
    expect((await h.db.db.prisma.overrunRequest.findUniqueOrThrow({ where: { id: auto.id } })).status).toBe('pending');
    const res = await postSigned(
      h.events,
      viewSubmissionBody({
        callbackId: view.callback_id,
        userId: FINANCE,
        privateMetadata: view.private_metadata,
        values: { reason: { value: 'Cap the ranker <first>' } },
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const update = await h.slack.waitFor('chat.update', (c) => c.args.ts === auto.messageTs);
    const text = JSON.stringify(update.args.blocks);
    expect(text).toContain('Denied');
    // A denial changes nothing: the budget stays (it said "is now", as if it had changed).
    expect(text).toContain("Search's November 2026 budget stays *$400.00*");
    expect(text).toContain('Cap the ranker &lt;first&gt;');
    expect(text).toContain('*Forecast*'); // the context stays on the decided message
    const notice = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0SEARCH');
    expect(String(notice.args.text)).toContain("Search's November 2026 budget stays $400.00");
    recordSlack(h.slack, `budget-deny-${provider}`);
  });

  it("approves a lead's request and tells the requester the new budget; budget set states its parts", async () => {
    h.slack.reset();
    await h.command('request 250 search reindex', { userId: 'U0SRCLEAD' });
    const req = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { reason: 'reindex' } });
    const blocks = (await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE')).args.blocks as unknown[];
    await postSigned(
      h.events,
      blockActionsBody({
        actionId: 'overrun_approve',
        userId: FINANCE,
        blocks,
        messageTs: req.messageTs!,
        channelId: 'C0FINANCE',
        responseUrl: h.slack.responseUrl('ok'),
      }),
      { secret: SIGNING_SECRET },
    );
    await h.slack.waitFor('conversations.open', (c) => c.args.users === 'U0SRCLEAD');
    const dm = await h.slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('approved for $250.00'));
    expect(String(dm.args.text)).toContain("Search's November 2026 budget is now $650.00");
    const { reply } = await h.command('budget set search 450 2026-11', { userId: FINANCE });
    expect(blocksText(reply.blocks)).toContain(
      "Search's own budget for 2026-11 is now $450.00 (was $400.00). Effective budget for 2026-11: $700.00 = own $450.00 + approved increases $250.00.",
    );
    recordSlack(h.slack, `budget-approve-${provider}`);
  });

  it('keeps standing budgets by the month they take effect', async () => {
    now = new Date('2026-10-05T18:00:00Z');
    await h.command('budget set search 300', { userId: FINANCE });
    now = new Date('2026-12-02T18:00:00Z');
    const { reply } = await h.command('budget set search 900', { userId: FINANCE });
    expect(blocksText(reply.blocks)).toContain("Search's standing monthly budget is now $900.00 (was $300.00), from 2026-12 on; earlier months keep theirs.");
    const repo = h.running.runtime.services.budgetsRepo;
    const standing = async (m: string) => (await repo.forMonth(m)).find((b) => b.teamId === searchId && b.month === '*')?.amount ?? null;
    expect(await standing('2026-09')).toBe(null);
    expect(await standing('2026-10')).toBe(fromUsd('300'));
    expect(await standing('2026-11')).toBe(fromUsd('300'));
    expect(await standing('2026-12')).toBe(fromUsd('900'));
    expect(await standing('2027-03')).toBe(fromUsd('900'));
  });
});

/**
 * Point 15: who sees what, by default (VISIBILITY=teams): a member sees their own teams and the
 * organisation's totals, other teams folded into "other teams"; finance sees everything.
 */
describe.each(testProviders())('who sees what on %s', (provider) => {
  let h: Harness;
  const MEMBER = 'U0PAYMEMBER';
  const STRANGER = 'U0NOBODY';
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false' }, () => new Date('2026-11-20T12:00:00Z'));
    const pay = await h.services.teams.upsert({ slug: 'payments', name: 'Payments', channelId: 'C0PAY', leadUserIds: ['U0PAYLEAD'], memberUserIds: [MEMBER] });
    const search = await h.services.teams.upsert({ slug: 'search', name: 'Search', channelId: 'C0SEARCH', leadUserIds: ['U0SRCLEAD'] });
    await costWrites(h.db.db).insertMany([
      {
        source: 'seed',
        sourceId: 'p1',
        occurredAt: new Date('2026-11-05T12:00:00Z'),
        teamId: pay.id,
        featureId: null,
        customer: 'acme',
        amount: fromUsd('100'),
      },
      {
        source: 'seed',
        sourceId: 's1',
        occurredAt: new Date('2026-11-05T12:00:00Z'),
        teamId: search.id,
        featureId: null,
        customer: 'globex',
        amount: fromUsd('300'),
      },
    ]);
    for (const c of ['budget set payments 500 2026-11', 'budget set search 700 2026-11', 'add 40 human_review monthly search "secret search vendor"'])
      await h.command(c, { userId: FINANCE });
  });
  afterAll(async () => h?.stop());

  it('shows a member their own team, organisation totals and "other teams", and refuses other teams', async () => {
    const budget = blocksText((await h.command('budget', { userId: MEMBER })).reply.blocks);
    expect(budget).toContain('payments');
    expect(budget).not.toContain('search');
    const team = blocksText((await h.command('team search', { userId: MEMBER })).reply.blocks);
    expect(team).toContain('not one of your teams');
    expect(team).not.toContain('$300');
    const top = blocksText((await h.command('top teams 2026-11', { userId: MEMBER })).reply.blocks);
    expect(top).toContain('payments');
    expect(top).toContain('other teams');
    expect(top).not.toContain('search');
    expect(top).toContain('$400.00'); // the organisation total stays
    expect(blocksText((await h.command('top customers 2026-11', { userId: MEMBER })).reply.blocks)).not.toContain('globex');
    const hidden = blocksText((await h.command('hidden', { userId: MEMBER })).reply.blocks);
    expect(hidden).not.toContain('secret search vendor');
    expect(hidden).toContain('of other teams not shown');
    const inTheirChannel = blocksText((await h.command('', { userId: MEMBER, channelId: 'C0SEARCH' })).reply.blocks);
    expect(inTheirChannel).not.toContain('Team Search');
    expect(inTheirChannel).toContain('Team Payments');
    const stranger = blocksText((await h.command('budget', { userId: STRANGER })).reply.blocks);
    expect(stranger).toContain('not a lead or member of any team');
    expect(stranger).not.toContain('$700');
  });

  it('shows finance every team', async () => {
    const budget = blocksText((await h.command('budget', { userId: FINANCE })).reply.blocks);
    expect(budget).toContain('payments');
    expect(budget).toContain('search');
    expect(blocksText((await h.command('team search', { userId: FINANCE })).reply.blocks)).toContain('$300.00');
    expect(blocksText((await h.command('top customers 2026-11', { userId: FINANCE })).reply.blocks)).toContain('globex');
    expect(blocksText((await h.command('hidden', { userId: FINANCE })).reply.blocks)).toContain('secret search vendor');
    recordSlack(h.slack, `visibility-${provider}`);
  });
});

/**
 * Point 6: a stable forecast. The rest of the month's shared costs is split by the trailing 30 days'
 * share, so another team's spike today moves a team's forecast only by what it really changes (its
 * allocated share so far), and two calls in the same hour give the same forecast to the nanodollar.
 */
describe.each(testProviders())('a stable forecast on %s', (provider) => {
  let h: Harness;
  let claimsId = 0;
  let growthId = 0;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false' });
    const claims = await h.services.teams.upsert({ slug: 'claims', name: 'Claims' });
    const growth = await h.services.teams.upsert({ slug: 'growth', name: 'Growth' });
    claimsId = claims.id;
    growthId = growth.id;
    const rows = [];
    for (let t = Date.UTC(2026, 9, 1); t < Date.UTC(2026, 10, 10); t += 86_400_000) {
      rows.push({ source: 'seed', sourceId: `c${t}`, occurredAt: new Date(t + 3_600_000), teamId: claims.id, featureId: null, amount: fromUsd('50') });
      rows.push({ source: 'seed', sourceId: `g${t}`, occurredAt: new Date(t + 3_600_000), teamId: growth.id, featureId: null, amount: fromUsd('50') });
    }
    await costWrites(h.db.db).insertMany(rows);
    await h.command('budget set claims 3000 2026-11', { userId: FINANCE });
    await h.command('add 3000 vector_db monthly 2026-10 shared direct "vector DB"', { userId: FINANCE });
  });
  afterAll(async () => h?.stop());

  const claimsRow = async (now: Date) => (await h.services.budgets.rows(now)).find((r) => r.team.id === claimsId)!;

  it('gives the same forecast for calls within the hour', async () => {
    const a = await claimsRow(new Date('2026-11-10T14:05:00Z'));
    const b = await claimsRow(new Date('2026-11-10T14:55:59Z'));
    expect(a.forecast.reliable).toBe(true);
    expect(b.forecast.projectedTotal).toBe(a.forecast.projectedTotal);
  });

  it("moves a team's forecast by no more than its allocated share so far when another team spikes", async () => {
    const now = new Date('2026-11-10T14:00:00Z');
    const before = await claimsRow(now);
    await costWrites(h.db.db).insertMany([
      { source: 'seed', sourceId: 'spike', occurredAt: new Date('2026-11-10T09:00:00Z'), teamId: growthId, featureId: null, amount: fromUsd('2000') },
    ]);
    const after = await claimsRow(now);
    expect(after.cost.direct).toBe(before.cost.direct);
    expect(after.cost.allocated < before.cost.allocated).toBe(true); // the month's split so far follows spend so far
    // ... but the rest of the month is split by the trailing share: nothing else moved.
    expect(after.forecast.projectedTotal! - before.forecast.projectedTotal!).toBe(after.cost.allocated - before.cost.allocated);
  });
});
