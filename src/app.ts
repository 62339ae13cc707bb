import type { WebClient } from '@slack/web-api';
import type { AppConfig } from './config.ts';
import { createServices, serviceSettings, type Services } from './container.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { ensureRollupZone } from './db/rollup-maintenance.ts';
import { claimsRepository } from './db/repositories/claims.ts';
import { costStore } from './db/repositories/cost-store.ts';
import { jobDefinitions } from './jobs/registry.ts';
import { fromUsd } from './domain/money.ts';
import type { JobDefinition, JobDeps } from './jobs/runner.ts';
import { createLogger, type Logger } from './logger.ts';
import { createAuthz } from './services/authz.ts';
import type { Metrics } from './metrics.ts';
import type { ClaimsRepository } from './services/ports/claims.ts';
import type { CostStore } from './services/ports/cost-store.ts';
import type { SourceClient } from './services/ports/source.ts';
import { syncService, type SyncService } from './services/sync-service.ts';
import type { SyncResult } from './services/source-sync.ts';
import { billingClients, sourceClients } from './sources/configured.ts';
import { billingRepository } from './db/repositories/billing.ts';
import type { BillingClient } from './services/ports/billing-source.ts';
import { genaiPriceTable } from './sources/price-table.ts';

/**
 * The composition root: the one place the object graph is built, from the validated config, for
 * `npm start`, every CLI command and the test harness alike. Nothing is mutated after it is built.
 *
 *   config → database (migrated) → repositories → services → sync → jobs   (+ Slack Web API client)
 *
 * The Slack listeners are attached by `startBot` (src/main.ts) on top of this graph.
 */
export interface AppOverrides {
  /** The clock jobs, authorisation caches and corrections read; tests pin it. */
  clock?: () => Date;
  /** Slack Web API retries (production keeps the SDK's default; tests pass 0). */
  retries?: number;
  log?: Logger;
  /**
   * Talk to Slack (post, DM, look up the finance user group). Default: when SLACK_BOT_TOKEN is set.
   * CLI commands that only read (`ask`, `chargeback`, `demo`) pass false, so they never post.
   */
  slack?: boolean;
  /** Source clients instead of those the config names (benchmarks and tests). */
  sources?: SourceClient[];
}

export interface AppGraph {
  config: AppConfig;
  log: Logger;
  db: Database;
  claims: ClaimsRepository;
  store: CostStore;
  services: Services;
  sync: SyncService;
  /** The configured cost sources (empty: none has credentials). */
  sources: SourceClient[];
  /** The configured provider bills (OpenAI, Anthropic). */
  bills: BillingClient[];
  jobs: JobDefinition<JobDeps>[];
  jobDeps: JobDeps;
  /** Prometheus metrics, when METRICS_ENABLED. */
  metrics: Metrics | null;
  /** The Slack Web API client, when the graph talks to Slack. */
  slack: WebClient | null;
  close(): Promise<void>;
}

export async function buildApp(config: AppConfig, overrides: AppOverrides = {}): Promise<AppGraph> {
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  const applied = await migrate(config.DATABASE_URL);
  if (applied.length) log.info({ applied }, 'database migrated');
  const db = openDatabase(config.DATABASE_URL);
  if (await ensureRollupZone(db, config.REPORT_TIMEZONE))
    log.info({ zone: config.REPORT_TIMEZONE }, 'rollups built in the report time zone (work items, local months)');
  const talk = (overrides.slack ?? true) && config.SLACK_BOT_TOKEN !== undefined;
  // The Slack Web API client, the notifier and the metrics are loaded only when used (dynamic imports),
  // so a CLI command that does not talk to Slack starts without them.
  const { createWebClient, slackNotifier } = talk ? await loadSlack() : { createWebClient: null, slackNotifier: null };
  const slack = createWebClient ? createWebClient({ SLACK_BOT_TOKEN: config.SLACK_BOT_TOKEN!, SLACK_API_URL: config.SLACK_API_URL }, overrides.retries) : null;
  const claims = claimsRepository(db);
  const authz = createAuthz({
    financeUserIds: config.FINANCE_USER_IDS,
    financeUsergroupId: config.FINANCE_USERGROUP_ID,
    ...(slack ? { usergroupMembers: async (usergroup: string) => (await slack.usergroups.users.list({ usergroup })).users ?? [] } : {}),
    clock: overrides.clock,
  });
  // The sync runs the budget and anomaly checks after it, and /aicost sync reports on it: the closure
  // below reads `services`, which exists before any sync can run.
  const notifier = slack && slackNotifier ? slackNotifier(slack, claims, { quickchartUrl: config.QUICKCHART_URL, timeZone: config.REPORT_TIMEZONE }) : null;
  let services: Services;
  const store = costStore(db, { timeZone: config.REPORT_TIMEZONE, clock: overrides.clock });
  const metricsModule = config.METRICS_ENABLED ? await import('./metrics.ts') : null;
  const metrics = metricsModule ? metricsModule.createMetrics({ syncStates: () => store.syncStates() }) : null;
  if (metrics) metricsModule?.countSlackErrors((method) => metrics.slackError(method));
  const sources = overrides.sources ?? sourceClients(config);
  const bills = billingClients(config);
  const sync = syncService({
    store,
    clients: sources,
    backfillDays: config.SYNC_BACKFILL_DAYS,
    authz,
    log,
    audit: (entry, at) => services.audit.record(entry, at),
    ...(metrics ? { observe: (results: SyncResult[]) => metrics.syncResults(results) } : {}),
    billing: {
      clients: bills,
      store: billingRepository(db),
      rereadDays: config.BILLING_REREAD_DAYS,
      maxRow: fromUsd(config.BILLING_MAX_DAY_AMOUNT),
      closed: {
        freezeClosed: (now: Date) => services.reconcile.freezeClosed(now),
        bookCorrections: (now: Date, cause: string, by: string | null, only?: { fromDay: string; toDay: string }) =>
          services.reconcile.bookCorrections(now, cause, by, only),
      },
    },
    // Fresh data: check budgets and intraday anomalies right away when the graph can post (posts are
    // claimed, so this never doubles the daily check's).
    ...(slack
      ? {
          afterSync: async (now: Date) => {
            await services.budgets.check(now);
            await services.anomalies.scanIntraday(now);
          },
        }
      : {}),
  });
  services = createServices(db, { ...serviceSettings(config), sync, authz, notifier, priceTable: genaiPriceTable() });
  const jobDeps: JobDeps = { claims, log };
  const defined = jobDefinitions(config, { ...services, sync, notifier });
  const jobs = metrics ? defined.map((j) => ({ ...j, run: (d: JobDeps, at: Date) => metrics.job(j.name, () => j.run(d, at)) })) : defined;
  let closed = false;
  return {
    config,
    log,
    db,
    claims,
    store,
    services,
    sync,
    sources,
    bills,
    jobs,
    jobDeps,
    metrics,
    slack,
    async close() {
      if (closed) return;
      closed = true;
      store.close();
      await db.close();
    },
  };
}

async function loadSlack() {
  const [{ createWebClient }, { slackNotifier }] = await Promise.all([import('./slack/web-client.ts'), import('./slack/notifier.ts')]);
  return { createWebClient, slackNotifier };
}
