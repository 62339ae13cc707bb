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

/** The answer's parts, or a refusal; `usage`: a command not understood, said with `ADMIN_USAGE` as notes. */
export type AdminAnswer = ReplyParts | { ok: false; failure: Failure; usage: boolean };

export function adminService(deps: {
  admin: AdminRepository;
  teams: TeamsRepository;
  hidden: HiddenCostsRepository;
  authz: Authz;
  periods: PeriodsRepository;
}) {
  const repo = deps.admin;
  const out = (lines: string[], title = 'Admin'): ReplyParts => ({ title, summary: lines, tables: [], notes: [] });
  const usage = (failure: Failure): AdminAnswer => ({ ok: false, failure, usage: true });
  const refuse = (failure: Failure): AdminAnswer => ({ ok: false, failure, usage: false });

  return {
    async run(words: string[], actor: string, now: Date): Promise<AdminAnswer> {
      if (!(await deps.authz.isFinance(actor))) return refuse({ code: 'admin.finance-only' });
      const [what, a, b, ...rest] = words;
      if (!what) return { ...out(['Admin commands:']), notes: ADMIN_USAGE };
      if (what === 'team') {
        const team = a ? await deps.teams.bySlug(a.toLowerCase()) : null;
        if (!team) return usage(a ? { code: 'team.none', slug: a } : { code: 'admin.name-team' });
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
          if (values[0]!.length > 40 || /[\u0000-\u001f\u007f]/.test(values[0]!)) return usage({ code: 'admin.cost-center', length: values[0]!.length });
          await deps.teams.upsert({ ...team, costCenter: values[0]! });
        } else return usage({ code: 'admin.not-understood', text: `team ${a} ${[b, ...rest].filter(Boolean).join(' ')}` });
        const after = await deps.teams.bySlug(team.slug);
        await repo.audit({ actor, action: `team.${field}`, entity: 'team', entityId: team.slug, before, after }, now);
        const shown =
          field === 'name'
            ? after?.name
            : field === 'channel'
              ? after?.channelId
              : field === 'leads'
                ? after?.leadUserIds.join(' ')
                : field === 'members'
                  ? after?.memberUserIds.join(' ')
                  : after?.costCenter;
        // Echo the value now in force, so a typo is seen at once.
        return out([`Team ${team.slug} updated: ${field === 'costcenter' ? 'cost-center' : field} is now ${shown ?? '(none)'}.`]);
      }
      if (what === 'alias') {
        const kind = a?.toLowerCase();
        const [alias, target] = [b?.toLowerCase(), rest[0]?.toLowerCase()];
        if ((kind !== 'team' && kind !== 'feature') || !alias || !target || !SLUG.test(alias) || !SLUG.test(target) || alias === target) {
          return usage({ code: 'admin.alias-usage' });
        }
        const r = kind === 'team' ? await repo.aliasTeam(alias, target, actor, now) : await repo.aliasFeature(alias, target, actor, now);
        return r.ok ? out([r.message]) : usage(r.failure);
      }
      if (what === 'feature') {
        const features = await deps.teams.listFeatures();
        const feature = features.find((f) => f.slug === a?.toLowerCase());
        if (!feature) return usage(a ? { code: 'feature.none', slug: a } : { code: 'admin.name-feature' });
        if (b === 'baseline' && rest.length === 1) {
          if (/^\$?[-−]/.test(rest[0]!.trim())) return usage({ code: 'admin.baseline-negative' });
          const parsed = parseAmountInput(rest[0]!, { decimals: 4, allowZero: true });
          if (!parsed.ok) return usage(parsed.failure);
          const amount = parsed.value;
          await deps.teams.setFeatureBaseline(feature.id, amount);
          await repo.audit({ actor, action: 'feature.baseline', entity: 'feature', entityId: feature.slug, after: { baselinePerUnit: amount } }, now);
          return out([`${feature.slug}: human baseline ${formatMoney(amount)} per work item.`]);
        }
        if (b === 'team' && rest.length === 1) {
          const team = await deps.teams.bySlug(rest[0]!.toLowerCase());
          if (!team) return usage({ code: 'team.none', slug: rest[0]! });
          await deps.teams.upsertFeature({ slug: feature.slug, name: feature.name, teamId: team.id });
          await repo.audit(
            { actor, action: 'feature.team', entity: 'feature', entityId: feature.slug, before: { teamId: feature.teamId }, after: { teamId: team.id } },
            now,
          );
          return out([`${feature.slug} now belongs to ${team.slug}.`]);
        }
        return usage({ code: 'admin.not-understood', text: `feature ${words.slice(1).join(' ')}` });
      }
      if (what === 'adjust') {
        const team = a ? await deps.teams.bySlug(a.toLowerCase()) : null;
        if (!team) return usage(a ? { code: 'team.none', slug: a } : { code: 'admin.name-team' });
        const parsed = parseAmountInput(b ?? '', { allowNegative: true, allowZero: true });
        if (!parsed.ok) return usage({ code: 'admin.adjust-amount', cause: parsed.failure });
        const amount = parsed.value;
        const [month, ...reasonWords] = rest;
        if (!month || !isMonth(month)) return usage({ code: 'admin.adjust-month' });
        if (amount === 0n) return usage({ code: 'admin.adjust-zero' });
        if (!reasonWords.length) return usage({ code: 'admin.adjust-reason' });
        const period = await deps.periods.get(month);
        if (period.status !== 'open') return refuse({ code: 'admin.adjust-locked', month, state: period.status });
        const id = await repo.addAdjustment({ teamId: team.id, month, amount, reason: reasonWords.join(' ').slice(0, 300), actor, at: now });
        return out([`Adjustment #${id}: ${formatMoney(amount)} for ${team.slug} in ${month}. It shows in that month's chargeback.`]);
      }
      if (what === 'category') {
        const name = a?.toLowerCase();
        if (!name || !/^[a-z][a-z0-9_]{1,40}$/.test(name)) return usage({ code: 'admin.category-name' });
        if ((await deps.hidden.categories()).includes(name)) return refuse({ code: 'admin.category-exists', name });
        await deps.hidden.addCategory(name, [b, ...rest].filter(Boolean).join(' ') || name, actor, now);
        return out([`Category ${name} added.`]);
      }
      return usage({ code: 'admin.unknown', text: what });
    },
  };
}
