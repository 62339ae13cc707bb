import type { Database } from './db/client.ts';
import { auditRepository } from './db/repositories/audit.ts';
import { budgetsRepository } from './db/repositories/budgets.ts';
import { claimsRepository } from './db/repositories/claims.ts';
import { costQueries, customerRollupQueries } from './db/repositories/cost-rollups.ts';
import { ledgerCostQueries } from './db/repositories/costs.ts';
import { hiddenCostsRepository } from './db/repositories/hidden-costs.ts';
import { teamsRepository } from './db/repositories/teams.ts';
import type { Notice, Notifier } from './services/notices.ts';
import type { AskDeps } from './format/ask.ts';
import { createAuthz, type Authz } from './services/authz.ts';
import { budgetService } from './services/budget-service.ts';
import { hiddenService } from './services/hidden-service.ts';
import { icebergService } from './services/iceberg.ts';
import { reportService } from './services/reports.ts';
import { trueCostService } from './services/true-cost.ts';
import { chargebackService } from './services/chargeback-service.ts';
import { periodsRepository } from './db/repositories/periods.ts';
import { adminService } from './services/admin-service.ts';
import { adminRepository } from './db/repositories/admin.ts';
import { anomalyService, type AnomalySettings } from './services/anomaly-service.ts';
import { anomaliesRepository } from './db/repositories/anomalies.ts';
import { visibilityService, type VisibilityMode } from './services/visibility.ts';
import { billingRepository } from './db/repositories/billing.ts';
import { reconcileService, type UnmappedMode } from './services/reconcile-service.ts';
import { unobservedBookRepository } from './db/repositories/unobserved-book.ts';
import { revenueRepository } from './db/repositories/revenue.ts';
import { customerCostQueries } from './db/repositories/customer-costs.ts';
import { marginService } from './services/margin-service.ts';
import { dataVersions } from './db/repositories/data-versions.ts';
import { revenueService } from './services/revenue-service.ts';
import { whatIfService } from './services/whatif-service.ts';
import type { PriceTable } from './services/price-table.ts';
import { monthPeriod } from './domain/periods.ts';
import { fromUsd, type Money } from './domain/money.ts';
import type { AppConfig } from './config.ts';

/**
 * What the services are built with. Every setting comes from the config schema (src/config.ts), the one
 * place defaults live: `serviceSettings(config)` reads them; callers add only what they choose (the
 * authorisation with its Slack lookups, the notifier, the sync, the price table, ledger reads).
 */
export interface ServiceOptions {
  timeZone: string;
  financeChannelId: string;
  financeUserIds: string[];
  thresholds: number[];
  quickchartUrl: string;
  gl: { expenseAccount: string; clearingAccount: string };
  anomalySettings: AnomalySettings;
  /** Unobserved spend of unmapped provider projects: allocated or its own line. */
  unobservedUnmapped: UnmappedMode;
  reconcileAlertPct: number;
  /** Who sees what (docs/how-it-works.md: Who sees what). */
  visibility: VisibilityMode;
  /** Smallest saving worth naming in the chargeback draft (nanodollars). */
  savingMin: Money;
  authz?: Authz;
  notifier?: Notifier<Notice> | null;
  /** What `/aicost sync` reports on and starts. */
  sync?: AskDeps['sync'];
  /** Sum every report from the raw ledger instead of the rollups (the benchmark's baseline). */
  readFromLedger?: boolean;
  /** The price table for what-ifs and saving candidates (an adapter over @pydantic/genai-prices, given by main/cli). */
  priceTable?: PriceTable;
}

type ServiceSettings = Omit<ServiceOptions, 'authz' | 'notifier' | 'sync' | 'readFromLedger' | 'priceTable'>;

/** The services' settings from the validated config: no default is repeated here. */
export function serviceSettings(config: AppConfig): ServiceSettings {
  return {
    timeZone: config.REPORT_TIMEZONE,
    financeChannelId: config.FINANCE_CHANNEL_ID ?? '',
    financeUserIds: config.FINANCE_USER_IDS,
    thresholds: config.BUDGET_THRESHOLDS,
    quickchartUrl: config.QUICKCHART_URL,
    gl: { expenseAccount: config.GL_EXPENSE_ACCOUNT, clearingAccount: config.GL_CLEARING_ACCOUNT },
    anomalySettings: {
      minImpact: fromUsd(config.ANOMALY_MIN_IMPACT),
      minImpactPct: config.ANOMALY_MIN_IMPACT_PCT,
      z: config.ANOMALY_Z,
      financeMinImpact: fromUsd(config.ANOMALY_FINANCE_MIN_IMPACT),
      minTeamSharePct: config.ANOMALY_MIN_TEAM_SHARE_PCT,
      intraday: config.ANOMALY_INTRADAY,
      bursts: {
        enabled: config.ANOMALY_BURSTS,
        z: config.ANOMALY_BURST_Z,
        maxHours: config.ANOMALY_BURST_MAX_HOURS,
        minDaySharePct: config.ANOMALY_BURST_MIN_DAY_SHARE_PCT,
      },
      teamOverrides: config.ANOMALY_TEAM_OVERRIDES,
    },
    unobservedUnmapped: config.UNOBSERVED_UNMAPPED,
    reconcileAlertPct: config.RECONCILE_ALERT_PCT,
    visibility: config.VISIBILITY,
    savingMin: fromUsd(config.SAVING_CANDIDATE_MIN),
  };
}

/** Everything the listeners, jobs and CLI use, built once from a database and the options. */
export function createServices(db: Database, opts: ServiceOptions) {
  const costs = opts.readFromLedger ? ledgerCostQueries(db) : costQueries(db);
  const teams = teamsRepository(db);
  const hiddenRepo = hiddenCostsRepository(db);
  const claims = claimsRepository(db);
  const budgetsRepo = budgetsRepository(db);
  const authz = opts.authz ?? createAuthz({ financeUserIds: opts.financeUserIds });
  const audit = auditRepository(db);
  const billing = billingRepository(db);
  const reconcile = reconcileService({
    billing,
    teams,
    authz,
    timeZone: opts.timeZone,
    unmapped: opts.unobservedUnmapped,
    alertPct: opts.reconcileAlertPct,
    audit: (e, at) => audit.record(e, at),
    book: unobservedBookRepository(db),
    periods: periodsRepository(db),
    notifier: opts.notifier ?? null,
    financeChannelId: opts.financeChannelId,
  });
  const trueCost = trueCostService({ costs, hidden: hiddenRepo, teams, timeZone: opts.timeZone, derived: reconcile.derivedLines });
  const revenueRepo = revenueRepository(db);
  const reports = reportService({
    costs,
    customerAliases: () => revenueRepo.aliases(),
    teams,
    trueCost,
    hiddenEntries: () => hiddenRepo.active(),
    hasDerivedCosts: () => billing.any(),
    timeZone: opts.timeZone,
  });
  const iceberg = icebergService({ trueCost, teams });
  const hidden = hiddenService({ hidden: hiddenRepo, teams, authz, timeZone: opts.timeZone, periods: periodsRepository(db) });
  const budgets = budgetService({
    budgets: budgetsRepo,
    teams,
    costs,
    trueCost,
    claims,
    authz,
    notifier: opts.notifier ?? null,
    timeZone: opts.timeZone,
    financeChannelId: opts.financeChannelId,
    thresholds: opts.thresholds,
    periods: periodsRepository(db),
  });
  // Customer answers read the rollups (issue 25); `readFromLedger` (the benchmark's baseline) the ledger.
  const customerCosts = { ...customerCostQueries(db), ...(opts.readFromLedger ? {} : customerRollupQueries(db)) };
  const revenue = revenueService({ store: revenueRepo, authz });
  const margin = marginService({
    revenue: revenueRepo,
    costs: customerCosts,
    trueCost,
    features: () => teams.listFeatures(),
    // The benchmark's ledger baseline computes every answer.
    versions: opts.readFromLedger ? undefined : dataVersions(db),
    timeZone: opts.timeZone,
  });
  const whatIf = opts.priceTable
    ? whatIfService({ calls: (f, ids) => customerCosts.featureCalls(f, ids), features: () => teams.listFeatures(), prices: opts.priceTable })
    : undefined;
  const savingMin = opts.savingMin;
  const chargeback = chargebackService({
    trueCost,
    costs,
    teams,
    budgets: budgetsRepo,
    periods: periodsRepository(db),
    adjustments: (month: string) => adminRepository(db).adjustments(month),
    claims,
    authz,
    notifier: opts.notifier ?? null,
    timeZone: opts.timeZone,
    financeChannelId: opts.financeChannelId,
    quickchartUrl: opts.quickchartUrl,
    gl: opts.gl,
    unobserved: reconcile,
    ...(whatIf
      ? { savings: (month: string) => whatIf.savingCandidates(monthPeriod(month, opts.timeZone), monthPeriod(month, opts.timeZone).to, savingMin) }
      : {}),
  });
  const admin = adminService({ admin: adminRepository(db), teams, hidden: hiddenRepo, authz, periods: periodsRepository(db) });
  const anomalies = anomalyService({
    costs,
    teams,
    anomalies: anomaliesRepository(db),
    notifier: opts.notifier ?? null,
    authz,
    timeZone: opts.timeZone,
    financeChannelId: opts.financeChannelId,
    quickchartUrl: opts.quickchartUrl,
    settings: opts.anomalySettings,
  });
  const visibility = visibilityService({ authz, teams, mode: opts.visibility });
  const askDeps: AskDeps = {
    reports,
    iceberg,
    hidden,
    budgets,
    authz,
    timeZone: opts.timeZone,
    chargeback,
    admin,
    anomalies,
    visibility,
    reconcile,
    margin,
    revenue,
    ...(whatIf ? { whatIf } : {}),
    teamSlugs: async () => (await teams.list()).map((t) => t.slug),
    ...(opts.sync ? { sync: opts.sync } : {}),
  };
  return {
    db,
    timeZone: opts.timeZone,
    costs,
    teams,
    claims,
    authz,
    audit,
    hiddenRepo,
    budgetsRepo,
    trueCost,
    reports,
    iceberg,
    hidden,
    budgets,
    chargeback,
    anomalies,
    visibility,
    askDeps,
    revenue,
    margin,
    whatIf,
    reconcile,
    billing,
  };
}

export type Services = ReturnType<typeof createServices>;
