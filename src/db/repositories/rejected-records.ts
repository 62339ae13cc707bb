import type { Database } from '../client.ts';
import { onceMoreOnConflict } from '../errors.ts';
import type { RejectedSourceRecord } from '../../services/source-trust.ts';
import type { RejectedRecordRow } from '../../services/ports/cost-store.ts';

/** Keeps records aside through `client` (the client or a transaction): one row per (source, id), the latest reason wins. */
export async function keepRejected(
  client: Pick<Database['prisma'], 'rejectedRecord'>,
  records: readonly RejectedSourceRecord[],
  now: Date,
  write: <T>(upsert: () => Promise<T>) => Promise<T> = (upsert) => upsert(),
): Promise<void> {
  for (const r of records) {
    const data = { reason: r.reason, occurredAt: r.occurredAt, cost: r.cost, lastSeen: now };
    await write(() =>
      client.rejectedRecord.upsert({
        where: { source_sourceId: { source: r.source, sourceId: r.sourceId } },
        create: { source: r.source, sourceId: r.sourceId, ...data, firstSeen: now },
        update: { ...data, seenCount: { increment: 1 } },
      }),
    );
  }
}

/** Source records kept aside as untrustworthy, one row per (source, id): the latest reason wins. */
export function rejectedRecordsRepository(db: Database) {
  const { prisma } = db;
  return {
    // Outside a transaction a concurrent first write of the same record is retried once (it then updates).
    keep: (records: readonly RejectedSourceRecord[], now: Date) => keepRejected(prisma, records, now, onceMoreOnConflict),
    /** Rejected records per source. */
    async counts(): Promise<Map<string, number>> {
      const rows = await prisma.rejectedRecord.groupBy({ by: ['source'], _count: { _all: true } });
      return new Map(rows.map((r) => [r.source, r._count._all]));
    },
    /** The most recently seen first. */
    async list(opts: { source?: string; limit?: number } = {}): Promise<RejectedRecordRow[]> {
      return prisma.rejectedRecord.findMany({
        where: opts.source ? { source: opts.source } : {},
        orderBy: [{ lastSeen: 'desc' }, { id: 'desc' }],
        take: opts.limit ?? 200,
        select: { source: true, sourceId: true, reason: true, occurredAt: true, cost: true, firstSeen: true, lastSeen: true, seenCount: true },
      });
    },
  };
}
