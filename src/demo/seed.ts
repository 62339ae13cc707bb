import type { CostWrites } from '../services/ports/cost-writes.ts';
import type { TeamsRepository } from '../services/ports/teams.ts';
import { DEMO_TEAMS, generateDemo } from './generate.ts';

/** Replaces the demo organisation's data (teams upserted, source "demo" entries rewritten). */
export async function seedDemo(
  deps: { teams: TeamsRepository; writes: CostWrites },
  opts: { now: Date; timeZone: string; days?: number; scale?: number },
): Promise<{ teams: number; features: number; entries: number }> {
  const teamIds = new Map<string, number>();
  const featureIds = new Map<string, number>();
  for (const t of DEMO_TEAMS) {
    const team = await deps.teams.upsert({ slug: t.slug, name: t.name, channelId: t.channelId, leadUserIds: t.leadUserIds, costCenter: t.costCenter });
    teamIds.set(t.slug, team.id);
    for (const f of t.features) featureIds.set(f.slug, (await deps.teams.upsertFeature({ slug: f.slug, name: f.name, teamId: team.id })).id);
  }
  await deps.writes.deleteSource('demo');
  let entries = 0;
  for (const day of generateDemo(opts.now, opts.timeZone, { days: opts.days, scale: opts.scale })) {
    entries += await deps.writes.insertMany(
      day.map(({ teamSlug, featureSlug, ...e }) => ({
        ...e,
        teamId: teamSlug ? teamIds.get(teamSlug)! : null,
        featureId: featureSlug ? featureIds.get(featureSlug)! : null,
      })),
    );
  }
  return { teams: teamIds.size, features: featureIds.size, entries };
}
