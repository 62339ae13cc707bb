import type { Server } from 'node:http';
import { buildApp, type AppGraph, type AppOverrides } from './app.ts';
import type { Config } from './config.ts';
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
  });
  await app.init();
  const scheduler = config.SCHEDULER_ENABLED ? startScheduler(runtime.jobs, runtime.jobDeps, config.REPORT_TIMEZONE) : null;
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
    runtime,
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler?.stop();
      await app.stop();
      await runtime.close();
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
