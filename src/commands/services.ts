import type { AnomalyService } from '../services/anomaly-service.ts';
import type { Authz } from '../services/authz.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { ChargebackService } from '../services/chargeback-service.ts';
import type { HiddenService } from '../services/hidden-service.ts';
import type { IcebergService } from '../services/iceberg.ts';
import type { MarginService } from '../services/margin-service.ts';
import type { ReconcileService } from '../services/reconcile-service.ts';
import type { ReportService } from '../services/reports.ts';
import type { RevenueService } from '../services/revenue-service.ts';
import type { SyncStatusView } from '../services/sync-service.ts';
import type { VisibilityService } from '../services/visibility.ts';
import type { WhatIfService } from '../services/whatif-service.ts';
import type { AdminService } from '../services/admin-service.ts';

/** What the verbs use. Optional parts answer "not set up" until a deployment has them (e.g. no sources). */
export interface CommandServices {
  reports: ReportService;
  iceberg: IcebergService;
  hidden: HiddenService;
  budgets: BudgetService;
  authz: Authz;
  visibility: VisibilityService;
  timeZone: string;
  sync?: { status(userId: string, start: boolean, now: Date): Promise<SyncStatusView> };
  anomalies?: Pick<AnomalyService, 'list'>;
  chargeback?: Pick<ChargebackService, 'show'>;
  admin?: Pick<AdminService, 'run'>;
  /** Known team slugs, so examples name a team that exists. */
  teamSlugs?: () => Promise<string[]>;
  margin?: MarginService;
  revenue?: RevenueService;
  whatIf?: WhatIfService;
  reconcile?: Pick<ReconcileService, 'report' | 'map'>;
}
