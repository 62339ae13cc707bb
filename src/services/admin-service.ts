import type { HiddenCostsRepository } from './ports/hidden-costs.ts';
import type { TeamsRepository } from './ports/teams.ts';
import { formatMoney, parseAmountInput } from '../domain/money.ts';
import type { ReplyParts } from './reply.ts';
import type { Authz } from './authz.ts';
import type { AdminRepository } from './ports/admin.ts';
import type { PeriodsRepository } from './ports/periods.ts';
import { isMonth } from '../domain/calendar.ts';
import type { Failure } from '../domain/result.ts';

/**
 * `/aicost admin …` (finance only): name teams, give them a channel, leads, members and a cost centre;
 * alias a team or feature to another (its history moves along, and future records with the alias land
 * on the target); set a feature's owner and its human baseline; add hidden-cost categories.
 * Slack sends mentions escaped (`<@U123|ann>`, `<#C123|ops>`), which is how ids are read here.
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
  '/aicost admin map openai project <proj_…> <team>   (and map anthropic workspace <wrkspc_…> <team>)',
];

const userId = (w: string) => /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(w)?.[1] ?? (/^[UW][A-Z0-9]{4,}$/.test(w) ? w : null);
const channelId = (w: string) => /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(w)?.[1] ?? (/^[CG][A-Z0-9]{4,}$/.test(w) ? w : null);
const SLUG = /^[a-z0-9][a-z0-9_.-]*$/;

/** The answer's parts, or a refused argument (said, like every usage problem, with `ADMIN_USAGE` as notes). */
export type AdminAnswer = ReplyParts | { ok: false; failure: Failure };

export function adminService(deps: {
  admin: AdminRepository;
  teams: TeamsRepository;
  hidden: HiddenCostsRepository;
  authz: Authz;
  periods: PeriodsRepository;
}) {
  const repo = deps.admin;
  const out = (lines: string[], title = 'Admin'): ReplyParts => ({ title, summary: lines, tables: [], notes: [] });
  const usage = (problem: string) => ({ ...out([problem], 'Admin: not understood'), notes: ADMIN_USAGE });

  return {
    async run(words: string[], actor: string, now: Date): Promise<AdminAnswer> {
      if (!(await deps.authz.isFinance(actor))) return out(['Only finance can use admin commands. Nothing was changed.'], 'Admin');
      const [what, a, b, ...rest] = words;
      if (!what) return { ...out(['Admin commands:']), notes: ADMIN_USAGE };
      if (what === 'team') {
        const team = a ? await deps.teams.bySlug(a.toLowerCase()) : null;
        if (!team) return usage(a ? `There is no team "${a}".` : 'Name the team.');
        const field = b?.toLowerCase();
        const values = rest;
        const before = { ...team };
        if (field === 'name' && values.length) await deps.teams.upsert({ ...team, name: values.join(' ').slice(0, 80) });
        else if (field === 'channel' && values.length === 1 && channelId(values[0]!)) await deps.teams.upsert({ ...team, channelId: channelId(values[0]!) });
        else if ((field === 'leads' || field === 'members') && values.length && values.every((v) => userId(v))) {
          const ids = values.map((v) => userId(v)!);
          await deps.teams.upsert({ ...team, ...(field === 'leads' ? { leadUserIds: ids } : { memberUserIds: ids }) });
        } else if ((field === 'cost-center' || field === 'costcenter') && values.length === 1) {
          // A cost centre is a short code from the ledger (it lands in every chargeback CSV row).
          if (values[0]!.length > 40 || /[\u0000-\u001f\u007f]/.test(values[0]!))
            return usage(
              `A cost centre is a ledger code of at most 40 characters, such as CC-4100 (got ${values[0]!.length} characters). Nothing was changed.`,
            );
          await deps.teams.upsert({ ...team, costCenter: values[0]! });
        } else return usage(`I did not understand "team ${a} ${[b, ...rest].filter(Boolean).join(' ')}".`);
        const after = await deps.teams.bySlug(team.slug);
        await repo.audit({ actor, action: `team.${field}`, entity: 'team', entityId: team.slug, before, after }, now);
        return out([`Team ${team.slug} updated (${field}).`]);
      }
      if (what === 'alias') {
        const kind = a?.toLowerCase();
        const [alias, target] = [b?.toLowerCase(), rest[0]?.toLowerCase()];
        if ((kind !== 'team' && kind !== 'feature') || !alias || !target || !SLUG.test(alias) || !SLUG.test(target) || alias === target) {
          return usage('Write: alias team <alias> <slug>, or alias feature <alias> <slug>.');
        }
        const r = kind === 'team' ? await repo.aliasTeam(alias, target, actor, now) : await repo.aliasFeature(alias, target, actor, now);
        return r.ok ? out([r.message]) : { ok: false, failure: r.failure };
      }
      if (what === 'feature') {
        const features = await deps.teams.listFeatures();
        const feature = features.find((f) => f.slug === a?.toLowerCase());
        if (!feature) return usage(a ? `There is no feature "${a}".` : 'Name the feature.');
        if (b === 'baseline' && rest.length === 1) {
          if (/^\$?[-−]/.test(rest[0]!.trim())) return usage('A baseline cannot be negative.');
          const parsed = parseAmountInput(rest[0]!, { decimals: 4, allowZero: true });
          if (!parsed.ok) return { ok: false, failure: parsed.failure };
          const amount = parsed.value;
          await deps.teams.setFeatureBaseline(feature.id, amount);
          await repo.audit({ actor, action: 'feature.baseline', entity: 'feature', entityId: feature.slug, after: { baselinePerUnit: amount } }, now);
          return out([`${feature.slug}: human baseline ${formatMoney(amount)} per work item.`]);
        }
        if (b === 'team' && rest.length === 1) {
          const team = await deps.teams.bySlug(rest[0]!.toLowerCase());
          if (!team) return usage(`There is no team "${rest[0]}".`);
          await deps.teams.upsertFeature({ slug: feature.slug, name: feature.name, teamId: team.id });
          await repo.audit(
            { actor, action: 'feature.team', entity: 'feature', entityId: feature.slug, before: { teamId: feature.teamId }, after: { teamId: team.id } },
            now,
          );
          return out([`${feature.slug} now belongs to ${team.slug}.`]);
        }
        return usage(`I did not understand "feature ${words.slice(1).join(' ')}".`);
      }
      if (what === 'adjust') {
        const team = a ? await deps.teams.bySlug(a.toLowerCase()) : null;
        if (!team) return usage(a ? `There is no team "${a}".` : 'Name the team.');
        const parsed = parseAmountInput(b ?? '', { allowNegative: true, allowZero: true });
        if (!parsed.ok) return { ok: false, failure: { code: 'admin.adjust-amount', cause: parsed.failure } };
        const amount = parsed.value;
        const [month, ...reasonWords] = rest;
        if (!month || !isMonth(month)) return usage('After the amount, give the month as YYYY-MM.');
        if (amount === 0n) return usage('An adjustment of $0.00 changes nothing.');
        if (!reasonWords.length) return usage('Say why, after the month.');
        const period = await deps.periods.get(month);
        if (period.status !== 'open')
          return out([`${month} is ${period.status}: its numbers do not change. Book the adjustment in the open month, or reopen ${month} first.`]);
        const id = await repo.addAdjustment({ teamId: team.id, month, amount, reason: reasonWords.join(' ').slice(0, 300), actor, at: now });
        return out([`Adjustment #${id}: ${formatMoney(amount)} for ${team.slug} in ${month}. It shows in that month's chargeback.`]);
      }
      if (what === 'category') {
        const name = a?.toLowerCase();
        if (!name || !/^[a-z][a-z0-9_]{1,40}$/.test(name)) return usage('A category is lowercase letters, digits and "_", e.g. data_labeling.');
        if ((await deps.hidden.categories()).includes(name)) return out([`Category ${name} already exists.`]);
        await deps.hidden.addCategory(name, [b, ...rest].filter(Boolean).join(' ') || name, actor, now);
        return out([`Category ${name} added.`]);
      }
      return usage(`Unknown admin command "${what}".`);
    },
  };
}
