import type { Server } from 'node:http';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { claimsRepository, type ClaimsRepository } from './db/repositories/claims.ts';
import { jobDefinitions, type JobDeps } from './jobs/registry.ts';
import type { JobDefinition } from './jobs/runner.ts';
import { startScheduler } from './jobs/scheduler.ts';
import type { Logger } from './logger.ts';
import { createAuthz } from './services/authz.ts';
import { createServices, type Services } from './services/container.ts';
import { createSlackApp } from './slack/app.ts';
import { slackNotifier } from './slack/notifier.ts';
import { createWebClient } from './slack/web-client.ts';
import { fromUsd } from './domain/money.ts';
import { costStore, type CostStore } from './db/repositories/cost-store.ts';
import { sourceClients, syncService, type SyncService } from './services/sync-service.ts';
import { countSlackErrors, createMetrics, type Metrics } from './metrics.ts';

/** Composition root: config → database → services → Slack app → scheduler → start; clean shutdown on SIGTERM/SIGINT. */
export interface RuntimeOptions {
  retries?: number;
  clock?: () => Date;
}

export interface Runtime {
  db: Database;
  services: Services;
  claims: ClaimsRepository;
  jobs: JobDefinition<JobDeps>[];
  jobDeps: JobDeps;
  store: CostStore;
  sync: SyncService;
  metrics: Metrics | null;
}

/** Everything but the Slack listeners: what `aicost run` needs to run a job as the scheduler would. */
export async function createRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
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
    quickchartUrl: config.QUICKCHART_URL,
    gl: { expenseAccount: config.GL_EXPENSE_ACCOUNT, clearingAccount: config.GL_CLEARING_ACCOUNT },
    anomalySettings: {
      minImpact: fromUsd(config.ANOMALY_MIN_IMPACT), minImpactPct: config.ANOMALY_MIN_IMPACT_PCT, z: config.ANOMALY_Z,
      financeMinImpact: fromUsd(config.ANOMALY_FINANCE_MIN_IMPACT), intraday: config.ANOMALY_INTRADAY, teamOverrides: config.ANOMALY_TEAM_OVERRIDES,
    },
  });
  const store = costStore(db, { timeZone: config.REPORT_TIMEZONE, clock: opts.clock });
  const metrics = config.METRICS_ENABLED ? createMetrics({ syncStates: () => store.syncStates() }) : null;
  if (metrics) countSlackErrors((method) => metrics.slackError(method));
  const sync = syncService({
    store, clients: sourceClients(config), backfillDays: config.SYNC_BACKFILL_DAYS, authz, log,
    observe: metrics ? (results) => metrics.syncResults(results) : undefined,
    // Fresh data: check budgets right away (posts are claimed, so this never doubles the daily check's).
    afterSync: async (now) => {
      await services.budgets.check(now);
      await services.anomalies.scanIntraday(now);
    },
  });
  // The sync runs these services' budget and anomaly checks afterwards, so it is attached to /aicost once they exist.
  services.askDeps.sync = sync;
  const jobDeps: JobDeps = { services, claims, log };
  const defined = jobDefinitions({ budgetsCron: config.BUDGET_CHECK_CRON }, [
    {
      name: 'sync',
      cron: config.SYNC_CRON,
      description: 'pull costs from Helicone and Langfuse, then check budgets',
      run: async (_deps, at) => (await sync.run(at)).map((r) => `${r.source}: ${r.ok ? `${r.records} records` : `failed (${r.error})`}`).join('; ') || 'no source configured',
    },
    {
      name: 'anomalies',
      cron: config.ANOMALY_CRON,
      description: 'scan the day that just closed for spend anomalies',
      run: (_deps, at) => services.anomalies.scanDay(at),
    },
    {
      name: 'chargeback',
      cron: config.CHARGEBACK_CRON,
      description: "post the previous month's chargeback draft to finance with its CSV",
      run: (_deps, at) => services.chargeback.postDraft(at),
    },
  ]);
  const jobs = metrics ? defined.map((j) => ({ ...j, run: (d: JobDeps, at: Date) => metrics.job(j.name, () => j.run(d, at)) })) : defined;
  return { db, services, claims, jobs, jobDeps, store, sync, metrics };
}

export interface Running {
  port: number | null;
  runtime: Runtime;
  stop(): Promise<void>;
}

export async function startBot(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Running> {
  const runtime = await createRuntime(config, log, opts);
  const app = createSlackApp(runtime.services, {
    botToken: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    slackApiUrl: config.SLACK_API_URL,
    quickchartUrl: config.QUICKCHART_URL,
    retries: opts.retries,
    log,
    clock: opts.clock,
    ...(runtime.metrics ? { routes: [runtime.metrics.route], timeCommand: runtime.metrics.commandTimer } : {}),
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
      runtime.store.close();
      await runtime.db.close();
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
