import type { Database } from '../client.ts';
import { auditRow } from './audit.ts';
import type { PeriodStatus, PeriodRecord, PeriodAction, PeriodsRepository } from '../../services/ports/periods.ts';

const TRANSITIONS = {
  close: { from: 'open', to: 'closed' },
  reopen: { from: 'closed', to: 'open' },
  finalize: { from: 'closed', to: 'finalized' },
} as const;

/**
 * The monthly close: open → closed (can be reopened) → finalized (irreversible). Each transition is a
 * conditional update, so two clicks move a month once, and it is audited with before and after.
 */
export function periodsRepository(db: Database): PeriodsRepository {
  const { prisma } = db;
  return {
    async get(month: string): Promise<PeriodRecord> {
      const p = await prisma.accountingPeriod.findUnique({ where: { month } });
      return (p as PeriodRecord | null) ?? { month, status: 'open', closedAt: null, closedBy: null, finalizedAt: null, finalizedBy: null, snapshot: null };
    },

    /** Closed and finalized months, oldest first: their numbers no longer change. */
    async locked(): Promise<{ month: string; status: PeriodStatus }[]> {
      const rows = await prisma.accountingPeriod.findMany({
        where: { status: { in: ['closed', 'finalized'] } },
        orderBy: { month: 'asc' },
        select: { month: true, status: true },
      });
      return rows as { month: string; status: PeriodStatus }[];
    },

    /** Moves a month; returns null when it was not in the state the action starts from. */
    async transition(month: string, action: PeriodAction, actor: string, at: Date, snapshot?: string): Promise<PeriodRecord | null> {
      const t = TRANSITIONS[action];
      return prisma.$transaction(async (tx) => {
        if (action === 'close') {
          // A month nobody touched has no row yet: it is open.
          const existing = await tx.accountingPeriod.findUnique({ where: { month } });
          if (!existing) await tx.accountingPeriod.create({ data: { month, status: 'open' } });
        }
        const data =
          action === 'close'
            ? { status: t.to, closedAt: at, closedBy: actor, snapshot: snapshot ?? null }
            : action === 'reopen'
              ? { status: t.to, reopenedAt: at, reopenedBy: actor, snapshot: null }
              : { status: t.to, finalizedAt: at, finalizedBy: actor };
        const { count } = await tx.accountingPeriod.updateMany({ where: { month, status: t.from }, data });
        if (count !== 1) return null;
        await tx.auditLog.create({
          data: auditRow({ actor, action: `period.${action}`, entity: 'period', entityId: month, before: { status: t.from }, after: { status: t.to } }, at),
        });
        return (await tx.accountingPeriod.findUniqueOrThrow({ where: { month } })) as PeriodRecord;
      });
    },
  };
}
