import type { AppConfig } from '../config.ts';
import type { AnomalyService } from '../services/anomaly-service.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { ChargebackService } from '../services/chargeback-service.ts';
import type { Notice, Notifier } from '../services/notices.ts';
import type { ReconcileService } from '../services/reconcile-service.ts';
import type { SyncService } from '../services/sync-service.ts';
import { reconcileAlertJob } from './reconcile-alert.ts';
import type { JobDefinition, JobDeps } from './runner.ts';

export interface JobServices {
  budgets: Pick<BudgetService, 'check'>;
  anomalies: Pick<AnomalyService, 'scanDay'>;
  chargeback: Pick<ChargebackService, 'postDraft'>;
  reconcile: Pick<ReconcileService, 'weekAlerts'>;
  sync: Pick<SyncService, 'run'>;
  notifier: Notifier<Notice> | null;
}

type JobConfig = Pick<
  AppConfig,
  'BUDGET_CHECK_CRON' | 'SYNC_CRON' | 'ANOMALY_CRON' | 'CHARGEBACK_CRON' | 'RECONCILE_CRON' | 'RECONCILE_ALERT_PCT' | 'FINANCE_CHANNEL_ID'
>;

/**
 * Every scheduled job, in one place. Each is a plain function of (deps, slot time); the scheduler and
 * `aicost run <job> --at <ISO>` run the same function for the same slot, claimed the same way.
 */
export function jobDefinitions(config: JobConfig, s: JobServices): JobDefinition<JobDeps>[] {
  return [
    {
      name: 'budgets',
      cron: config.BUDGET_CHECK_CRON,
      description: 'threshold and forecast alerts, automatic overrun requests',
      run: (_deps, at) => s.budgets.check(at),
    },
    {
      name: 'sync',
      cron: config.SYNC_CRON,
      description: 'pull costs from Helicone and Langfuse and bills from OpenAI and Anthropic, then check budgets',
      run: async (_deps, at) =>
        (await s.sync.run(at))
          .map((r) => `${r.source}: ${r.ok ? `${r.records} records${r.rejected ? ` (${r.rejected} kept aside)` : ''}` : `failed (${r.error})`}`)
          .join('; ') || 'no source configured',
    },
    {
      name: 'anomalies',
      cron: config.ANOMALY_CRON,
      description: 'scan the day that just closed for spend anomalies',
      run: (_deps, at) => s.anomalies.scanDay(at),
    },
    {
      name: 'chargeback',
      cron: config.CHARGEBACK_CRON,
      description: "post the previous month's chargeback draft to finance with its CSV",
      run: (_deps, at) => s.chargeback.postDraft(at),
    },
    reconcileAlertJob({
      cron: config.RECONCILE_CRON,
      reconcile: s.reconcile,
      notifier: s.notifier,
      financeChannelId: config.FINANCE_CHANNEL_ID ?? '',
      thresholdPct: config.RECONCILE_ALERT_PCT,
    }),
  ];
}
