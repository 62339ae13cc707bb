import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { DEMO_TEAMS } from '../../src/demo/generate.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { DEMO_FINANCE_USER, setUpDemo } from '../../src/demo/setup.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, startHarness, type Harness } from '../support/app-harness.ts';
import { recordSlack } from '../support/recording.ts';

/** `aicost demo` shows the product: budgets near and over, hidden costs, a baseline, a closed month, a spike that alerts. */
describe.each(testProviders())('the demo on %s', (provider) => {
  let h: Harness;
  const now = new Date('2026-11-24T12:00:00Z'); // a Tuesday: the planted spike is on Monday

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false', FINANCE_USER_IDS: `U0FINANCE,${DEMO_FINANCE_USER}` }, () => now);
    await seedDemo({ teams: h.services.teams, writes: costWrites(h.db.db) }, { now, timeZone: 'UTC', days: 60, scale: 0.05 });
    await setUpDemo(h.services, { now, timeZone: 'UTC' });
  }, 60_000);
  afterAll(async () => {
    recordSlack(h.slack, `demo-${provider}`);
    await h?.stop();
  });

  it('has hidden costs, a baseline, leads, channels, a closed month, and budgets one past 80% and one over', async () => {
    const budget = blocksText((await h.command('budget', { userId: 'U0FINANCE' })).reply.blocks);
    const used = (slug: string) =>
      Number(
        new RegExp(`\\n${slug} +\\$[\\d,.]+ +\\$[\\d,.]+ +(\\d+)%`).exec(
          JSON.parse(budget)
            .map((b: { text?: { text?: string } }) => b.text?.text ?? '')
            .join('\n'),
        )?.[1],
      );
    expect(used('support')).toBeGreaterThanOrEqual(80);
    expect(used('support')).toBeLessThan(100);
    expect(used('search')).toBeGreaterThan(100);
    const hidden = blocksText((await h.command('hidden', { userId: 'U0FINANCE' })).reply.blocks);
    expect(hidden).toContain('Vector DB');
    expect(hidden).toContain('Human review');
    expect(blocksText((await h.command('feature ticket-triage 2026-10', { userId: 'U0FINANCE' })).reply.blocks)).toContain('Human baseline $4.50 per item');
    expect((await h.services.chargeback.build('2026-10')).periodStatus).toBe('closed');
    const teams = await h.services.teams.list();
    expect(teams.every((t) => t.channelId && t.leadUserIds.length > 0)).toBe(true);
    // Seeding again adds no second copy of the hidden costs.
    await setUpDemo(h.services, { now, timeZone: 'UTC' });
    expect((await h.services.hiddenRepo.active()).length).toBe(3);
  });

  it("prices every call at the list price of its tokens: a what-if on each feature's own model finds no gap (reply-drafts was recorded at 79× list)", async () => {
    for (const f of DEMO_TEAMS.flatMap((t) => t.features)) {
      if (f.model.includes('embedding')) continue; // the what-if prices text models only
      const text = blocksText((await h.command(`whatif ${f.slug} ${f.model} 30d`, { userId: 'U0FINANCE' })).reply.blocks);
      expect(text, f.slug).toContain('close to the list price');
      expect(text, f.slug).not.toContain('× the list price');
      expect(text, f.slug).not.toContain('below the list price');
    }
  });

  it('refuses a cost for the closed month as a refusal that says the month is closed and what to do, not "did not understand"', async () => {
    const { reply } = await h.command('add 100 vector_db once 2026-10-05 support "late invoice"', { userId: 'U0FINANCE' });
    const text = blocksText(reply.blocks);
    expect(text).toContain('2026-10 is closed');
    expect(text).toContain('Date it in an open month instead. Finance can reopen 2026-10 first. Nothing was changed.');
    expect(text).not.toContain('did not understand');
    expect(text).not.toContain('Try:');
    expect((await h.services.hiddenRepo.active()).length).toBe(3);
    recordSlack(h.slack, `closed-month-refusal-${provider}`);
  });

  it('admin replies echo the value now in force: people as mentions, the category label, the adjustment reason', async () => {
    const said = async (text: string) => blocksText((await h.command(text, { userId: 'U0FINANCE' })).reply.blocks);
    expect(await said('admin team claims leads <@U0ANN> <@U0BOB>')).toContain('The leads of team claims are now <@U0ANN>, <@U0BOB>.');
    expect(await said('admin team claims members <@U0CAT>')).toContain('The members of team claims are now <@U0CAT>.');
    expect(await said('admin team claims cost-center CC-4299')).toContain('The cost centre of team claims is now CC-4299');
    expect(await said('admin team claims name Claims Ops')).toContain('Team claims is now named \\"Claims Ops\\".');
    expect(await said('admin category gpu_hours GPU hours')).toContain('Category gpu_hours added, shown as \\"GPU hours\\".');
    expect(await said('admin adjust growth -20 2026-11 credit for the outage')).toContain('-$20.00 for growth in 2026-11, \\"credit for the outage\\".');
    recordSlack(h.slack, `admin-echo-${provider}`);
    await h.command('admin team claims leads <@U0CLMLEAD>', { userId: 'U0FINANCE' });
  });

  it('posts at least one incident when `aicost run anomalies` runs after seeding', async () => {
    const job = h.running.runtime.jobs.find((j) => j.name === 'anomalies')!;
    const r = await runClaimed(job, h.running.runtime.jobDeps, now);
    expect(r.ran).toBe(true);
    // The demo's month close also posts the team its line, so look for the anomaly post itself.
    const post = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0SUPPORT' && /anomal|unusual|spike/i.test(blocksText(c.args.blocks)));
    expect(blocksText(post.args.blocks)).toMatch(/reply-drafts|Reply drafts/);
  });
});
