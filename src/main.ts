import type { Server } from 'node:http';
import { buildApp, type AppGraph, type AppOverrides } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { startScheduler } from './jobs/scheduler.ts';
import type { Logger } from './logger.ts';
import { createSlackApp } from './slack/app.ts';

/** `npm start`: the graph from `buildApp`, the Slack listeners on top, the scheduler; clean shutdown on SIGTERM/SIGINT. */
export type RuntimeOptions = Omit<AppOverrides, 'log' | 'slack'>;

/** The built graph (kept under its old name for the callers that read `running.runtime`). */
export type Runtime = AppGraph;

export interface Running {
  port: number | null;
  runtime: Runtime;
  /** Resolves once no Slack request is being handled (see `SlackApp.idle`). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBot(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Running> {
  const runtime = await buildApp(config, { ...opts, log });
  const app = createSlackApp(runtime.services, {
    botToken: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    slackApiUrl: config.SLACK_API_URL,
    quickchartUrl: config.QUICKCHART_URL,
    retries: opts.retries,
    log,
    clock: opts.clock,
    port: config.PORT,
    ...(runtime.metrics ? { routes: [runtime.metrics.route], timing: { acked: runtime.metrics.acked, commandDone: runtime.metrics.commandDone } } : {}),
    financeChannelId: config.FINANCE_CHANNEL_ID,
  });
  // Slack refusing a token at start is a setup error naming the variable: auth.test (in init) checks
  // the bot token, apps.connections.open (Socket Mode's start) the app token.
  let phase: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN' = 'SLACK_BOT_TOKEN';
  try {
    await app.init();
    phase = 'SLACK_APP_TOKEN';
    if (config.SLACK_APP_TOKEN) await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    await runtime.close();
    throw slackStartError(err, phase) ?? err;
  }
  const scheduler = config.SCHEDULER_ENABLED ? startScheduler(runtime.jobs, runtime.jobDeps, config.REPORT_TIMEZONE) : null;
  let port: number | null = null;
  if (config.SLACK_APP_TOKEN) {
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
    runtime,
    idle: () => app.idle(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler?.stop();
      await app.stop();
      await runtime.close();
    },
  };
}

const REFUSED_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/**
 * Slack refusing a token at start (auth.test for the bot token, apps.connections.open for the app
 * token) as a setup error naming the variable to fix, instead of a stack trace or endless retries.
 */
export function slackStartError(err: unknown, name: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN'): ConfigError | null {
  const e = err as { data?: { error?: string }; original?: { data?: { error?: string } }; message?: string } | null;
  const code =
    e?.data?.error ??
    e?.original?.data?.error ??
    /(invalid_auth|not_authed|account_inactive|token_revoked|token_expired|not_allowed_token_type)/.exec(e?.message ?? '')?.[1];
  if (!code || !REFUSED_TOKEN.has(code)) return null;
  const where =
    name === 'SLACK_APP_TOKEN'
      ? 'Basic Information → App-Level Tokens (scope connections:write)'
      : 'OAuth & Permissions → Bot User OAuth Token, after installing the app to the workspace';
  return new ConfigError([`${name} was refused by Slack (${code}): copy the current token from ${where}`]);
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
