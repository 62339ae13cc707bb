import type { Database } from '../client.ts';
import type { AuditEntry, AuditRepository } from '../../services/ports/audit.ts';

/** JSON with bigints (money) as decimal strings, so before/after values stay exact and readable. */
export function auditJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The one shape of an audit row, written alone or inside the transaction of the change it records. */
export function auditRow(e: AuditEntry, at: Date) {
  return {
    at,
    actor: e.actor,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId === undefined || e.entityId === null ? null : String(e.entityId),
    before: auditJson(e.before),
    after: auditJson(e.after),
    reason: e.reason ?? null,
  };
}

/** Who did what, when and why, with before and after values, for every privileged change. */
export function auditRepository(db: Database): AuditRepository {
  const { prisma } = db;
  return {
    async record(e: AuditEntry, at: Date = new Date()): Promise<void> {
      await prisma.auditLog.create({ data: auditRow(e, at) });
    },
    async list(filter: { entity?: string; entityId?: string; action?: string } = {}, take = 50) {
      return prisma.auditLog.findMany({ where: filter, orderBy: { id: 'desc' }, take });
    },
  };
}
