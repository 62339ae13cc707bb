import { spawn } from 'node:child_process';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { createLogger } from '../../src/logger.ts';
import { startBot } from '../../src/main.ts';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';
import { blockActionsBody, slashCommandBody } from '../support/slack-payloads.ts';
import { postSigned } from '../support/slack-signer.ts';
import { startSlackStandIn } from '../support/slack-stand-in.ts';
import { startHeliconeStandIn, syntheticHeliconeRows } from '../support/helicone-stand-in.ts';

/** Issue 23, items 3 and 4: posts left pending by a killed process, one open request, readiness, metrics. */
const FINANCE = 'U0FINANCE';
const LEAD = 'U0PAYLEAD';

const freePort = () =>
  new Promise<number>((done) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

async function waitReady(url: string, output: () => string): Promise<void> {
  // Asked every 25 ms (for up to a minute): the bot is ready about a second after it starts, and a coarser
  // poll only adds its interval to every test that starts one.
  for (let i = 0; i < 2400; i++) {
    if ((await fetch(`${url}/readyz`).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the bot never became ready:\n${output()}`);
}

describe.each(testProviders())('posts left pending by a killed process are sent by the next one, on %s', (provider) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => db?.destroy());

  it('kill -9 while closing a month: every team still gets its line, once', async () => {
    const slack = await startSlackStandIn();
    const teams = [
      { slug: 'payments', name: 'Payments', channelId: 'C0PAYMENTS' },
      { slug: 'search', name: 'Search', channelId: 'C0SEARCH' },
      { slug: 'support', name: 'Support', channelId: 'C0SUPPORT' },
    ];
    const ids: number[] = [];
    for (const t of teams) ids.push((await db.db.prisma.team.create({ data: t })).id);
    await costWrites(db.db).insertMany(
      ids.map((teamId, i) => ({
        source: 'seed',
        sourceId: `k${i}`,
        occurredAt: new Date('2026-10-10T12:00:00Z'),
        teamId,
        featureId: null,
        amount: fromUsd('100'),
      })),
    );
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      FINANCE_CHANNEL_ID: 'C0FINANCE',
      FINANCE_USER_IDS: FINANCE,
      QUICKCHART_URL: 'https://quickchart.example.test',
      PORT: String(port),
      HOST: '127.0.0.1',
      SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'warn',
    };
    const bin = resolve('bin/aicost.js');
    // The October draft, as the scheduler posts it on November 2nd.
    // (Asynchronously: the child talks to the Slack stand-in in this process.)
    const draft = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [bin, 'run', 'chargeback', '--at', '2026-11-02T09:00:00Z'], { env });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => done({ code, stderr }));
    });
    expect(draft.code, draft.stderr).toBe(0);
    const draftPost = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FINANCE' && String(c.args.text).startsWith('Chargeback 2026-10'));
    const bot = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    bot.stdout.on('data', (d) => (output += d));
    bot.stderr.on('data', (d) => (output += d));
    const killed = new Promise((done) => bot.on('exit', done));
    let restarted: Awaited<ReturnType<typeof startBot>> | null = null;
    try {
      await waitReady(`http://127.0.0.1:${port}`, () => output);
      // The first team-line post reaches Slack and never gets its answer: the process dies right then.
      slack.failNext('chat.postMessage', { hang: true });
      await postSigned(
        `http://127.0.0.1:${port}/slack/events`,
        blockActionsBody({
          actionId: 'period_close',
          userId: FINANCE,
          blocks: draftPost.args.blocks as unknown[],
          messageTs: String(draftPost.response?.ts),
          channelId: 'C0FINANCE',
          responseUrl: slack.responseUrl('close'),
        }),
        { secret: SIGNING_SECRET },
      );
      await slack.waitFor('chat.postMessage', (c) => c.status === 0, 30_000);
      bot.kill('SIGKILL');
      await killed;
      expect((await db.db.prisma.accountingPeriod.findUniqueOrThrow({ where: { month: '2026-10' } })).status).toBe('closed');
      const sentBefore = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.response?.ok === true).length;
      expect(teams.map((t) => sentBefore(t.channelId))).toEqual([0, 0, 0]);

      // The restarted bot (11 minutes later: the dead process's claims have expired) sends them.
      const later = new Date(Date.now() + 11 * 60_000);
      const config = loadConfig({ ...env, PORT: '0', SCHEDULER_ENABLED: 'true' });
      restarted = await startBot(config, createLogger('silent'), { retries: 0, clock: () => later });
      for (const t of teams) await slack.waitFor('chat.postMessage', (c) => c.args.channel === t.channelId && c.response?.ok === true, 30_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(teams.map((t) => sentBefore(t.channelId))).toEqual([1, 1, 1]);
      for (const t of teams) {
        const line = slack.callsTo('chat.postMessage').find((c) => c.args.channel === t.channelId && c.response?.ok === true)!;
        expect(String(line.args.text)).toContain('2026-10');
      }
      expect(await db.db.prisma.postClaim.count({ where: { key: { startsWith: 'chargeback:team-line:2026-10:' }, state: 'pending' } })).toBe(0);
    } finally {
      if (bot.exitCode === null) bot.kill('SIGKILL');
      await restarted?.stop();
      await slack.close();
    }
  }, 120_000);
});

describe.each(testProviders())('one open budget request per team and month, on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false' }, () => new Date('2026-11-18T18:00:00Z'));
    await h.services.teams.upsert({ slug: 'payments', name: 'Payments', channelId: 'C0PAYMENTS', leadUserIds: [LEAD] });
  });
  afterAll(async () => h?.stop());

  it('25 requests filed within two seconds make one request and one finance post, showing the last amount', async () => {
    const sent = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        postSigned(
          h.events,
          slashCommandBody({ text: `request ${100 + i} payments launch week ${i}`, userId: LEAD, responseUrl: h.slack.responseUrl(`r${i}`) }),
          {
            secret: SIGNING_SECRET,
          },
        ),
      ),
    );
    expect(sent.every((r) => r.status === 200)).toBe(true);
    const replies: string[] = [];
    for (let i = 0; i < 25; i++) replies.push(JSON.stringify((await h.slack.waitForResponse((r) => r.url.endsWith(`/r${i}`), 30_000)).body));
    // Every one was filed: the first with finance, the others as updates of it.
    expect(replies.filter((r) => /Request #\d+ for \$[\d.]+ more for Payments in 2026-11 is with finance/.test(r))).toHaveLength(1);
    expect(replies.filter((r) => /was still open, so it was updated rather than filed again/.test(r))).toHaveLength(24);
    const requests = await h.db.db.prisma.overrunRequest.findMany();
    expect(requests).toHaveLength(1);
    const [open] = requests;
    expect(open!.status).toBe('pending');
    const posts = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0FINANCE');
    expect(posts).toHaveLength(1);
    // The finance message (posted, then edited) ends up showing what is stored.
    const shown = [...posts, ...h.slack.callsTo('chat.update').filter((c) => c.args.channel === 'C0FINANCE')].at(-1)!;
    const amount = `$${(Number(open!.amount / 10_000_000n) / 100).toFixed(2)}`;
    expect(JSON.stringify(shown.args.blocks)).toContain(amount);
    expect(JSON.stringify(shown.args.blocks)).toContain(open!.reason);
    expect(await h.db.db.prisma.auditLog.count({ where: { action: { in: ['overrun.request', 'overrun.request.update'] } } })).toBe(25);
  }, 60_000);

  it('once finance decided, a new request opens a new one', async () => {
    const open = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { status: 'pending' } });
    expect((await h.services.budgets.decide(open.id, 'denied', FINANCE, new Date('2026-11-18T18:05:00Z'))).ok).toBe(true);
    const reply = await h.command('request 50 payments second try', { userId: LEAD });
    expect(JSON.stringify(reply.reply)).toContain('is with finance');
    expect(await h.db.db.prisma.overrunRequest.count({ where: { status: 'pending' } })).toBe(1);
    expect(await h.db.db.prisma.overrunRequest.count()).toBe(2);
  });
});

/** A TCP proxy in front of PostgreSQL: closing it (and its connections) is the database going away. */
async function startProxy(target: URL): Promise<{ port: number; down(): void; up(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepting = true;
  const server: TcpServer = createTcpServer((client) => {
    if (!accepting) return client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    down() {
      accepting = false;
      for (const s of sockets) s.destroy();
    },
    async up() {
      accepting = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(testProviders())('readiness on %s', (provider) => {
  it('/readyz is 503 while migrations are pending, /healthz stays 200', async () => {
    const h = await startHarness(provider, { SCHEDULER_ENABLED: 'false' });
    try {
      await h.db.db.prisma.$executeRawUnsafe(`DELETE FROM "_aicost_migrations" WHERE "name" = '0011_open_requests_post_payloads'`);
      const res = await fetch(`${h.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, database: 'reachable', migrations: 'pending', pending: ['0011_open_requests_post_payloads'] });
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      await h.db.db.prisma.$executeRawUnsafe(
        `INSERT INTO "_aicost_migrations" ("name", "appliedAt") VALUES ('0011_open_requests_post_payloads', '2026-11-18T00:00:00Z')`,
      );
      expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    } finally {
      await h.stop();
    }
  });

  // PostgreSQL only: it is the database that can go away under a running bot (SQLite is a file in the process).
  it.skipIf(provider === 'sqlite')(
    '/readyz is 503 while the database is down, and 200 again once it is back',
    async () => {
      const db = await createTestDatabase('postgresql');
      const proxy = await startProxy(new URL(db.url));
      const slack = await startSlackStandIn();
      const via = new URL(db.url);
      via.host = `127.0.0.1:${proxy.port}`;
      const config = loadConfig({
        DATABASE_URL: via.toString(),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        FINANCE_CHANNEL_ID: 'C0FINANCE',
        PORT: '0',
        HOST: '127.0.0.1',
        SCHEDULER_ENABLED: 'false',
      });
      const running = await startBot(config, createLogger('silent'), { retries: 0 });
      const url = `http://127.0.0.1:${running.port}`;
      try {
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        proxy.down();
        const down = await fetch(`${url}/readyz`);
        expect(down.status).toBe(503);
        expect(await down.json()).toEqual({ ok: false, database: 'unreachable' });
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        await proxy.up();
        let back: Response | null = null;
        for (let i = 0; i < 50 && back?.status !== 200; i++) {
          back = await fetch(`${url}/readyz`);
          if (back.status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(back?.status).toBe(200);
      } finally {
        await running.stop();
        await slack.close();
        await proxy.close();
        await db.destroy();
      }
    },
    60_000,
  );
});

describe.each(testProviders())('/metrics is never open on the Slack port, on %s', (provider) => {
  const TOKEN = 'metrics-token-0123456789abcdef';

  it('METRICS_PORT: served on its own port only', async () => {
    const metricsPort = await freePort();
    const h = await startHarness(provider, { SCHEDULER_ENABLED: 'false', METRICS_ENABLED: 'true', METRICS_PORT: String(metricsPort) });
    try {
      expect(h.running.metricsPort).toBe(metricsPort);
      expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^# TYPE aicost_job_runs_total counter$/m);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/slack/events`, { method: 'POST' })).status).toBe(404);
    } finally {
      await h.stop();
    }
  });

  it('METRICS_TOKEN: on the Slack port only with the bearer token', async () => {
    const h = await startHarness(provider, { SCHEDULER_ENABLED: 'false', METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN });
    try {
      const none = await fetch(`${h.url}/metrics`);
      expect(none.status).toBe(401);
      expect(await none.text()).not.toContain('aicost_');
      expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
      const ok = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^# TYPE aicost_job_runs_total counter$/m);
    } finally {
      await h.stop();
    }
  });

  it('refuses to start with METRICS_ENABLED and neither a port nor a token, or on the Slack port', () => {
    const base = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, FINANCE_CHANNEL_ID: 'C0FINANCE', METRICS_ENABLED: 'true' };
    expect(() => loadConfig(base)).toThrow(/METRICS_ENABLED needs METRICS_PORT .* or METRICS_TOKEN/);
    expect(() => loadConfig({ ...base, PORT: '3000', METRICS_PORT: '3000' })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
  });
});

describe.each(testProviders())('graceful shutdown on %s', (provider) => {
  it('SIGTERM-style stop: /readyz turns 503 at once, and a running sync finishes and is recorded before the database closes', async () => {
    const helicone = await startHeliconeStandIn({
      rows: syntheticHeliconeRows(50, { start: new Date(Date.now() - 3 * 86_400_000), spanMs: 2 * 86_400_000, seed: 5 }).rows,
    });
    const h = await startHarness(provider, { SCHEDULER_ENABLED: 'false', HELICONE_API_KEY: helicone.apiKey, HELICONE_BASE_URL: helicone.url });
    try {
      // The first page takes 2 s to come back: the sync is in flight when the stop begins.
      helicone.failNext(1, { delayMs: 2000 });
      const started = await h.command('sync now', { userId: FINANCE });
      expect(JSON.stringify(started.reply.blocks)).toContain('Sync started');
      const t0 = Date.now();
      const stopping = h.running.stop();
      const draining = await fetch(`${h.url}/readyz`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toEqual({ ok: false, reason: 'shutting down' });
      await stopping;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      // Read with the test's own connection: the sync finished and recorded itself.
      const state = await h.db.db.prisma.syncState.findUniqueOrThrow({ where: { source: 'helicone' } });
      expect(state.lastError).toBeNull();
      expect(state.lastSuccess).not.toBeNull();
      expect(await h.db.db.prisma.costEntry.count({ where: { source: 'helicone' } })).toBe(50);
    } finally {
      await h.stop();
      await helicone.close();
    }
  }, 60_000);
});
