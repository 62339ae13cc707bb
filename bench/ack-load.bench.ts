import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postSigned } from '../test/support/slack-signer.ts';
import { slashCommandBody } from '../test/support/slack-payloads.ts';
import { startSlackStandIn } from '../test/support/slack-stand-in.ts';

/**
 * `npm run bench -- ack-load` (issue 23 item 2): how fast the real app acknowledges slash commands under
 * load. The app (`startBot`, as `npm start` builds it, on a demo-sized database: `aicost demo` data over
 * BENCH_ACK_DAYS, default 90) runs in its own process, so the load generator does not share its event
 * loop. This process fires BENCH_ACK_CONCURRENCY (default 200) signed `/aicost` commands at once over
 * loopback, first alone, then while a sync of BENCH_ACK_SYNC_RECORDS (default 50,000) Helicone records
 * runs in the app against the Helicone stand-in (bench/helicone-server.ts, a third process). Per round it
 * prints p50/p99 of the ack (HTTP answer to the signed POST) and of the complete reply (the post received
 * at response_url), next to the baseline of the same run: one command at a time on the idle app.
 * SQLite always; PostgreSQL too when BENCH_POSTGRES_URL names a server (a throwaway database is created
 * and dropped). Bounded: every request is aborted after 30 s, every round after 120 s.
 *
 * Invoked with argv[2] = 'app' it is the app process (see `appProcess`).
 */
const here = fileURLToPath(import.meta.url);
const SECRET = 'bench-ack-secret';
const TOKEN = 'xoxb-bench-ack';
const CONCURRENCY = Math.min(500, Number(process.env.BENCH_ACK_CONCURRENCY ?? 200));
const SYNC_RECORDS = Number(process.env.BENCH_ACK_SYNC_RECORDS ?? 50_000);
const DAYS = Number(process.env.BENCH_ACK_DAYS ?? 90);
const REQUEST_TIMEOUT_MS = 30_000;
const ROUND_TIMEOUT_MS = 120_000;
const TEXTS = ['', 'team support', 'top teams last month', 'top features 30d', 'budget', 'iceberg', 'help', 'team search 90d'];

interface AppArgs {
  databaseUrl: string;
  slackApiUrl: string;
  helicone: { url: string; apiKey: string };
  days: number;
}

if (process.argv[2] === 'app') await appProcess(JSON.parse(process.argv[3] ?? '{}') as AppArgs);
else await driver();

/** The app: prints `{ port }` once seeded and listening; on stdin line `sync` runs a sync and prints `{ synced, ms }`. */
async function appProcess(args: AppArgs): Promise<void> {
  const { loadConfig } = await import('../src/config.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { startBot } = await import('../src/main.ts');
  const { seedDemo } = await import('../src/demo/seed.ts');
  const { setUpDemo, DEMO_FINANCE_USER } = await import('../src/demo/setup.ts');
  const { costWrites } = await import('../src/db/repositories/cost-writes.ts');
  const config = loadConfig({
    DATABASE_URL: args.databaseUrl,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: args.slackApiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    FINANCE_CHANNEL_ID: 'C0FINANCE',
    FINANCE_USER_IDS: DEMO_FINANCE_USER,
    QUICKCHART_URL: 'https://quickchart.example.test',
    HELICONE_API_KEY: args.helicone.apiKey,
    HELICONE_BASE_URL: args.helicone.url,
    SYNC_BACKFILL_DAYS: '30',
    METRICS_ENABLED: 'true',
    // /metrics is never open without a port of its own or a token; the bench does not read it.
    METRICS_TOKEN: 'bench-ack-metrics-token',
    SCHEDULER_ENABLED: 'false',
  });
  const running = await startBot(config, createLogger('silent'), { retries: 0 });
  const s = running.runtime.services;
  const now = new Date();
  const seeded = await seedDemo({ teams: s.teams, writes: costWrites(s.db) }, { now, timeZone: s.timeZone, days: args.days });
  await setUpDemo(s, { now, timeZone: s.timeZone });
  process.stdout.write(`${JSON.stringify({ port: running.port, entries: seeded.entries })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line !== 'sync') return;
    const t0 = performance.now();
    running.runtime.sync.run(new Date()).then(
      (r) => process.stdout.write(`${JSON.stringify({ synced: r.reduce((n, x) => n + x.inserted, 0), ms: Math.round(performance.now() - t0) })}\n`),
      (err: unknown) => process.stdout.write(`${JSON.stringify({ syncError: String(err) })}\n`),
    );
  });
  lines.on('close', () => void running.stop().finally(() => process.exit(0)));
}

function pct(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!);
}

/** Reads the child's JSON lines in order; fails at once (not at the timeout) when the child has exited. */
function lineReader(child: ChildProcess) {
  const queue: Record<string, unknown>[] = [];
  const waiters: ((x: Record<string, unknown>) => void)[] = [];
  let exited: string | null = null;
  const failures: ((err: Error) => void)[] = [];
  child.once('exit', (code, signal) => {
    exited = `child exited (${signal ?? code}) before answering`;
    for (const fail of failures.splice(0)) fail(new Error(exited));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  return (timeoutMs: number) =>
    queue.length
      ? Promise.resolve(queue.shift()!)
      : exited
        ? Promise.reject(new Error(exited))
        : new Promise<Record<string, unknown>>((resolve, reject) => {
            const fail = (err: Error) => {
              clearTimeout(t);
              waiters.splice(waiters.indexOf(waiter), 1);
              reject(err);
            };
            const waiter = (x: Record<string, unknown>) => {
              clearTimeout(t);
              failures.splice(failures.indexOf(fail), 1);
              resolve(x);
            };
            const t = setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              failures.splice(failures.indexOf(fail), 1);
              reject(new Error('child did not answer in time'));
            }, timeoutMs);
            waiters.push(waiter);
            failures.push(fail);
          });
}

async function driver(): Promise<void> {
  const providers = (process.env.BENCH_PROVIDERS ?? (process.env.BENCH_POSTGRES_URL ? 'sqlite,postgresql' : 'sqlite')).split(',');
  const start = new Date(Date.now() - 20 * 86_400_000);
  const helicone = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(dirname(here), 'helicone-server.ts'),
      JSON.stringify({
        n: SYNC_RECORDS,
        start: start.toISOString(),
        spanMs: 19 * 86_400_000,
        seed: 23,
        teams: ['support', 'search', 'platform'],
        teamlessEvery: 20,
        apiKey: 'sk-helicone-bench-ack',
        mode: 'indexed',
      }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const served = (await lineReader(helicone)(120_000)) as { url: string; apiKey: string };
  const slack = await startSlackStandIn({ token: TOKEN });
  try {
    for (const provider of providers) await runProvider(provider, served, slack);
  } finally {
    helicone.stdin?.end();
    await slack.close();
  }
}

async function runProvider(provider: string, helicone: { url: string; apiKey: string }, slack: Awaited<ReturnType<typeof startSlackStandIn>>) {
  const dir = mkdtempSync(join(tmpdir(), 'aicost-ack-bench-'));
  let databaseUrl = `file:${join(dir, 'bench.db')}`;
  let dropDb = async () => undefined as undefined;
  if (provider === 'postgresql') {
    const admin = process.env.BENCH_POSTGRES_URL;
    if (!admin) throw new Error('BENCH_POSTGRES_URL is needed for the PostgreSQL run');
    const name = `aicost_ackbench_${randomBytes(5).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    };
  }
  const app = spawn(
    process.execPath,
    ['--import', 'tsx', here, 'app', JSON.stringify({ databaseUrl, slackApiUrl: slack.url, helicone, days: DAYS } satisfies AppArgs)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const next = lineReader(app);
  try {
    const ready = (await next(600_000)) as { port: number; entries: number };
    const events = `http://127.0.0.1:${ready.port}/slack/events`;
    let seq = 0;
    async function one(text: string): Promise<{ ack: number | null; reply: number | null }> {
      const id = `ack-${provider}-${++seq}`;
      const body = slashCommandBody({ text, userId: 'U0DEMOFIN', channelId: 'C0OTHER', responseUrl: slack.responseUrl(id) });
      const t0 = Date.now();
      const p0 = performance.now();
      let ack: number | null = null;
      try {
        const res = await postSigned(events, body, { secret: SECRET, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await res.arrayBuffer();
        // Bolt answers 404 ("unhandled request") when nothing acked within about 3 s: Slack shows an error.
        if (res.status === 200) ack = performance.now() - p0;
      } catch {
        ack = null;
      }
      try {
        const post = await slack.waitForResponse((r) => r.id === id, Math.max(1, REQUEST_TIMEOUT_MS - (Date.now() - t0)));
        return { ack, reply: post.at - t0 };
      } catch {
        return { ack, reply: null };
      }
    }
    const round = async (n: number) => {
      const all = Promise.all(Array.from({ length: n }, (_, i) => one(TEXTS[i % TEXTS.length]!)));
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('round over 120 s')), ROUND_TIMEOUT_MS).unref());
      const r = await Promise.race([all, timeout]);
      return {
        acks: r.flatMap((x) => (x.ack === null ? [] : [x.ack])),
        replies: r.flatMap((x) => (x.reply === null ? [] : [x.reply])),
        failedAcks: r.filter((x) => x.ack === null).length,
        over3s: r.filter((x) => x.ack === null || x.ack > 3000).length,
        missingReplies: r.filter((x) => x.reply === null).length,
      };
    };
    // Warm-up, then the baseline: one command at a time on the idle app.
    for (const t of TEXTS) await one(t);
    const single = { acks: [] as number[], replies: [] as number[] };
    for (let i = 0; i < 2 * TEXTS.length; i++) {
      const r = await one(TEXTS[i % TEXTS.length]!);
      if (r.ack !== null) single.acks.push(r.ack);
      if (r.reply !== null) single.replies.push(r.reply);
    }
    const emit = (name: string, r: Awaited<ReturnType<typeof round>>, extra: Record<string, unknown> = {}) => {
      for (const [what, xs, base] of [
        ['ack', r.acks, single.acks],
        ['reply', r.replies, single.replies],
      ] as const)
        console.log(
          JSON.stringify({
            bench: `ack-load.${provider}.${name}.${what}.p99`,
            value: pct(xs, 99),
            unit: 'ms',
            p50: pct(xs, 50),
            baseline: pct(base, 50),
            baselineP99: pct(base, 99),
            baselineLabel: `one command at a time on the idle app (${what}), p50; ${base.length} commands`,
            goal: what === 'ack' ? 1000 : null,
            concurrency: CONCURRENCY,
            failedAcks: r.failedAcks,
            acksOver3s: r.over3s,
            missingReplies: r.missingReplies,
            demoEntries: ready.entries,
            ...extra,
          }),
        );
    };
    emit('idle', await round(CONCURRENCY));
    app.stdin!.write('sync\n');
    // Let the sync get going (client paging, first writes) before the burst.
    await new Promise((r) => setTimeout(r, 300));
    const during = await round(CONCURRENCY);
    // Whether the sync was still running when the burst ended (it should have been, for the figure to count).
    const sync = await next(1).catch(() => 'still running when the burst ended');
    emit('during_sync', during, { syncRecords: SYNC_RECORDS, sync });
    if (typeof sync === 'string') await next(300_000).catch(() => undefined);
  } finally {
    app.stdin!.end();
    const killer = setTimeout(() => app.kill('SIGKILL'), 30_000);
    await new Promise<void>((r) => (app.exitCode !== null ? r() : app.once('exit', () => r())));
    clearTimeout(killer);
    await dropDb();
    rmSync(dir, { recursive: true, force: true });
  }
}
