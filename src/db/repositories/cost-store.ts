import type { Database } from '../client.ts';
import { onceMoreOnConflict } from '../errors.ts';
import { createBulkWriter, type CostRow } from '../bulk-writer.ts';
import { Prisma } from '../sql.ts';
import type { SyncStatePatch } from '../../services/ports/source.ts';
import { monthPeriod } from '../../domain/periods.ts';
import type { IncomingCost, UpsertResult, CostStore } from '../../services/ports/cost-store.ts';
import type { RejectedSourceRecord } from '../../services/source-trust.ts';
import { rejectedRecordsRepository } from './rejected-records.ts';

/**
 * The write side of ingestion: upserts normalized source records by (source, sourceId), so re-reading a
 * window never double-counts and a re-costed record updates in place. Teams and features are created on
 * first sight (aliases resolve to the team they name). A record that belongs to a month already closed
 * is never written into that month: it is booked as a correction at `now`, in the open month, with
 * `originalAt` keeping when it happened; a re-costed record of a closed month adds a delta correction.
 */

const BATCH = 1000;
type Row = CostRow;

export function costStore(db: Database, opts: { timeZone: string; clock?: () => Date }): CostStore {
  const { prisma } = db;
  const writer = createBulkWriter(db);
  const rejected = rejectedRecordsRepository(db);
  const clock = opts.clock ?? (() => new Date());
  const teamIds = new Map<string, number>();
  const featureIds = new Map<string, number>();

  /**
   * Loads the ids of a batch's team and feature slugs (aliases resolve to the team or feature they
   * name) in four raw queries, fresh for every batch: finance may alias or merge one meanwhile. Raw SQL,
   * because Prisma compiles every model query anew and that dominated a large sync.
   */
  async function loadIds(teamSlugs: string[], featureSlugs: string[]): Promise<void> {
    teamIds.clear();
    featureIds.clear();
    if (teamSlugs.length) {
      const list = Prisma.join(teamSlugs);
      const [direct, aliased] = await Promise.all([
        prisma.$queryRaw<{ slug: string; id: unknown }[]>`SELECT "slug", "id" FROM "Team" WHERE "slug" IN (${list})`,
        prisma.$queryRaw<{ slug: string; id: unknown }[]>`SELECT "alias" AS "slug", "teamId" AS "id" FROM "TeamAlias" WHERE "alias" IN (${list})`,
      ]);
      for (const r of [...direct, ...aliased]) teamIds.set(r.slug, Number(r.id));
    }
    if (featureSlugs.length) {
      const list = Prisma.join(featureSlugs);
      const [direct, aliased] = await Promise.all([
        prisma.$queryRaw<{ slug: string; id: unknown }[]>`SELECT "slug", "id" FROM "Feature" WHERE "slug" IN (${list})`,
        prisma.$queryRaw<{ slug: string; id: unknown }[]>`SELECT "alias" AS "slug", "featureId" AS "id" FROM "FeatureAlias" WHERE "alias" IN (${list})`,
      ]);
      for (const r of [...direct, ...aliased]) featureIds.set(r.slug, Number(r.id));
    }
  }

  /** Teams and features are created on first sight. */
  // The display name is the tag as the source wrote it (bounded); the slug is what commands use.
  async function createTeam(slug: string, name: string | null | undefined): Promise<void> {
    teamIds.set(
      slug,
      (
        await onceMoreOnConflict(() =>
          prisma.team.upsert({ where: { slug }, create: { slug, name: (name || slug).slice(0, 200) }, update: {}, select: { id: true } }),
        )
      ).id,
    );
  }
  async function createFeature(slug: string, owner: number | null, name: string | null | undefined): Promise<void> {
    featureIds.set(
      slug,
      (
        await onceMoreOnConflict(() =>
          prisma.feature.upsert({ where: { slug }, create: { slug, name: (name || slug).slice(0, 200), teamId: owner }, update: {}, select: { id: true } }),
        )
      ).id,
    );
  }

  /** Read on every batch (a month may close during a long backfill); raw SQL skips Prisma's per-call query compilation, a tenth of a sync's time when it ran per page. */
  async function closedMonths(): Promise<Set<string>> {
    const rows = await prisma.$queryRaw<{ month: string }[]>`SELECT "month" FROM "AccountingPeriod" WHERE "status" IN ('closed', 'finalized')`;
    return new Set(rows.map((r) => r.month));
  }

  return {
    async upsertCosts(records: IncomingCost[]): Promise<UpsertResult> {
      const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, corrections: 0 };
      if (records.length === 0) return result;
      const now = clock();
      // The last occurrence of an id in a batch wins (a page boundary can repeat a record).
      const byKey = new Map<string, IncomingCost>();
      for (const r of records) byKey.set(`${r.source}\u0000${r.sourceId}`, r);
      const closed = [...(await closedMonths())].map((m) => monthPeriod(m, opts.timeZone));
      const inClosedMonth = (at: Date) => closed.some((p) => at >= p.from && at < p.to);

      const open: Row[] = [];
      const late: { row: Row; incoming: IncomingCost }[] = [];
      // Resolve each distinct team and feature once per batch, then map the records without awaiting.
      const batch = [...byKey.values()];
      await loadIds([...new Set(batch.flatMap((r) => (r.team ? [r.team] : [])))], [...new Set(batch.flatMap((r) => (r.feature ? [r.feature] : [])))]);
      for (const r of batch) if (r.team && !teamIds.has(r.team)) await createTeam(r.team, r.teamName);
      for (const r of batch) if (r.feature && !featureIds.has(r.feature)) await createFeature(r.feature, r.team ? teamIds.get(r.team)! : null, r.featureName);
      for (const r of byKey.values()) {
        const tId = r.team ? teamIds.get(r.team)! : null;
        const fId = r.feature ? featureIds.get(r.feature)! : null;
        const row: Row = {
          source: r.source,
          sourceId: r.sourceId,
          occurredAt: r.occurredAt,
          teamId: tId,
          featureId: fId,
          environment: r.environment,
          customer: r.customer,
          workItem: r.workItem,
          model: r.model,
          provider: r.provider,
          category: r.category,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          cacheReadTokens: r.cacheReadTokens ?? 0,
          cacheWriteTokens: r.cacheWriteTokens ?? 0,
          amount: r.amount ?? 0n,
          pricedBy: r.pricedBy,
          originalAt: null,
          correctionOf: null,
          updatedAt: now,
        };
        if (closed.length && inClosedMonth(r.occurredAt)) late.push({ row, incoming: r });
        else open.push(row);
      }

      // A record stored now is no longer one kept aside (a source may correct a bad value later).
      // (Usually there is none: one cheap probe, then bounded IN lists within the databases' parameter limits.)
      if (await prisma.rejectedRecord.findFirst({ select: { id: true } })) {
        for (const source of new Set(batch.map((r) => r.source))) {
          const ids = batch.filter((r) => r.source === source).map((r) => r.sourceId);
          for (let i = 0; i < ids.length; i += 500) await prisma.rejectedRecord.deleteMany({ where: { source, sourceId: { in: ids.slice(i, i + 500) } } });
        }
      }

      // Open months: upserted in batches; unchanged rows are not touched.
      for (let i = 0; i < open.length; i += BATCH) {
        const batch = open.slice(i, i + BATCH);
        const { inserted, updated } = await writer.upsert(batch);
        result.inserted += inserted;
        result.updated += updated;
        result.unchanged += batch.length - inserted - updated;
      }

      // Closed months: never rewrite them; book new records and changed amounts as corrections now.
      for (const { row, incoming } of late) {
        const prior = await prisma.costEntry.findUnique({
          where: { source_sourceId: { source: incoming.source, sourceId: incoming.sourceId } },
          select: { id: true, amount: true, occurredAt: true, originalAt: true },
        });
        if (!prior) {
          await writer.insert([{ ...row, occurredAt: now, originalAt: incoming.occurredAt }]);
          result.inserted++;
          result.corrections++;
          continue;
        }
        const corrections = await prisma.costEntry.aggregate({ where: { correctionOf: prior.id }, _sum: { amount: true }, _count: true });
        const booked = prior.amount + (corrections._sum.amount ?? 0n);
        const amount = incoming.amount ?? 0n;
        if (booked === amount) {
          result.unchanged++;
          continue;
        }
        await writer.insert([
          {
            ...row,
            sourceId: `${incoming.sourceId}#correction-${corrections._count + 1}`,
            occurredAt: now,
            originalAt: prior.originalAt ?? prior.occurredAt,
            amount: amount - booked,
            correctionOf: prior.id,
          },
        ]);
        result.corrections++;
      }
      return result;
    },

    async getSyncState(source: string): Promise<{ watermark: Date | null } | null> {
      return prisma.syncState.findUnique({ where: { source }, select: { watermark: true } });
    },

    async saveSyncState(source: string, patch: SyncStatePatch): Promise<void> {
      const { addRecords, ...rest } = patch;
      const data = { ...rest, ...(addRecords ? { recordsTotal: { increment: addRecords } } : {}) };
      await onceMoreOnConflict(() => prisma.syncState.upsert({ where: { source }, create: { source, ...rest, recordsTotal: addRecords ?? 0 }, update: data }));
    },

    /** Untrusted source records, kept aside with their reason (never costs). */
    async rejectRecords(records: RejectedSourceRecord[], now: Date): Promise<void> {
      await rejected.keep(records, now);
    },
    rejectedCounts: () => rejected.counts(),
    rejectedList: (opts?: { source?: string; limit?: number }) => rejected.list(opts),

    close(): void {
      writer.close();
    },

    async syncStates() {
      return prisma.syncState.findMany({ orderBy: { source: 'asc' } });
    },
  };
}
