import type { ReplyParts } from '../format/reply-lines.ts';
import { budgetParts, featureIcebergParts, hiddenListParts, teamIcebergParts } from '../format/management-lines.ts';
import { monthOf, monthPeriod } from '../domain/periods.ts';
import { parseCommand, type Command } from '../slack/command-text.ts';
import type { Authz } from './authz.ts';
import type { BudgetService } from './budget-service.ts';
import type { HiddenService } from './hidden-service.ts';
import type { IcebergService } from './iceberg.ts';
import type { ReportService, SpendReport, TopReport, UnknownName } from './reports.ts';
import type { ReconcileService } from './reconcile-service.ts';
import { reconcileParts } from '../format/reconcile-lines.ts';

/**
 * The whole `/aicost` text → answer path, shared by the Slack listener and `aicost ask`, so the
 * terminal and Slack always show the same numbers. Commands that change data re-check the user's
 * rights in their service.
 */
export type ChartSpec =
  | { type: 'daily'; title: string; daily: SpendReport['daily'] }
  | { type: 'split'; title: string; labels: string[]; values: bigint[] };

export type Reply =
  | SpendReport
  | TopReport
  | UnknownName
  | { kind: 'message'; parts: ReplyParts; chart?: ChartSpec; tone?: 'ok' | 'refused' }
  /** The listener opens a modal; `fallback` is shown where no modal can open (the terminal). */
  | { kind: 'modal'; modal: 'add-hidden' | 'edit-hidden'; entryId?: number; fallback: ReplyParts }
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string; examples: string[] };

export interface AskInput {
  text: string;
  userId: string;
  channelId: string | null;
  now: Date;
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
  sync?: { status(userId: string, start: boolean, now: Date): Promise<ReplyParts> };
  anomalies?: { list(slug: string | null, now: Date): Promise<ReplyParts> };
  chargeback?: { show(month: string | null, userId: string, now: Date): Promise<ReplyParts> };
  admin?: { run(words: string[], userId: string, now: Date): Promise<ReplyParts> };
  reconcile?: Pick<ReconcileService, 'report' | 'map'>;
}

const message = (title: string, lines: string[], tone?: 'ok' | 'refused', notes: string[] = []): Reply => ({ kind: 'message', parts: { title, summary: lines, tables: [], notes }, ...(tone ? { tone } : {}) });

export async function ask(deps: AskDeps, input: AskInput): Promise<Answer> {
  const { now, userId } = input;
  const command: Command = parseCommand(input.text, now, deps.timeZone);
  const reply = (r: Reply, share = false): Answer => ({ reply: r, share });
  switch (command.kind) {
    case 'help':
    case 'invalid':
      return reply(command);
    case 'overview':
      return reply(await deps.reports.overview(input, command.period, now), command.share);
    case 'team': {
      const r = await deps.reports.team(command.slug, command.period, now);
      return reply(r, r.kind !== 'unknown' && command.share);
    }
    case 'top':
      return reply(await deps.reports.top(command.dimension, command.period, now), command.share);
    case 'feature': {
      const r = await deps.iceberg.feature(command.slug, command.period, now);
      if (r.kind === 'unknown') return reply(r);
      const e = r.economics;
      const labels = ['API', ...e.byCategory.map((c) => c.category), 'allocated'];
      const values = [e.direct, ...e.byCategory.map((c) => c.amount), e.allocated];
      return reply({ kind: 'message', parts: featureIcebergParts(r), chart: { type: 'split', title: `Feature ${r.slug}: API vs hidden`, labels, values } }, command.share);
    }
    case 'iceberg': {
      const r = await deps.iceberg.team(command.slug, command.period, now);
      if (r.kind === 'unknown') return reply(r);
      const labels = ['API', ...r.hidden.keys(), 'allocated'];
      const values = [r.direct, ...r.hidden.values(), r.allocated];
      return reply({ kind: 'message', parts: teamIcebergParts(r), chart: { type: 'split', title: `${r.title}: visible vs hidden`, labels, values } }, command.share);
    }
    case 'hidden-list': {
      const r = await deps.hidden.list(command.slug);
      if (r.unknown) return reply(message('Nothing by that name', [`There is no team or feature "${r.unknown}". Try /aicost hidden to list every entry.`]));
      return reply({ kind: 'message', parts: hiddenListParts(r.entries, r.teamList, r.featureList, command.slug) });
    }
    case 'hidden-delete': {
      const r = await deps.hidden.remove(command.id, userId, now);
      return reply(message(r.ok ? 'Deleted' : 'Not deleted', [r.message], r.ok ? 'ok' : 'refused'));
    }
    case 'hidden-edit':
      return reply({ kind: 'modal', modal: 'edit-hidden', entryId: command.id, fallback: { title: 'Edit in Slack', summary: ['Editing opens a form in Slack: /aicost hidden edit <#>.'], tables: [], notes: [] } });
    case 'add': {
      if (command.text === '') {
        return reply({ kind: 'modal', modal: 'add-hidden', fallback: { title: 'Add in Slack', summary: ['/aicost add opens a form in Slack; here, use the one-line form: /aicost add 2800 vector_db monthly shared "Pinecone".'], tables: [], notes: [] } });
      }
      const r = await deps.hidden.addFromText(command.text, userId, now);
      if (r.ok) return reply(message('Hidden cost added', [r.message, 'It shows up in /aicost team, /aicost feature and the budgets from now on.'], 'ok'));
      if ('fieldErrors' in r) return reply(message('Not added', Object.values(r.fieldErrors).filter((x): x is string => !!x), 'refused'));
      return reply({ kind: 'invalid', problem: r.problem, examples: r.examples ?? ['/aicost add 2800 vector_db monthly shared "Pinecone"'] });
    }
    case 'budget-list': {
      const rows = await deps.budgets.rows(now);
      return reply({ kind: 'message', parts: budgetParts(rows, monthPeriod(monthOf(now, deps.timeZone), deps.timeZone).label, deps.timeZone) }, command.share);
    }
    case 'budget-set': {
      const r = await deps.budgets.set(command.slug, command.amount, command.month, userId, now);
      return reply(message(r.ok ? 'Budget set' : 'Budget not changed', [r.message], r.ok ? 'ok' : 'refused'));
    }
    case 'request': {
      const r = await deps.budgets.request(command.amount, command.words, userId, now);
      return reply(message(r.ok ? 'Request sent to finance' : 'Request not sent', [r.message], r.ok ? 'ok' : 'refused'));
    }
    case 'sync':
      if (!deps.sync) return reply(message('Sync', ['No cost source is configured: set HELICONE_API_KEY or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY.']));
      return reply({ kind: 'message', parts: await deps.sync.status(userId, command.start, now) });
    case 'anomalies':
      if (!deps.anomalies) return reply(message('Anomalies', ['Anomaly detection is not set up in this deployment.']));
      return reply({ kind: 'message', parts: await deps.anomalies.list(command.slug, now) });
    case 'chargeback':
      if (!deps.chargeback) return reply(message('Chargeback', ['Chargeback is not set up in this deployment.']));
      return reply({ kind: 'message', parts: await deps.chargeback.show(command.month, userId, now) });
    case 'reconcile':
      if (!deps.reconcile) return reply(message('Reconciliation', ['Reconciliation is not set up in this deployment.']));
      return reply({ kind: 'message', parts: reconcileParts(await deps.reconcile.report(command.period, now)) }, command.share);
    case 'admin':
      if (deps.reconcile && command.words[0]?.toLowerCase() === 'map') {
        if (!(await deps.authz.isFinance(userId))) return reply(message('Admin', ['Only finance can use admin commands. Nothing was changed.'], 'refused'));
        const r = await deps.reconcile.map(command.words.slice(1), userId, now);
        return reply(message(r.ok ? 'Mapped' : 'Not mapped', [r.message], r.ok ? 'ok' : 'refused'));
      }
      if (!deps.admin) return reply(message('Admin', ['Admin commands are not available.']));
      return reply({ kind: 'message', parts: await deps.admin.run(command.words, userId, now) });
  }
}
