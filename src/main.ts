import type { Server } from 'node:http';
import { buildApp, type AppGraph, type AppOverrides } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { startScheduler } from './jobs/scheduler.ts';
import type { Logger } from './logger.ts';
import { serveMetrics } from './metrics.ts';
import { createSlackApp } from './slack/app.ts';
import { retryStalePosts } from './slack/poster.ts';

/** `npm start`: the graph from `buildApp`, the Slack listeners on top, the scheduler; clean shutdown on SIGTERM/SIGINT. */
export type RuntimeOptions = Omit<AppOverrides, 'log' | 'slack'>;

/** The built graph (kept under its old name for the callers that read `running.runtime`). */
export type Runtime = AppGraph;

export interface Running {
  port: number | null;
  /** The port /metrics is served on when METRICS_PORT is set (its own server), else null. */
  metricsPort: number | null;
  runtime: Runtime;
  /** Resolves once no Slack request is being handled (see `SlackApp.idle`). */
  idle(): Promise<void>;
  /**
   * Graceful shutdown: `/readyz` turns 503, no new job starts, and the running jobs, `sync now` runs,
   * Slack requests and post retries are finished (up to SHUTDOWN_TIMEOUT_SECONDS) before the HTTP
   * servers and the database close. Work cut off by the timeout is safe: slots and posts are leases
   * that the next process takes over.
   */
  stop(): Promise<void>;
}

/** How often every process sends the posts left pending by a process that died (slack/poster.ts). */
const POST_RETRY_MS = 60_000;

export async function startBot(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Running> {
  const runtime = await buildApp(config, { ...opts, log });
  let draining = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: () => Promise<T>): Promise<T> => {
    const p = work();
    inFlight.add(p);
    const forget = () => inFlight.delete(p);
    p.then(forget, forget);
    return p;
  };
  const metricsToken = config.METRICS_TOKEN;
  const ownMetricsPort = runtime.metrics && config.METRICS_PORT !== undefined;
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
    draining: () => draining,
    track,
    ...(runtime.metrics
      ? {
          // /metrics on the Slack port only behind its bearer token (config refuses it otherwise).
          ...(!ownMetricsPort && metricsToken ? { routes: [runtime.metrics.route(metricsToken)] } : {}),
          timing: { acked: runtime.metrics.acked, commandDone: runtime.metrics.commandDone },
        }
      : {}),
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
  // Posts left pending by a process that died between claiming and posting: sent at start and every minute.
  let retrying: Promise<unknown> = Promise.resolve();
  const slack = runtime.slack;
  const retryPosts = () => {
    if (!slack || draining) return;
    retrying = track(() => retryStalePosts(slack, runtime.claims, opts.clock?.() ?? new Date(), log)).catch((err: unknown) =>
      log.warn({ err }, 'pending post retry failed'),
    );
  };
  const retryTimer = config.SCHEDULER_ENABLED ? setInterval(retryPosts, POST_RETRY_MS) : null;
  retryTimer?.unref();
  if (config.SCHEDULER_ENABLED) retryPosts();
  const metricsServer = ownMetricsPort ? await serveMetrics(runtime.metrics!.route(metricsToken), config.METRICS_PORT!, config.HOST) : null;
  let port: number | null = null;
  if (config.SLACK_APP_TOKEN) {
    log.info('aicost is running in Socket Mode');
  } else {
    const server = (await app.start({ port: config.PORT, host: config.HOST })) as Server;
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info({ port, metricsPort: metricsServer?.port ?? null }, 'aicost is listening: POST /slack/events, GET /healthz, GET /readyz');
  }
  let stopping: Promise<void> | null = null;
  const drain = async () => {
    draining = true;
    if (retryTimer) clearInterval(retryTimer);
    // No new job starts; the running ones, a `sync now` and the Slack requests being handled finish.
    await scheduler?.stop();
    await runtime.sync.idle();
    await retrying;
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };
  return {
    port,
    metricsPort: metricsServer?.port ?? null,
    runtime,
    idle: () => app.idle(),
    stop() {
      stopping ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
          timer.unref();
        });
        const drained = await Promise.race([drain().then(() => 'drained' as const), timeout]);
        clearTimeout(timer);
        if (drained === 'timeout') log.warn({ inFlight: inFlight.size }, 'shutdown timeout: leaving unfinished work to the next process (leases and claims)');
        await app.stop();
        await metricsServer?.close();
        await runtime.close();
      })();
      return stopping;
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
