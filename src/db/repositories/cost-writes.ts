import type { Database } from '../client.ts';
import { createBulkWriter } from '../bulk-writer.ts';
import type { NewCostEntry, CostWrites } from '../../services/ports/cost-writes.ts';

/** Write side of cost entries. */
export function costWrites(db: Database): CostWrites {
  const { prisma } = db;
  return {
    /**
     * Plain inserts (demo seeding, tests); callers guarantee (source, sourceId) is new. Goes through the
     * bulk writer: Prisma's createMany took about 20 s for the demo's 70k rows.
     */
    async insertMany(entries: NewCostEntry[]): Promise<number> {
      if (entries.length === 0) return 0;
      const now = new Date();
      const writer = createBulkWriter(db);
      try {
        for (let i = 0; i < entries.length; i += 1000) {
          await writer.insert(
            entries.slice(i, i + 1000).map((e) => ({
              source: e.source,
              sourceId: e.sourceId,
              occurredAt: e.occurredAt,
              teamId: e.teamId,
              featureId: e.featureId,
              environment: e.environment ?? null,
              customer: e.customer ?? null,
              workItem: e.workItem ?? null,
              model: e.model ?? null,
              provider: e.provider ?? null,
              category: e.category ?? 'api',
              inputTokens: e.inputTokens ?? 0,
              outputTokens: e.outputTokens ?? 0,
              cacheReadTokens: e.cacheReadTokens ?? 0,
              cacheWriteTokens: e.cacheWriteTokens ?? 0,
              amount: e.amount,
              pricedBy: e.pricedBy ?? 'source',
              originalAt: null,
              correctionOf: null,
              updatedAt: now,
            })),
          );
        }
      } finally {
        writer.close();
      }
      return entries.length;
    },
    async deleteSource(source: string): Promise<number> {
      const { count } = await prisma.costEntry.deleteMany({ where: { source } });
      return count;
    },
  };
}
