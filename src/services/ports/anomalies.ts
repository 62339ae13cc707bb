import type { Money } from '../../domain/money.ts';
export type IncidentStatus = 'open' | 'planned' | 'not_an_issue' | 'investigating';
export interface IncidentRecord {
  id: number;
  scope: string;
  scopeKey: string;
  teamId: number | null;
  direction: 'spike' | 'dip';
  startDay: string;
  lastDay: string;
  actual: Money;
  expected: Money;
  impact: Money;
  status: IncidentStatus;
  feedbackBy: string | null;
  feedbackAt: Date | null;
  channelId: string | null;
  messageTs: string | null;
  financeTs: string | null;
  createdAt: Date;
}
/** Anomaly incidents: one row per run of consecutive anomalous days of a series, and its feedback. */
export interface AnomaliesRepository {
  find(scope: string, scopeKey: string, day: string): Promise<IncidentRecord | null>;
  /** Creates the incident; null when another replica created it first. */
  create(
    data: Omit<IncidentRecord, 'id' | 'status' | 'feedbackBy' | 'feedbackAt' | 'channelId' | 'messageTs' | 'financeTs' | 'createdAt'>,
    at: Date,
  ): Promise<IncidentRecord | null>;
  /** Extends an incident by one day; only the run that moves lastDay from `fromDay` wins. */
  extend(
    id: number,
    fromDay: string,
    toDay: string,
    add: {
      actual: Money;
      expected: Money;
      impact: Money;
    },
    at: Date,
  ): Promise<IncidentRecord | null>;
  setMessage(id: number, field: 'messageTs' | 'financeTs', channelId: string, ts: string): Promise<void>;
  byId(id: number): Promise<IncidentRecord | null>;
  feedback(id: number, status: IncidentStatus, actor: string, at: Date): Promise<IncidentRecord | null>;
  recent(sinceDay: string, teamId?: number): Promise<IncidentRecord[]>;
  /** The figures the incident was posted with (see AnomalyPost). */
  setPost(id: number, post: unknown): Promise<void>;
  post<T>(id: number): Promise<T | null>;
}
