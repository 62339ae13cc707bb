import type { TeamsRepository } from './ports/teams.ts';
import { add, allocate, sum, ZERO, type Money } from '../domain/money.ts';
import type { Period } from '../domain/periods.ts';
import { unitEconomics, type UnitEconomics } from '../domain/unit-economics.ts';
import { notVisible, unknownName, type NotVisible, type UnknownName } from './reports.ts';
import { visibleTeams, type Viewer } from './visibility.ts';
import type { TrueCostService } from './true-cost.ts';

/**
 * The iceberg: API cost against the hidden costs under it, per feature or per team.
 *
 * A feature's allocated share: shared costs are allocated to teams by their rules; a team's allocated
 * amount is then split over its features in proportion to their direct API spend (exactly, with
 * largest remainders), or evenly when none had spend, so feature figures add up to the team's.
 */
export interface FeatureIceberg {
  kind: 'feature-iceberg';
  slug: string;
  name: string;
  teamSlug: string | null;
  period: Period;
  asOf: Date;
  economics: UnitEconomics;
  requests: number;
}

export interface TeamIceberg {
  kind: 'team-iceberg';
  title: string;
  period: Period;
  asOf: Date;
  direct: Money;
  hidden: Map<string, Money>;
  allocated: Money;
  unallocated: Money | null;
  unattributed: Money | null;
  total: Money;
}

export function icebergService(deps: { trueCost: TrueCostService; teams: TeamsRepository }) {
  const { trueCost, teams } = deps;
  return {
    /** A feature's iceberg, if the viewer may see its team (a feature of no team is finance's). */
    async feature(viewer: Viewer, slug: string, period: Period, now: Date): Promise<FeatureIceberg | UnknownName | NotVisible> {
      const features = await teams.listFeatures();
      const feature = features.find((f) => f.slug === slug);
      if (!feature)
        return unknownName(
          'feature',
          slug,
          features.filter((f) => viewer.all || (f.teamId !== null && viewer.sees(f.teamId))).map((f) => f.slug),
        );
      if (!viewer.all && (feature.teamId === null || !viewer.sees(feature.teamId))) return notVisible(`Feature ${slug}`);
      const cost = await trueCost.periodCost(period, now, { withUsage: true });
      const f = cost.features.get(feature.id);
      let allocated = ZERO;
      if (feature.teamId !== null) {
        const team = cost.teams.get(feature.teamId);
        const siblings = features.filter((x) => x.teamId === feature.teamId);
        if (team && team.allocated !== 0n && siblings.length) {
          const weights = siblings.map((x) => cost.features.get(x.id)?.direct ?? 0n);
          const useEven = weights.every((w) => w <= 0n);
          const parts = allocate(team.allocated, useEven ? siblings.map(() => 1n) : weights.map((w) => (w > 0n ? w : 0n)));
          allocated = parts[siblings.findIndex((x) => x.id === feature.id)] ?? ZERO;
        }
      }
      const teamSlug = feature.teamId === null ? null : ((await teams.list()).find((t) => t.id === feature.teamId)?.slug ?? null);
      const baseline = await teams.featureBaseline(feature.id);
      return {
        kind: 'feature-iceberg',
        slug: feature.slug,
        name: feature.name,
        teamSlug,
        period,
        asOf: cost.window.to,
        requests: f?.requests ?? 0,
        economics: unitEconomics({
          direct: f?.direct ?? ZERO,
          hidden: f?.hidden ?? new Map(),
          allocated,
          workItems: f?.workItems ?? 0,
          baselinePerUnit: baseline,
        }),
      };
    },

    /** One team's iceberg (if the viewer may see it), or the organisation's totals (everyone may). */
    async team(viewer: Viewer, slug: string | null, period: Period, now: Date): Promise<TeamIceberg | UnknownName | NotVisible> {
      const all = await teams.list();
      const team = slug === null ? null : (all.find((t) => t.slug === slug) ?? (await teams.bySlug(slug)));
      if (slug !== null && !team)
        return unknownName(
          'team',
          slug,
          visibleTeams(viewer, all).map((t) => t.slug),
        );
      if (team && !viewer.sees(team.id)) return notVisible(`Team ${slug}`);
      const cost = await trueCost.periodCost(period, now);
      if (team) {
        const t = cost.teams.get(team.id);
        return {
          kind: 'team-iceberg',
          title: `Team ${team.name}`,
          period,
          asOf: cost.window.to,
          direct: t?.direct ?? ZERO,
          hidden: t?.hidden ?? new Map(),
          allocated: t?.allocated ?? ZERO,
          unallocated: null,
          unattributed: null,
          total: t?.total ?? ZERO,
        };
      }
      const hidden = new Map<string, Money>();
      for (const t of cost.teams.values()) for (const [c, a] of t.hidden) hidden.set(c, add(hidden.get(c) ?? ZERO, a));
      return {
        kind: 'team-iceberg',
        title: 'Organisation',
        period,
        asOf: cost.window.to,
        direct: cost.directTotal,
        hidden,
        allocated: sum([...cost.teams.values()].map((t) => t.allocated)),
        unallocated: cost.unallocated,
        unattributed: cost.unattributed,
        total: cost.grandTotal,
      };
    },
  };
}

export type IcebergService = ReturnType<typeof icebergService>;
