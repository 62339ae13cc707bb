import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { App, HTTPReceiver, type CustomRoute, type Middleware, type AnyMiddlewareArgs } from '@slack/bolt';
import { pendingMigrations } from '../db/migrate.ts';
import type { Database } from '../db/client.ts';
import type { AskDeps } from '../format/ask.ts';
import type { AnomalyService } from '../services/anomaly-service.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { ChargebackService } from '../services/chargeback-service.ts';
import type { HiddenService } from '../services/hidden-service.ts';
import type { RevenueService } from '../services/revenue-service.ts';

/** What the Slack app needs of the app graph; each listener gets only its part. */
export interface SlackAppServices {
  db: Database;
  timeZone: string;
  askDeps: AskDeps;
  hidden: HiddenService;
  budgets: BudgetService;
  chargeback: ChargebackService;
  anomalies: AnomalyService;
  revenue: RevenueService;
}
import { slackRequestsRepository } from '../db/repositories/slack-requests.ts';
import { boltLogger, type Logger } from '../logger.ts';
import { registerAicostCommand } from './listeners/aicost-command.ts';
import { registerAppHome } from './listeners/app-home.ts';
import { registerHiddenCostModal } from './listeners/hidden-cost-modal.ts';
import { registerOverrunActions } from './listeners/overrun-actions.ts';
import { registerPeriodActions } from './listeners/period-actions.ts';
import { registerAnomalyActions } from './listeners/anomaly-actions.ts';
import { escapingFetch } from './outgoing.ts';
import { registerRevenueFile } from './listeners/revenue-file.ts';

export interface SlackAppOptions {
  botToken: string;
  /** HTTP mode: verifies every request's signature. */
  signingSecret?: string;
  /** Set: Socket Mode (no public URL needed). */
  appToken?: string;
  /** Base URL of the Slack Web API (proxies, tests). */
  slackApiUrl?: string;
  quickchartUrl: string;
  /** Web API retries; production keeps Bolt's default, tests pass 0. */
  retries?: number;
  log: Logger;
  clock?: () => Date;
  /** Socket Mode: the port of the small HTTP server Bolt starts for /healthz (HTTP mode passes it to start()). */
  port?: number;
  /** Revenue CSVs shared in this channel are imported (issue 15). */
  financeChannelId?: string;
  /** More HTTP routes next to /healthz (GET /metrics). */
  routes?: CustomRoute[];
  /** Called when an /aicost command arrives; the returned function when its handling is done. */
  timeCommand?: (command: string) => () => void;
  /** The wall clock the request timestamps are checked against (defaults to the system clock). */
  requestClock?: () => Date;
  /** True once shutdown began: `/readyz` answers 503 so the load balancer stops sending traffic. */
  draining?: () => boolean;
  /** Each Slack request's handling, from arrival to the listener's end (graceful shutdown waits for them). */
  track?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** Slack's signature window; a timestamp further in the future than this is refused too. */
const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Every Slack request is handled at most once: a replay of the same signed request within the
 * signature window (with or without x-slack-retry-num) is acknowledged and does nothing, because its
 * key (a hash of the request body, which holds Slack's trigger_id / event_id) is already in the
 * database. Bolt refuses stale timestamps; this also refuses ones more than 5 minutes in the future.
 */
function replayGuard(services: Pick<SlackAppServices, 'db'>, log: Logger, now: () => Date): Middleware<AnyMiddlewareArgs> {
  const seen = slackRequestsRepository(services.db);
  return async (args) => {
    const { body, context, next } = args;
    const ack = (args as { ack?: () => Promise<void> }).ack;
    const ts = Number(context.slackRequestTimestamp ?? NaN);
    const at = now();
    if (Number.isFinite(ts) && ts - at.getTime() / 1000 > MAX_SKEW_SECONDS) {
      log.warn({ skewSeconds: Math.round(ts - at.getTime() / 1000) }, 'refused a Slack request timestamped in the future');
      if (ack) await ack();
      return;
    }
    const key = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (!(await seen.firstTime(key, at))) {
      log.warn({ retryNum: context.retryNum ?? null }, 'ignored a replayed Slack request');
      if (ack) await ack();
      return;
    }
    await next();
  };
}

/**
 * Builds the Bolt app in HTTP mode (`POST /slack/events`, `GET /healthz`, `GET /readyz`) or Socket Mode.
 * Request signatures are always verified in HTTP mode (Bolt's HTTPReceiver does it; it is never disabled).
 * The app is not started: call `app.init()` then `app.start(...)`.
 */
export function createSlackApp(services: SlackAppServices, opts: SlackAppOptions): App {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  // Liveness: the process serves HTTP. It does not look at the database, so a database outage makes the
  // bot unready (no traffic) without getting it restarted in a loop.
  const healthz: CustomRoute = { path: '/healthz', method: ['GET'], handler: (_req, res) => json(res, 200, { ok: true }) };
  // Readiness: the database answers and has every migration this build knows; false while shutting down.
  const readyz: CustomRoute = {
    path: '/readyz',
    method: ['GET'],
    handler: async (_req, res) => {
      if (opts.draining?.()) return json(res, 503, { ok: false, reason: 'shutting down' });
      try {
        const pending = await pendingMigrations(services.db);
        if (pending.length) return json(res, 503, { ok: false, database: 'reachable', migrations: 'pending', pending });
        json(res, 200, { ok: true, database: 'reachable', migrations: 'applied' });
      } catch {
        json(res, 503, { ok: false, database: 'unreachable' });
      }
    },
  };
  const routes = [healthz, readyz, ...(opts.routes ?? [])];
  const socketMode = Boolean(opts.appToken);
  const clientOptions = {
    // Every message, view and response_url post is escaped on its way out (see outgoing.ts).
    fetch: escapingFetch(),
    ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}),
    ...(opts.retries !== undefined ? { retryConfig: { retries: opts.retries } } : {}),
  };
  // HTTP mode: Bolt's own receiver (it verifies every signature), plus the request timestamp for replayGuard.
  const receiver = socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: opts.signingSecret!,
        customRoutes: routes,
        logger: boltLogger(opts.log),
        customPropertiesExtractor: (req) => ({ slackRequestTimestamp: String(req.headers['x-slack-request-timestamp'] ?? '') }),
      });
  const app = new App({
    token: opts.botToken,
    // Socket Mode's own client (apps.connections.open) takes its options from installerOptions, not
    // clientOptions: without this, SLACK_API_URL would not apply to it.
    ...(socketMode
      ? {
          socketMode: true,
          appToken: opts.appToken,
          customRoutes: routes,
          installerOptions: { clientOptions, ...(opts.port !== undefined ? { port: opts.port } : {}) },
        }
      : { receiver: receiver! }),
    deferInitialization: true,
    logger: boltLogger(opts.log),
    clientOptions,
  });
  if (opts.track) {
    const track = opts.track;
    app.use(({ next }) => track(next));
  }
  if (opts.timeCommand) {
    const timeCommand = opts.timeCommand;
    app.use(async ({ body, next }) => {
      const command = (body as { command?: unknown }).command;
      if (typeof command !== 'string') return next();
      const done = timeCommand(command);
      try {
        await next();
      } finally {
        done();
      }
    });
  }
  app.error(async (err) => {
    opts.log.error({ err }, 'unhandled Slack listener error');
  });
  const clock = opts.clock ?? (() => new Date());
  app.use(replayGuard(services, opts.log, opts.requestClock ?? (() => new Date())));
  registerAicostCommand(app, {
    services: { askDeps: services.askDeps, hidden: services.hidden, timeZone: services.timeZone },
    quickchartUrl: opts.quickchartUrl,
    log: opts.log,
    clock,
  });
  registerHiddenCostModal(app, { services: { hidden: services.hidden }, log: opts.log, clock });
  registerOverrunActions(app, { services: { budgets: services.budgets }, log: opts.log, clock });
  registerAppHome(app, { services: { budgets: services.budgets }, log: opts.log, clock });
  registerPeriodActions(app, { services: { chargeback: services.chargeback }, log: opts.log, clock });
  registerAnomalyActions(app, { services: { anomalies: services.anomalies }, log: opts.log, clock });
  if (opts.financeChannelId) {
    registerRevenueFile(app, {
      services: { revenue: services.revenue, timeZone: services.timeZone },
      financeChannelId: opts.financeChannelId,
      ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}),
      quickchartUrl: opts.quickchartUrl,
      log: opts.log,
      clock,
    });
  }
  return app;
}
