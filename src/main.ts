import type { Server } from 'node:http';
import { loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServices } from './services/container.ts';
import { createSlackApp } from './slack/app.ts';
import { claimsRepository } from './db/repositories/claims.ts';
import { createAuthz } from './services/authz.ts';
import { slackNotifier } from './slack/notifier.ts';
import { createWebClient } from './slack/web-client.ts';

/** Composition root: config → database → services → Slack app → start; clean shutdown on SIGTERM/SIGINT. */
export interface Running {
  port: number | null;
  stop(): Promise<void>;
}

export async function startBot(config: Config, log: Logger, opts: { retries?: number; clock?: () => Date } = {}): Promise<Running> {
  const applied = await migrate(config.DATABASE_URL);
  if (applied.length) log.info({ applied }, 'database migrated');
  const db = openDatabase(config.DATABASE_URL);
  const client = createWebClient(config, opts.retries);
  const claims = claimsRepository(db);
  const authz = createAuthz({ financeUserIds: config.FINANCE_USER_IDS, financeUsergroupId: config.FINANCE_USERGROUP_ID, client, clock: opts.clock });
  const services = createServices(db, {
    timeZone: config.REPORT_TIMEZONE,
    financeChannelId: config.FINANCE_CHANNEL_ID,
    authz,
    notifier: slackNotifier(client, claims),
    thresholds: config.BUDGET_THRESHOLDS,
  });
  const app = createSlackApp(services, {
    botToken: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    slackApiUrl: config.SLACK_API_URL,
    quickchartUrl: config.QUICKCHART_URL,
    retries: opts.retries,
    log,
    clock: opts.clock,
  });
  await app.init();
  let port: number | null = null;
  if (config.SLACK_APP_TOKEN) {
    await app.start();
    log.info('aicost is running in Socket Mode');
  } else {
    const server = (await app.start({ port: config.PORT, host: config.HOST })) as Server;
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info({ port }, 'aicost is listening: POST /slack/events, GET /healthz');
  }
  let stopped = false;
  return {
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      await db.close();
    },
  };
}

export function onShutdown(running: Running, log: Logger): void {
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
