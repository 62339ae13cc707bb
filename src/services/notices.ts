import type { AnomalyNotice } from './anomaly-service.ts';
import type { BudgetNotice } from './budget-service.ts';
import type { ChargebackNotice } from './chargeback-service.ts';
import type { ReconcileNotice } from './reconcile-service.ts';

/**
 * Everything the services tell people, as data: `{ type: 'budget.threshold', team, … }`. Services
 * never build messages; the Slack notifier (src/slack/notifier.ts) renders each notice with the
 * builders in src/slack/blocks/.
 */
export type Notice = BudgetNotice | AnomalyNotice | ChargebackNotice | ReconcileNotice;
export type { Notifier } from './notifier-port.ts';
