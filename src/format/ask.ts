import type { Reply } from '../services/reply.ts';
import {
  budgetMonthParts,
  budgetParts,
  featureIcebergParts,
  featureIcebergSlices,
  hiddenListParts,
  icebergSlices,
  teamIcebergParts,
  teamIcebergSlices,
} from './management-lines.ts';
import { formatMoney, sum } from '../domain/money.ts';
import { monthOf, monthPeriod } from '../domain/periods.ts';
import { parseCommand, type Command } from '../commands/command-text.ts';
import type { Authz } from '../services/authz.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { HiddenService } from '../services/hidden-service.ts';
import type { IcebergService } from '../services/iceberg.ts';
import { UNATTRIBUTED, type RankedRow, type ReportService } from '../services/reports.ts';
import { OTHER_TEAMS, type Viewer, type VisibilityService } from '../services/visibility.ts';
import type { MarginService } from '../services/margin-service.ts';
import { ALIAS_USAGE, type RevenueService } from '../services/revenue-service.ts';
import type { WhatIfService } from '../services/whatif-service.ts';
import { aliasParts, customerParts, marginParts, whatIfParts } from './margin-lines.ts';
import type { ReconcileService } from '../services/reconcile-service.ts';
import { reconcileParts } from './reconcile-lines.ts';
import type { AnomalyList } from '../services/anomaly-service.ts';
import type { ChargebackView } from '../services/chargeback-service.ts';
import type { SyncStatusView } from '../services/sync-service.ts';
import { anomalyListParts } from './anomaly-lines.ts';
import { failureText, fieldFailureTexts, isNotAllowed } from './failure-text.ts';
import type { Failure } from '../domain/result.ts';
import { ADMIN_USAGE, type AdminAnswer } from '../services/admin-service.ts';
import { chargebackParts } from './chargeback-lines.ts';
import { syncStatusParts } from './sync-lines.ts';

/**
 * The whole `/aicost` text → answer path, shared by the Slack listener and `aicost ask`, so the
 * terminal and Slack always show the same numbers. Commands that change data re-check the user's
 * rights in their service.
 */
export type { Reply } from '../services/reply.ts';

export interface AskInput {
  text: string;
  userId: string;
  channelId: string | null;
  now: Date;
  /** The operator's terminal (`aicost ask`): sees every team. */
  operator?: boolean;
}

export interface Answer {
  reply: Reply;
  /** The user asked to post the answer in the channel. */
  share: boolean;
}

/** Optional parts answer "not configured" until they exist in a deployment (e.g. no sources). */
export interface AskDeps {
  reports: ReportService;
  iceberg: IcebergService;
  hidden: HiddenService;
  budgets: BudgetService;
  authz: Authz;
  timeZone: string;
  sync?: { status(userId: string, start: boolean, now: Date): Promise<SyncStatusView> };
  anomalies?: { list(slug: string | null, now: Date, only?: number[] | null): Promise<AnomalyList> };
  /** Who sees what (see visibility.ts); without it every reader sees every team. */
  visibility?: VisibilityService;
  chargeback?: { show(month: string | null, userId: string, now: Date): Promise<ChargebackView> };
  admin?: { run(words: string[], userId: string, now: Date): Promise<AdminAnswer> };
  /** Known team slugs, so examples name a team that exists. */
  teamSlugs?: () => Promise<string[]>;
  /** Issue 15: margin and customer answers, customer aliases, model what-ifs. */
  margin?: MarginService;
  revenue?: RevenueService;
  whatIf?: WhatIfService;
  reconcile?: Pick<ReconcileService, 'report' | 'map'>;
}

/** The parser's examples say `payments`; show a team of this organisation instead (else the demo's support). */
async function exampleTeam(deps: AskDeps): Promise<string> {
  const slugs = (await deps.teamSlugs?.()) ?? [];
  return slugs.includes('payments') ? 'payments' : (slugs[0] ?? 'support');
}

const retarget = (text: string, team: string) => (team === 'payments' ? text : text.replace(/\bpayments\b/g, team));

/** A refusal for lack of rights says so ("Not allowed"), rather than "not understood" or a bare "not changed". */
const refusedTitle = (failure: Failure, otherwise: string) => (isNotAllowed(failure) ? 'Not allowed' : otherwise);

const message = (title: string, lines: string[], tone?: 'ok' | 'refused', notes: string[] = []): Reply => ({
  kind: 'message',
  parts: { title, summary: lines, tables: [], notes },
  ...(tone ? { tone } : {}),
});

/** Rows of teams (or their features) the viewer may not see, folded into one "other teams" row. */
function fold(rows: RankedRow[], visible: (label: string) => boolean, other = OTHER_TEAMS): RankedRow[] {
  const kept = rows.filter((r) => visible(r.label));
  const hidden = rows.filter((r) => !visible(r.label));
  if (!hidden.length) return kept;
  return [
    ...kept,
    {
      label: other,
      amount: hidden.reduce((a, r) => a + r.amount, 0n) as RankedRow['amount'],
      count: hidden.reduce((a, r) => a + r.count, 0),
      share: hidden.reduce((a, r) => a + r.share, 0),
    },
  ];
}

export async function ask(deps: AskDeps, input: AskInput): Promise<Answer> {
  const { now, userId } = input;
  const command: Command = parseCommand(input.text, now, deps.timeZone);
  const reply = (r: Reply, share = false): Answer => ({ reply: r, share });
  const viewer: Viewer = deps.visibility
    ? await deps.visibility.of(userId, { operator: input.operator })
    : { all: true, teams: [], allTeams: [], features: [], sees: () => true };
  const mine = new Set(viewer.teams.map((t) => t.slug));
  const ownFeature = (slug: string) => {
    if (slug.startsWith('(')) return true; // "(no feature)": an organisation-wide figure
    const f = viewer.features.find((x) => x.slug === slug);
    return f !== undefined && f.teamId !== null && viewer.sees(f.teamId);
  };
  const refuse = (name: string) => reply(message('Not one of your teams', [failureText({ code: 'visibility.not-your-team', name })], 'refused'));
  switch (command.kind) {
    case 'help':
      return reply({ kind: 'help', finance: await deps.authz.isFinance(userId), team: await exampleTeam(deps) });
    case 'invalid': {
      const team = await exampleTeam(deps);
      return reply({ kind: 'invalid', problem: retarget(failureText(command.failure), team), examples: command.examples.map((e) => retarget(e, team)) });
    }
    case 'overview': {
      // In another team's channel a member gets their own view, not that team's.
      const channelTeam = !viewer.all && input.channelId ? viewer.allTeams.find((t) => t.channelId === input.channelId) : undefined;
      const r = await deps.reports.overview(channelTeam && !viewer.sees(channelTeam.id) ? { ...input, channelId: null } : input, command.period, now);
      if (viewer.all || r.coverage === null) return reply(r, command.share); // a view of the viewer's own teams
      // Organisation totals stay; other teams' rows fold into "other teams".
      return reply(
        { ...r, teams: fold(r.teams, (l) => mine.has(l) || l === UNATTRIBUTED), topFeatures: fold(r.topFeatures, ownFeature, 'other teams\u2019 features') },
        command.share,
      );
    }
    case 'team': {
      const r = await deps.reports.team(command.slug, command.period, now);
      if (r.kind !== 'unknown' && !viewer.all && !mine.has(command.slug)) return refuse(`Team ${command.slug}`);
      return reply(r, r.kind !== 'unknown' && command.share);
    }
    case 'top': {
      if (!viewer.all && command.dimension === 'customers') return reply(message('Customers', [failureText({ code: 'customers.finance-only' })], 'refused'));
      const r = await deps.reports.top(command.dimension, command.period, now);
      if (viewer.all || command.dimension === 'models') return reply(r, command.share);
      const visible = command.dimension === 'teams' ? (l: string) => mine.has(l) || l === UNATTRIBUTED : ownFeature;
      return reply({ ...r, rows: fold(r.rows, visible, command.dimension === 'teams' ? OTHER_TEAMS : 'other teams\u2019 features') }, command.share);
    }
    case 'feature': {
      const r = await deps.iceberg.feature(command.slug, command.period, now);
      if (r.kind === 'unknown') return reply(r);
      if (!viewer.all && !ownFeature(r.slug)) return refuse(`Feature ${r.slug}`);
      const slices = icebergSlices(featureIcebergSlices(r.economics));
      const labels = slices.map((x) => x.label);
      const values = slices.map((x) => x.amount);
      return reply(
        {
          kind: 'message',
          parts: featureIcebergParts(r),
          chart: { type: 'split', title: `Feature ${r.slug}: true cost ${formatMoney(sum(values))} by part`, labels, values },
        },
        command.share,
      );
    }
    case 'iceberg': {
      const r = await deps.iceberg.team(command.slug, command.period, now);
      if (r.kind === 'unknown') return reply(r);
      if (command.slug !== null && !viewer.all && !mine.has(command.slug)) return refuse(`Team ${command.slug}`);
      const slices = icebergSlices(teamIcebergSlices(r));
      const labels = slices.map((x) => x.label);
      const values = slices.map((x) => x.amount);
      return reply(
        {
          kind: 'message',
          parts: teamIcebergParts(r),
          chart: { type: 'split', title: `${r.title}: true cost ${formatMoney(sum(values))} by part`, labels, values },
        },
        command.share,
      );
    }
    case 'hidden-list': {
      const r = await deps.hidden.list(command.slug);
      if (r.unknown) return reply(message('Nothing by that name', [`There is no team or feature "${r.unknown}". Try /aicost hidden to list every entry.`]));
      // Other teams' entries (amounts and notes) are not shown; shared costs are, as everyone carries a part.
      const entries = viewer.all
        ? r.entries
        : r.entries.filter(
            (e) =>
              e.target.type === 'shared' ||
              (e.target.type === 'team'
                ? viewer.sees(e.target.teamId)
                : ownFeature(r.featureList.find((f) => e.target.type === 'feature' && f.id === e.target.featureId)?.slug ?? '')),
          );
      const parts = hiddenListParts(entries, r.teamList, r.featureList, command.slug);
      if (entries.length === 0 && r.entries.length > 0) parts.summary = ['No hidden costs for your teams.'];
      if (entries.length < r.entries.length)
        parts.notes.push(
          `${r.entries.length - entries.length} entr${r.entries.length - entries.length === 1 ? 'y' : 'ies'} of other teams not shown; finance sees every entry.`,
        );
      return reply({ kind: 'message', parts });
    }
    case 'hidden-delete': {
      const r = await deps.hidden.remove(command.id, userId, now);
      const said = r.ok ? r.message : failureText(r.failure);
      return reply(message(r.ok ? 'Deleted' : refusedTitle(r.failure, 'Not deleted'), [said], r.ok ? 'ok' : 'refused'));
    }
    case 'hidden-edit':
      return reply({
        kind: 'modal',
        modal: 'edit-hidden',
        entryId: command.id,
        fallback: { title: 'Edit in Slack', summary: ['Editing opens a form in Slack: /aicost hidden edit <#>.'], tables: [], notes: [] },
      });
    case 'add': {
      if (command.text === '') {
        return reply({
          kind: 'modal',
          modal: 'add-hidden',
          fallback: {
            title: 'Add in Slack',
            summary: ['/aicost add opens a form in Slack; here, use the one-line form: /aicost add 2800 vector_db monthly shared "Pinecone".'],
            tables: [],
            notes: [],
          },
        });
      }
      const r = await deps.hidden.addFromText(command.text, userId, now);
      if (r.ok) return reply(message('Hidden cost added', [r.message, 'It shows up in /aicost team, /aicost feature and the budgets from now on.'], 'ok'));
      if ('fields' in r)
        return reply(
          message(
            'Not added',
            Object.values(fieldFailureTexts(r.fields)).filter((x): x is string => !!x),
            'refused',
          ),
        );
      if (isNotAllowed(r.failure)) return reply(message('Not allowed', [failureText(r.failure)], 'refused'));
      const team = await exampleTeam(deps);
      return reply({
        kind: 'invalid',
        problem: retarget(failureText(r.failure), team),
        examples: (r.examples ?? ['/aicost add 2800 vector_db monthly shared "Pinecone"']).map((e) => retarget(e, team)),
      });
    }
    case 'budget-list': {
      const rows = (await deps.budgets.rows(now)).filter((r) => viewer.sees(r.team.id));
      const parts = budgetParts(rows, monthPeriod(monthOf(now, deps.timeZone), deps.timeZone).label, deps.timeZone);
      if (!viewer.all)
        parts.summary.push(
          viewer.teams.length
            ? 'Your teams only; finance sees every team.'
            : 'You are not a lead or member of any team, so no budget is shown. Finance sees every team.',
        );
      if (!viewer.all && rows.length === 0) parts.notes = [];
      return reply({ kind: 'message', parts }, command.share);
    }
    case 'budget-month': {
      const r = await deps.budgets.monthReview(command.month, command.slug, now);
      if ('code' in r) return reply(message('No such team', [failureText(r)]));
      return reply({ kind: 'message', parts: budgetMonthParts(r, deps.timeZone) }, command.share);
    }
    case 'budget-set': {
      const r = await deps.budgets.set(command.slug, command.amount, command.month, userId, now);
      const said = r.ok ? r.message : failureText(r.failure);
      return reply(message(r.ok ? 'Budget set' : refusedTitle(r.failure, 'Budget not changed'), [said], r.ok ? 'ok' : 'refused'));
    }
    case 'request': {
      const r = await deps.budgets.request(command.amount, command.words, userId, now);
      const said = r.ok ? r.message : failureText(r.failure);
      return reply(message(r.ok ? 'Request sent to finance' : refusedTitle(r.failure, 'Request not sent'), [said], r.ok ? 'ok' : 'refused'));
    }
    case 'sync':
      if (!deps.sync) return reply(message('Sync', ['No cost source is configured: set HELICONE_API_KEY or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY.']));
      return reply({ kind: 'message', parts: syncStatusParts(await deps.sync.status(userId, command.start, now)) });
    case 'anomalies':
      if (!deps.anomalies) return reply(message('Anomalies', ['Anomaly detection is not set up in this deployment.']));
      if (command.slug && !viewer.all && !mine.has(command.slug) && viewer.allTeams.some((t) => t.slug === command.slug)) return refuse(`Team ${command.slug}`);
      return reply({
        kind: 'message',
        parts: anomalyListParts(await deps.anomalies.list(command.slug, now, viewer.all ? null : viewer.teams.map((t) => t.id))),
      });
    case 'chargeback': {
      if (!deps.chargeback) return reply(message('Chargeback', ['Chargeback is not set up in this deployment.']));
      const v = await deps.chargeback.show(command.month, userId, now);
      if (!v.chargeback)
        return reply(message(`Chargeback · ${v.month}`, ['You are not a lead or member of any team, so there is nothing to show. Finance sees every team.']));
      return reply({ kind: 'message', parts: chargebackParts(v.chargeback, v.teamIds) });
    }
    case 'reconcile':
      if (!deps.reconcile) return reply(message('Reconciliation', ['Reconciliation is not set up in this deployment.']));
      return reply({ kind: 'message', parts: reconcileParts(await deps.reconcile.report(command.period, now)) }, command.share);
    case 'admin': {
      if (deps.reconcile && command.words[0]?.toLowerCase() === 'map') {
        if (!(await deps.authz.isFinance(userId))) return reply(message('Admin', [failureText({ code: 'admin.finance-only' })], 'refused'));
        const r = await deps.reconcile.map(command.words.slice(1), userId, now);
        return reply(message(r.ok ? 'Mapped' : 'Not mapped', [r.ok ? r.message : failureText(r.failure)], r.ok ? 'ok' : 'refused'));
      }
      if (command.words[0]?.toLowerCase() === 'customer' && deps.revenue) {
        return reply({ kind: 'message', parts: aliasParts(await deps.revenue.alias(command.words.slice(1), userId, now), ALIAS_USAGE) });
      }
      if (!deps.admin) return reply(message('Admin', ['Admin commands are not available.']));
      const parts = await deps.admin.run(command.words, userId, now);
      if ('failure' in parts) {
        // A command not understood is said with the admin usage; a refusal (rights, closed month) alone.
        const summary = [failureText(parts.failure)];
        return reply({
          kind: 'message',
          parts: { title: parts.usage ? 'Admin: not understood' : 'Admin', summary, tables: [], notes: parts.usage ? ADMIN_USAGE : [] },
        });
      }
      return reply({ kind: 'message', parts });
    }
    case 'margin':
    case 'customer': {
      if (!deps.margin) return reply(message('Margin', ['Revenue and margin are not set up in this deployment.']));
      const r =
        command.kind === 'margin' ? await deps.margin.margin(command.months, userId, now) : await deps.margin.customer(command.id, command.months, userId, now);
      if (r.kind === 'refused') return reply(message('Finance only', [failureText({ code: 'margin.finance-only' })], 'refused'));
      if (r.kind === 'unknown-customer')
        return reply(
          message(`No customer named "${r.typed}"`, [
            r.suggestions.length ? `Known customers, closest first: ${r.suggestions.join(', ')}` : 'No customer has cost or revenue yet.',
          ]),
        );
      return reply({ kind: 'message', parts: r.kind === 'margin' ? marginParts(r, deps.timeZone) : customerParts(r, deps.timeZone) }, command.share);
    }
    case 'import':
      // Slash commands carry no files: the CSV is shared in the finance channel, where aicost picks it up.
      return reply(
        message('Import revenue', [
          'Share the revenue CSV in the finance channel (drag it into the message box); aicost imports it for you and answers in its thread. Finance only.',
          'Or, on the server: npx aicost import revenue FILE.csv',
          'Columns: customer, month (YYYY-MM), revenue (USD, up to two decimals), plan (optional). A month in the file replaces that month; any bad row refuses the whole file.',
        ]),
      );
    case 'whatif': {
      if (!deps.whatIf) return reply(message('What if', ['Model what-ifs need the price table, which is not set up in this deployment.']));
      const r = await deps.whatIf.whatIf(command.feature, command.target, command.period, now);
      if (r.kind === 'unknown') return reply(r);
      return reply({ kind: 'message', parts: whatIfParts(r, deps.timeZone) }, command.share);
    }
  }
}
