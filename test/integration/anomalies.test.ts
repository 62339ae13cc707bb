import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { dayStart } from '../../src/domain/periods.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { blockActionsBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';

const TZ = 'America/Los_Angeles';
const LEAD = 'U0SUPLEAD';
const SPIKE = '2026-11-10'; // a Tuesday

describe.each(testProviders())('spend anomalies over signed HTTP on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false', ANOMALY_INTRADAY: 'false', VISIBILITY: 'open' });
    const team = await h.services.teams.upsert({ slug: 'support', name: 'Support', channelId: 'C0SUPPORT', leadUserIds: [LEAD] });
    const triage = await h.services.teams.upsertFeature({ slug: 'triage', name: 'Triage', teamId: team.id });
    const drafts = await h.services.teams.upsertFeature({ slug: 'drafts', name: 'Drafts', teamId: team.id });
    const rows = [];
    let n = 0;
    // Six weeks of a weekday pattern, through the DST change on 2026-11-01, then a spike in triage on
    // SPIKE and the day after (a retry loop), on gpt-4o.
    for (let t = Date.UTC(2026, 8, 28); t <= Date.UTC(2026, 10, 12); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      const wobble = 1 + ((n % 5) - 2) / 50;
      const spike = day === SPIKE || day === '2026-11-11' ? 6 : 1;
      const noon = dayStart(day, TZ).getTime() + 12 * 3600_000;
      rows.push({
        source: 'seed',
        sourceId: `t${n}`,
        occurredAt: new Date(noon),
        teamId: team.id,
        featureId: triage.id,
        model: 'gpt-4o',
        customer: 'acme',
        amount: fromUsd(((weekend ? 20 : 80) * wobble * spike).toFixed(2)),
      });
      rows.push({
        source: 'seed',
        sourceId: `d${n}`,
        occurredAt: new Date(noon + 3600_000),
        teamId: team.id,
        featureId: drafts.id,
        model: 'claude',
        customer: 'globex',
        amount: fromUsd(((weekend ? 10 : 40) * wobble).toFixed(2)),
      });
      n++;
    }
    await costWrites(h.db.db).insertMany(rows);
  });
  afterAll(async () => h?.stop());

  const scan = (localDay: string) =>
    runClaimed(
      h.running.runtime.jobs.find((j) => j.name === 'anomalies')!,
      h.running.runtime.jobDeps,
      new Date(dayStart(localDay, TZ).getTime() + 30 * 60_000),
    );
  const teamPosts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SUPPORT' && String(c.args.text).includes('team support'));

  it('stays quiet on ordinary days, across the DST change', async () => {
    await scan('2026-11-02');
    await scan('2026-11-09');
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  let firstTs = '';
  let blocks: unknown[] = [];
  it('posts a spike once with expected, impact, what drove it, a chart and drill-down; to finance too above its floor', async () => {
    await scan('2026-11-11');
    const posts = teamPosts();
    expect(posts).toHaveLength(1);
    firstTs = String(posts[0]!.response?.ts);
    blocks = posts[0]!.args.blocks as unknown[];
    const text = JSON.stringify(blocks);
    expect(text).toContain(`Spend spike in team support on ${SPIKE}`);
    expect(text).toMatch(/Actual\* \$5\d\d\.\d\d · \*expected\* \$1[12]\d\.\d\d/);
    expect(text).toContain('What drove it');
    expect(text).toMatch(/feature \*triage\*: \+\$4\d\d/);
    // The drivers foot: a feature's "% of the change" is its Δ over the features' total Δ, measured
    // against the expected value of the impact line, so that total is the impact itself.
    const cents = (m: string) => Math.round(Number(m.replace(/[$,+]/g, '')) * 100);
    const impact = cents(/\*Impact\* (-?\$[\d,]+\.\d\d)/.exec(text)![1]!);
    const [, delta, share] = /feature \*triage\*: ([+-]\$[\d,]+\.\d\d) \((-?\d+)% of the change\)/.exec(text)!;
    expect(Number(share)).toBe(Math.round((100 * cents(delta!)) / impact));
    expect(text).toContain('"type":"image"');
    expect(text).toContain('/aicost team support 30d');
    expect(h.slack.callsTo('chat.postMessage').some((c) => c.args.channel === 'C0FINANCE' && String(c.args.text).includes('team support'))).toBe(true);
    // Re-running the same scan posts nothing more.
    await runClaimed(
      h.running.runtime.jobs.find((j) => j.name === 'anomalies')!,
      h.running.runtime.jobDeps,
      new Date(dayStart('2026-11-11', TZ).getTime() + 45 * 60_000),
    );
    expect(teamPosts()).toHaveLength(1);
  });

  it('threads the next anomalous day under the same post with the running impact', async () => {
    h.slack.reset();
    await scan('2026-11-12');
    const thread = teamPosts();
    expect(thread).toHaveLength(1);
    expect(thread[0]!.args.thread_ts).toBe(firstTs);
    expect(JSON.stringify(thread[0]!.args.blocks)).toContain(`running since ${SPIKE}`);
  });

  it('takes feedback only from the team or finance, and shows it', async () => {
    const click = (userId: string, id: string) =>
      postSigned(
        h.events,
        blockActionsBody({
          actionId: 'anomaly_feedback_planned',
          userId,
          blocks,
          messageTs: firstTs,
          channelId: 'C0SUPPORT',
          responseUrl: h.slack.responseUrl(id),
        }),
        { secret: SIGNING_SECRET },
      );
    await click('U0STRANGER', 'no');
    expect(String((await h.slack.waitForResponse((r) => r.url.endsWith('no'))).body.text)).toContain('Nothing was changed');
    await click(LEAD, 'yes');
    expect(String((await h.slack.waitForResponse((r) => r.url.endsWith('yes'))).body.text)).toContain('marked planned');
    const update = await h.slack.waitFor('chat.update', (c) => c.args.ts === firstTs);
    expect(JSON.stringify(update.args.blocks)).toContain('Expected (planned)');
    const list = await h.command('anomalies support');
    expect(blocksText(list.reply.blocks)).toMatch(/team support +2026-11-10\.\.2026-11-11 +spike +\$\d[\d,.]+ +Expected \(planned\)/);
  });
});
