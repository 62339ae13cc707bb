import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { dayStart } from '../../src/domain/periods.ts';
import { createLogger } from '../../src/logger.ts';
import { startBot, type Running } from '../../src/main.ts';
import { testProviders } from '../support/database.ts';
import { BOT_TOKEN, SIGNING_SECRET, blocksText, startHarness, type Harness } from '../support/app-harness.ts';

describe.each(testProviders())('budget forecast in Asia/Tokyo on %s', (provider) => {
  let h: Harness;
  const TZ = 'Asia/Tokyo';
  // Tuesday 2026-11-17, 00:00 in Tokyo.
  const now = new Date('2026-11-16T15:00:00Z');
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false' }, () => now);
    const team = await h.services.teams.upsert({ slug: 'search', name: 'Search', leadUserIds: ['U0LEAD'] });
    const rows = [];
    // Six weeks of a weekday pattern: $100 on weekdays, $20 on weekends, at local noon, up to yesterday.
    for (let d = new Date(Date.UTC(2026, 9, 6)); d < new Date(Date.UTC(2026, 10, 17)); d = new Date(d.getTime() + 86_400_000)) {
      const day = d.toISOString().slice(0, 10);
      const weekend = [0, 6].includes(d.getUTCDay());
      rows.push({
        source: 'seed',
        sourceId: day,
        occurredAt: new Date(dayStart(day, TZ).getTime() + 12 * 3600_000),
        teamId: team.id,
        featureId: null,
        amount: fromUsd(weekend ? '20' : '100'),
      });
    }
    // 00:30 on November 1st in Tokyo is still October 31st in UTC: it counts in November here.
    rows.push({ source: 'seed', sourceId: 'boundary', occurredAt: new Date('2026-10-31T15:30:00Z'), teamId: team.id, featureId: null, amount: fromUsd('5') });
    await costWrites(h.db.db).insertMany(rows);
    await h.command('budget set search 2000', { userId: 'U0FINANCE' });
  });
  afterAll(async () => h?.stop());

  it('projects the month from the weekday pattern and counts the local month', async () => {
    const text = blocksText((await h.command('budget', { userId: 'U0LEAD' })).reply.blocks);
    // November 1–16: 11 weekdays × $100 + 5 weekend days × $20 + the $5 after local midnight = $1,205.
    // Still to come, 17–30: 10 weekdays × $100 + 4 weekend days × $20 = $1,080. Month: $2,285.
    expect(text).toMatch(/search +\$2,000\.00 +\$1,205\.00 +60% +\$2,285\.00 +forecast over/);
  });
});

describe.each(testProviders())('two app instances with the scheduler on one %s database', (provider) => {
  let h: Harness;
  let replicas: Running[] = [];
  beforeAll(async () => {
    // The harness only provides the database and the stand-in Slack; the data is in place before the
    // two replicas start their schedulers (a slot is a whole minute, and claimed once).
    const env = { SCHEDULER_ENABLED: 'true', BUDGET_CHECK_CRON: '* * * * * *', SYNC_CRON: '0 0 1 1 *', CHARGEBACK_CRON: '0 0 1 1 *' };
    h = await startHarness(provider, { SCHEDULER_ENABLED: 'false' });
    const team = await h.services.teams.upsert({ slug: 'ops', name: 'Ops', channelId: 'C0OPS' });
    await h.services.budgetsRepo.set({ teamId: team.id, month: '*', amount: fromUsd('100'), actor: 'U0FINANCE', at: new Date() });
    await costWrites(h.db.db).insertMany([
      { source: 'seed', sourceId: 'x', occurredAt: new Date(Date.now() - 60_000), teamId: team.id, featureId: null, amount: fromUsd('85') },
    ]);
    const config = loadConfig({
      ...env,
      DATABASE_URL: h.db.url,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: h.slack.url,
      PORT: '0',
      HOST: '127.0.0.1',
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      FINANCE_USER_IDS: 'U0FINANCE',
    });
    replicas = await Promise.all([startBot(config, createLogger('silent'), { retries: 0 }), startBot(config, createLogger('silent'), { retries: 0 })]);
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await h?.stop();
  });

  it('posts each alert exactly once while both fire every second', async () => {
    await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0OPS', 10_000);
    await new Promise((r) => setTimeout(r, 3500));
    const alerts = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0OPS');
    expect(alerts).toHaveLength(1);
    expect(String(alerts[0]!.args.text)).toContain('85% of its');
    // Both schedulers fired about seven times in all; slots are whole minutes, and each was claimed once.
    const slots = await h.db.db.prisma.jobClaim.findMany({ where: { key: { startsWith: 'budgets:' } } });
    expect(slots.length).toBeGreaterThanOrEqual(1);
    expect(slots.length).toBeLessThanOrEqual(2);
    expect(new Set(slots.map((s) => s.key)).size).toBe(slots.length);
  }, 30_000);
});
