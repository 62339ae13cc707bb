import { ADMIN_USAGE } from '../services/admin-service.ts';
import { ALIAS_USAGE } from '../services/revenue-service.ts';
import { formatMoney, sum } from '../domain/money.ts';
import type { Outcome } from '../commands/outcome.ts';
import { anomalyListParts } from './anomaly-lines.ts';
import { chargebackParts } from './chargeback-lines.ts';
import { failureText, fieldFailureTexts, isNotAllowed } from './failure-text.ts';
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
import { aliasParts, customerParts, marginParts, whatIfParts } from './margin-lines.ts';
import { reconcileParts } from './reconcile-lines.ts';
import type { Reply, ReplyParts } from './reply.ts';
import { syncStatusParts } from './sync-lines.ts';

/**
 * The words of every outcome a verb can have (src/commands/outcome.ts): one case per kind, shared by
 * Slack and the terminal. `team`: a team of this organisation, for the examples.
 */
const message = (title: string, lines: string[], tone?: 'ok' | 'refused', notes: string[] = []): Reply => ({
  kind: 'message',
  parts: { title, summary: lines, tables: [], notes },
  ...(tone ? { tone } : {}),
});

const parts = (p: ReplyParts): Reply => ({ kind: 'message', parts: p });

/** The parser's examples say `payments`; say a team of this organisation instead. */
export const retarget = (text: string, team: string) => (team === 'payments' ? text : text.replace(/\bpayments\b/g, team));

const NOT_SET_UP: Record<Extract<Outcome, { kind: 'not-set-up' }>['what'], [string, string]> = {
  sync: ['Sync', 'No cost source is configured: set HELICONE_API_KEY or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY.'],
  anomalies: ['Anomalies', 'Anomaly detection is not set up in this deployment.'],
  chargeback: ['Chargeback', 'Chargeback is not set up in this deployment.'],
  reconcile: ['Reconciliation', 'Reconciliation is not set up in this deployment.'],
  admin: ['Admin', 'Admin commands are not available.'],
  margin: ['Margin', 'Revenue and margin are not set up in this deployment.'],
  whatif: ['What if', 'Model what-ifs need the price table, which is not set up in this deployment.'],
};

export function outcomeReply(o: Outcome, ctx: { timeZone: string; team: string }): Reply {
  const { timeZone, team } = ctx;
  switch (o.kind) {
    case 'spend':
    case 'top':
    case 'unknown':
      return o;
    case 'modal':
      return {
        ...o,
        fallback:
          o.modal === 'add-hidden'
            ? {
                title: 'Add in Slack',
                summary: ['/aicost add opens a form in Slack; here, use the one-line form: /aicost add 2800 vector_db monthly shared "Pinecone".'],
                tables: [],
                notes: [],
              }
            : { title: 'Edit in Slack', summary: ['Editing opens a form in Slack: /aicost hidden edit <#>.'], tables: [], notes: [] },
      };
    case 'help':
      return { kind: 'help', finance: o.finance, team };
    case 'not-visible':
      return message(o.failure.code === 'customers.finance-only' ? 'Customers' : 'Not one of your teams', [failureText(o.failure)], 'refused');
    case 'invalid':
      // A refusal for rights (e.g. `add` for another team) is said as such, not as "not understood".
      if (isNotAllowed(o.failure)) return message('Not allowed', [failureText(o.failure)], 'refused');
      // A closed or finalized month is a refusal, not a misunderstanding: its words say why and what to do (issue 21.8).
      if (o.failure.code === 'hidden.month-locked') return message(`${o.failure.month} is ${o.failure.state}`, [failureText(o.failure)], 'refused');
      return { kind: 'invalid', problem: retarget(failureText(o.failure), team), examples: o.examples.map((e) => retarget(e, team)) };
    case 'refused':
      return message(isNotAllowed(o.failure) ? 'Not allowed' : o.title, [failureText(o.failure)], 'refused');
    case 'done':
      return message(o.title, o.next ? [o.message, o.next] : [o.message], 'ok');
    case 'fields-refused':
      return message(
        o.title,
        Object.values(fieldFailureTexts(o.fields)).filter((x): x is string => !!x),
        'refused',
      );
    case 'not-set-up': {
      const [title, line] = NOT_SET_UP[o.what];
      return message(title, [line]);
    }
    case 'feature-iceberg': {
      const slices = icebergSlices(featureIcebergSlices(o.economics));
      const values = slices.map((x) => x.amount);
      return {
        kind: 'message',
        parts: featureIcebergParts(o),
        chart: { type: 'split', title: `Feature ${o.slug}: true cost ${formatMoney(sum(values))} by part`, labels: slices.map((x) => x.label), values },
      };
    }
    case 'team-iceberg': {
      const slices = icebergSlices(teamIcebergSlices(o));
      const values = slices.map((x) => x.amount);
      return {
        kind: 'message',
        parts: teamIcebergParts(o),
        chart: { type: 'split', title: `${o.title}: true cost ${formatMoney(sum(values))} by part`, labels: slices.map((x) => x.label), values },
      };
    }
    case 'hidden-list': {
      const { list, slug } = o;
      if (list.unknown) return message('Nothing by that name', [`There is no team or feature "${list.unknown}". Try /aicost hidden to list every entry.`]);
      const p = hiddenListParts(list.entries, list.teamList, list.featureList, slug);
      if (list.entries.length === 0 && list.notShown > 0) p.summary = ['No hidden costs for your teams.'];
      if (list.notShown > 0) p.notes.push(`${list.notShown} entr${list.notShown === 1 ? 'y' : 'ies'} of other teams not shown; finance sees every entry.`);
      return parts(p);
    }
    case 'budget-list': {
      const p = budgetParts(o.rows, o.month, timeZone);
      if (!o.all) {
        p.summary.push(
          o.hasTeams
            ? 'Your teams only; finance sees every team.'
            : 'You are not a lead or member of any team, so no budget is shown. Finance sees every team.',
        );
        if (o.rows.length === 0) p.notes = [];
      }
      return parts(p);
    }
    case 'budget-month':
      return parts(budgetMonthParts(o.review, timeZone));
    case 'sync-status':
      return parts(syncStatusParts(o.view));
    case 'anomaly-list':
      return parts(anomalyListParts(o.list));
    case 'chargeback':
      if (!o.view.chargeback)
        return message(`Chargeback · ${o.view.month}`, ['You are not a lead or member of any team, so there is nothing to show. Finance sees every team.']);
      return parts(chargebackParts(o.view.chargeback, o.view.teamIds));
    case 'reconcile':
      return parts(reconcileParts(o.report));
    case 'admin': {
      const a = o.answer;
      if ('failure' in a)
        // A command not understood is said with the admin usage; a refusal (rights, closed month) alone.
        return parts({ title: a.usage ? 'Admin: not understood' : 'Admin', summary: [failureText(a.failure)], tables: [], notes: a.usage ? ADMIN_USAGE : [] });
      return parts(a);
    }
    case 'customer-alias':
      return parts(aliasParts(o.result, ALIAS_USAGE));
    case 'margin':
      return parts(marginParts(o, timeZone));
    case 'customer':
      return parts(customerParts(o, timeZone));
    case 'unknown-customer':
      return message(`No customer named "${o.typed}"`, [
        o.suggestions.length ? `Known customers, closest first: ${o.suggestions.join(', ')}` : 'No customer has cost or revenue yet.',
      ]);
    case 'whatif':
      return parts(whatIfParts(o, timeZone));
    case 'import-help':
      return message('Import revenue', [
        'Share the revenue CSV in the finance channel (drag it into the message box); aicost imports it for you and answers in its thread. Finance only.',
        'Or, on the server: npx aicost import revenue FILE.csv',
        'Columns: customer, month (YYYY-MM), revenue (USD, up to two decimals), plan (optional). A month in the file replaces that month; any bad row refuses the whole file.',
      ]);
  }
}

/** Outcomes that show data (not a refusal, a question back or a form): these may be shared in the channel. */
export const isShareable = (o: Outcome) =>
  !['unknown', 'not-visible', 'invalid', 'refused', 'fields-refused', 'not-set-up', 'modal', 'help', 'done', 'unknown-customer'].includes(o.kind);
