import { App, type CustomRoute } from '@slack/bolt';
import type { Services } from '../services/container.ts';
import { boltLogger, type Logger } from '../logger.ts';
import { registerAicostCommand } from './listeners/aicost-command.ts';
import { registerAppHome } from './listeners/app-home.ts';
import { registerHiddenCostModal } from './listeners/hidden-cost-modal.ts';
import { registerOverrunActions } from './listeners/overrun-actions.ts';
import { registerPeriodActions } from './listeners/period-actions.ts';
import { registerAnomalyActions } from './listeners/anomaly-actions.ts';

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
  /** More HTTP routes next to /healthz (GET /metrics). */
  routes?: CustomRoute[];
  /** Called when an /aicost command arrives; the returned function when its handling is done. */
  timeCommand?: (command: string) => () => void;
}

/**
 * Builds the Bolt app in HTTP mode (`POST /slack/events`, `GET /healthz`) or Socket Mode.
 * Request signatures are always verified in HTTP mode (Bolt's HTTPReceiver does it; it is never disabled).
 * The app is not started: call `app.init()` then `app.start(...)`.
 */
export function createSlackApp(services: Services, opts: SlackAppOptions): App {
  const healthz: CustomRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: async (_req, res) => {
      try {
        await services.db.prisma.$queryRaw`SELECT 1`;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, database: 'reachable' }));
      } catch {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, database: 'unreachable' }));
      }
    },
  };
  const socketMode = Boolean(opts.appToken);
  const app = new App({
    token: opts.botToken,
    ...(socketMode ? { socketMode: true, appToken: opts.appToken } : { signingSecret: opts.signingSecret! }),
    customRoutes: [healthz, ...(opts.routes ?? [])],
    deferInitialization: true,
    logger: boltLogger(opts.log),
    clientOptions: {
      ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}),
      ...(opts.retries !== undefined ? { retryConfig: { retries: opts.retries } } : {}),
    },
  });
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
  registerAicostCommand(app, { services, quickchartUrl: opts.quickchartUrl, log: opts.log, clock });
  registerHiddenCostModal(app, { services, log: opts.log, clock });
  registerOverrunActions(app, { services, log: opts.log, clock });
  registerAppHome(app, { services, log: opts.log, clock });
  registerPeriodActions(app, { services, log: opts.log, clock });
  registerAnomalyActions(app, { services, log: opts.log, clock });
  return app;
}
