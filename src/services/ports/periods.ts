export type PeriodStatus = 'open' | 'closed' | 'finalized';
export interface PeriodRecord {
  month: string;
  status: PeriodStatus;
  closedAt: Date | null;
  closedBy: string | null;
  finalizedAt: Date | null;
  finalizedBy: string | null;
  snapshot: string | null;
}
export type PeriodAction = 'close' | 'reopen' | 'finalize';
/**
 * The monthly close: open → closed (can be reopened) → finalized (irreversible). Each transition is a
 * conditional update, so two clicks move a month once, and it is audited with before and after.
 */
export interface PeriodsRepository {
  get(month: string): Promise<PeriodRecord>;
  /** The closed and finalized months. */
  locked(): Promise<{ month: string; status: PeriodStatus }[]>;
  /** Moves a month; returns null when it was not in the state the action starts from. */
  transition(month: string, action: PeriodAction, actor: string, at: Date, snapshot?: string): Promise<PeriodRecord | null>;
}
