import type { AuditEntry } from './audit.ts';
import type { Failure } from '../../domain/result.ts';
/**
 * Merging a team or feature into another under an alias: its cost entries, features, hidden costs and
 * budgets move to the target in one transaction, the old slug becomes an alias (future records with it
 * land on the target), and the change is audited.
 */
export interface AdminRepository {
  audit(e: AuditEntry, at: Date): Promise<void>;
  /** A one-off adjustment or credit to a team's month, audited. */
  addAdjustment(input: { teamId: number; month: string; amount: bigint; reason: string; actor: string; at: Date }): Promise<number>;
  adjustments(month: string): Promise<
    {
      id: number;
      teamId: number;
      amount: bigint;
      reason: string;
      author: string;
    }[]
  >;
  aliasTeam(alias: string, target: string, actor: string, at: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }>;
  aliasFeature(alias: string, target: string, actor: string, at: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }>;
}
