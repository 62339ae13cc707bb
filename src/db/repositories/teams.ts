import type { Database } from '../client.ts';
import { onceMoreOnConflict } from '../errors.ts';
import type { TeamRecord, FeatureRecord, TeamInput, TeamsRepository } from '../../services/ports/teams.ts';
import { nanos, type Money } from '../../domain/money.ts';

const splitIds = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function toTeam(row: {
  id: number;
  slug: string;
  name: string;
  channelId: string | null;
  leadUserIds: string;
  memberUserIds: string;
  userGroupId: string | null;
  costCenter: string | null;
}): TeamRecord {
  return { ...row, leadUserIds: splitIds(row.leadUserIds), memberUserIds: splitIds(row.memberUserIds) };
}

/** Teams, their aliases and their features. */
export function teamsRepository(db: Database): TeamsRepository {
  const { prisma } = db;
  return {
    async list(): Promise<TeamRecord[]> {
      return (await prisma.team.findMany({ orderBy: { slug: 'asc' } })).map(toTeam);
    },
    async bySlug(slug: string): Promise<TeamRecord | null> {
      const s = slug.toLowerCase();
      const team = await prisma.team.findUnique({ where: { slug: s } });
      if (team) return toTeam(team);
      const alias = await prisma.teamAlias.findUnique({ where: { alias: s }, include: { team: true } });
      return alias ? toTeam(alias.team) : null;
    },
    async byChannel(channelId: string): Promise<TeamRecord | null> {
      const team = await prisma.team.findFirst({ where: { channelId } });
      return team ? toTeam(team) : null;
    },
    async upsert(input: TeamInput): Promise<TeamRecord> {
      const data = {
        name: input.name,
        channelId: input.channelId ?? null,
        leadUserIds: (input.leadUserIds ?? []).join(','),
        memberUserIds: (input.memberUserIds ?? []).join(','),
        userGroupId: input.userGroupId ?? null,
        costCenter: input.costCenter ?? null,
      };
      return toTeam(await onceMoreOnConflict(() => prisma.team.upsert({ where: { slug: input.slug }, create: { slug: input.slug, ...data }, update: data })));
    },
    async listFeatures(): Promise<FeatureRecord[]> {
      return prisma.feature.findMany({ orderBy: { slug: 'asc' }, select: { id: true, slug: true, name: true, teamId: true } });
    },
    async featureBaseline(featureId: number): Promise<Money | null> {
      const baseline = (await prisma.feature.findUnique({ where: { id: featureId }, select: { baselinePerUnit: true } }))?.baselinePerUnit ?? null;
      return baseline === null ? null : nanos(baseline);
    },
    async setFeatureBaseline(featureId: number, amount: bigint | null): Promise<void> {
      await prisma.feature.update({ where: { id: featureId }, data: { baselinePerUnit: amount } });
    },
    async upsertFeature(input: { slug: string; name: string; teamId: number | null }): Promise<FeatureRecord> {
      return onceMoreOnConflict(() =>
        prisma.feature.upsert({
          where: { slug: input.slug },
          create: input,
          update: { name: input.name, teamId: input.teamId },
          select: { id: true, slug: true, name: true, teamId: true },
        }),
      );
    },
  };
}
