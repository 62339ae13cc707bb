import type { Database } from '../client.ts';
import { auditJson } from './audit.ts';
import { add, nanos, ZERO, type Money } from '../../domain/money.ts';

/** Revenue per customer and month, and customer aliases (issue 15). The only code that touches those tables. */
export interface RevenueRecord {
  customer: string;
  month: string;
  amount: Money;
  plan: string | null;
}

export function revenueRepository(db: Database) {
  const { prisma } = db;
  return {
    /**
     * Replaces the given months with `rows` in one transaction, with its audit entry: either all of it
     * is stored or nothing is. Returns what the months held before (count and total per month).
     */
    async replaceMonths(
      rows: RevenueRecord[],
      months: string[],
      meta: { importId: string; actor: string; at: Date; source: string },
    ): Promise<{ before: Map<string, { rows: number; total: Money }> }> {
      return prisma.$transaction(
        async (tx) => {
          const prior = await tx.revenue.findMany({ where: { month: { in: months } }, select: { month: true, amount: true } });
          const before = new Map<string, { rows: number; total: Money }>();
          for (const p of prior) {
            const b = before.get(p.month) ?? { rows: 0, total: ZERO };
            b.rows++;
            b.total = add(b.total, nanos(p.amount));
            before.set(p.month, b);
          }
          await tx.revenue.deleteMany({ where: { month: { in: months } } });
          for (let i = 0; i < rows.length; i += 500) {
            await tx.revenue.createMany({
              data: rows.slice(i, i + 500).map((r) => ({
                customer: r.customer,
                month: r.month,
                amount: r.amount,
                plan: r.plan,
                importId: meta.importId,
                importedAt: meta.at,
                importedBy: meta.actor,
              })),
            });
          }
          const after: Record<string, { rows: number; total: string }> = {};
          for (const r of rows) {
            const a = (after[r.month] ??= { rows: 0, total: '0' });
            a.rows++;
            a.total = (BigInt(a.total) + r.amount).toString();
          }
          await tx.auditLog.create({
            data: {
              at: meta.at,
              actor: meta.actor,
              action: 'revenue.import',
              entity: 'revenue',
              entityId: meta.importId,
              before: auditJson(Object.fromEntries(before)),
              after: auditJson(after),
              reason: `import from ${meta.source}: months ${months.join(', ')}`,
            },
          });
          return { before };
        },
        { timeout: 60_000 },
      );
    },

    async forMonths(months: string[]): Promise<RevenueRecord[]> {
      if (!months.length) return [];
      const rows = await prisma.revenue.findMany({ where: { month: { in: months } }, orderBy: [{ month: 'asc' }, { customer: 'asc' }] });
      return rows.map((r) => ({ customer: r.customer, month: r.month, amount: nanos(r.amount), plan: r.plan }));
    },

    async forCustomer(customer: string): Promise<RevenueRecord[]> {
      const rows = await prisma.revenue.findMany({ where: { customer }, orderBy: { month: 'asc' } });
      return rows.map((r) => ({ customer: r.customer, month: r.month, amount: nanos(r.amount), plan: r.plan }));
    },

    async knownCustomers(): Promise<string[]> {
      return (await prisma.revenue.findMany({ distinct: ['customer'], select: { customer: true } })).map((r) => r.customer);
    },

    /** alias → canonical customer. */
    async aliases(): Promise<Map<string, string>> {
      return new Map((await prisma.customerAlias.findMany()).map((a) => [a.alias, a.customer]));
    },

    /** Sets (or moves) an alias, audited in the same transaction. */
    async setAlias(alias: string, customer: string, actor: string, at: Date): Promise<{ before: string | null }> {
      return prisma.$transaction(async (tx) => {
        const prior = await tx.customerAlias.findUnique({ where: { alias } });
        await tx.customerAlias.upsert({
          where: { alias },
          create: { alias, customer, createdBy: actor, createdAt: at },
          update: { customer, createdBy: actor, createdAt: at },
        });
        await tx.auditLog.create({
          data: {
            at,
            actor,
            action: 'customer.alias',
            entity: 'customer',
            entityId: alias,
            before: auditJson(prior ? { customer: prior.customer } : null),
            after: auditJson({ customer }),
          },
        });
        return { before: prior?.customer ?? null };
      });
    },

    async removeAlias(alias: string, actor: string, at: Date): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const prior = await tx.customerAlias.findUnique({ where: { alias } });
        if (!prior) return false;
        await tx.customerAlias.delete({ where: { alias } });
        await tx.auditLog.create({
          data: { at, actor, action: 'customer.unalias', entity: 'customer', entityId: alias, before: auditJson({ customer: prior.customer }) },
        });
        return true;
      });
    },
  };
}
