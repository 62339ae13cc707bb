import type { Database } from '../client.ts';
import { isUniqueViolation } from '../errors.ts';
import { nanos, type Money } from '../../domain/money.ts';
import type { RequestContext } from '../../services/budget-service.ts';
import { auditRow } from './audit.ts';
import type { OverrunRequestRecord, BudgetsRepository } from '../../services/ports/budgets.ts';
import { STANDING } from '../../services/ports/budgets.ts';
export { STANDING };

/** JSON with bigint (money) values, for figures stored beside a post. */
export const bigJson = {
  stringify: (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? { $n: x.toString() } : x)),
  parse: <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s, (_k, x) => (x && typeof x === 'object' && '$n' in x ? BigInt(x.$n) : x)) as T)),
};

type Decision = { status: 'approved' | 'denied'; decidedBy: string; decidedAmount: Money | null; reason: string | null; at: Date };

/** Budgets per team (one month or the standing monthly amount), overrun requests and their decisions. */
/** A burst of requests (a lead filing 25 in 2 s) queues for the pool's connections instead of failing after 2 s. */
const BURST = { maxWait: 15_000, timeout: 20_000 };

export function budgetsRepository(db: Database): BudgetsRepository {
  const { prisma } = db;
  const asRequest = (r: Record<string, unknown>) =>
    ({ ...r, context: bigJson.parse<RequestContext>((r.context as string | null) ?? null) }) as unknown as OverrunRequestRecord;
  async function createRequest(
    input: { teamId: number; month: string; amount: Money; reason: string; requestedBy: string; automatic: boolean; at: Date; context?: RequestContext },
    openKey: string,
  ): Promise<OverrunRequestRecord> {
    return prisma.$transaction(async (tx) => {
      const { at, context, ...data } = input;
      const r = await tx.overrunRequest.create({ data: { ...data, openKey, createdAt: at, context: context ? bigJson.stringify(context) : null } });
      await tx.auditLog.create({
        data: auditRow(
          { actor: input.requestedBy, action: 'overrun.request', entity: 'overrun_request', entityId: r.id, after: r, reason: input.reason },
          input.at,
        ),
      });
      return asRequest(r);
    }, BURST);
  }

  async function updateOpenRequest(
    input: { amount: Money; reason: string; requestedBy: string; automatic: boolean; at: Date; context?: RequestContext },
    openKey: string,
  ): Promise<OverrunRequestRecord | null> {
    return prisma.$transaction(async (tx) => {
      const before = await tx.overrunRequest.findUnique({ where: { openKey } });
      if (!before) return null;
      const data = {
        amount: input.amount,
        reason: input.reason,
        requestedBy: input.requestedBy,
        automatic: input.automatic,
        context: input.context ? bigJson.stringify(input.context) : null,
      };
      const { count } = await tx.overrunRequest.updateMany({ where: { id: before.id, status: 'pending' }, data });
      if (count !== 1) return null;
      const after = await tx.overrunRequest.findUniqueOrThrow({ where: { id: before.id } });
      await tx.auditLog.create({
        data: auditRow(
          {
            actor: input.requestedBy,
            action: 'overrun.request.update',
            entity: 'overrun_request',
            entityId: before.id,
            before: { amount: before.amount, reason: before.reason, requestedBy: before.requestedBy },
            after: { amount: after.amount, reason: after.reason, requestedBy: after.requestedBy },
            reason: input.reason,
          },
          input.at,
        ),
      });
      return asRequest(after);
    }, BURST);
  }

  const repo = {
    /** The month's own budget and the standing one, for every team. */
    async forMonth(month: string): Promise<{ teamId: number; month: string; amount: Money }[]> {
      const rows = await prisma.budget.findMany({
        where: { OR: [{ month }, { month: { startsWith: STANDING } }] },
        select: { teamId: true, month: true, amount: true },
      });
      const own = rows.filter((r) => r.month === month);
      // The standing amount in force: the latest one taking effect in or before the month.
      const standing = new Map<number, { from: string; amount: Money }>();
      for (const r of rows) {
        if (!r.month.startsWith(STANDING)) continue;
        const from = r.month.slice(STANDING.length);
        if (from > month) continue;
        const cur = standing.get(r.teamId);
        if (!cur || from > cur.from) standing.set(r.teamId, { from, amount: nanos(r.amount) });
      }
      return [...own.map((r) => ({ ...r, amount: nanos(r.amount) })), ...[...standing].map(([teamId, s]) => ({ teamId, month: STANDING, amount: s.amount }))];
    },

    /** Sets a budget and records the change in the audit log, in one transaction. */
    async set(input: {
      teamId: number;
      month: string;
      amount: Money;
      actor: string;
      reason?: string | null;
      at: Date;
      effectiveFrom?: string;
    }): Promise<{ before: Money | null }> {
      if (input.month === STANDING && input.effectiveFrom) {
        // The standing amount in force before this one is the "before"; the new one is dated.
        const prev = (await repo.forMonth(input.effectiveFrom)).find((b) => b.teamId === input.teamId && b.month === STANDING)?.amount ?? null;
        const r = await repo.set({ ...input, month: `${STANDING}${input.effectiveFrom}`, effectiveFrom: undefined });
        return { before: r.before ?? prev };
      }
      return prisma.$transaction(async (tx) => {
        const prior = await tx.budget.findUnique({ where: { teamId_month: { teamId: input.teamId, month: input.month } } });
        await tx.budget.upsert({
          where: { teamId_month: { teamId: input.teamId, month: input.month } },
          create: { teamId: input.teamId, month: input.month, amount: input.amount, updatedBy: input.actor, updatedAt: input.at },
          update: { amount: input.amount, updatedBy: input.actor, updatedAt: input.at },
        });
        await tx.auditLog.create({
          data: auditRow(
            {
              actor: input.actor,
              action: 'budget.set',
              entity: 'budget',
              entityId: `${input.teamId}:${input.month}`,
              before: prior ? { amount: prior.amount } : null,
              after: { amount: input.amount },
              reason: input.reason ?? null,
            },
            input.at,
          ),
        });
        return { before: prior ? nanos(prior.amount) : null };
      });
    },

    async approvedIncreases(month: string): Promise<{ teamId: number; amount: Money }[]> {
      const rows = await prisma.overrunRequest.findMany({ where: { month, status: 'approved' }, select: { teamId: true, decidedAmount: true } });
      return rows.map((r) => ({ teamId: r.teamId, amount: nanos(r.decidedAmount ?? 0n) }));
    },

    async fileRequest(input: {
      teamId: number;
      month: string;
      amount: Money;
      reason: string;
      requestedBy: string;
      automatic: boolean;
      at: Date;
      context?: RequestContext;
    }): Promise<{ request: OverrunRequestRecord; created: boolean }> {
      const openKey = `${input.teamId}:${input.month}`;
      // The unique open key decides the race: one insert wins, the others update the open request. A
      // request decided in between frees the key, so the loop creates a new one.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          return { request: await createRequest(input, openKey), created: true };
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
        const updated = await updateOpenRequest(input, openKey);
        if (updated) return { request: updated, created: false };
      }
      throw new Error(`could not file the request of team ${input.teamId} for ${input.month}`);
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
          data: { status: d.status, decidedBy: d.decidedBy, decidedAt: d.at, decidedAmount: d.decidedAmount, decisionReason: d.reason, openKey: null },
        });
        if (count !== 1) return null;
        const after = await tx.overrunRequest.findUniqueOrThrow({ where: { id } });
        await tx.auditLog.create({
          data: auditRow(
            {
              actor: d.decidedBy,
              action: `overrun.${d.status === 'approved' ? 'approve' : 'deny'}`,
              entity: 'overrun_request',
              entityId: id,
              before: { status: 'pending', amount: after.amount },
              after: { status: d.status, decidedAmount: d.decidedAmount },
              reason: d.reason,
            },
            d.at,
          ),
        });
        return asRequest(after);
      });
    },
  };
  return repo;
}
