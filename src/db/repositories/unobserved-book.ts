import type { Database } from '../client.ts';
import { nanos } from '../../domain/money.ts';
import type { Provider } from '../../domain/reconciliation.ts';
import type { UnobservedBookRepository, UnobservedCorrection, UnobservedRow } from '../../services/ports/unobserved-book.ts';

/** The `UnobservedBook` table: a closed month's frozen unobserved lines and their later corrections (issue 21). */
export function unobservedBookRepository(db: Database): UnobservedBookRepository {
  const { prisma } = db;
  const row = (r: { day: string; provider: string; teamId: number | null; amount: bigint; note: string }): UnobservedRow => ({
    day: r.day,
    provider: r.provider as Provider,
    teamId: r.teamId,
    amount: nanos(r.amount),
    note: r.note,
  });
  const correction = (r: {
    id: number;
    month: string;
    day: string;
    provider: string;
    teamId: number | null;
    amount: bigint;
    note: string;
  }): UnobservedCorrection => ({
    ...row(r),
    id: r.id,
    month: r.month,
  });
  return {
    async frozenMonths() {
      const rows = await prisma.unobservedBook.findMany({ where: { kind: 'mark' }, select: { month: true } });
      return new Set(rows.map((r) => r.month));
    },
    async frozen(months) {
      if (months.length === 0) return [];
      const rows = await prisma.unobservedBook.findMany({ where: { kind: 'close', month: { in: [...months] } }, orderBy: { id: 'asc' } });
      return rows.map(row);
    },
    async freeze(month, rows, at) {
      await prisma.$transaction(async (tx) => {
        await tx.unobservedBook.deleteMany({ where: { month, kind: { in: ['close', 'mark'] } } });
        await tx.unobservedBook.createMany({
          data: [
            { month, kind: 'mark', day: `${month}-01`, provider: '', teamId: null, amount: 0n, note: 'frozen when the month closed', bookedAt: at },
            ...rows.map((r) => ({ month, kind: 'close', day: r.day, provider: r.provider, teamId: r.teamId, amount: r.amount, note: r.note, bookedAt: at })),
          ],
        });
      });
    },
    async thaw(month) {
      await prisma.unobservedBook.deleteMany({ where: { month, kind: { in: ['close', 'mark'] } } });
    },
    async bookedOn(fromDay, toDay) {
      const rows = await prisma.unobservedBook.findMany({ where: { kind: 'correction', day: { gte: fromDay, lte: toDay } }, orderBy: { id: 'asc' } });
      return rows.map(correction);
    },
    async correctionsOf(month) {
      const rows = await prisma.unobservedBook.findMany({ where: { kind: 'correction', month }, orderBy: { id: 'asc' } });
      return rows.map(correction);
    },
    async book(month, rows, at) {
      if (rows.length === 0) return [];
      return prisma.$transaction(async (tx) => {
        const out: UnobservedCorrection[] = [];
        for (const r of rows)
          out.push(
            correction(
              await tx.unobservedBook.create({
                data: { month, kind: 'correction', day: r.day, provider: r.provider, teamId: r.teamId, amount: r.amount, note: r.note, bookedAt: at },
              }),
            ),
          );
        return out;
      });
    },
  };
}
