export interface AuditEntry {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}
/** Who did what, when and why, with before and after values, for every privileged change. */
export interface AuditRepository {
  record(e: AuditEntry, at?: Date): Promise<void>;
  list(
    filter?: {
      entity?: string;
      entityId?: string;
      action?: string;
    },
    take?: number,
  ): Promise<
    {
      id: number;
      at: Date;
      actor: string;
      action: string;
      entity: string;
      entityId: string | null;
      before: string | null;
      after: string | null;
      reason: string | null;
    }[]
  >;
}
