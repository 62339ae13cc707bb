import type { FeatureRecord, TeamRecord, TeamsRepository } from './ports/teams.ts';
import type { Authz } from './authz.ts';

/**
 * Who sees what (VISIBILITY):
 * - `teams` (default): finance sees everything; everyone else sees the organisation's totals, and
 *   their own teams (lead or member) in full: spend, budgets, hidden-cost entries, anomalies,
 *   chargeback lines. Other teams appear only folded into "other teams"; customers, hidden-cost notes
 *   and budgets of other teams are not shown.
 * - `open`: every workspace member sees every team (a small company that shares everything).
 * The operator's terminal (`aicost ask`) sees everything.
 */
export type VisibilityMode = 'teams' | 'open';

export interface Viewer {
  /** Sees every team (finance, open mode, the operator). */
  all: boolean;
  /** The teams the viewer leads or belongs to. */
  teams: TeamRecord[];
  /** Every team (names are not secret), and every feature when the viewer does not see all. */
  allTeams: TeamRecord[];
  features: FeatureRecord[];
  /** Whether the viewer may see this team's details. */
  sees(teamId: number | null): boolean;
}

export const OTHER_TEAMS = 'other teams';

export function visibilityService(deps: { authz: Authz; teams: TeamsRepository; mode: VisibilityMode }) {
  return {
    mode: deps.mode,
    async of(userId: string, opts: { operator?: boolean } = {}): Promise<Viewer> {
      const list = await deps.teams.list();
      const mine = list.filter((t) => t.leadUserIds.includes(userId) || t.memberUserIds.includes(userId));
      const all = opts.operator === true || deps.mode === 'open' || (await deps.authz.isFinance(userId));
      const ids = new Set(mine.map((t) => t.id));
      const features = all ? [] : await deps.teams.listFeatures();
      return { all, teams: mine, allTeams: list, features, sees: (teamId) => all || (teamId !== null && ids.has(teamId)) };
    },
  };
}

export type VisibilityService = ReturnType<typeof visibilityService>;
