import type { Database } from '../client.ts';
import type { Money } from '../../domain/money.ts';
import { auditJson } from './audit.ts';
import type { OverrunRequestRecord, BudgetsRepository } from '../../services/ports/budgets.ts';
import { STANDING } from '../../services/ports/budgets.ts';
export type { OverrunRequestRecord, BudgetsRepository };
export { STANDING };

type Decision = { status: 'approved' | 'denied'; decidedBy: string; decidedAmount: Money | null; reason: string | null; at: Date };

/** Budgets per team (one month or the standing monthly amount), overrun requests and their decisions. */
export function budgetsRepository(db: Database): BudgetsRepository {
  const { prisma } = db;
  const asRequest = (r: Record<string, unknown>) => r as unknown as OverrunRequestRecord;
  return {
    /** The month's own budget and the standing one, for every team. */
    async forMonth(month: string): Promise<{ teamId: number; month: string; amount: Money }[]> {
      return prisma.budget.findMany({ where: { month: { in: [month, STANDING] } }, select: { teamId: true, month: true, amount: true } });
    },

    /** Sets a budget and records the change in the audit log, in one transaction. */
    async set(input: { teamId: number; month: string; amount: Money; actor: string; reason?: string | null; at: Date }): Promise<{ before: Money | null }> {
      return prisma.$transaction(async (tx) => {
        const prior = await tx.budget.findUnique({ where: { teamId_month: { teamId: input.teamId, month: input.month } } });
        await tx.budget.upsert({
          where: { teamId_month: { teamId: input.teamId, month: input.month } },
          create: { teamId: input.teamId, month: input.month, amount: input.amount, updatedBy: input.actor, updatedAt: input.at },
          update: { amount: input.amount, updatedBy: input.actor, updatedAt: input.at },
        });
        await tx.auditLog.create({
          data: {
            at: input.at, actor: input.actor, action: 'budget.set', entity: 'budget', entityId: `${input.teamId}:${input.month}`,
            before: auditJson(prior ? { amount: prior.amount } : null), after: auditJson({ amount: input.amount }), reason: input.reason ?? null,
          },
        });
        return { before: prior?.amount ?? null };
      });
    },

    async approvedIncreases(month: string): Promise<{ teamId: number; amount: Money }[]> {
      const rows = await prisma.overrunRequest.findMany({ where: { month, status: 'approved' }, select: { teamId: true, decidedAmount: true } });
      return rows.map((r) => ({ teamId: r.teamId, amount: r.decidedAmount ?? 0n }));
    },

    async createRequest(input: { teamId: number; month: string; amount: Money; reason: string; requestedBy: string; automatic: boolean; at: Date }): Promise<OverrunRequestRecord> {
      return prisma.$transaction(async (tx) => {
        const { at, ...data } = input;
        const r = await tx.overrunRequest.create({ data: { ...data, createdAt: at } });
        await tx.auditLog.create({
          data: { at: input.at, actor: input.requestedBy, action: 'overrun.request', entity: 'overrun_request', entityId: String(r.id), after: auditJson(r), reason: input.reason },
        });
        return asRequest(r);
      });
    },

    async request(id: number): Promise<OverrunRequestRecord | null> {
      const r = await prisma.overrunRequest.findUnique({ where: { id } });
      return r ? asRequest(r) : null;
    },

    async pending(teamIds?: number[]): Promise<OverrunRequestRecord[]> {
      const rows = await prisma.overrunRequest.findMany({
        where: { status: 'pending', ...(teamIds ? { teamId: { in: teamIds } } : {}) },
        orderBy: { id: 'asc' },
      });
      return rows.map(asRequest);
    },

    /** Every request for a month (any status), oldest first: a past month's requests and decisions. */
    async requestsFor(month: string, teamIds?: number[]): Promise<OverrunRequestRecord[]> {
      const rows = await prisma.overrunRequest.findMany({ where: { month, ...(teamIds ? { teamId: { in: teamIds } } : {}) }, orderBy: { id: 'asc' } });
      return rows.map(asRequest);
    },

    async hasRequestFor(teamId: number, month: string): Promise<boolean> {
      return (await prisma.overrunRequest.count({ where: { teamId, month, status: { in: ['pending', 'approved'] } } })) > 0;
    },

    async setRequestMessage(id: number, channelId: string, messageTs: string): Promise<void> {
      await prisma.overrunRequest.update({ where: { id }, data: { channelId, messageTs } });
    },

    /**
     * Decides a pending request exactly once: the conditional update only matches while the request is
     * pending, so of two simultaneous clicks one wins and the other gets `null`.
     */
    async decide(id: number, d: Decision): Promise<OverrunRequestRecord | null> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.overrunRequest.updateMany({
          where: { id, status: 'pending' },
          data: { status: d.status, decidedBy: d.decidedBy, decidedAt: d.at, decidedAmount: d.decidedAmount, decisionReason: d.reason },
        });
        if (count !== 1) return null;
        const after = await tx.overrunRequest.findUniqueOrThrow({ where: { id } });
        await tx.auditLog.create({
          data: {
            at: d.at, actor: d.decidedBy, action: `overrun.${d.status === 'approved' ? 'approve' : 'deny'}`, entity: 'overrun_request', entityId: String(id),
            before: auditJson({ status: 'pending', amount: after.amount }), after: auditJson({ status: d.status, decidedAmount: d.decidedAmount }), reason: d.reason,
          },
        });
        return asRequest(after);
      });
    },
  };
}

