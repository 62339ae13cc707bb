import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { dayStart } from '../../src/domain/periods.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { appHomeOpenedBody, blockActionsBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { startHeliconeStandIn, type HeliconeRow, type HeliconeStandIn } from '../support/helicone-stand-in.ts';

/**
 * Issue 11, defect 1 and its "Done when": tags that any engineer can set hold Slack control
 * sequences. After a sync from the stand-in Helicone and every kind of post (top lists shared in the
 * channel, budget thresholds and decisions, the anomaly post, the chargeback draft and close, App
 * Home, refusals), the stand-in Slack has not one unescaped control sequence in any `text`, mrkdwn
 * text or file comment, while aicost's own mentions of leads and requesters still arrive as `<@U…>`.
 */
const FINANCE = 'U0FINANCE';
const LEAD = 'U0EVILLEAD';
const OURS = new Set([FINANCE, LEAD]);
const HOSTILE = ['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C123>', '<https://x|y>'];
const NOW = new Date('2026-11-18T18:00:00Z');
const SPIKE = '2026-11-10';

/** Every string Slack would parse as mrkdwn in a recorded payload: `text`, `initial_comment`, mrkdwn text objects. */
function mrkdwnStrings(payload: unknown, out: string[] = [], top = true): string[] {
  if (Array.isArray(payload)) {
    for (const p of payload) mrkdwnStrings(p, out, false);
    return out;
  }
  if (!payload || typeof payload !== 'object') return out;
  const o = payload as Record<string, unknown>;
  if (typeof o.text === 'string' && (top || o.type === 'mrkdwn')) out.push(o.text);
  if (top && typeof o.initial_comment === 'string') out.push(o.initial_comment);
  for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v !== 'string') mrkdwnStrings(v, out, false);
  return out;
}

describe.each(testProviders())('hostile names from sources reach Slack as text on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;

  beforeAll(async () => {
    const rows: HeliconeRow[] = [];
    const props = { team: '<!channel>', feature: '<https://x|y>', customer: '<@U123>', environment: '<#C123>' };
    for (let d = 1; d <= 28; d++) {
      rows.push({
        request_id: `oct-${d}`,
        request_created_at: `2026-10-${String(d).padStart(2, '0')}T12:00:00.000Z`,
        cost: 2,
        properties: props,
        model: '<!here> gpt-evil',
        provider: 'OPENAI',
      });
      rows.push({
        request_id: `oct-e-${d}`,
        request_created_at: `2026-10-${String(d).padStart(2, '0')}T13:00:00.000Z`,
        cost: 1,
        properties: { team: '<!everyone>', feature: '<!here>' },
        model: 'gpt-4o',
        provider: 'OPENAI',
      });
    }
    helicone = await startHeliconeStandIn({ rows });
    h = await startHarness(
      provider,
      {
        REPORT_TIMEZONE: 'UTC',
        SCHEDULER_ENABLED: 'false',
        ANOMALY_INTRADAY: 'false',
        HELICONE_API_KEY: helicone.apiKey,
        HELICONE_BASE_URL: helicone.url,
      },
      () => NOW,
    );
  }, 60_000);
  afterAll(async () => {
    await helicone?.close();
    await h?.stop();
  });

  it('syncs the hostile tags into addressable teams that keep their names', async () => {
    const [r] = await h.running.runtime.sync.run(NOW, { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') });
    expect(r).toMatchObject({ ok: true, inserted: 56 });
    const team = await h.services.teams.bySlug('channel');
    expect(team).toMatchObject({ slug: 'channel', name: '<!channel>' });
    expect(await h.services.teams.bySlug('everyone')).toMatchObject({ name: '<!everyone>' });
    const features = await h.services.teams.listFeatures();
    expect(features.find((f) => f.slug === 'https-x-y')).toMatchObject({ name: '<https://x|y>' });
    // Defect 2: every such team is addressable in every command.
    for (const cmd of ['team channel 2026-10', 'feature https-x-y 2026-10', 'iceberg everyone 2026-10']) {
      const { reply } = await h.command(cmd);
      expect(blocksText(reply.blocks)).not.toMatch(/is not a (team|feature) name|No (team|feature) named/);
    }
    expect(blocksText((await h.command('admin alias team chan channel', { userId: FINANCE })).reply.blocks)).not.toContain('did not understand');
    expect(blocksText((await h.command('budget set everyone 500', { userId: FINANCE })).reply.blocks)).toContain('is now $500.00');
  }, 60_000);

  it("posts every kind of message with the names escaped and aicost's mentions intact", async () => {
    const team = (await h.services.teams.bySlug('channel'))!;
    const feature = (await h.services.teams.listFeatures()).find((f) => f.slug === 'https-x-y')!;
    for (const c of ['channel C0EVIL', `leads <@${LEAD}|lead>`]) await h.command(`admin team channel ${c}`, { userId: FINANCE });
    await h.command('admin team everyone channel C0EVERY', { userId: FINANCE });
    // Six weeks of daily history for the anomaly detector, a spike on SPIKE, all on the hostile model and customer.
    const history = [];
    let n = 0;
    for (let t = Date.UTC(2026, 8, 28); t <= Date.UTC(2026, 10, 11); t += 86_400_000, n++) {
      const day = new Date(t).toISOString().slice(0, 10);
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      const amount = (weekend ? 20 : 80) * (1 + ((n % 5) - 2) / 50) * (day === SPIKE || day === '2026-11-11' ? 6 : 1);
      history.push({
        source: 'seed',
        sourceId: `hist-${n}`,
        occurredAt: new Date(dayStart(day, 'UTC').getTime() + 12 * 3600_000),
        teamId: team.id,
        featureId: feature.id,
        model: '<!here> gpt-evil',
        customer: '<@U123>',
        environment: '<#C123>',
        amount: fromUsd(amount.toFixed(2)),
      });
    }
    await costWrites(h.db.db).insertMany(history);

    // Top lists and reports, shared in the channel.
    for (const cmd of [
      'top teams 2026-10 share',
      'top features 2026-10 share',
      'top models 2026-10 share',
      'top customers 2026-10 share',
      'team channel share',
      'feature https-x-y 2026-10 share',
      'budget share',
    ]) {
      const { reply } = await h.command(cmd, { userId: FINANCE });
      expect(reply.response_type, cmd).toBe('in_channel');
    }
    // Budget thresholds (80%, 100%, the automatic request to finance).
    await h.command('budget set channel 1000', { userId: FINANCE });
    const jobs = h.running.runtime;
    await runClaimed(jobs.jobs.find((j) => j.name === 'budgets')!, jobs.jobDeps, NOW);
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0EVIL');
    // A lead's request with a hostile reason, and finance's decision (update, DM, team-channel notice).
    await h.command('request 50 channel <!channel> please <https://x|y>', { userId: LEAD });
    // The budget check just opened the month's automatic request: the lead's request updates it (one open
    // request per team and month), so its finance message is edited rather than posted again.
    const requestPost = await h.slack.waitFor('chat.update', (c) => c.args.channel === 'C0FINANCE' && String(c.args.text).includes('$50.00'));
    const id = Number(
      /#(\d+)/.exec(String(requestPost.args.text))?.[1] ?? (await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { requestedBy: LEAD } })).id,
    );
    await postSigned(
      h.events,
      blockActionsBody({
        actionId: 'overrun_approve',
        value: String(id),
        userId: FINANCE,
        blocks: requestPost.args.blocks as unknown[],
        messageTs: String(requestPost.args.ts),
        channelId: 'C0FINANCE',
        responseUrl: h.slack.responseUrl('approve'),
      }),
      { secret: SIGNING_SECRET },
    );
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0EVIL' && String(c.args.text).includes('approved'));
    // The anomaly post (drill-down line, what drove it).
    await runClaimed(jobs.jobs.find((j) => j.name === 'anomalies')!, jobs.jobDeps, new Date(dayStart('2026-11-11', 'UTC').getTime() + 30 * 60_000));
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0EVIL' && String(c.args.text).startsWith('Spend spike'));
    // The chargeback draft for October, then its close (each team told its own line).
    await runClaimed(jobs.jobs.find((j) => j.name === 'chargeback')!, jobs.jobDeps, NOW);
    const draft = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && String(c.args.text).startsWith('Chargeback 2026-10'));
    await postSigned(
      h.events,
      blockActionsBody({
        actionId: 'period_close',
        value: '2026-10',
        userId: FINANCE,
        blocks: draft.args.blocks as unknown[],
        messageTs: String(draft.response?.ts),
        channelId: 'C0FINANCE',
        responseUrl: h.slack.responseUrl('close'),
      }),
      { secret: SIGNING_SECRET },
    );
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0EVIL' && String(c.args.text).includes('is closed at'));
    // App Home, and a refusal that names the author.
    await postSigned(h.events, appHomeOpenedBody({ userId: LEAD }), { secret: SIGNING_SECRET });
    await h.slack.waitFor('views.publish');
    await h.command('add 10 other once 2026-11-12 channel "<!everyone> lunch"', { userId: LEAD });
    const entry = await h.db.db.prisma.hiddenCost.findFirstOrThrow({ where: { author: LEAD } });
    const refused = await h.command(`hidden delete ${entry.id}`, { userId: 'U0SOMEONE' });
    expect(blocksText(refused.reply.blocks)).toContain(`<@${LEAD}>`);
    await h.idle(); // every request sent has been handled: nothing more can come

    const payloads = [
      ...h.slack.calls.map((c) => ({ where: c.method, body: c.args })),
      ...h.slack.responses.map((r) => ({ where: `response_url ${r.id}`, body: r.body })),
    ];
    const texts = payloads.flatMap((p) => mrkdwnStrings(p.body).map((text) => ({ where: p.where, text })));
    // Not vacuous: every hostile name was shown, escaped, in the posts…
    const all = texts.map((t) => t.text).join('\n');
    for (const s of HOSTILE) expect(all, s).toContain(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    for (const method of ['chat.postMessage', 'chat.update', 'views.publish'])
      expect(
        payloads.some((p) => p.where === method),
        method,
      ).toBe(true);
    // …and every `<…>` left is a mention aicost meant.
    const controls = texts.flatMap((t) => [...t.text.matchAll(/<[^>]*>?/g)].map((m) => ({ where: t.where, seq: m[0] })));
    const foreign = controls.filter((c) => !/^<@(U[A-Z0-9]+)>$/.test(c.seq) || !OURS.has(c.seq.slice(2, -1)));
    expect(foreign).toEqual([]);
    const mentions = new Set(controls.map((c) => c.seq));
    expect(mentions).toContain(`<@${LEAD}>`);
    expect(mentions).toContain(`<@${FINANCE}>`);
    // The notification text of posts and DMs (what a phone shows) carries the names escaped too.
    const posts = h.slack.callsTo('chat.postMessage');
    expect(posts.some((c) => String(c.args.text).includes('&lt;!channel&gt;'))).toBe(true);
  }, 120_000);
});
