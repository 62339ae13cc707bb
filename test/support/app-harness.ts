import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startBot, type Running } from '../../src/main.ts';
import type { Services } from '../../src/container.ts';
import { rollupChecks } from '../../src/db/repositories/rollup-check.ts';
import { createTestDatabase, type TestDatabase, type TestProvider } from './database.ts';
import { postSigned } from './slack-signer.ts';
import { slashCommandBody, type SlashCommandOptions } from './slack-payloads.ts';
import { startSlackStandIn } from './slack-stand-in.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-0000-aicost';

export interface Harness {
  running: Running;
  /** Base URL of the running app, e.g. http://127.0.0.1:54321 */
  url: string;
  events: string;
  slack: Awaited<ReturnType<typeof startSlackStandIn>>;
  db: TestDatabase;
  services: Services;
  /** Sends a signed slash command and waits for the reply posted to its response_url. */
  command(text: string, opts?: SlashCommandOptions): Promise<{ status: number; reply: ResponseUrlPost }>;
  /** Resolves once the app handles no request: after it, nothing more is posted for the requests sent so far. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ResponseUrlPost {
  response_type?: string;
  text?: string;
  blocks?: { type: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

let replySeq = 0;

/**
 * The real app, started through the same composition root as `npm start`, in HTTP mode on loopback,
 * pointed at a stand-in Slack Web API and a fresh test database.
 */
export async function startHarness(provider: TestProvider, env: Record<string, string> = {}, clock?: () => Date): Promise<Harness> {
  const db = await createTestDatabase(provider);
  const slack = await startSlackStandIn();
  const config = loadConfig({
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: '0',
    HOST: '127.0.0.1',
    FINANCE_CHANNEL_ID: 'C0FINANCE',
    FINANCE_USER_IDS: 'U0FINANCE',
    QUICKCHART_URL: 'https://quickchart.example.test',
    ...env,
  });
  const running: Running = await startBot(config, createLogger(process.env.AICOST_TEST_LOG ?? 'silent'), { retries: 0, clock });
  const url = `http://127.0.0.1:${running.port}`;
  // The app's own graph (built by buildApp, as `npm start` builds it), not a second copy.
  const services = running.runtime.services;
  return {
    running,
    url,
    events: `${url}/slack/events`,
    slack,
    db,
    services,
    async command(text, opts = {}) {
      const id = `cmd-${++replySeq}`;
      const responseUrl = slack.responseUrl(id);
      const res = await postSigned(`${url}/slack/events`, slashCommandBody({ text, responseUrl, ...opts }), { secret: SIGNING_SECRET });
      const reply = await slack.waitForResponse((r) => r.url.endsWith(id));
      return { status: res.status, reply: reply.body as ResponseUrlPost };
    },
    idle: () => running.idle(),
    async stop() {
      await running.stop();
      await slack.close();
      // Whatever the suite wrote, the rollups must still equal the ledger (what `aicost verify` checks).
      const drift = (await rollupChecks(db.db).compare(null)).filter((c) => c.differences);
      await db.destroy();
      if (drift.length) throw new Error(`rollups differ from the ledger after this suite: ${JSON.stringify(drift)}`);
    },
  };
}

/** All text in a reply's blocks, for assertions. */
export function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** The rows of every table block in `blocks` (header rows included), each row as its cells' texts. */
export function tableRows(blocks: readonly { type: string; rows?: unknown }[] | undefined): string[][] {
  return (blocks ?? []).flatMap((b) => (b.type === 'table' ? (b.rows as { text: string }[][]).map((r) => r.map((c) => c.text)) : []));
}
