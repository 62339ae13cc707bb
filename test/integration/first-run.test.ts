import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startBot, type Running } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { slashCommandFields } from '../support/slack-payloads.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-stand-in.ts';
import { startSocketModeStandIn, type SocketModeStandIn } from '../support/socket-mode-stand-in.ts';
import { recordSlack } from '../support/recording.ts';
import { cli } from '../support/cli.ts';

/** The README's first run: a newcomer copies .env.example, fills in tokens, starts in Socket Mode. */

const log = createLogger(process.env.AICOST_TEST_LOG ?? 'silent');
const base = (db: TestDatabase, slackApiUrl: string) => ({
  DATABASE_URL: db.url,
  SLACK_API_URL: slackApiUrl,
  FINANCE_CHANNEL_ID: 'C0FINANCE',
  FINANCE_USER_IDS: 'U0FINANCE',
  SCHEDULER_ENABLED: 'false',
  PORT: '0',
  HOST: '127.0.0.1',
});

describe('setup errors say what to do', () => {
  it('refuses .env.example as it is, naming each placeholder, and exits non-zero', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aicost-example-'));
    copyFileSync(resolve('.env.example'), join(cwd, '.env'));
    const example = parseEnv(readFileSync(resolve('.env.example'), 'utf8'));
    expect(example.SLACK_BOT_TOKEN).toBe('xoxb-your-bot-token');
    const r = await cli(['start'], { HOME: cwd }, { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN is still the example value "xoxb-your-bot-token"');
    expect(r.stderr).toContain('FINANCE_CHANNEL_ID is still the example value "C0123456789"');
    expect(r.stderr).toContain('FINANCE_USER_IDS is still the example value');
    expect(r.stderr).not.toContain('fetch failed');
  });

  it('accepts real-looking values (the check is not a blanket refusal)', () => {
    expect(() =>
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-12345-67890-abcdef',
        SLACK_SIGNING_SECRET: 's3cr3t',
        FINANCE_CHANNEL_ID: 'C07QX2LBA1Z',
        FINANCE_USER_IDS: 'U07ABCDEF12',
      }),
    ).not.toThrow();
  });

  it('exits with a message naming SLACK_BOT_TOKEN when Slack answers invalid_auth at start', async () => {
    const db = await createTestDatabase('sqlite');
    const slack = await startSlackStandIn({ token: 'xoxb-the-current-token' });
    try {
      const config = loadConfig({ ...base(db, slack.url), SLACK_BOT_TOKEN: 'xoxb-revoked-token', SLACK_SIGNING_SECRET: 's3cr3t' });
      const err = await startBot(config, log, { retries: 0 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('SLACK_BOT_TOKEN was refused by Slack (invalid_auth)');
      expect(slack.callsTo('auth.test')).toHaveLength(1);
    } finally {
      await slack.close();
      await db.destroy();
    }
  });
});

describe('Socket Mode end to end', () => {
  let db: TestDatabase;
  let slack: SlackStandIn;
  let socket: SocketModeStandIn;
  let running: Running | null = null;
  const APP_TOKEN = 'xapp-1-A0TEST-0001-socket';

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    slack = await startSlackStandIn();
    socket = await startSocketModeStandIn({ appToken: APP_TOKEN, forwardTo: slack.url });
  });
  afterAll(async () => {
    recordSlack(slack, 'socket-mode');
    await running?.stop();
    await socket.close();
    await slack.close();
    await db.destroy();
  });

  it('names SLACK_APP_TOKEN when Slack refuses it at apps.connections.open', async () => {
    const config = loadConfig({ ...base(db, socket.url), SLACK_BOT_TOKEN: 'xoxb-test-bot', SLACK_APP_TOKEN: 'xapp-1-A0TEST-revoked' });
    const err = await startBot(config, log, { retries: 0 }).then(
      async (r) => {
        await r.stop();
        return null;
      },
      (e: unknown) => e,
    );
    expect(socket.opens.at(-1)).toEqual({ token: 'xapp-1-A0TEST-revoked', ok: false });
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('SLACK_APP_TOKEN was refused by Slack (invalid_auth)');
  });

  it('connects without a signing secret or public URL, acknowledges a slash command envelope and answers it', async () => {
    const config = loadConfig({ ...base(db, socket.url), SLACK_BOT_TOKEN: 'xoxb-test-bot', SLACK_APP_TOKEN: APP_TOKEN });
    running = await startBot(config, log, { retries: 0 });
    expect(running.port).toBeNull();
    await socket.connected();
    expect(socket.opens.at(-1)).toEqual({ token: APP_TOKEN, ok: true });

    const responseUrl = slack.responseUrl('socket-help');
    const ack = await socket.send({
      envelope_id: 'env-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: slashCommandFields({ text: 'help', responseUrl, userId: 'U0FINANCE' }),
    });
    expect(ack.envelope_id).toBe('env-1');
    const reply = await slack.waitForResponse((r) => r.url === responseUrl);
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body.blocks)).toContain('/aicost team');
  });
});
