import type { Money } from '../../domain/money.ts';
/**
 * The standing monthly amount. It is kept by the month it takes effect: rows "*YYYY-MM" (set in that
 * month, applying from it on) and "*" (set before standing amounts were dated: from the beginning).
 * `forMonth` returns the one in force for the month as STANDING, so setting a standing budget in
 * December leaves October's and November's as they were.
 */
export const STANDING = '*';
export interface OverrunRequestRecord {
  id: number;
  teamId: number;
  month: string;
  amount: Money;
  reason: string;
  requestedBy: string;
  automatic: boolean;
  status: 'pending' | 'approved' | 'denied';
  decidedBy: string | null;
  decidedAt: Date | null;
  decidedAmount: Money | null;
  decisionReason: string | null;
  channelId: string | null;
  messageTs: string | null;
  /** What finance saw when asked (stored with the request, so the decided message still shows it). */
  context: RequestContext | null;
  createdAt: Date;
}
type Decision = {
  status: 'approved' | 'denied';
  decidedBy: string;
  decidedAmount: Money | null;
  reason: string | null;
  at: Date;
};
/** Budgets per team (one month or the standing monthly amount), overrun requests and their decisions. */
export interface BudgetsRepository {
  /** The month's own budget and the standing one, for every team. */
  forMonth(month: string): Promise<
    {
      teamId: number;
      month: string;
      amount: Money;
    }[]
  >;
  /** Sets a budget and records the change in the audit log, in one transaction. */
  set(input: { teamId: number; month: string; amount: Money; actor: string; reason?: string | null; at: Date; effectiveFrom?: string }): Promise<{
    before: Money | null;
  }>;
  approvedIncreases(month: string): Promise<
    {
      teamId: number;
      amount: Money;
    }[]
  >;
  /**
   * Files a request: a team and month have at most one open (pending) request, so a new one updates it
   * (amount, reason, requester, context; audited) instead of making another. `created` says which.
   * Race-free: of simultaneous requests one creates, the others update.
   */
  fileRequest(input: {
    teamId: number;
    month: string;
    amount: Money;
    reason: string;
    requestedBy: string;
    automatic: boolean;
    at: Date;
    context?: RequestContext;
  }): Promise<{ request: OverrunRequestRecord; created: boolean }>;
  request(id: number): Promise<OverrunRequestRecord | null>;
  pending(teamIds?: number[]): Promise<OverrunRequestRecord[]>;
  /** The month's overrun requests, oldest first (of some teams only when `teamIds` is given). */
  requestsFor(month: string, teamIds?: number[]): Promise<OverrunRequestRecord[]>;
  hasRequestFor(teamId: number, month: string): Promise<boolean>;
  setRequestMessage(id: number, channelId: string, messageTs: string): Promise<void>;
  /**
   * Decides a pending request exactly once: the conditional update only matches while the request is
   * pending, so of two simultaneous clicks one wins and the other gets `null`.
   */
  decide(id: number, d: Decision): Promise<OverrunRequestRecord | null>;
}

/** What finance sees beside a budget request: the month so far, the projection, the trend and the drivers. */
export interface RequestContext {
  budget: Money | null;
  spent: Money;
  forecast: Money | null;
  /** forecast − budget when positive: what the month is projected to need beyond its budget. */
  shortfall: Money | null;
  /** The three months before the request's month: true cost and effective budget. */
  history: { month: string; cost: Money; budget: Money | null }[];
  /** The features and models with the most direct API spend this month. */
  drivers: { label: string; amount: Money }[];
}
