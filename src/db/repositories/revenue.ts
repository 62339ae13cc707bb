import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import { sqlitePath, type Database } from '../client.ts';
import { Prisma, asJsonRows, instant, parseRows } from '../sql.ts';
import { auditJson, auditRow } from './audit.ts';
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
      if (db.provider === 'sqlite') return replaceMonthsSqlite(db, rows, months, meta);
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
          // Each batch is one INSERT of arrays: through Prisma's createMany a 150,000-row file took 45 s on
          // a busy 2-core machine (every row goes through the query compiler), this takes about a second.
          for (let i = 0; i < rows.length; i += 10_000) {
            const batch = rows.slice(i, i + 10_000);
            await tx.$executeRaw`
              INSERT INTO "Revenue" ("customer", "month", "amount", "plan", "importId", "importedAt", "importedBy")
              SELECT r.customer, r.month, r.amount::bigint, r.plan, ${meta.importId}, ${meta.at}, ${meta.actor}
              FROM unnest(${batch.map((r) => r.customer)}::text[], ${batch.map((r) => r.month)}::text[],
                          ${batch.map((r) => r.amount.toString())}::text[], ${batch.map((r) => r.plan)}::text[]) AS r(customer, month, amount, plan)`;
          }
          const after: Record<string, { rows: number; total: string }> = {};
          for (const r of rows) {
            const a = (after[r.month] ??= { rows: 0, total: '0' });
            a.rows++;
            a.total = (BigInt(a.total) + r.amount).toString();
          }
          await tx.auditLog.create({
            data: auditRow(
              {
                actor: meta.actor,
                action: 'revenue.import',
                entity: 'revenue',
                entityId: meta.importId,
                before: Object.fromEntries(before),
                after,
                reason: `import from ${meta.source}: months ${months.join(', ')}`,
              },
              meta.at,
            ),
          });
          return { before };
        },
        { timeout: 60_000 },
      );
    },

    /**
     * The months' revenue, in no particular order (each customer has one row a month). 10,000 customers a
     * month: one JSON text rather than 10,000 rows through Prisma, unsorted (sorting them inside the JSON
     * aggregate tripled the read on SQLite, 5 → 18 ms; issue 25).
     */
    async forMonths(months: string[]): Promise<RevenueRecord[]> {
      if (!months.length) return [];
      const out = await prisma.$queryRaw<{ rows: unknown }[]>`${asJsonRows(
        db.provider,
        ['customer', 'month', 'amount', 'plan'],
        Prisma.sql`SELECT "customer", "month", CAST("amount" AS TEXT) AS "amount", "plan" FROM "Revenue" WHERE "month" IN (${Prisma.join(months)})`,
      )}`;
      return parseRows(out).map(([customer, month, amount, plan]) => ({
        customer: customer as string,
        month: month as string,
        amount: nanos(String(amount)),
        plan: plan as string | null,
      }));
    },

    /** `forMonths` of some customer ids only, by month, then customer. */
    async forCustomersInMonths(months: string[], customers: string[]): Promise<RevenueRecord[]> {
      if (!months.length || !customers.length) return [];
      const rows = await prisma.revenue.findMany({
        where: { month: { in: months }, customer: { in: customers } },
        orderBy: [{ month: 'asc' }, { customer: 'asc' }],
      });
      return rows.map((r) => ({ customer: r.customer, month: r.month, amount: nanos(r.amount), plan: r.plan }));
    },

    async forCustomer(customer: string): Promise<RevenueRecord[]> {
      const rows = await prisma.revenue.findMany({ where: { customer }, orderBy: { month: 'asc' } });
      return rows.map((r) => ({ customer: r.customer, month: r.month, amount: nanos(r.amount), plan: r.plan }));
    },

    async knownCustomers(): Promise<string[]> {
      // Raw: Prisma's `distinct` reads every row and de-duplicates them in JavaScript.
      return (await prisma.$queryRaw<{ customer: string }[]>`SELECT DISTINCT "customer" FROM "Revenue"`).map((r) => r.customer);
    },

    /** Whether any revenue was recorded under one of these customer ids (an index lookup). */
    async hasCustomer(names: string[]): Promise<boolean> {
      if (!names.length) return false;
      return (await prisma.revenue.findFirst({ where: { customer: { in: names } }, select: { id: true } })) !== null;
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
          data: auditRow(
            { actor, action: 'customer.alias', entity: 'customer', entityId: alias, before: prior ? { customer: prior.customer } : null, after: { customer } },
            at,
          ),
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
          data: auditRow({ actor, action: 'customer.unalias', entity: 'customer', entityId: alias, before: { customer: prior.customer } }, at),
        });
        return true;
      });
    },
  };
}

/**
 * SQLite: the same transaction through better-sqlite3 on a connection of its own, as the sync's bulk
 * writer does. Through Prisma's adapter a 150,000-row file took over a minute, and the adapter lets no
 * other query run while a transaction is open, so the whole bot (acks, /healthz) waited for it
 * (issue 22 item 7); prepared statements do it in about a second. The write lock is taken at the start
 * (BEGIN IMMEDIATE) and, while another writer holds it, retried after short asynchronous sleeps rather
 * than waited for in the main thread.
 */
async function replaceMonthsSqlite(
  db: Database,
  rows: RevenueRecord[],
  months: string[],
  meta: { importId: string; actor: string; at: Date; source: string },
): Promise<{ before: Map<string, { rows: number; total: Money }> }> {
  const conn = new Sqlite(sqlitePath(db.url), { timeout: 0 });
  try {
    conn.pragma('busy_timeout = 0');
    conn.defaultSafeIntegers(true);
    const inMonths = months.map(() => '?').join(', ');
    const prior = conn.prepare(
      `SELECT "month", COUNT(*) AS "rows", CAST(SUM("amount") AS TEXT) AS "total" FROM "Revenue" WHERE "month" IN (${inMonths}) GROUP BY "month"`,
    );
    const remove = conn.prepare(`DELETE FROM "Revenue" WHERE "month" IN (${inMonths})`);
    const insert = conn.prepare(
      'INSERT INTO "Revenue" ("customer", "month", "amount", "plan", "importId", "importedAt", "importedBy") VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const audit = conn.prepare(
      'INSERT INTO "AuditLog" ("at", "actor", "action", "entity", "entityId", "before", "after", "reason") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const at = instant('sqlite', meta.at);
    const replace = conn.transaction(() => {
      const before = new Map<string, { rows: number; total: Money }>();
      for (const p of prior.all(...months) as { month: string; rows: bigint; total: string }[])
        before.set(p.month, { rows: Number(p.rows), total: nanos(BigInt(p.total)) });
      remove.run(...months);
      const after: Record<string, { rows: number; total: string }> = {};
      for (const r of rows) {
        insert.run(r.customer, r.month, r.amount, r.plan, meta.importId, at, meta.actor);
        const a = (after[r.month] ??= { rows: 0, total: '0' });
        a.rows++;
        a.total = (BigInt(a.total) + r.amount).toString();
      }
      audit.run(
        at,
        meta.actor,
        'revenue.import',
        'revenue',
        meta.importId,
        auditJson(Object.fromEntries(before)),
        auditJson(after),
        `import from ${meta.source}: months ${months.join(', ')}`,
      );
      return { before };
    });
    for (const started = Date.now(); ; ) {
      try {
        return replace.immediate();
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() - started > 60_000) throw err;
        await sleep(25);
      }
    }
  } finally {
    conn.close();
  }
}
