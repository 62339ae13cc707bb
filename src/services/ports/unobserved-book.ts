import type { Money } from '../../domain/money.ts';
import type { Provider } from '../../domain/reconciliation.ts';

/**
 * A closed month's unobserved bill spend (issue 21 item 2): frozen when the month closes, so its reads
 * never follow a later mapping or a re-read bill, and the corrections of it booked into the open month.
 */
export interface UnobservedRow {
  /** The billing day (a frozen line) or the day a correction was booked on (in an open month). */
  day: string;
  provider: Provider;
  /** Null when no team carries it. */
  teamId: number | null;
  amount: Money;
  /** Why no team carries it; on a correction, what changed. */
  note: string;
}

export interface UnobservedCorrection extends UnobservedRow {
  id: number;
  /** The closed month it corrects. */
  month: string;
}

export interface UnobservedBookRepository {
  /** The months whose unobserved spend is frozen. */
  frozenMonths(): Promise<Set<string>>;
  /** The frozen lines of the months. */
  frozen(months: readonly string[]): Promise<UnobservedRow[]>;
  /** Freezes a month: replaces its frozen lines (and marks it frozen, with no line at all too). */
  freeze(month: string, rows: readonly UnobservedRow[], at: Date): Promise<void>;
  /** A reopened month is read from its bill again. Its corrections stay where they were booked. */
  thaw(month: string): Promise<void>;
  /** Corrections booked on days in [fromDay, toDay]. */
  bookedOn(fromDay: string, toDay: string): Promise<UnobservedCorrection[]>;
  /** Every correction of a month, wherever booked. */
  correctionsOf(month: string): Promise<UnobservedCorrection[]>;
  /**
   * Books corrections of a month, all or none. `seq` is the row's place among its provider and team's
   * corrections of the month (1 + those the difference was computed from): when another booking took
   * that place meanwhile, nothing is booked and the answer is null (compute again).
   */
  book(month: string, rows: readonly (UnobservedRow & { seq: number })[], at: Date): Promise<UnobservedCorrection[] | null>;
}
