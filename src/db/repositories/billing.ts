import { beginChargeImport } from '../charge-import.ts';
import type { Database } from '../client.ts';
import { onceMoreOnConflict } from '../errors.ts';
import { Prisma, instant, sumAsText } from '../sql.ts';
import { nanos } from '../../domain/money.ts';
import type { BilledDay, BillingProvider } from '../../services/ports/billing-source.ts';
import type { RejectedSourceRecord, SyncStatePatch } from '../../services/ports/source.ts';
import { keepRejected } from './rejected-records.ts';
import type { BilledRecord, BillingMappingRecord, BillingRepository, ImportedChargeRecord, ObservedRow } from '../../services/ports/billing.ts';

/**
 * Provider billing (issue 14): billed amounts per (provider, UTC day, project/workspace, line item),
 * finance's mapping of projects/workspaces to teams, the observed spend to reconcile with, and charges
 * imported from FOCUS files. The only code that touches these tables.
 */
/** Observed (Helicone/Langfuse) spend per UTC day, team and provider as the source named it, and model. */
export function billingRepository(db: Database): BillingRepository {
  const { prisma, provider } = db;
  return {
    /**
     * Replaces each returned day's rows of the provider with what was read and keeps `rejected` aside,
     * in one transaction, so a re-read of a day (late data, revisions, a line item that disappeared)
     * never adds to it and a read is stored whole or not at all.
     */
    async replaceDays(days: BilledDay[], fetchedAt: Date, rejected: readonly RejectedSourceRecord[] = []): Promise<{ days: number; rows: number }> {
      if (days.length === 0 && rejected.length === 0) return { days: 0, rows: 0 };
      await prisma.$transaction(
        async (tx) => {
          for (const d of days) {
            await tx.billedCost.deleteMany({ where: { provider: d.provider, day: d.day } });
            if (d.rows.length)
              await tx.billedCost.createMany({
                data: d.rows.map((r) => ({
                  provider: r.provider,
                  day: r.day,
                  scope: r.scope,
                  lineItem: r.lineItem,
                  apiKey: r.apiKey ?? '',
                  amount: r.amount,
                  fetchedAt,
                })),
              });
          }
          // A row kept aside before and read fine now (or no longer sent) leaves the list; the rest is kept again.
          const ids = rejected.map((r) => r.sourceId);
          for (const d of days) await tx.rejectedRecord.deleteMany({ where: { source: d.provider, sourceId: { startsWith: `${d.day} `, notIn: ids } } });
          await keepRejected(tx, rejected, fetchedAt);
        },
        { timeout: 60_000 },
      );
      return { days: days.length, rows: days.reduce((a, d) => a + d.rows.length, 0) };
    },

    /** Billed rows of days in [fromDay, toDay) ("YYYY-MM-DD"). */
    async billed(fromDay: string, toDay: string): Promise<BilledRecord[]> {
      const rows = await prisma.billedCost.findMany({ where: { day: { gte: fromDay, lt: toDay } }, orderBy: [{ provider: 'asc' }, { day: 'asc' }] });
      return rows.map((r) => ({
        provider: r.provider as BillingProvider,
        day: r.day,
        scope: r.scope,
        lineItem: r.lineItem,
        apiKey: r.apiKey,
        amount: nanos(r.amount),
      }));
    },

    async mappings(): Promise<BillingMappingRecord[]> {
      const rows = await prisma.billingMapping.findMany({ orderBy: [{ provider: 'asc' }, { scopeId: 'asc' }] });
      return rows.map((r) => ({
        provider: r.provider as BillingProvider,
        scopeType: r.scopeType as BillingMappingRecord['scopeType'],
        scopeId: r.scopeId,
        teamId: r.teamId,
      }));
    },

    async setMapping(m: BillingMappingRecord, by: string): Promise<BillingMappingRecord | null> {
      const before = await prisma.billingMapping.findUnique({ where: { provider_scopeId: { provider: m.provider, scopeId: m.scopeId } } });
      await prisma.billingMapping.upsert({
        where: { provider_scopeId: { provider: m.provider, scopeId: m.scopeId } },
        create: { ...m, updatedBy: by },
        update: { scopeType: m.scopeType, teamId: m.teamId, updatedBy: by },
      });
      return before
        ? {
            provider: before.provider as BillingProvider,
            scopeType: before.scopeType as BillingMappingRecord['scopeType'],
            scopeId: before.scopeId,
            teamId: before.teamId,
          }
        : null;
    },

    /** Direct spend from every source per UTC day, team, provider and model, for entries in [from, to). */
    async observed(from: Date, to: Date): Promise<ObservedRow[]> {
      const day = provider === 'sqlite' ? Prisma.sql`substr("occurredAt", 1, 10)` : Prisma.sql`to_char("occurredAt", 'YYYY-MM-DD')`;
      const rows = await prisma.$queryRaw<{ day: string; teamId: unknown; provider: string | null; model: string | null; amount: string }[]>`
        SELECT ${day} AS "day", "teamId", "provider", "model", ${sumAsText(provider, Prisma.sql`"amount"`)} AS "amount"
        FROM "CostEntry" WHERE "occurredAt" >= ${instant(provider, from)} AND "occurredAt" < ${instant(provider, to)}
        GROUP BY ${day}, "teamId", "provider", "model"`;
      return rows.map((r) => ({
        day: r.day,
        teamId: r.teamId === null ? null : Number(r.teamId),
        provider: r.provider,
        model: r.model,
        amount: nanos(r.amount),
      }));
    },

    /** Starts a streamed FOCUS import: every row or none (see `ChargeImport`). */
    beginChargeImport: () => beginChargeImport(db),

    async charges(fromDay: string, toDay: string): Promise<(ImportedChargeRecord & { id: number })[]> {
      const rows = await prisma.importedCharge.findMany({ where: { day: { gte: fromDay, lt: toDay } }, orderBy: { id: 'asc' } });
      return rows.map((r) => ({
        ...r,
        amount: nanos(r.amount),
        unassigned: r.unassigned === 'unattributed' || r.unassigned === 'unallocated' ? r.unassigned : null,
      }));
    },

    /** Whether any bill or imported charge is stored (reports skip the true-cost pass when nothing hidden exists). */
    async any(): Promise<boolean> {
      return (
        (await prisma.billedCost.findFirst({ select: { id: true } })) !== null || (await prisma.importedCharge.findFirst({ select: { id: true } })) !== null
      );
    },

    async getSyncState(source: string): Promise<{ watermark: Date | null } | null> {
      return prisma.syncState.findUnique({ where: { source }, select: { watermark: true } });
    },
    async saveSyncState(source: string, patch: SyncStatePatch): Promise<void> {
      const { addRecords, ...rest } = patch;
      await onceMoreOnConflict(() =>
        prisma.syncState.upsert({
          where: { source },
          create: { source, ...rest, recordsTotal: addRecords ?? 0 },
          update: { ...rest, ...(addRecords ? { recordsTotal: { increment: addRecords } } : {}) },
        }),
      );
    },
  };
}
