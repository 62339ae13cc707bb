import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd, sum } from '../../src/domain/money.ts';
import { retryStaleSlots, runClaimed, slotKey } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { tooWide } from '../support/widths.ts';
import { nowSeconds, postSigned } from '../support/slack-signer.ts';
import { slashCommandBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness, tableRows } from '../support/app-harness.ts';
import { HELICONE_PATH, startJsonServer, type HeliconeRow, type JsonStandIn } from '../support/helicone-stand-in.ts';

/** Issue 11, defects 5, 6, 8 and 10: failed slots, untrusted source records, replays, the smaller ones. */
const FINANCE = 'U0FINANCE';
const LEAD = 'U0PAYLEAD';

/**
 * A Helicone API that answers like a schema-driven mock (Prism over the OpenAPI document): valid
 * envelopes whose values are odd but valid by the schema, ignoring the filter it was sent. It answers
 * the first page of every query with `rows`, and an empty page after.
 */
async function startOddHelicone(rows: HeliconeRow[]): Promise<JsonStandIn & { apiKey: string }> {
  const apiKey = 'sk-helicone-odd-0000';
  const server = await startJsonServer(
    (req) => {
      if (req.method !== 'POST' || req.url.pathname !== HELICONE_PATH) return { status: 404, body: { data: null, error: 'Not found' } };
      const offset = (req.body as { offset?: number }).offset ?? 0;
      return { status: 200, body: { data: offset === 0 ? rows : [], error: null } };
    },
    (h) => h.authorization === `Bearer ${apiKey}`,
    (f) => ({ status: f.status ?? 500, body: { data: null, error: 'injected' } }),
  );
  return { ...server, apiKey };
}

const row = (id: string, at: string, cost: unknown, team = 'support'): HeliconeRow => ({
  request_id: id,
  request_created_at: at,
  cost: cost as number,
  properties: { team },
  model: 'gpt-4o-mini',
  provider: 'OPENAI',
  prompt_tokens: 10,
  completion_tokens: 5,
});

describe.each(testProviders())('trust: untrusted source records on %s', (provider) => {
  let h: Harness;
  let helicone: Awaited<ReturnType<typeof startOddHelicone>>;
  let served: HeliconeRow[] = [];
  const good = [row('ok-1', '2026-10-02T10:00:00.000Z', 1.25), row('ok-2', '2026-10-02T11:00:00.000Z', 0.5), row('ok-3', '2026-10-02T12:00:00.000Z', 0)];
  const bad = [
    row('huge', '2026-10-02T13:00:00.000Z', 1e11),
    row('negative', '2026-10-02T13:30:00.000Z', -85.5),
    row('not-a-number', '2026-10-02T14:00:00.000Z', 'twelve dollars'),
    row('old', '1892-03-01T00:00:00.000Z', 3),
    row('future', '2099-01-01T00:00:00.000Z', 3),
    row('no-date', 'yesterday-ish', 3),
  ];
  beforeAll(async () => {
    served = [...good, ...bad].map((r) => ({ ...r }));
    helicone = await startOddHelicone(served);
    h = await startHarness(
      provider,
      { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false', HELICONE_API_KEY: helicone.apiKey, HELICONE_BASE_URL: helicone.url },
      () => new Date('2026-10-03T00:00:00Z'),
    );
  });
  afterAll(async () => {
    // The app first: its shutdown waits for the `sync now` started below, which must still reach the
    // stand-in (closed first, the sync retried a refused connection for ten seconds before giving up).
    try {
      await h?.stop();
    } finally {
      await helicone?.close();
    }
  });

  it('keeps bad records aside with their reason, sums only the good ones, and moves the watermark', async () => {
    const window = { from: new Date('2026-10-02T00:00:00Z'), to: new Date('2026-10-03T00:00:00Z') };
    const [r] = await h.running.runtime.sync.run(new Date('2026-10-03T00:00:00Z'), window);
    expect(r).toMatchObject({ ok: true, error: null, rejected: bad.length, inserted: good.length });
    expect(r!.watermark).toEqual(window.to);
    const stored = await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
    expect(stored._count).toBe(good.length);
    expect(stored._sum.amount).toBe(sum(good.map((g) => fromUsd(g.cost!))));
    const kept = await h.db.db.prisma.rejectedRecord.findMany({ orderBy: { sourceId: 'asc' } });
    expect(Object.fromEntries(kept.map((k) => [k.sourceId, k.reason]))).toEqual({
      future: expect.stringMatching(/dated 2099-01-01T00:00:00.000Z, in the future/),
      huge: expect.stringMatching(/above the per-call ceiling of \$1,000\.00/),
      negative: expect.stringMatching(/negative cost \(-\$85\.50\)/),
      'no-date': expect.stringMatching(/unreadable request_created_at/),
      'not-a-number': expect.stringMatching(/cost is not a number \(twelve dollars\)/),
      old: expect.stringMatching(/dated 1892-03-01T00:00:00.000Z, outside the window asked for/),
    });
    // Running again changes nothing and still does not stall.
    const [again] = await h.running.runtime.sync.run(new Date('2026-10-03T00:00:00Z'), window);
    expect(again).toMatchObject({ ok: true, rejected: bad.length, inserted: 0 });
    expect(await h.db.db.prisma.costEntry.count()).toBe(good.length);
    expect(await h.db.db.prisma.rejectedRecord.count()).toBe(bad.length);
  });

  it('shows the count in /aicost sync, and `npx aicost sync --rejected` lists each with its reason', async () => {
    const blocks = (await h.command('sync')).reply.blocks ?? [];
    const text = blocksText(blocks);
    expect(text).toMatch(/kept aside/);
    expect(tooWide(blocks)).toEqual([]);
    // About 105 characters wide: a table block, not monospace that wraps; the lag in words.
    const rows = tableRows(blocks);
    const helicone = rows.find((r) => r[0] === 'helicone');
    expect([helicone?.[1], helicone?.[5]]).toEqual(['on', '6']);
    expect(helicone?.[3]).toMatch(/\(lag (none|\d+ (seconds?|minutes?|hours?|days?|months?))\)$/);
    expect(text).toContain('6 source record(s) were kept aside');
    const listed = await cli(['sync', '--rejected'], { DATABASE_URL: h.db.url });
    expect(listed.code).toBe(0);
    for (const b of bad) expect(listed.stdout).toContain(b.request_id);
    expect(listed.stdout).toContain('above the per-call ceiling');
    expect(listed.stdout).toContain('6 record(s) kept aside');
  }, 60_000);

  it('stores a record the source has corrected, and it leaves the list kept aside', async () => {
    served.find((r) => r.request_id === 'negative')!.cost = 2.5;
    const [r] = await h.running.runtime.sync.run(new Date('2026-10-03T00:00:00Z'), {
      from: new Date('2026-10-02T00:00:00Z'),
      to: new Date('2026-10-03T00:00:00Z'),
    });
    expect(r).toMatchObject({ ok: true, rejected: bad.length - 1, inserted: 1 });
    expect(await h.db.db.prisma.rejectedRecord.count({ where: { sourceId: 'negative' } })).toBe(0);
    expect((await h.db.db.prisma.costEntry.findFirstOrThrow({ where: { sourceId: 'negative' } })).amount).toBe(fromUsd('2.5'));
  });

  it('audits `sync now` (defect 10)', async () => {
    const { reply } = await h.command('sync now', { userId: FINANCE });
    expect(blocksText(reply.blocks)).toContain('Sync started');
    const audit = await h.db.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'sync.start' } });
    expect(audit.actor).toBe(FINANCE);
  });
});

describe.each(testProviders())('trust: failed slots, replays and the smaller defects on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false' }, () => new Date('2026-11-18T18:00:00Z'));
    const pay = await h.services.teams.upsert({ slug: 'payments', name: 'Payments', channelId: 'C0PAYMENTS', leadUserIds: [LEAD] });
    await h.services.budgetsRepo.set({ teamId: pay.id, month: '*', amount: fromUsd('100'), actor: FINANCE, at: new Date() });
    await costWrites(h.db.db).insertMany([
      { source: 'seed', sourceId: 'x', occurredAt: new Date('2026-11-10T12:00:00Z'), teamId: pay.id, featureId: null, amount: fromUsd('85') },
    ]);
  });
  afterAll(async () => h?.stop());
  afterEach(() => h.slack.reset());

  const job = () => h.running.runtime.jobs.find((j) => j.name === 'budgets')!;
  const alerts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0PAYMENTS' && c.response?.ok === true);

  it('defect 5: a slot whose job failed is retried by the next run of that slot, and posts once', async () => {
    const slot = new Date('2026-11-18T18:00:00Z');
    h.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    await expect(runClaimed(job(), h.running.runtime.jobDeps, slot)).rejects.toThrow(/not_in_channel/);
    expect(alerts()).toHaveLength(0);
    const again = await runClaimed(job(), h.running.runtime.jobDeps, slot);
    expect(again.ran).toBe(true);
    expect(alerts()).toHaveLength(1);
    expect((await runClaimed(job(), h.running.runtime.jobDeps, slot)).ran).toBe(false);
    expect(alerts()).toHaveLength(1);
  });

  it('defect 5: a slot whose runner died is taken over after the lease by the scheduler tick, not before', async () => {
    const slot = new Date('2026-11-18T19:00:00Z');
    const now = new Date();
    await h.db.db.prisma.jobClaim.create({ data: { key: slotKey('budgets', slot), claimedBy: 'dead-host:1', claimedAt: new Date(now.getTime() - 60_000) } });
    expect(await retryStaleSlots(job(), h.running.runtime.jobDeps, now)).toEqual([]);
    expect((await runClaimed(job(), h.running.runtime.jobDeps, slot, { now })).ran).toBe(false);
    const later = new Date(now.getTime() + 5 * 60_000);
    expect(await retryStaleSlots(job(), h.running.runtime.jobDeps, later)).toEqual([{ slot: slotKey('budgets', slot), ok: true }]);
    const claim = await h.db.db.prisma.jobClaim.findUniqueOrThrow({ where: { key: slotKey('budgets', slot) } });
    expect(claim.doneAt).not.toBeNull();
    // The 85% crossing was posted by the first slot; its own claim keeps it exactly-once.
    expect(alerts()).toHaveLength(0);
  });

  it('defect 8: the same signed request replayed three times creates one request and one finance post', async () => {
    const body = slashCommandBody({ text: 'request 250 payments launch week', userId: LEAD, responseUrl: h.slack.responseUrl('replay') });
    const timestamp = nowSeconds();
    const sent = [
      await postSigned(h.events, body, { secret: SIGNING_SECRET, timestamp }),
      await postSigned(h.events, body, { secret: SIGNING_SECRET, timestamp }),
      await postSigned(h.events, body, { secret: SIGNING_SECRET, timestamp, headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } }),
    ];
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.slack.waitForResponse((r) => r.url.endsWith('replay'));
    await h.idle(); // every request sent has been handled: nothing more can come
    expect(await h.db.db.prisma.overrunRequest.count()).toBe(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0FINANCE')).toHaveLength(1);
    expect(h.slack.responses.filter((r) => r.url.endsWith('replay'))).toHaveLength(1);
  });

  it('defect 8: a request timestamped more than 5 minutes in the future does nothing', async () => {
    const before = await h.db.db.prisma.overrunRequest.count();
    const body = slashCommandBody({ text: 'request 300 payments future', userId: LEAD, responseUrl: h.slack.responseUrl('future') });
    const res = await postSigned(h.events, body, { secret: SIGNING_SECRET, timestamp: nowSeconds() + 10 * 60 });
    expect(res.status).toBe(200);
    await h.idle(); // every request sent has been handled: nothing more can come
    expect(await h.db.db.prisma.overrunRequest.count()).toBe(before);
    expect(h.slack.responses.filter((r) => r.url.endsWith('future'))).toHaveLength(0);
  });

  it('defect 10: a 10 KB cost centre and a period of the years 1 to 9999 get a clear answer', async () => {
    const cc = await h.command(`admin team payments cost-center ${'C'.repeat(10_000)}`, { userId: FINANCE });
    expect(blocksText(cc.reply.blocks)).toContain('at most 40 characters');
    expect((await h.services.teams.bySlug('payments'))!.costCenter).toBeNull();
    // A change is echoed with the value now in force (it said only "updated (cost-center)").
    expect(blocksText((await h.command('admin team payments cost-center CC-7100', { userId: FINANCE })).reply.blocks)).toContain(
      'The cost centre of team payments is now CC-7100',
    );
    const range = await h.command('top teams 0001-01-01..9999-12-31');
    expect(blocksText(range.reply.blocks)).toContain('outside the years aicost reports on (2000 to 2099)');
    expect(blocksText(range.reply.blocks)).not.toContain('Invalid time value');
    const month = await h.command('team payments 9999-12');
    expect(blocksText(month.reply.blocks)).toContain('outside the years aicost reports on');
  });
});
