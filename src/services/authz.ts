import type { TeamRecord } from './ports/teams.ts';

/**
 * Who may do what, checked on the server at every command and every click (never trusted from the
 * message). Finance = FINANCE_USER_IDS, or members of FINANCE_USERGROUP_ID (asked of Slack, cached for a
 * minute so a removal takes effect quickly). A team lead may act for their own teams.
 */
export interface Authz {
  isFinance(userId: string): Promise<boolean>;
  leads(team: TeamRecord, userId: string): boolean;
  canManage(team: TeamRecord, userId: string): Promise<boolean>;
}

/** The members of a user group (Slack's usergroups.users.list); a port so this module knows no Slack client. */
export type UsergroupMembers = (usergroupId: string) => Promise<string[]>;

export function createAuthz(opts: {
  financeUserIds: string[];
  financeUsergroupId?: string;
  usergroupMembers?: UsergroupMembers;
  clock?: () => Date;
  cacheMs?: number;
}): Authz {
  const cacheMs = opts.cacheMs ?? 60_000;
  const clock = opts.clock ?? (() => new Date());
  let group: { members: Set<string>; at: number } | null = null;

  async function groupMembers(): Promise<Set<string>> {
    if (!opts.financeUsergroupId || !opts.usergroupMembers) return new Set();
    const now = clock().getTime();
    if (group && now - group.at < cacheMs) return group.members;
    group = { members: new Set(await opts.usergroupMembers(opts.financeUsergroupId)), at: now };
    return group.members;
  }

  const authz: Authz = {
    async isFinance(userId) {
      if (opts.financeUserIds.includes(userId)) return true;
      return (await groupMembers()).has(userId);
    },
    leads(team, userId) {
      return team.leadUserIds.includes(userId);
    },
    async canManage(team, userId) {
      return authz.leads(team, userId) || (await authz.isFinance(userId));
    },
  };
  return authz;
}
