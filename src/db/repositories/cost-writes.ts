import type { Database } from '../client.ts';
import type { Money } from '../../domain/money.ts';

export interface NewCostEntry {
  source: string;
  sourceId: string;
  occurredAt: Date;
  teamId: number | null;
  featureId: number | null;
  environment?: string | null;
  customer?: string | null;
  workItem?: string | null;
  model?: string | null;
  provider?: string | null;
  category?: string;
  inputTokens?: number;
  outputTokens?: number;
  amount: Money;
  pricedBy?: 'source' | 'aicost' | 'unpriced';
}

/** Write side of cost entries. */
export function costWrites(db: Database) {
  const { prisma } = db;
  return {
    /** Plain inserts (demo seeding, benchmarks); callers guarantee (source, sourceId) is new. */
    async insertMany(entries: NewCostEntry[]): Promise<number> {
      if (entries.length === 0) return 0;
      const { count } = await prisma.costEntry.createMany({ data: entries });
      return count;
    },
    async deleteSource(source: string): Promise<number> {
      const { count } = await prisma.costEntry.deleteMany({ where: { source } });
      return count;
    },
  };
}

export type CostWrites = ReturnType<typeof costWrites>;
