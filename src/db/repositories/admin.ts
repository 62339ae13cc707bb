import type { Database } from '../client.ts';
import { auditRow } from './audit.ts';
import type { AuditEntry } from '../../services/ports/audit.ts';
import type { AdminRepository } from '../../services/ports/admin.ts';
import type { Failure } from '../../domain/result.ts';

/**
 * Merging a team or feature into another under an alias: its cost entries, features, hidden costs and
 * budgets move to the target in one transaction, the old slug becomes an alias (future records with it
 * land on the target), and the change is audited.
 */
export function adminRepository(db: Database): AdminRepository {
  const { prisma } = db;
  return {
    async audit(e: AuditEntry, at: Date): Promise<void> {
      await prisma.auditLog.create({ data: auditRow(e, at) });
    },

    /** A one-off adjustment or credit to a team's month, audited. */
    async addAdjustment(input: { teamId: number; month: string; amount: bigint; reason: string; actor: string; at: Date }): Promise<number> {
      return prisma.$transaction(async (tx) => {
        const a = await tx.adjustment.create({
          data: { teamId: input.teamId, month: input.month, amount: input.amount, reason: input.reason, author: input.actor, createdAt: input.at },
        });
        await tx.auditLog.create({
          data: auditRow({ actor: input.actor, action: 'adjustment.create', entity: 'adjustment', entityId: a.id, after: a, reason: input.reason }, input.at),
        });
        return a.id;
      });
    },

    async adjustments(month: string): Promise<{ id: number; teamId: number; amount: bigint; reason: string; author: string }[]> {
      return prisma.adjustment.findMany({
        where: { month },
        orderBy: { id: 'asc' },
        select: { id: true, teamId: true, amount: true, reason: true, author: true },
      });
    },

    async aliasTeam(alias: string, target: string, actor: string, at: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }> {
      return prisma.$transaction(async (tx) => {
        const to = await tx.team.findUnique({ where: { slug: target } });
        if (!to) return { ok: false as const, failure: { code: 'team.none' as const, slug: target } };
        if (await tx.teamAlias.findUnique({ where: { alias } })) return { ok: false as const, failure: { code: 'alias.taken' as const, alias } };
        const from = await tx.team.findUnique({ where: { slug: alias } });
        let moved = 0;
        if (from) {
          moved = (await tx.costEntry.updateMany({ where: { teamId: from.id }, data: { teamId: to.id } })).count;
          await tx.feature.updateMany({ where: { teamId: from.id }, data: { teamId: to.id } });
          await tx.hiddenCost.updateMany({ where: { teamId: from.id }, data: { teamId: to.id } });
          // The moved requests lose their open key (it names the old team); the kept team's open ones keep theirs.
          await tx.overrunRequest.updateMany({ where: { teamId: from.id }, data: { teamId: to.id, openKey: null } });
          await tx.budget.deleteMany({ where: { teamId: from.id } });
          await tx.teamAlias.updateMany({ where: { teamId: from.id }, data: { teamId: to.id } });
          await tx.team.delete({ where: { id: from.id } });
        }
        await tx.teamAlias.create({ data: { alias, teamId: to.id } });
        await tx.auditLog.create({
          data: auditRow({ actor, action: 'team.alias', entity: 'team', entityId: target, before: from, after: { alias, target, movedEntries: moved } }, at),
        });
        return {
          ok: true,
          message: `"${alias}" is now an alias of ${target}${from ? `; ${moved} cost entries moved (its budgets were dropped: those of ${target} apply)` : ''}.`,
        };
      });
    },

    async aliasFeature(alias: string, target: string, actor: string, at: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }> {
      return prisma.$transaction(async (tx) => {
        const to = await tx.feature.findUnique({ where: { slug: target } });
        if (!to) return { ok: false as const, failure: { code: 'feature.none' as const, slug: target } };
        if (await tx.featureAlias.findUnique({ where: { alias } })) return { ok: false as const, failure: { code: 'alias.taken' as const, alias } };
        const from = await tx.feature.findUnique({ where: { slug: alias } });
        let moved = 0;
        if (from) {
          moved = (await tx.costEntry.updateMany({ where: { featureId: from.id }, data: { featureId: to.id } })).count;
          await tx.hiddenCost.updateMany({ where: { featureId: from.id }, data: { featureId: to.id } });
          await tx.featureAlias.updateMany({ where: { featureId: from.id }, data: { featureId: to.id } });
          await tx.feature.delete({ where: { id: from.id } });
        }
        await tx.featureAlias.create({ data: { alias, featureId: to.id } });
        await tx.auditLog.create({
          data: auditRow(
            { actor, action: 'feature.alias', entity: 'feature', entityId: target, before: from, after: { alias, target, movedEntries: moved } },
            at,
          ),
        });
        return { ok: true, message: `"${alias}" is now an alias of ${target}${from ? `; ${moved} cost entries moved` : ''}.` };
      });
    },
  };
}
