import type { AmountFailure, Money } from './money.ts';

/**
 * The one shape of a result that can fail (ARCHITECTURE.md, decision 12). A failure is a code from the
 * closed list below plus the data its message needs, never prose: the words are chosen at the edge, in
 * one place (`src/format/failure-text.ts`), for Slack replies, modal field errors and the CLI alike.
 * Text in a failure's data is what the user typed (data, escaped at the Slack egress like any other).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(failure: Failure): Result<T> => ({ ok: false, failure });

/** A form's failures, at most one per field (the first found), reported all at once next to their fields. */
export type FieldFailures<F extends string> = Partial<Record<F, Failure>>;

/** Input of the wrong shape, in the validator's (zod's) own words; a button or form whose hidden data came back changed. */
type InputFailure = { code: 'input.invalid'; issue: string } | { code: 'input.tampered-button' } | { code: 'input.tampered-form' };

/** A name that resolves to nothing (any command that names a team or feature). */
type NameFailure = { code: 'team.none'; slug: string } | { code: 'feature.none'; slug: string } | { code: 'alias.taken'; alias: string };

/** Answers kept for finance (`/aicost top customers`, `margin`, `customer`). */
type FinanceOnlyFailure = { code: 'customers.finance-only' } | { code: 'margin.finance-only' };

/** `/aicost sync now` (`syncService.status`). */
type SyncFailure = { code: 'sync.finance-only' } | { code: 'sync.no-source' } | { code: 'sync.running' };

/** A team (or its feature) the viewer may not see (`visibilityService`). */
type VisibilityFailure = { code: 'visibility.not-your-team'; name: string };

/** Anomaly feedback buttons (`anomalyService.feedback`); `teamName` null: the incident has no team. */
type AnomalyFailure = { code: 'anomaly.gone' } | { code: 'anomaly.feedback-not-allowed'; teamName: string | null };

/** Period and month words (`parsePeriod`, `parseMonths`). */
type PeriodFailure =
  | { code: 'period.outside-years'; text: string; min: number; max: number }
  | { code: 'period.days-out-of-range'; text: string }
  | { code: 'period.no-such-date'; text: string }
  | { code: 'period.ends-before-start'; text: string }
  | { code: 'period.range-too-long'; maxDays: number }
  | { code: 'period.unknown'; text: string }
  | { code: 'months.too-many'; max: number }
  | { code: 'months.not-monthly'; text: string };

/** The `/aicost` command text (`parseCommand`). */
type CommandFailure =
  /** A period that did not parse, with the periods one may write. */
  | { code: 'command.period'; cause: Failure }
  | { code: 'command.team-missing' }
  /** `issue` is the slug schema's own sentence. */
  | { code: 'command.team-not-slug'; text: string; issue: string }
  | { code: 'command.iceberg-not-team'; text: string }
  | { code: 'command.top-missing' }
  | { code: 'command.top-unknown'; text: string }
  | { code: 'command.feature-missing' }
  | { code: 'command.feature-not-slug'; text: string }
  | { code: 'command.hidden-needs-id'; sub: string }
  | { code: 'command.hidden-too-many' }
  | { code: 'command.budget-usage' }
  | { code: 'command.budget-set-team' }
  | { code: 'command.budget-set-amount' }
  | { code: 'command.budget-set-extra'; text: string }
  | { code: 'command.budget-set-month'; text: string }
  | { code: 'command.request-missing' }
  | { code: 'command.request-reason' }
  | { code: 'command.sync-usage' }
  | { code: 'command.anomalies-too-many' }
  | { code: 'command.chargeback-usage' }
  | { code: 'command.customer-missing' }
  | { code: 'command.customer-bad-id'; text: string }
  | { code: 'command.whatif-missing' }
  | { code: 'command.whatif-bad-model'; text: string }
  | { code: 'command.did-you-mean'; text: string; guess: string }
  | { code: 'command.unknown'; text: string };

/** A hidden cost's fields, as the quick form and the modal read them (`src/commands/hidden-cost-*.ts`). */
type HiddenFieldFailure =
  | { code: 'hidden.amount-empty' }
  | { code: 'hidden.amount-negative' }
  | { code: 'hidden.amount-not-a-number'; text: string }
  | { code: 'hidden.amount-decimals'; text: string; max: 2 | 4 }
  | { code: 'hidden.category-missing'; categories: readonly string[] }
  | { code: 'hidden.category-unknown'; text: string; near: string | null; categories: readonly string[] }
  /** `text` is empty when nothing was said. */
  | { code: 'hidden.kind-unknown'; text: string }
  | { code: 'hidden.kind-missing' }
  | { code: 'hidden.day-missing' }
  | { code: 'hidden.day-invalid'; text: string }
  | { code: 'hidden.month-missing' }
  | { code: 'hidden.month-invalid'; text: string }
  | { code: 'hidden.until-before-from'; from: string; until: string }
  /** `text` is null when no metric was given. */
  | { code: 'hidden.usage-metric'; text: string | null }
  | { code: 'hidden.team-unknown'; slug: string; near: readonly string[] }
  | { code: 'hidden.even-twice'; team: string }
  | { code: 'hidden.fixed-missing' }
  | { code: 'hidden.fixed-bad-share'; text: string }
  | { code: 'hidden.fixed-twice'; team: string }
  /** The allocation module's own sentence (`checkPercentages`, `validateRule`). */
  | { code: 'hidden.rule-invalid'; reason: string }
  | { code: 'hidden.target-missing'; perUnit: boolean }
  | { code: 'hidden.per-unit-shared' }
  | { code: 'hidden.after-shared'; text: string }
  | { code: 'hidden.target-not-slug'; text: string }
  | { code: 'hidden.per-unit-team'; slug: string; near: readonly string[] }
  /** `perUnit`: said while naming the feature a per-unit cost follows. */
  | { code: 'hidden.feature-unknown'; slug: string; near: readonly string[]; perUnit: boolean }
  | { code: 'hidden.team-and-feature'; slug: string }
  | { code: 'hidden.target-unknown'; slug: string; near: readonly string[] }
  | { code: 'hidden.note-unclosed' }
  | { code: 'hidden.note-not-last'; after: string }
  | { code: 'hidden.note-too-long'; max: number }
  /** The modal's own field checks. */
  | { code: 'hidden.form-target-extra'; text: string }
  | { code: 'hidden.form-rule-not-shared' }
  | { code: 'hidden.form-rule-twice' }
  | { code: 'hidden.form-rule-unknown'; text: string }
  | { code: 'hidden.form-note-too-long'; max: number }
  /** The quick form's own checks. */
  | { code: 'hidden.add-empty' }
  | { code: 'hidden.add-category-missing'; categories: readonly string[] }
  | { code: 'hidden.one-off-month'; text: string }
  | { code: 'hidden.one-off-until' }
  | { code: 'hidden.from-needs-month' }
  | { code: 'hidden.starts-in-month'; text: string; monthly: boolean }
  | { code: 'hidden.until-needs-month' }
  | { code: 'hidden.add-extra'; text: string };

/** Saving, editing and deleting hidden costs (`resolveDraft`, `hiddenService`). */
type HiddenCostFailure =
  | { code: 'hidden.shared-finance-only' }
  | { code: 'hidden.teamless-finance-only' }
  | { code: 'hidden.not-lead'; teamName: string; slug: string }
  | { code: 'hidden.gone'; id: number }
  | { code: 'hidden.missing'; id: number }
  /** Said where the entry number was typed: points to the list. */
  | { code: 'hidden.missing-listed'; id: number }
  | { code: 'hidden.edit-not-author'; id: number }
  | { code: 'hidden.delete-not-author'; id: number; author: string }
  /** A change that would alter a closed or finalized month. `changes`: an edit (else an add or delete charging it). */
  | { code: 'hidden.month-locked'; month: string; state: string; verb: 'add' | 'edit' | 'delete'; changes: boolean; recurring: boolean };

/** Budgets and budget requests (`budgetService`). `state` is the month's state (closed, finalized). */
type BudgetFailure =
  | { code: 'budget.no-team'; slug: string; near: readonly string[] }
  | { code: 'budget.set-finance-only' }
  | { code: 'budget.month-locked'; month: string; state: string }
  | { code: 'budget.request-several-teams'; teams: readonly string[]; amount: Money }
  | { code: 'budget.request-which-team' }
  | { code: 'budget.request-reason' }
  | { code: 'budget.request-not-lead'; teamName: string }
  | { code: 'budget.decide-finance-only' }
  | { code: 'budget.request-gone' }
  | { code: 'budget.request-already'; id: number; status: string }
  | { code: 'budget.no-request'; id: number }
  /** `status` and `by` are read again after a lost race, and may be missing. */
  | { code: 'budget.already-decided'; id: number; status: string | undefined; by: string | null | undefined }
  | { code: 'budget.approve-locked'; id: number; month: string; state: string }
  /** The approve-another-amount form without a reason. */
  | { code: 'budget.approve-reason' };

/** Closing, reopening and finalizing a month (`chargebackService.transition`). */
type PeriodStateFailure =
  | { code: 'chargeback.finance-only' }
  /** `closableFrom`: the first day it can be closed (YYYY-MM-DD). */
  | { code: 'chargeback.not-ended'; month: string; closableFrom: string }
  | { code: 'chargeback.cannot'; month: string; state: string; action: 'close' | 'reopen' | 'finalize' };

/** `/aicost admin map …` (`reconcileService.map`). */
type MappingFailure =
  | { code: 'map.finance-only' }
  | { code: 'map.usage' }
  | { code: 'map.provider'; text: string }
  | { code: 'map.scope'; provider: string; expected: string; text: string }
  | { code: 'map.scope-id'; text: string; scope: string };

/** The revenue file (`parseRevenueCsv`), one per line. */
type RevenueFailure =
  /** `detail`: the CSV reader's own explanation. */
  | { code: 'revenue.not-csv'; detail: string }
  | { code: 'revenue.empty' }
  | { code: 'revenue.header'; missing: readonly string[]; unknown: readonly string[]; repeated: readonly string[] }
  | { code: 'revenue.too-many-rows'; rows: number; max: number }
  | { code: 'revenue.cells'; cells: number; header: number }
  | { code: 'revenue.amount'; text: string }
  | { code: 'revenue.duplicate'; customer: string; month: string; earlierLine: number }
  | { code: 'revenue.no-rows' }
  /** Customer aliases (`revenueService.alias`). */
  | { code: 'alias.none'; alias: string }
  | { code: 'alias.bad-id' }
  | { code: 'alias.same' }
  | { code: 'alias.of-alias'; customer: string; of: string }
  | { code: 'alias.has-aliases'; alias: string }
  | { code: 'alias.usage' };

/** A FOCUS file (`readFocusRecord`, `focusImportService`), one per row. */
type FocusFailure =
  | { code: 'focus.not-csv'; detail: string }
  | { code: 'focus.missing-columns'; missing: readonly string[] }
  | { code: 'focus.currency'; currency: string }
  | { code: 'focus.time'; column: string; text: string }
  | { code: 'focus.end-before-start' }
  | { code: 'focus.decimal'; column: string; text: string }
  | { code: 'focus.charge-category'; text: string; allowed: readonly string[] }
  | { code: 'focus.tags' }
  | { code: 'focus.feature-tag'; slug: string }
  | { code: 'focus.team-tag'; slug: string }
  | { code: 'focus.month-locked'; day: string; month: string; state: string }
  | { code: 'focus.amount-limit'; column: string; text: string; max: Money }
  | { code: 'focus.period-too-long'; days: number; maxDays: number }
  | { code: 'focus.file-total-limit'; max: Money }
  | { code: 'focus.attribution'; text: string };

/** `/aicost admin` (`adminService`); `admin.adjust-amount`: an adjustment's amount, said with how to write a credit. */
type AdminFailure =
  | { code: 'admin.adjust-amount'; cause: Failure }
  | { code: 'admin.finance-only' }
  | { code: 'admin.name-team' }
  | { code: 'admin.name-feature' }
  | { code: 'admin.cost-center'; length: number }
  /** `text`: the command as read (its first word and the rest). */
  | { code: 'admin.not-understood'; text: string }
  | { code: 'admin.alias-usage' }
  | { code: 'admin.baseline-negative' }
  | { code: 'admin.adjust-month' }
  | { code: 'admin.adjust-zero' }
  | { code: 'admin.adjust-reason' }
  | { code: 'admin.adjust-locked'; month: string; state: string }
  | { code: 'admin.category-name' }
  | { code: 'admin.category-exists'; name: string }
  | { code: 'admin.unknown'; text: string };

/** A revenue file's bytes, before they are parsed (`decodeRevenueFile`, the Slack download). */
type RevenueFileFailure =
  /** `found`: 'utf-16' (NUL bytes and no byte-order mark), 'not-utf8' (e.g. Windows-1252 from Excel's "CSV (Comma delimited)"). */
  | { code: 'revenue.encoding'; found: 'utf-16' | 'not-utf8' }
  | { code: 'revenue.separator'; separator: ';' | 'tab' }
  | { code: 'revenue.too-large'; maxBytes: number };

export type Failure =
  | InputFailure
  | NameFailure
  | PeriodStateFailure
  | MappingFailure
  | AmountFailure
  | PeriodFailure
  | CommandFailure
  | HiddenFieldFailure
  | HiddenCostFailure
  | BudgetFailure
  | RevenueFailure
  | FocusFailure
  | AnomalyFailure
  | VisibilityFailure
  | SyncFailure
  | FinanceOnlyFailure
  | AdminFailure
  | RevenueFileFailure;
export type FailureCode = Failure['code'];
