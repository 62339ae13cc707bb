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
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  amount: Money;
  pricedBy?: 'source' | 'aicost' | 'unpriced';
}
/** Write side of cost entries. */
export interface CostWrites {
  /**
   * Plain inserts (demo seeding, tests); callers guarantee (source, sourceId) is new. Goes through the
   * bulk writer: Prisma's createMany took about 20 s for the demo's 70k rows.
   */
  insertMany(entries: NewCostEntry[]): Promise<number>;
  deleteSource(source: string): Promise<number>;
}
