import type { ReconcileService } from '../services/reconcile-service.ts';
import type { Notice, Notifier } from '../services/notices.ts';
import type { JobDefinition } from './runner.ts';
import type { JobDeps } from './runner.ts';

const DAY_MS = 86_400_000;

/** The last completed UTC week (Monday..Sunday) before `at`, as its Monday "YYYY-MM-DD". */
export function lastCompletedWeek(at: Date): string {
  const today = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  const dow = (new Date(today).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(today - (dow + 7) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Weekly: for the last completed UTC week, a post to finance per provider whose unobserved share is above
 * RECONCILE_ALERT_PCT. Claimed per provider and week (postOnce), so replicas and re-runs post once.
 */
export function reconcileAlertJob(opts: {
  cron: string;
  reconcile: Pick<ReconcileService, 'weekAlerts'>;
  notifier: Notifier<Notice> | null;
  financeChannelId: string;
  thresholdPct: number;
}): JobDefinition<JobDeps> {
  return {
    name: 'reconcile-alert',
    cron: opts.cron,
    description: "post to finance when a provider's unobserved share of last week is above RECONCILE_ALERT_PCT",
    run: async (_deps, at) => {
      const week = lastCompletedWeek(at);
      const alerts = await opts.reconcile.weekAlerts(week, at);
      if (!opts.notifier) return 'no Slack client';
      const posted: string[] = [];
      for (const a of alerts) {
        const ts = await opts.notifier.postOnce(
          `reconcile:alert:${a.provider}:${week}`,
          opts.financeChannelId,
          { type: 'reconcile.alert', alert: a, thresholdPct: opts.thresholdPct },
          at,
          { amount: a.unobserved },
        );
        if (ts) posted.push(a.provider);
      }
      return `week of ${week}: ${alerts.length} provider(s) above ${opts.thresholdPct}%, posted ${posted.join(', ') || 'none'}`;
    },
  };
}
