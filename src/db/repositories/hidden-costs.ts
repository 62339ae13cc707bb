import type { Database } from '../client.ts';
import type { NewHiddenCost } from '../../domain/hidden-costs.ts';
import { hiddenCostFromRecord, hiddenCostToRecord } from './hidden-cost-rows.ts';
import { auditRow } from './audit.ts';
import type { HiddenCostListing, HiddenCostsRepository } from '../../services/ports/hidden-costs.ts';

const select = {
  id: true,
  category: true,
  amount: true,
  kind: true,
  date: true,
  fromMonth: true,
  untilMonth: true,
  unit: true,
  targetType: true,
  teamId: true,
  featureId: true,
  rule: true,
  note: true,
  author: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Hidden-cost entries and their categories; every change is audited with before and after. */
export function hiddenCostsRepository(db: Database): HiddenCostsRepository {
  const { prisma } = db;
  const toListing = (r: Parameters<typeof hiddenCostFromRecord>[0] & { createdAt: Date; updatedAt: Date }): HiddenCostListing => ({
    ...hiddenCostFromRecord(r),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
  return {
    async active(): Promise<HiddenCostListing[]> {
      return (await prisma.hiddenCost.findMany({ where: { deletedAt: null }, orderBy: { id: 'asc' }, select })).map(toListing);
    },
    async byId(id: number): Promise<HiddenCostListing | null> {
      const r = await prisma.hiddenCost.findFirst({ where: { id, deletedAt: null }, select });
      return r ? toListing(r) : null;
    },
    async create(cost: NewHiddenCost, actor: string, at: Date): Promise<HiddenCostListing> {
      return prisma.$transaction(async (tx) => {
        const r = await tx.hiddenCost.create({ data: { ...hiddenCostToRecord({ ...cost, author: actor }), createdAt: at, updatedAt: at }, select });
        await tx.auditLog.create({ data: auditRow({ actor, action: 'hidden_cost.create', entity: 'hidden_cost', entityId: r.id, after: r }, at) });
        return toListing(r);
      });
    },
    async update(id: number, cost: NewHiddenCost, actor: string, at: Date): Promise<HiddenCostListing | null> {
      return prisma.$transaction(async (tx) => {
        const before = await tx.hiddenCost.findFirst({ where: { id, deletedAt: null }, select });
        if (!before) return null;
        const { author: _keep, ...data } = hiddenCostToRecord({ ...cost, author: before.author });
        const r = await tx.hiddenCost.update({ where: { id }, data: { ...data, updatedAt: at }, select });
        await tx.auditLog.create({ data: auditRow({ actor, action: 'hidden_cost.update', entity: 'hidden_cost', entityId: id, before, after: r }, at) });
        return toListing(r);
      });
    },
    async remove(id: number, actor: string, at: Date): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const before = await tx.hiddenCost.findFirst({ where: { id, deletedAt: null }, select });
        if (!before) return false;
        await tx.hiddenCost.update({ where: { id }, data: { deletedAt: at } });
        await tx.auditLog.create({ data: auditRow({ actor, action: 'hidden_cost.delete', entity: 'hidden_cost', entityId: id, before }, at) });
        return true;
      });
    },
    async categories(): Promise<string[]> {
      return (await prisma.costCategory.findMany({ orderBy: { name: 'asc' }, select: { name: true } })).map((c) => c.name);
    },
    async addCategory(name: string, label: string, actor: string, at: Date): Promise<void> {
      await prisma.$transaction([
        prisma.costCategory.create({ data: { name, label, createdAt: at } }),
        prisma.auditLog.create({ data: auditRow({ actor, action: 'category.create', entity: 'cost_category', entityId: name, after: { name, label } }, at) }),
      ]);
    },
  };
}
