import type { Failure, FieldFailures } from '../domain/result.ts';
import type { HiddenCostField } from '../domain/input/hidden-cost-form.ts';
import type { AdminAnswer } from '../services/admin-service.ts';
import type { AnomalyList } from '../services/anomaly-service.ts';
import type { BudgetRow, MonthReview } from '../services/budget-service.ts';
import type { ChargebackView } from '../services/chargeback-service.ts';
import type { HiddenService } from '../services/hidden-service.ts';
import type { FeatureIceberg, TeamIceberg } from '../services/iceberg.ts';
import type { MarginAnswer } from '../services/margin-service.ts';
import type { ReconcileReport } from '../services/reconcile-service.ts';
import type { NotVisible, SpendReport, TopReport, UnknownName } from '../services/reports.ts';
import type { AliasResult } from '../services/revenue-service.ts';
import type { SyncStatusView } from '../services/sync-service.ts';
import type { WhatIfResult } from '../services/whatif-service.ts';

/**
 * What a verb found, as data: presentation (src/format/outcome-parts.ts) turns each kind into words,
 * tables and charts, the same for Slack and the terminal.
 */
export type Outcome =
  | SpendReport
  | TopReport
  | UnknownName
  | NotVisible
  | FeatureIceberg
  | TeamIceberg
  | WhatIfResult
  | Exclude<MarginAnswer, { kind: 'refused' }>
  | { kind: 'hidden-list'; slug: string | null; list: Awaited<ReturnType<HiddenService['list']>> }
  | { kind: 'budget-list'; rows: BudgetRow[]; month: string; all: boolean; hasTeams: boolean }
  | { kind: 'budget-month'; review: MonthReview }
  | { kind: 'sync-status'; view: SyncStatusView }
  | { kind: 'anomaly-list'; list: AnomalyList }
  | { kind: 'chargeback'; view: ChargebackView }
  | { kind: 'reconcile'; report: ReconcileReport }
  | { kind: 'admin'; answer: AdminAnswer }
  | { kind: 'customer-alias'; result: AliasResult | { ok: false; refused: 'not-finance' } }
  /** A change was made: its title and the service's own words. */
  | { kind: 'done'; title: string; message: string; next?: string }
  /** A change or an answer was refused: `title` names what did not happen. */
  | { kind: 'refused'; title: string; failure: Failure }
  /** The command's text was not understood: what was wrong and what to type instead. */
  | { kind: 'invalid'; failure: Failure; examples: string[] }
  /** `add` with fields that do not validate. */
  | { kind: 'fields-refused'; title: string; fields: FieldFailures<HiddenCostField> }
  /** A part this deployment does not have (no sources, no price table …). */
  | { kind: 'not-set-up'; what: 'sync' | 'anomalies' | 'chargeback' | 'reconcile' | 'admin' | 'margin' | 'whatif' }
  | { kind: 'modal'; modal: 'add-hidden' | 'edit-hidden'; entryId?: number }
  | { kind: 'import-help' }
  | { kind: 'help'; finance: boolean };
