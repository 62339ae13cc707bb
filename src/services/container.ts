import type { Database } from '../db/client.ts';
import { auditRepository } from '../db/repositories/audit.ts';
import { budgetsRepository } from '../db/repositories/budgets.ts';
import { claimsRepository } from '../db/repositories/claims.ts';
import { costQueries, ledgerCostQueries } from '../db/repositories/costs.ts';
import { hiddenCostsRepository } from '../db/repositories/hidden-costs.ts';
import { teamsRepository } from '../db/repositories/teams.ts';
import type { Notifier } from '../slack/notifier.ts';
import type { AskDeps } from './ask.ts';
import { createAuthz, type Authz } from './authz.ts';
import { budgetService } from './budget-service.ts';
import { hiddenService } from './hidden-service.ts';
import { icebergService } from './iceberg.ts';
import { reportService } from './reports.ts';
import { trueCostService } from './true-cost.ts';
import { chargebackService } from './chargeback-service.ts';
import { periodsRepository } from '../db/repositories/periods.ts';
import { adminService } from './admin-service.ts';
import { adminRepository } from '../db/repositories/admin.ts';
import { anomalyService, DEFAULT_ANOMALY_SETTINGS, type AnomalySettings } from './anomaly-service.ts';
import { anomaliesRepository } from '../db/repositories/anomalies.ts';

export interface ServiceOptions {
  timeZone: string;
  financeChannelId?: string;
  financeUserIds?: string[];
  authz?: Authz;
  notifier?: Notifier | null;
  thresholds?: number[];
  quickchartUrl?: string;
  gl?: { expenseAccount: string; clearingAccount: string };
  anomalySettings?: AnomalySettings;
  /** Sum every report from the raw ledger instead of the rollups (the benchmark's baseline). */
  readFromLedger?: boolean;
}

/** Everything the listeners, jobs and CLI use, built once from a database and the options. */
export function createServices(db: Database, opts: ServiceOptions) {
  const costs = opts.readFromLedger ? ledgerCostQueries(db) : costQueries(db);
  const teams = teamsRepository(db);
  const hiddenRepo = hiddenCostsRepository(db);
  const claims = claimsRepository(db);
  const budgetsRepo = budgetsRepository(db);
  const authz = opts.authz ?? createAuthz({ financeUserIds: opts.financeUserIds ?? [] });
  const trueCost = trueCostService({ costs, hidden: hiddenRepo, teams, timeZone: opts.timeZone });
  const reports = reportService({ costs, teams, trueCost, hiddenEntries: () => hiddenRepo.active(), timeZone: opts.timeZone });
  const iceberg = icebergService({ trueCost, teams });
  const hidden = hiddenService({ hidden: hiddenRepo, teams, authz, timeZone: opts.timeZone });
  const budgets = budgetService({
    budgets: budgetsRepo, teams, costs, trueCost, claims, authz, notifier: opts.notifier ?? null, timeZone: opts.timeZone,
    financeChannelId: opts.financeChannelId ?? '', thresholds: opts.thresholds ?? [80, 100],
  });
  const chargeback = chargebackService({
    trueCost, costs, teams, budgets: budgetsRepo, periods: periodsRepository(db), adjustments: (month: string) => adminRepository(db).adjustments(month), claims, authz, notifier: opts.notifier ?? null,
    timeZone: opts.timeZone, financeChannelId: opts.financeChannelId ?? '', quickchartUrl: opts.quickchartUrl ?? 'https://quickchart.io',
    gl: opts.gl ?? { expenseAccount: '6400', clearingAccount: '2990' },
  });
  const admin = adminService({ db, teams, hidden: hiddenRepo, authz, periods: periodsRepository(db) });
  const anomalies = anomalyService({
    costs, teams, anomalies: anomaliesRepository(db), notifier: opts.notifier ?? null, authz, timeZone: opts.timeZone,
    financeChannelId: opts.financeChannelId ?? '', quickchartUrl: opts.quickchartUrl ?? 'https://quickchart.io', settings: opts.anomalySettings ?? DEFAULT_ANOMALY_SETTINGS,
  });
  const askDeps: AskDeps = { reports, iceberg, hidden, budgets, authz, timeZone: opts.timeZone, chargeback, admin, anomalies };
  return {
    db, timeZone: opts.timeZone, costs, teams, claims, authz, audit: auditRepository(db), hiddenRepo, budgetsRepo,
    trueCost, reports, iceberg, hidden, budgets, chargeback, anomalies, askDeps,
  };
}

export type Services = ReturnType<typeof createServices>;
