import type { HiddenCostsRepository } from './ports/hidden-costs.ts';
import type { TeamsRepository } from './ports/teams.ts';
import { mention } from '../domain/mentions.ts';
import { formatMoney, type Money } from '../domain/money.ts';
import type { Authz } from './authz.ts';
import type { AdminRepository } from './ports/admin.ts';
import type { PeriodsRepository } from './ports/periods.ts';
import type { Failure } from '../domain/result.ts';

/**
 * `/aicost admin …` (finance only): name teams, give them a channel, leads, members and a cost centre;
 * alias a team or feature to another (its history moves along, and future records with the alias land
 * on the target); set a feature's owner and its human baseline; add hidden-cost categories. The words
 * are read into an `AdminAction` by src/commands/admin.ts; this service checks the rights, the names and
 * the month, makes the change and audits it.
 */
export const ADMIN_USAGE = [
  '/aicost admin team <slug> name <Display name>',
  '/aicost admin team <slug> channel #channel',
  '/aicost admin team <slug> leads @ann @bob   (or members @…)',
  '/aicost admin team <slug> cost-center CC-4100',
  '/aicost admin alias team <alias> <slug>   (and alias feature <alias> <slug>)',
  '/aicost admin feature <slug> team <team-slug>',
  '/aicost admin feature <slug> baseline 0.45   (what one work item costs done by people)',
  '/aicost admin category <name> [label]',
  '/aicost admin adjust <team> <amount, negative for a credit> <YYYY-MM> <reason>',
  '/aicost admin customer alias <alias> <customer>   (and customer unalias <alias>, customer aliases)',
  '/aicost admin map openai project|key <proj_…|key id> <team>   (and map anthropic workspace|key <wrkspc_…|apikey_…> <team>)',
];

/** An admin change, read from the command's words by src/commands/admin.ts (names and ids still to be checked here). */
export type AdminAction =
  | { kind: 'usage' }
  | {
      kind: 'team';
      slug: string;
      field: 'name' | 'channel' | 'leads' | 'members' | 'cost-center';
      set: { name: string } | { channelId: string } | { leadUserIds: string[] } | { memberUserIds: string[] } | { costCenter: string };
    }
  | { kind: 'alias'; what: 'team' | 'feature'; alias: string; target: string }
  | { kind: 'feature-baseline'; slug: string; amount: Money }
  | { kind: 'feature-team'; slug: string; team: string }
  | { kind: 'adjust'; slug: string; amount: Money; month: string; reason: string }
  | { kind: 'category'; name: string; label: string }
  /** Words that do not make a change: why, said with the usage (`name` checked first when given). */
  | { kind: 'not-understood'; failure: Failure; team?: string; feature?: string };

/** What was done, in the service's own words (a title, lines and notes). */
export interface AdminDone {
  title: string;
  summary: string[];
  tables: never[];
  notes: string[];
}

/** What was done, or a refusal; `usage`: a command not understood, said with `ADMIN_USAGE` as notes. */
export type AdminAnswer = AdminDone | { ok: false; failure: Failure; usage: boolean };

export function adminService(deps: {
  admin: AdminRepository;
  teams: TeamsRepository;
  hidden: HiddenCostsRepository;
  authz: Authz;
  periods: PeriodsRepository;
}) {
  const repo = deps.admin;
  const out = (lines: string[], title = 'Admin'): AdminDone => ({ title, summary: lines, tables: [], notes: [] });
  const usage = (failure: Failure): AdminAnswer => ({ ok: false, failure, usage: true });
  const refuse = (failure: Failure): AdminAnswer => ({ ok: false, failure, usage: false });

  return {
    async run(action: AdminAction, actor: string, now: Date): Promise<AdminAnswer> {
      if (!(await deps.authz.isFinance(actor))) return refuse({ code: 'admin.finance-only' });
      if (action.kind === 'usage') return { ...out(['Admin commands:']), notes: ADMIN_USAGE };
      if (action.kind === 'not-understood') {
        // An unknown name is said before what else was wrong with the words.
        if (action.team !== undefined && !(await deps.teams.bySlug(action.team))) return usage({ code: 'team.none', slug: action.team });
        if (action.feature !== undefined && !(await deps.teams.listFeatures()).some((f) => f.slug === action.feature))
          return usage({ code: 'feature.none', slug: action.feature });
        return usage(action.failure);
      }
      if (action.kind === 'team') {
        const team = await deps.teams.bySlug(action.slug);
        if (!team) return usage({ code: 'team.none', slug: action.slug });
        const before = { ...team };
        await deps.teams.upsert({ ...team, ...action.set });
        const after = await deps.teams.bySlug(team.slug);
        await repo.audit({ actor, action: `team.${action.field}`, entity: 'team', entityId: team.slug, before, after }, now);
        // Echo the value now in force, so a typo is seen at once; people as mentions (Slack shows their names).
        const people = (ids: string[] | undefined) => (ids?.length ? ids.map((id) => mention(id)).join(', ') : '(none)');
        const line =
          action.field === 'name'
            ? `Team ${team.slug} is now named "${after?.name}".`
            : action.field === 'channel'
              ? `Team ${team.slug} now posts to channel ${after?.channelId || '(none)'}.`
              : action.field === 'leads'
                ? `The leads of team ${team.slug} are now ${people(after?.leadUserIds)}.`
                : action.field === 'members'
                  ? `The members of team ${team.slug} are now ${people(after?.memberUserIds)}.`
                  : `The cost centre of team ${team.slug} is now ${after?.costCenter || '(none)'}: its chargeback and GL lines use it.`;
        return out([line]);
      }
      if (action.kind === 'alias') {
        const r =
          action.what === 'team'
            ? await repo.aliasTeam(action.alias, action.target, actor, now)
            : await repo.aliasFeature(action.alias, action.target, actor, now);
        return r.ok ? out([r.message]) : usage(r.failure);
      }
      if (action.kind === 'feature-baseline' || action.kind === 'feature-team') {
        const feature = (await deps.teams.listFeatures()).find((f) => f.slug === action.slug);
        if (!feature) return usage({ code: 'feature.none', slug: action.slug });
        if (action.kind === 'feature-baseline') {
          await deps.teams.setFeatureBaseline(feature.id, action.amount);
          await repo.audit({ actor, action: 'feature.baseline', entity: 'feature', entityId: feature.slug, after: { baselinePerUnit: action.amount } }, now);
          return out([`${feature.slug}: human baseline ${formatMoney(action.amount)} per work item.`]);
        }
        const team = await deps.teams.bySlug(action.team);
        if (!team) return usage({ code: 'team.none', slug: action.team });
        await deps.teams.upsertFeature({ slug: feature.slug, name: feature.name, teamId: team.id });
        await repo.audit(
          { actor, action: 'feature.team', entity: 'feature', entityId: feature.slug, before: { teamId: feature.teamId }, after: { teamId: team.id } },
          now,
        );
        return out([`${feature.slug} now belongs to ${team.slug}.`]);
      }
      if (action.kind === 'adjust') {
        const team = await deps.teams.bySlug(action.slug);
        if (!team) return usage({ code: 'team.none', slug: action.slug });
        const period = await deps.periods.get(action.month);
        if (period.status !== 'open') return refuse({ code: 'admin.adjust-locked', month: action.month, state: period.status });
        const id = await repo.addAdjustment({ teamId: team.id, month: action.month, amount: action.amount, reason: action.reason, actor, at: now });
        return out([
          `Adjustment #${id}: ${formatMoney(action.amount)} for ${team.slug} in ${action.month}, "${action.reason}". It shows in that month's chargeback.`,
        ]);
      }
      if ((await deps.hidden.categories()).includes(action.name)) return refuse({ code: 'admin.category-exists', name: action.name });
      await deps.hidden.addCategory(action.name, action.label, actor, now);
      return out([`Category ${action.name} added, shown as "${action.label}".`]);
    },
  };
}

export type AdminService = ReturnType<typeof adminService>;
