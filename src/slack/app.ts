import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, type CustomRoute, type Middleware, type AnyMiddlewareArgs, type ReceiverEvent } from '@slack/bolt';
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
  /**
   * Timings from the request's receipt (before its body is read, so queueing in this process shows):
   * `acked` when a request is acknowledged, `commandDone` when a slash command's handling is over.
   */
  timing?: { acked(kind: RequestKind, seconds: number): void; commandDone(command: string, seconds: number): void };
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
 * Commands and interactions are already acknowledged when it runs (see ackFirst), so its write never
 * delays an ack; a replay is acknowledged like any request and then dropped here.
 */
function replayGuard(seen: ReturnType<typeof slackRequestsRepository>, log: Logger, now: () => Date): Middleware<AnyMiddlewareArgs> {
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

export type RequestKind = 'command' | 'action' | 'view' | 'options' | 'event' | 'other';

/** Interactions whose ack carries nothing (commands, buttons, shortcuts, closed modals): acked on arrival. */
const ACK_ON_ARRIVAL: ReadonlySet<RequestKind> = new Set(['command', 'action']);

function requestKind(body: Record<string, unknown>): RequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
    case 'shortcut':
    case 'message_action':
    case 'view_closed':
      return 'action';
    case 'view_submission':
      return 'view';
    case 'block_suggestion':
      return 'options';
    case 'event_callback':
      return 'event';
    default:
      return 'other';
  }
}

/**
 * Acknowledged commands and interactions handled at once; the rest wait their turn in arrival order.
 * Few: each one running adds its query (and Prisma's work on it) to every turn of the event loop, and
 * the server accepts a waiting connection per turn (measured, issue 23: 200 commands sent at once waited
 * in the kernel's accept queue). On SQLite one: its queries are synchronous, so more at once adds no
 * throughput. ack-load, PostgreSQL idle: ack p99 1,662 ms with four, 641 ms with two (replies no slower).
 */
const LISTENER_SLOTS = { postgresql: 2, sqlite: 1 } as const;

/** Runs at most `n` tasks at a time, the others in arrival order. */
function slots(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * Ack first, always (issue 23): a slash command or interaction is acknowledged the moment the app gets
 * it, before any middleware or listener runs, so no database work (the replay guard's write included)
 * and no queue of earlier commands can hold it past Slack's 3 seconds; the answer follows through
 * response_url. The listener's own `ack()` is then a no-op. View submissions are the exception: their
 * ack carries the form's field errors, so their listener acks. Every ack and every command's complete
 * handling is timed from the request's receipt (`receivedAt`, taken before the body is read).
 */
function ackFirst(app: App, opts: Pick<SlackAppOptions, 'timing' | 'log'>, provider: Database['provider']): void {
  const processEvent = app.processEvent.bind(app);
  const work = slots(LISTENER_SLOTS[provider]);
  const since = (t0: number) => (performance.now() - t0) / 1000;
  app.processEvent = async (event: ReceiverEvent) => {
    const body = event.body as Record<string, unknown>;
    const kind = requestKind(body);
    const receivedAt = Number((event.customProperties as { receivedAt?: number } | undefined)?.receivedAt ?? performance.now());
    let acked: ReceiverEvent['ack'];
    if (ACK_ON_ARRIVAL.has(kind)) {
      await event.ack();
      opts.timing?.acked(kind, since(receivedAt));
      acked = async (response) => {
        if (response !== undefined) opts.log.warn({ kind }, 'an ack with content after the request was already acknowledged: reply through respond() instead');
      };
    } else {
      acked = async (response) => {
        await event.ack(response);
        opts.timing?.acked(kind, since(receivedAt));
      };
    }
    try {
      // Acked requests wait for a slot: a burst of commands then queues here, cheaply, instead of all
      // computing at once and starving the event loop that must read (and ack) the next request.
      if (ACK_ON_ARRIVAL.has(kind)) await work(() => processEvent({ ...event, ack: acked }));
      else await processEvent({ ...event, ack: acked });
    } finally {
      if (kind === 'command') opts.timing?.commandDone(String(body.command), since(receivedAt));
    }
  };
}

/**
 * Builds the Bolt app in HTTP mode (`POST /slack/events`, `GET /healthz`, `GET /readyz`) or Socket Mode.
 * Request signatures are always verified in HTTP mode (Bolt's HTTPReceiver does it; it is never disabled).
 * The app is not started: call `app.init()` then `app.start(...)`.
 */
/** The Bolt app, and `idle()`: resolves once no request is being handled. */
export type SlackApp = App & { idle(): Promise<void> };

export function createSlackApp(services: SlackAppServices, opts: SlackAppOptions): SlackApp {
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
  // The moment each request reached the server, before Bolt reads its body and checks its signature.
  const receivedAt = new WeakMap<IncomingMessage, number>();
  // HTTP mode: Bolt's own receiver (it verifies every signature), plus the request timestamp for replayGuard.
  const receiver = socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: opts.signingSecret!,
        customRoutes: routes,
        logger: boltLogger(opts.log),
        customPropertiesExtractor: (req) => ({
          slackRequestTimestamp: String(req.headers['x-slack-request-timestamp'] ?? ''),
          ...(receivedAt.has(req) ? { receivedAt: receivedAt.get(req) } : {}),
        }),
      });
  if (receiver) {
    const listener = receiver.requestListener;
    receiver.requestListener = (req, res) => {
      receivedAt.set(req, performance.now());
      return listener(req, res);
    };
  }
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
  ackFirst(app, opts, services.db.provider);
  if (opts.track) {
    const track = opts.track;
    app.use(({ next }) => track(next));
  }
  app.error(async (err) => {
    opts.log.error({ err }, 'unhandled Slack listener error');
  });
  const clock = opts.clock ?? (() => new Date());
  const seen = slackRequestsRepository(services.db);
  app.use(replayGuard(seen, opts.log, opts.requestClock ?? (() => new Date())));
  const stop = app.stop.bind(app);
  app.stop = async (...args: Parameters<App['stop']>) => {
    try {
      return await stop(...args);
    } finally {
      seen.close();
    }
  };
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
  return Object.assign(app, { idle: trackRequests(app) });
}

/**
 * Counts the requests being handled, from the receiver handing one to Bolt to its listeners' end (Bolt
 * awaits them), and returns `idle()`, which resolves when there are none: the moment after which nothing
 * more will be posted for the requests received so far (tests wait on it instead of sleeping).
 */
function trackRequests(app: App): () => Promise<void> {
  let handling = 0;
  const waiting: (() => void)[] = [];
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    handling++;
    try {
      return await processEvent(event);
    } finally {
      handling--;
      if (handling === 0) for (const done of waiting.splice(0)) done();
    }
  };
  return () => (handling === 0 ? Promise.resolve() : new Promise<void>((done) => waiting.push(done)));
}
