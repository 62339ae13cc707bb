import { request } from 'node:http';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlitePath } from '../../src/db/client.ts';
import { testProviders } from '../support/database.ts';
import { postSigned, signRequest } from '../support/slack-signer.ts';
import { slashCommandBody } from '../support/slack-payloads.ts';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';

/** /metrics on the Slack port answers only with this bearer token (METRICS_TOKEN). */
const METRICS_TOKEN = 'slack-ack-metrics-token';

/**
 * Issue 23 item 2, "ack first, always": a slash command is acknowledged before any database work (the
 * replay guard's write included), so a database that is busy (here: its write lock held by another
 * connection, as a sync's transaction holds it) cannot push the ack past Slack's 3 seconds; and
 * /metrics times acks and commands from the request's receipt, so time spent before the app's
 * middleware runs (queueing, a slow body) shows.
 */
describe.each(testProviders())('Slack acks on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { METRICS_ENABLED: 'true', METRICS_TOKEN: METRICS_TOKEN });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  /** Holds the database's write lock (SQLite) / the replay guard's table (PostgreSQL) until released. */
  async function holdWrites(): Promise<() => Promise<void>> {
    if (provider === 'sqlite') {
      const conn = new Sqlite(sqlitePath(h.db.url));
      conn.prepare('BEGIN IMMEDIATE').run();
      return async () => {
        conn.prepare('ROLLBACK').run();
        conn.close();
      };
    }
    const c = new pg.Client({ connectionString: h.db.url });
    await c.connect();
    await c.query('BEGIN');
    await c.query('LOCK TABLE "SlackRequestKey" IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await c.query('ROLLBACK');
      await c.end();
    };
  }

  it('acknowledges a slash command while the database cannot be written, then answers once it can', async () => {
    const release = await holdWrites();
    let held = true;
    // Held longer than Slack waits for an ack (3 s), shorter than SQLite's busy timeout (5 s).
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        held = false;
        void release().then(resolve);
      }, 3_500),
    );
    const id = 'ack-while-held';
    const res = await postSigned(h.events, slashCommandBody({ text: 'help', responseUrl: h.slack.responseUrl(id) }), { secret: SIGNING_SECRET });
    const ackedWhileHeld = held;
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(ackedWhileHeld).toBe(true);
    await timer;
    const reply = await h.slack.waitForResponse((r) => r.id === id, 15_000);
    expect(String(reply.body.text ?? JSON.stringify(reply.body.blocks))).not.toBe('');
    // The replay guard still recorded it, after the ack.
    expect(await h.db.db.prisma.slackRequestKey.count()).toBeGreaterThan(0);
  }, 30_000);

  it('times the ack and the command from the request’s receipt: a body that arrives 1.2 s after the headers shows as over 1 s', async () => {
    const metric = async () => (await (await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()) as string;
    const value = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}.\\/"=+]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = await metric();
    const id = 'slow-body';
    const body = slashCommandBody({ text: 'help', responseUrl: h.slack.responseUrl(id) });
    const headers = signRequest(SIGNING_SECRET, body);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.events}`, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end(body), 1_200);
    });
    expect(status).toBe(200);
    await h.slack.waitForResponse((r) => r.id === id, 10_000);
    // The command's duration is observed when its handling ends, just after the reply is posted.
    let after = await metric();
    for (
      let i = 0;
      i < 50 &&
      value(after, 'aicost_command_duration_seconds_count{command="/aicost"}') === value(before, 'aicost_command_duration_seconds_count{command="/aicost"}');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      after = await metric();
    }
    const delta = (line: string) => value(after, line) - value(before, line);
    expect(delta('aicost_slack_ack_duration_seconds_count{kind="command"}')).toBe(1);
    expect(delta('aicost_slack_ack_duration_seconds_bucket{le="1",kind="command"}')).toBe(0);
    expect(delta('aicost_slack_ack_duration_seconds_bucket{le="3",kind="command"}')).toBe(1);
    expect(delta('aicost_command_duration_seconds_count{command="/aicost"}')).toBe(1);
    expect(delta('aicost_command_duration_seconds_bucket{le="1",command="/aicost"}')).toBe(0);
  }, 30_000);
  it('lets the event loop turn before each database query, so requests waiting to be accepted are acknowledged between a command’s queries', async () => {
    // Node accepts one new connection per turn of the event loop. With better-sqlite3 (synchronous) a
    // query through Prisma resolved as a microtask, so a command's queries ran as one stretch and 200
    // commands sent at once were accepted (and acked) one command's work apart: ack p50 1.8 s.
    const prisma = h.db.db.prisma;
    await prisma.team.count();
    for (let i = 0; i < 3; i++) {
      const order: string[] = [];
      setImmediate(() => order.push('turn'));
      await prisma.team.count();
      order.push('query');
      expect(order).toEqual(['turn', 'query']);
    }
  });
});
