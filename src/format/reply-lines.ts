import { formatMoney, ratio, type Money } from '../domain/money.ts';
import { PERIOD_EXAMPLES } from '../domain/periods.ts';
import type { Reply } from '../services/ask.ts';
import type { RankedRow, SpendReport, TopReport } from '../services/reports.ts';
import { HELP_EXAMPLES } from '../slack/command-text.ts';
import { alignTable, percent } from './table.ts';

/**
 * The words and tables of each reply, shared by Slack blocks and the terminal so both say the same.
 * Each part is a paragraph of mrkdwn-safe plain text (tables go in code blocks in Slack).
 */
export interface ReplyParts {
  title: string;
  summary: string[];
  tables: { caption: string; table: string }[];
  notes: string[];
}

export function rankedTable(first: string, rows: RankedRow[], withCount = true): string {
  const header = withCount ? [first, 'spend', 'share', 'calls'] : [first, 'spend', 'share'];
  const body = rows.map((r) => {
    const cells = [r.label, formatMoney(r.amount), percent(r.share)];
    return withCount ? [...cells, r.count.toLocaleString('en-US')] : cells;
  });
  return alignTable(header, body, [false, true, true, true]);
}

function spendParts(r: SpendReport, timeZone: string): ReplyParts {
  const summary = [`Spend: ${formatMoney(r.total)} across ${r.count.toLocaleString('en-US')} calls`];
  const hiddenTotal = [...r.hidden.values()].reduce((a, b) => a + b, 0n) as Money;
  if (hiddenTotal !== 0n || r.allocated !== 0n || (r.unallocated ?? 0n) !== 0n) {
    const parts = [...r.hidden].sort((a, b) => (a[1] > b[1] ? -1 : 1)).map(([c, a]) => `${c} ${formatMoney(a)}`);
    summary.push(`Hidden costs: ${formatMoney(hiddenTotal)}${parts.length ? ` (${parts.join(', ')})` : ''}`);
    summary.push(`Allocated shared costs: ${formatMoney(r.allocated)}`);
    if (r.unallocated !== null && r.unallocated !== 0n) summary.push(`Unallocated shared costs: ${formatMoney(r.unallocated)}`);
    summary.push(`True cost: ${formatMoney(r.trueTotal)} (the API spend above is ${percent(ratio(r.total, r.trueTotal))} of it)`);
  }
  if (r.unattributed !== null && r.coverage !== null) {
    summary.push(`Attributed to a team: ${percent(r.coverage)} (unattributed ${formatMoney(r.unattributed)})`);
  }
  const tables: ReplyParts['tables'] = [];
  if (r.teams.length) tables.push({ caption: 'By team', table: rankedTable('team', r.teams) });
  if (r.topFeatures.length) tables.push({ caption: 'Top features', table: rankedTable('feature', r.topFeatures) });
  return { title: `${r.title} · ${r.period.label}`, summary, tables, notes: commonNotes(r, timeZone) };
}

function topParts(r: TopReport, timeZone: string): ReplyParts {
  const singular = r.dimension.replace(/s$/, '');
  const summary = [`Total: ${formatMoney(r.total)}`, `Attributed to a team: ${percent(r.coverage)} (unattributed ${formatMoney(r.unattributed)})`];
  const tables = r.rows.length ? [{ caption: `Top ${r.dimension}`, table: rankedTable(singular, r.rows) }] : [];
  const notes = commonNotes(r, timeZone);
  if (!r.rows.length) notes.unshift('No spend recorded in this period.');
  return { title: `Top ${r.dimension} · ${r.period.label}`, summary, tables, notes };
}

function commonNotes(r: { asOf: Date; period: { to: Date }; unpriced: number }, timeZone: string): string[] {
  const notes: string[] = [];
  if (r.unpriced > 0) notes.push(`${r.unpriced.toLocaleString('en-US')} calls have no price (unknown model) and are not in these totals.`);
  if (r.asOf < r.period.to) notes.push(`Up to ${r.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC; periods are in ${timeZone}.`);
  else notes.push(`Periods are in ${timeZone}.`);
  return notes;
}

export function replyParts(reply: Reply, timeZone: string): ReplyParts {
  switch (reply.kind) {
    case 'message':
      return reply.parts;
    case 'modal':
      return reply.fallback;
    case 'spend':
      return spendParts(reply, timeZone);
    case 'top':
      return topParts(reply, timeZone);
    case 'unknown':
      return {
        title: `No ${reply.what} named "${reply.typed}"`,
        summary: [reply.suggestions.length ? `Known ${reply.what}s, closest first: ${reply.suggestions.join(', ')}` : `There are no ${reply.what}s yet.`],
        tables: [],
        notes: reply.suggestions[0] ? [`Try: /aicost ${reply.what} ${reply.suggestions[0]}`] : [],
      };
    case 'invalid':
      return {
        title: 'Sorry, I did not understand that',
        summary: [reply.problem],
        tables: [],
        notes: [`Try: ${reply.examples.join('  |  ')}`, 'Type /aicost help for everything I can do.'],
      };
    case 'help':
      return {
        title: 'aicost: what your AI really costs',
        summary: [
          '/aicost: your team’s month to date (in a team channel: that team)',
          '/aicost team <slug> [period]: one team’s spend, top features and daily chart',
          '/aicost top teams|features|models|customers [period]: who spends most',
          '/aicost feature <slug> [period]: the iceberg of one feature: API vs hidden costs, cost per work item, savings',
          '/aicost iceberg [team] [period]: visible vs hidden cost as a chart',
          '/aicost add: enter a hidden cost (a form), or in one line: add <amount> <category> once [YYYY-MM-DD] | monthly [YYYY-MM] <team|feature|shared> ["note"], or add <amount> <category> per-item <feature> ["note"]',
          '/aicost hidden [team|feature]: list hidden costs; hidden edit <#> / hidden delete <#>',
          '/aicost budget: budgets, month to date, forecast; budget set <team> <amount> [YYYY-MM|monthly] (finance)',
          '/aicost request <amount> [team] <reason>: ask finance for more budget (team leads)',
          '/aicost sync: the cost sources and their last sync; sync now (finance)',
          '/aicost anomalies [team]: recent spend anomalies and their feedback',
          '/aicost chargeback [YYYY-MM]: the monthly chargeback (finance sees every team)',
          '/aicost reconcile [period]: what OpenAI and Anthropic billed vs what was observed, and the unobserved rest',
          'Add "share" at the end to post the answer in the channel instead of only to you.',
          `Periods: ${PERIOD_EXAMPLES.join(', ')} (calendar months in ${timeZone}).`,
        ],
        tables: [],
        notes: [`Examples: ${HELP_EXAMPLES.join('  |  ')}`],
      };
  }
}

/** Plain text for the terminal (`aicost ask`) and for Slack's notification fallback. */
export function replyText(reply: Reply, timeZone: string): string {
  const p = replyParts(reply, timeZone);
  const out = [p.title, '', ...p.summary];
  for (const t of p.tables) out.push('', t.caption, t.table);
  if (reply.kind === 'spend' && reply.daily.length) {
    out.push('', 'Daily spend', alignTable(['day', 'spend'], reply.daily.map((d) => [d.day, formatMoney(d.amount)]), [false, true]));
  }
  if (p.notes.length) out.push('', ...p.notes);
  return out.join('\n');
}
