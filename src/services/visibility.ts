import type { TeamRecord, TeamsRepository } from './ports/teams.ts';
import type { Authz } from './authz.ts';

/**
 * Who sees what (VISIBILITY), decided once per request in a `Viewer` that every read service takes:
 * - `teams` (default): finance sees everything; everyone else sees the organisation's totals, and
 *   their own teams (lead or member) in full: spend, features, models, budgets, budget requests,
 *   hidden-cost entries, anomalies, chargeback and reconciliation lines. Other teams appear only folded
 *   into one "other teams" row (compared with the same teams' previous figure); customers, margin,
 *   hidden-cost notes and budgets of other teams are not shown, and their slugs are not suggested.
 * - `open`: every workspace member sees every team, as finance does (a small company that shares
 *   everything). Finance-only actions (setting budgets, approving, closing, admin, margin and
 *   customers) stay finance's.
 * The operator's terminal (`aicost ask` without `--user`) reads what finance may read (margin included);
 * what changes data is still re-authorised by user id in its service, so the terminal changes nothing
 * without `--user <a finance user id>`.
 *
 * Services read with `viewer.scope` (the team ids the viewer may read, or null for every team), so what
 * the viewer may not see is not read at all where a query can be scoped; where a figure needs every team
 * (allocation, the organisation's total) the service computes it and returns only the viewer's part.
 */
export type VisibilityMode = 'teams' | 'open';

export interface Viewer {
  userId: string;
  policy: VisibilityMode;
  /** Finance (FINANCE_USER_IDS) or the operator's terminal: every team, and finance-only answers. */
  finance: boolean;
  /** Sees every team's details (finance, the operator, or the `open` policy). */
  all: boolean;
  /** The teams the viewer leads or belongs to. */
  teams: TeamRecord[];
  /** The team ids the viewer may read, or null for every team: what queries are scoped with. */
  scope: number[] | null;
  /** Whether the viewer may see this team's details (null: the unattributed bucket, never a team's). */
  sees(teamId: number | null): boolean;
}

/** The label of the row that folds the teams a viewer may not see. */
export const OTHER_TEAMS = 'other teams';

export function makeViewer(input: { userId: string; policy: VisibilityMode; finance: boolean; teams: TeamRecord[] }): Viewer {
  const all = input.finance || input.policy === 'open';
  const ids = new Set(input.teams.map((t) => t.id));
  return {
    userId: input.userId,
    policy: input.policy,
    finance: input.finance,
    all,
    teams: input.teams,
    scope: all ? null : [...ids].sort((a, b) => a - b),
    sees: (teamId) => all || (teamId !== null && ids.has(teamId)),
  };
}

/** The teams of a list the viewer may see (every team when the viewer sees all). */
export function visibleTeams<T extends { id: number }>(viewer: Viewer, list: T[]): T[] {
  return viewer.all ? list : list.filter((t) => viewer.sees(t.id));
}

export function visibilityService(deps: { authz: Authz; teams: TeamsRepository; mode: VisibilityMode }) {
  return {
    mode: deps.mode,
    /** The one place a request's viewer is built: its teams, finance or not, and the policy. */
    async of(userId: string, opts: { operator?: boolean } = {}): Promise<Viewer> {
      const list = await deps.teams.list();
      const teams = list.filter((t) => t.leadUserIds.includes(userId) || t.memberUserIds.includes(userId));
      const finance = opts.operator === true || (await deps.authz.isFinance(userId));
      return makeViewer({ userId, policy: deps.mode, finance, teams });
    },
  };
}

export type VisibilityService = ReturnType<typeof visibilityService>;
