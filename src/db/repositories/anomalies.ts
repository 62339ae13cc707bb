import type { Database } from '../client.ts';
import { isUniqueViolation } from '../errors.ts';
import type { Money } from '../../domain/money.ts';
import { auditRow } from './audit.ts';
import type { IncidentStatus, IncidentRecord, AnomaliesRepository } from '../../services/ports/anomalies.ts';
import { bigJson } from './budgets.ts';

/** Anomaly incidents: one row per run of consecutive anomalous days of a series, and its feedback. */
export function anomaliesRepository(db: Database): AnomaliesRepository {
  const { prisma } = db;
  const cast = (r: unknown) => r as IncidentRecord;
  return {
    async find(scope: string, scopeKey: string, day: string): Promise<IncidentRecord | null> {
      const r = await prisma.anomalyIncident.findFirst({ where: { scope, scopeKey, lastDay: day } });
      return r ? cast(r) : null;
    },
    /** Creates the incident; null when another replica created it first. */
    async create(
      data: Omit<IncidentRecord, 'id' | 'status' | 'feedbackBy' | 'feedbackAt' | 'channelId' | 'messageTs' | 'financeTs' | 'createdAt'>,
      at: Date,
    ): Promise<IncidentRecord | null> {
      try {
        return cast(await prisma.anomalyIncident.create({ data: { ...data, createdAt: at, updatedAt: at } }));
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },
    /** Extends an incident by one day; only the run that moves lastDay from `fromDay` wins. */
    async extend(id: number, fromDay: string, toDay: string, add: { actual: Money; expected: Money; impact: Money }, at: Date): Promise<IncidentRecord | null> {
      const cur = await prisma.anomalyIncident.findUnique({ where: { id } });
      if (!cur) return null;
      const { count } = await prisma.anomalyIncident.updateMany({
        where: { id, lastDay: fromDay },
        data: { lastDay: toDay, actual: cur.actual + add.actual, expected: cur.expected + add.expected, impact: cur.impact + add.impact, updatedAt: at },
      });
      return count === 1 ? cast(await prisma.anomalyIncident.findUnique({ where: { id } })) : null;
    },
    async setMessage(id: number, field: 'messageTs' | 'financeTs', channelId: string, ts: string): Promise<void> {
      await prisma.anomalyIncident.update({ where: { id }, data: field === 'messageTs' ? { channelId, messageTs: ts } : { financeTs: ts } });
    },
    /** The figures the incident was posted with (see AnomalyPost). */
    async setPost(id: number, post: unknown): Promise<void> {
      await prisma.anomalyIncident.update({ where: { id }, data: { post: bigJson.stringify(post) } });
    },
    async post<T>(id: number): Promise<T | null> {
      return bigJson.parse<T>((await prisma.anomalyIncident.findUnique({ where: { id }, select: { post: true } }))?.post ?? null);
    },
    async byId(id: number): Promise<IncidentRecord | null> {
      const r = await prisma.anomalyIncident.findUnique({ where: { id } });
      return r ? cast(r) : null;
    },
    async feedback(id: number, status: IncidentStatus, actor: string, at: Date): Promise<IncidentRecord | null> {
      return prisma.$transaction(async (tx) => {
        const before = await tx.anomalyIncident.findUnique({ where: { id } });
        if (!before) return null;
        const after = await tx.anomalyIncident.update({ where: { id }, data: { status, feedbackBy: actor, feedbackAt: at } });
        await tx.auditLog.create({
          data: auditRow({ actor, action: 'anomaly.feedback', entity: 'anomaly', entityId: id, before: { status: before.status }, after: { status } }, at),
        });
        return cast(after);
      });
    },
    async recent(sinceDay: string, teamId?: number): Promise<IncidentRecord[]> {
      return (
        await prisma.anomalyIncident.findMany({
          where: { lastDay: { gte: sinceDay }, ...(teamId !== undefined ? { teamId } : {}) },
          orderBy: { startDay: 'desc' },
          take: 30,
        })
      ).map(cast);
    },
  };
}
