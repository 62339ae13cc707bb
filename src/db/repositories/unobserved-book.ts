import type { Database } from '../client.ts';
import { isUniqueViolation } from '../errors.ts';
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
      try {
        return await prisma.$transaction(async (tx) => {
          // Checked first, so a lost race writes nothing (on SQLite a failing transaction would take the
          // other queries of its connection with it); the unique key catches two at once on PostgreSQL.
          for (const r of rows) {
            const before = await tx.unobservedBook.count({ where: { month, kind: 'correction', provider: r.provider, teamId: r.teamId } });
            if (before + 1 !== r.seq) return null;
          }
          const out: UnobservedCorrection[] = [];
          for (const r of rows)
            out.push(
              correction(
                await tx.unobservedBook.create({
                  data: {
                    month,
                    kind: 'correction',
                    day: r.day,
                    provider: r.provider,
                    teamId: r.teamId,
                    amount: r.amount,
                    note: r.note,
                    bookedAt: at,
                    seqKey: `${month}|${r.provider}|${r.teamId ?? '-'}|${r.seq}`,
                  },
                }),
              ),
            );
          return out;
        });
      } catch (err) {
        // Another booking of the same month, provider and team got there first: the caller computes again.
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },
  };
}
