import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { appHomeOpenedBody, blockActionsBody, viewSubmissionBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import type { RecordedCall } from '../support/slack-stand-in.ts';
import { recordSlack } from '../support/recording.ts';

const FINANCE = 'U0FINANCE';
const LEAD = 'U0PAYLEAD';
const TZ = 'America/Los_Angeles';
// Wednesday 2026-11-18, 10:00 in Los Angeles.
let now = new Date('2026-11-18T18:00:00Z');

describe.each(testProviders())('budgets and approvals over signed HTTP on %s', (provider) => {
  let h: Harness;
  let payId: number;
  let seq = 0;
  const entry = (teamId: number, at: string, amount: string) => ({
    source: 'seed',
    sourceId: `b${++seq}`,
    occurredAt: new Date(at),
    teamId,
    featureId: null,
    amount: fromUsd(amount),
  });

  beforeAll(async () => {
    now = new Date('2026-11-18T18:00:00Z');
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false' }, () => now);
    const pay = await h.services.teams.upsert({ slug: 'payments', name: 'Payments', channelId: 'C0PAYMENTS', leadUserIds: [LEAD] });
    await h.services.teams.upsert({ slug: 'search', name: 'Search', channelId: 'C0SEARCH', leadUserIds: ['U0SRCLEAD'] });
    payId = pay.id;
    // 2026-10-31T23:30 in LA is 2026-11-01T06:30Z: October spend must not count in November.
    await costWrites(h.db.db).insertMany([
      entry(pay.id, '2026-11-01T06:30:00Z', '5000'),
      entry(pay.id, '2026-11-01T07:00:00Z', '300'),
      entry(pay.id, '2026-11-10T18:00:00Z', '500'),
    ]);
  });
  afterAll(async () => h?.stop());
  afterEach(() => h.slack.reset());

  const posts = (channel: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
  const runBudgets = (at: Date) => {
    const { running } = h;
    const job = running.runtime.jobs.find((j) => j.name === 'budgets')!;
    return runClaimed(job, running.runtime.jobDeps, at);
  };

  it('refuses budget changes from anyone but finance, and changes nothing', async () => {
    const { reply } = await h.command('budget set payments 1000', { userId: LEAD });
    expect(blocksText(reply.blocks)).toContain('Only finance can set budgets');
    expect(await h.db.db.prisma.budget.count()).toBe(0);
  });

  it('lets finance set a standing budget, audited', async () => {
    const { reply } = await h.command('budget set payments 1000', { userId: FINANCE });
    expect(blocksText(reply.blocks)).toContain('standing monthly budget is now $1,000.00');
    const audit = await h.db.db.prisma.auditLog.findFirst({ where: { action: 'budget.set' } });
    expect(audit).toMatchObject({ actor: FINANCE, after: JSON.stringify({ amount: '1000000000000' }), before: null });
  });

  it('posts the 80% crossing once to the team channel, with a month boundary at local midnight', async () => {
    const first = await runBudgets(now);
    expect(first.ran).toBe(true);
    const alerts = posts('C0PAYMENTS');
    expect(alerts).toHaveLength(1);
    expect(String(alerts[0]!.args.text)).toContain('Payments has used 80% of its November 2026 budget: $800.00 of $1,000.00');
    // Same slot again: claimed, nothing runs. A later slot: runs, but the crossing was posted already.
    expect((await runBudgets(now)).ran).toBe(false);
    expect((await runBudgets(new Date(now.getTime() + 3600_000))).ran).toBe(true);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(posts('C0FINANCE')).toHaveLength(0);
  });

  let requestTs = '';
  let requestBlocks: unknown[] = [];
  it("sends a lead's overrun request to finance with three buttons", async () => {
    const { reply } = await h.command('request 500 payments Black Friday traffic', { userId: LEAD });
    expect(blocksText(reply.blocks)).toContain('is with finance');
    const msg = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE');
    requestTs = String(msg.response?.ts);
    requestBlocks = msg.args.blocks as unknown[];
    const text = JSON.stringify(requestBlocks);
    for (const label of ['Approve $500.00', 'Deny', 'Approve another amount']) expect(text).toContain(label);
    expect(text).toContain('Black Friday traffic');
  });

  const click = (actionId: string, userId: string, id = 'click') =>
    postSigned(
      h.events,
      blockActionsBody({ actionId, userId, blocks: requestBlocks, messageTs: requestTs, channelId: 'C0FINANCE', responseUrl: h.slack.responseUrl(id) }),
      { secret: SIGNING_SECRET },
    );

  it('refuses a click by someone who is not finance, and changes nothing', async () => {
    const res = await click('overrun_approve', LEAD, 'refused');
    expect(res.status).toBe(200);
    const answer = await h.slack.waitForResponse((r) => r.url.endsWith('refused'));
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(answer.body.text)).toContain('Only finance');
    expect((await h.db.db.prisma.overrunRequest.findFirstOrThrow()).status).toBe('pending');
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('lets finance approve: budget raised, message edited without buttons, requester and team told, audited', async () => {
    await click('overrun_approve', FINANCE);
    const update = await h.slack.waitFor('chat.update');
    expect(update.args).toMatchObject({ channel: 'C0FINANCE', ts: requestTs });
    const blocks = JSON.stringify(update.args.blocks);
    expect(blocks).toContain('Approved $500.00');
    expect(blocks).toContain(`<@${FINANCE}>`);
    expect(blocks).not.toContain('"type":"button"');
    await h.slack.waitFor('conversations.open', (c) => c.args.users === LEAD);
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0PAYMENTS' && String(c.args.text).includes('approved for $500.00'));
    const { reply } = await h.command('budget', { userId: LEAD });
    expect(blocksText(reply.blocks)).toMatch(/payments +\$1,500\.00 +\$800\.00 +53%/);
    expect(await h.db.db.prisma.auditLog.count({ where: { action: 'overrun.approve', actor: FINANCE } })).toBe(1);
  });

  it('decides exactly once when two finance users click at the same time', async () => {
    await h.command('request 250 payments second wave', { userId: LEAD });
    const msg = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE');
    requestTs = String(msg.response?.ts);
    requestBlocks = msg.args.blocks as unknown[];
    h.slack.reset();
    const both = await Promise.all([click('overrun_approve', FINANCE, 'a'), click('overrun_approve', FINANCE, 'b')]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    await h.slack.waitFor('chat.update');
    await h.slack.waitForResponse();
    await h.idle(); // every request sent has been handled: nothing more can come
    expect(h.slack.callsTo('chat.update')).toHaveLength(1);
    expect(h.slack.responses.filter((r) => String(r.body.text).includes('already'))).toHaveLength(1);
    const decided = await h.db.db.prisma.overrunRequest.findMany({ where: { reason: 'second wave' } });
    expect(decided).toHaveLength(1);
    expect(['approved', 'denied']).toContain(decided[0]!.status);
    expect(await h.db.db.prisma.auditLog.count({ where: { entityId: String(decided[0]!.id), action: { in: ['overrun.approve', 'overrun.deny'] } } })).toBe(1);
  });

  it('lets finance approve another amount through a form, validated field by field', async () => {
    await h.command('request 900 payments big launch', { userId: LEAD });
    const msg = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && JSON.stringify(c.args.blocks).includes('big launch'));
    requestTs = String(msg.response?.ts);
    requestBlocks = msg.args.blocks as unknown[];
    await click('overrun_approve_other', LEAD, 'other-refused');
    expect(String((await h.slack.waitForResponse((r) => r.url.endsWith('other-refused'))).body.text)).toContain('Only finance');
    await click('overrun_approve_other', FINANCE, 'other');
    const open = await h.slack.waitFor('views.open');
    const view = open.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('overrun_approve_other_modal');
    const submit = (amount: string, reason: string) =>
      postSigned(
        h.events,
        viewSubmissionBody({
          callbackId: view.callback_id,
          userId: FINANCE,
          privateMetadata: view.private_metadata,
          values: { amount: { value: amount }, reason: { value: reason } },
        }),
        { secret: SIGNING_SECRET },
      );
    const bad = await submit('lots', '');
    expect(Object.keys(((await bad.json()) as { errors: Record<string, string> }).errors).sort()).toEqual(['amount', 'reason']);
    const request = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { reason: 'big launch' } });
    expect(request.status).toBe('pending');
    const good = await submit('300', 'half now, the rest after the launch review');
    expect(good.status).toBe(200);
    // The form closes at once; the decision and its messages follow.
    const update = await h.slack.waitFor('chat.update', (c) => c.args.ts === requestTs);
    expect(JSON.stringify(update.args.blocks)).toContain('Approved $300.00');
    const decided = await h.db.db.prisma.overrunRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect([decided.status, decided.decidedAmount, decided.decisionReason]).toEqual(['approved', fromUsd('300'), 'half now, the rest after the launch review']);
  });

  it('posts 100% to the team and to finance once, and raises a request automatically when no increase covers it', async () => {
    await h.db.db.prisma.overrunRequest.deleteMany();
    await h.db.db.prisma.budget.updateMany({ data: { amount: fromUsd('700') } });
    now = new Date('2026-11-19T18:00:00Z');
    expect((await runBudgets(now)).ran).toBe(true);
    const calls: RecordedCall[] = h.slack.callsTo('chat.postMessage');
    expect(calls.filter((c) => c.args.channel === 'C0PAYMENTS' && String(c.args.text).includes('114%'))).toHaveLength(1);
    expect(calls.filter((c) => c.args.channel === 'C0FINANCE' && String(c.args.text).includes('114%'))).toHaveLength(1);
    const auto = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { automatic: true } });
    expect(auto.amount).toBe(fromUsd('100'));
    expect(calls.filter((c) => c.args.channel === 'C0FINANCE' && JSON.stringify(c.args.blocks).includes(`Budget request #${auto.id}`))).toHaveLength(1);
    h.slack.reset();
    await runBudgets(new Date(now.getTime() + 60_000));
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    void payId;
  });

  it('publishes App Home: a lead sees their teams and open requests, finance sees every team and pending approvals', async () => {
    h.slack.reset();
    const lead = await postSigned(h.events, appHomeOpenedBody({ userId: LEAD }), { secret: SIGNING_SECRET });
    expect(lead.status).toBe(200);
    const leadView = await h.slack.waitFor('views.publish', (c) => c.args.user_id === LEAD);
    const leadText = JSON.stringify(leadView.args.view);
    expect(leadText).toContain('Payments');
    expect(leadText).not.toContain('*Search*');
    expect(leadText).toMatch(/█+░*.*%/);
    expect(leadText).toContain('Open requests');
    await postSigned(h.events, appHomeOpenedBody({ userId: FINANCE }), { secret: SIGNING_SECRET });
    const financeText = JSON.stringify((await h.slack.waitFor('views.publish', (c) => c.args.user_id === FINANCE)).args.view);
    expect(financeText).toContain('*Search*');
    expect(financeText).toContain('Pending approvals');
    expect(financeText).toMatch(/#\d+ · \*Payments\* asks \$100\.00 more/);
    expect(financeText).not.toContain('``');
  });

  it('gives finance the approval buttons in App Home; a click from there decides and refreshes the Home tab', async () => {
    h.slack.reset();
    await postSigned(h.events, appHomeOpenedBody({ userId: FINANCE }), { secret: SIGNING_SECRET });
    const view = (await h.slack.waitFor('views.publish', (c) => c.args.user_id === FINANCE)).args.view as {
      blocks: { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[];
    };
    const actions = view.blocks.find((b) => b.type === 'actions' && b.block_id?.startsWith('home_overrun_'))!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual(['overrun_approve', 'overrun_deny', 'overrun_approve_other']);
    const id = Number(actions.elements![0]!.value);
    // Someone else clicking from their Home changes nothing.
    await postSigned(
      h.events,
      blockActionsBody({ actionId: 'overrun_approve', userId: LEAD, blocks: view.blocks, container: 'view', view: { type: 'home' } }),
      { secret: SIGNING_SECRET },
    );
    await h.slack.waitFor('views.publish', (c) => c.args.user_id === LEAD);
    expect((await h.db.db.prisma.overrunRequest.findUniqueOrThrow({ where: { id } })).status).toBe('pending');
    h.slack.reset();
    await postSigned(
      h.events,
      blockActionsBody({ actionId: 'overrun_approve', userId: FINANCE, blocks: view.blocks, container: 'view', view: { type: 'home' } }),
      { secret: SIGNING_SECRET },
    );
    const refreshed = JSON.stringify((await h.slack.waitFor('views.publish', (c) => c.args.user_id === FINANCE)).args.view);
    expect((await h.db.db.prisma.overrunRequest.findUniqueOrThrow({ where: { id } })).status).toBe('approved');
    expect(refreshed).not.toContain(`home_overrun_${id}`);
  });

  it("posts a channel-less team's alert once in finance, naming the team as untold", async () => {
    const ledger = await h.services.teams.upsert({ slug: 'ledger', name: 'Ledger', channelId: null, leadUserIds: [] });
    await costWrites(h.db.db).insertMany([entry(ledger.id, '2026-11-19T17:00:00Z', '900')]);
    await h.command('budget set ledger 500', { userId: FINANCE });
    h.slack.reset();
    now = new Date('2026-11-19T20:00:00Z');
    expect((await runBudgets(now)).ran).toBe(true);
    const alerts = posts('C0FINANCE').filter((c) => String(c.args.text).startsWith('Ledger is over'));
    // It came twice: the team's copy fell back to finance, then finance's own copy.
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts[0]!.args.blocks)).toContain('ledger has no channel: nobody on the team was told');
    recordSlack(h.slack, `budget-no-channel-${provider}`);
  });
});
