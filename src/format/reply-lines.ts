import { footCents } from '../domain/footing.ts';
import { formatMoney, ratio, roundToCents, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { isUnobservedCategory } from '../domain/reconciliation.ts';
import { costFigure, roundCentsPreservingTotal } from '../domain/rounding.ts';
import { unobservedText } from './unobserved.ts';
import { PERIOD_EXAMPLES } from '../domain/periods.ts';
import type { Reply, ReplyParts } from './reply.ts';
import type { Comparison, RankedRow, SpendReport, TopReport } from '../services/reports.ts';
import { HELP_EXAMPLES, helpLines } from '../commands/registry.ts';
import { ADMIN_USAGE } from '../services/admin-service.ts';
import { alignTable, humanLabel, percent } from './table.ts';

export type { ReplyParts };

/** A change in money with its direction: "+$12.00 ▲", "-$3.50 ▼", "$0.00". */
export function changeText(d: Money): string {
  return d > 0n ? `+${formatMoney(d)} ▲` : d < 0n ? `${formatMoney(d)} ▼` : formatMoney(d);
}

function changePercent(now: Money, before: Money): string {
  if (before === 0n) return now === 0n ? '' : ' (new)';
  const p = ratio(sub(now, before), before) * 100;
  return ` (${p >= 0 ? '+' : ''}${p.toFixed(Math.abs(p) >= 10 ? 0 : 1)}%)`;
}

/** "vs Oct 1–20, 2026: ▲ +$120.00 (+12%)" for the summary of a period view; `shown`: the figures displayed. */
export function comparisonLine(current: Money, previous: Comparison | undefined, shown?: { now: Money; before: Money }): string | null {
  if (!previous) return null;
  const { now, before } = shown ?? { now: roundToCents(current), before: roundToCents(previous.total) };
  return `Change vs ${previous.label} (${formatMoney(before)}): ${changeText(sub(now, before))}${changePercent(current, previous.total)}`;
}

interface RankedFigures {
  rows: { label: string; amount: Money; before: Money; share: string; count: string }[];
  /** The amounts shown, row by row (the rows, then "Other" when there is one). */
  now: Money[];
  before: Money[];
  /** What the rows add up to as shown. */
  total: Money;
  totalBefore: Money;
}

/**
 * A ranking's amounts as displayed, computed once for the table, the movers and the summary (issue 21).
 * Rows that are teams are figures in their own right: each is its exact amount rounded once (the same
 * cents as /aicost team, the chargeback and App Home), and the total is their sum. Rows below one
 * figure (the features of a team) foot to it by largest remainder: to `target` when given (the total
 * the scope shows elsewhere in the same answer), else to the exact total rounded.
 */
export function rankedFigures(
  rows: RankedRow[],
  total: Money | undefined,
  previous: Comparison | undefined,
  opts: { teamRows?: boolean; target?: { now: Money; before: Money } } = {},
): RankedFigures {
  const all = rows.map((r) => ({
    label: r.label,
    amount: r.amount,
    before: r.previous ?? ZERO,
    share: percent(r.share),
    count: r.count.toLocaleString('en-US'),
  }));
  if (total !== undefined) {
    const rest = sub(total, sum(rows.map((r) => r.amount)));
    const restBefore = previous ? sub(previous.total, sum(all.map((r) => r.before))) : ZERO;
    if (rest !== 0n || restBefore !== 0n) all.push({ label: 'Other', amount: rest, before: restBefore, share: percent(ratio(rest, total)), count: '' });
  }
  // Team rows: each team's own figure (the same cents as /aicost team); the row that folds others
  // ("other teams", or "Other" beyond the top rows) is what remains of the organisation's figure by team,
  // so the total is the same cents for every reader (`TeamFigures`).
  let rest = -1;
  all.forEach((_, i) => {
    if (i >= rows.length || rows[i]!.folded) rest = i;
  });
  const round = (xs: Money[], target: Money | undefined) => {
    if (!opts.teamRows) return target !== undefined ? footCents(xs, target).parts : roundCentsPreservingTotal(xs);
    const own = xs.map(roundToCents);
    if (target === undefined || rest < 0) return own;
    own[rest] = sub(target, sum(own.filter((_, i) => i !== rest)));
    return own;
  };
  const now = round(
    all.map((r) => r.amount),
    opts.target?.now,
  );
  const before = round(
    all.map((r) => r.before),
    opts.target?.before,
  );
  return { rows: all, now, before, total: sum(now), totalBefore: sum(before) };
}

/**
 * A ranking of API spend. With `total`, rows not shown are summed into "Other" and a "Total" row
 * closes the table; amounts are the ones of `rankedFigures`, so the column foots to the total shown.
 * With `previous`, a change column (this period's shown amount − the previous comparable period's,
 * rounded the same way, so it foots too).
 */
export function rankedTable(first: string, f: RankedFigures, withTotal: boolean, withCount = true, previous?: Comparison): string {
  const header = [first, 'API spend', 'share', ...(withCount ? ['calls'] : []), ...(previous ? ['change'] : [])];
  const body = f.rows.map((r, i) => [
    r.label,
    formatMoney(f.now[i]!),
    r.share,
    ...(withCount ? [r.count] : []),
    ...(previous ? [changeText(sub(f.now[i]!, f.before[i]!))] : []),
  ]);
  if (withTotal && f.rows.length > 1) {
    body.push(['Total', formatMoney(f.total), '100%', ...(withCount ? [''] : []), ...(previous ? [changeText(sub(f.total, f.totalBefore))] : [])]);
  }
  return alignTable(header, body, [false, true, true, true, true]);
}

/** The rows that moved most against the previous comparable period (largest absolute change first), as the table shows them. */
export function topMovers(rows: RankedRow[], f: RankedFigures, n = 3): string | null {
  const moved = rows
    .map((r, i) => ({ r, d: sub(f.now[i]!, f.before[i]!) }))
    .filter(({ r, d }) => r.previous !== undefined && d !== 0n)
    .sort((a, b) => {
      const x = a.d < 0n ? -a.d : a.d;
      const y = b.d < 0n ? -b.d : b.d;
      return x === y ? 0 : x > y ? -1 : 1;
    })
    .slice(0, n);
  return moved.length ? `Top movers: ${moved.map(({ r, d }) => `${r.label} ${changeText(d)}${changePercent(r.amount, r.previous!)}`).join(', ')}` : null;
}

function spendParts(r: SpendReport, timeZone: string): ReplyParts {
  const hiddenTotal = sum(r.hidden.values());
  const summary: string[] = [];
  // The API spend shown: with a table by team, the sum of the teams' figures (each the same cents as
  // /aicost team shows); otherwise the scope's exact API spend rounded once. Every table and line of
  // this answer reads these figures.
  const teamFigures = r.teams.length
    ? rankedFigures(r.teams, r.total, r.previous, { teamRows: true, ...(r.teamFigures ? { target: r.teamFigures } : {}) })
    : null;
  const shown = teamFigures
    ? { now: teamFigures.total, before: teamFigures.totalBefore }
    : { now: roundToCents(r.total), before: roundToCents(r.previous?.total ?? ZERO) };
  const featureFigures = r.topFeatures.length ? rankedFigures(r.topFeatures, r.total, r.previous, { target: shown }) : null;
  if (hiddenTotal !== 0n || r.allocated !== 0n || (r.unallocated ?? 0n) !== 0n) {
    // The view is about cost: lead with the true cost, its parts footing to it.
    const hidden = [...r.hidden].sort((a, b) => (a[1] > b[1] ? -1 : 1));
    const unallocated = r.unallocated ?? ZERO;
    const f = costFigure([r.total, hiddenTotal, r.allocated, unallocated], { first: shown.now });
    const [api, hiddenShown, allocated, rest] = f.parts as [Money, Money, Money, Money];
    const byCategory = footCents(
      hidden.map(([, a]) => a),
      hiddenShown,
    ).parts;
    // Unobserved bill spend is named as such ("unobserved (OpenAI bill)"), never counted as "hidden".
    const entered = hidden.flatMap(([c], i) => (isUnobservedCategory(c) ? [] : [[c, byCategory[i]!] as const]));
    const unseen = hidden.flatMap(([c], i) => (isUnobservedCategory(c) ? [[c, byCategory[i]!] as [string, Money]] : []));
    const parts = entered.map(([c, a]) => `${humanLabel(c)} ${formatMoney(a)}`);
    summary.push(
      `True cost: ${formatMoney(f.total)} = API spend ${formatMoney(api)}${entered.length || !unseen.length ? ` + hidden ${formatMoney(sum(entered.map(([, a]) => a)))}${parts.length ? ` (${parts.join(', ')})` : ''}` : ''}${unobservedText(unseen)} + allocated shared ${formatMoney(allocated)}${unallocated !== 0n ? ` + unallocated shared ${formatMoney(rest)}` : ''}`,
    );
    summary.push(`API spend: ${formatMoney(api)} across ${r.count.toLocaleString('en-US')} calls (${percent(ratio(r.total, r.trueTotal))} of the true cost)`);
  } else summary.push(`API spend: ${formatMoney(shown.now)} across ${r.count.toLocaleString('en-US')} calls (no hidden or shared costs entered)`);
  if (r.unattributed !== null && r.coverage !== null) {
    summary.push(`Attributed to a team: ${percent(r.coverage)} (unattributed ${formatMoney(r.unattributed)})`);
  }
  const tables: ReplyParts['tables'] = [];
  if (teamFigures) tables.push({ caption: 'API spend by team', table: rankedTable('team', teamFigures, true, true, r.previous) });
  if (featureFigures) tables.push({ caption: 'API spend by feature', table: rankedTable('feature', featureFigures, true, true, r.previous) });
  const vs = comparisonLine(r.total, r.previous, shown);
  if (vs) summary.push(`API spend ${vs.charAt(0).toLowerCase()}${vs.slice(1)}`);
  const movers = teamFigures ? topMovers(r.teams, teamFigures) : featureFigures ? topMovers(r.topFeatures, featureFigures) : null;
  if (movers) summary.push(movers);
  return { title: `${r.title} · ${r.period.label}`, summary, tables, notes: commonNotes(r, timeZone) };
}

function topParts(r: TopReport, timeZone: string): ReplyParts {
  const singular = r.dimension.replace(/s$/, '');
  const figures = rankedFigures(r.rows, r.total, r.previous, { teamRows: r.dimension === 'teams', ...(r.teamFigures ? { target: r.teamFigures } : {}) });
  const shown = r.rows.length ? { now: figures.total, before: figures.totalBefore } : undefined;
  const summary = [
    `API spend: ${formatMoney(shown?.now ?? r.total)} (what the sources billed; /aicost budget and /aicost chargeback show the true cost)`,
    `Attributed to a team: ${percent(r.coverage)} (unattributed ${formatMoney(r.unattributed)})`,
  ];
  const vs = comparisonLine(r.total, r.previous, shown);
  if (vs) summary.push(vs);
  const movers = topMovers(r.rows, figures);
  if (movers) summary.push(movers);
  const tables = r.rows.length ? [{ caption: `Top ${r.dimension} by API spend`, table: rankedTable(singular, figures, true, true, r.previous) }] : [];
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

const retargetHelp = (text: string, team: string) => text.replace(/\bpayments\b/g, team);

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
        // Said once: the problem may already say "did not understand".
        title: /did not understand/i.test(reply.problem) ? 'Not understood' : 'Sorry, I did not understand that',
        summary: [reply.problem],
        tables: [],
        // One note on two lines: as two context elements Slack ran them together on one line.
        notes: [`Try: ${reply.examples.join('  |  ')}\nType /aicost help for everything I can do.`],
      };
    case 'help': {
      const team = reply.team ?? 'support';
      // Built from the verbs' own help (src/commands/registry.ts), as the README's table is.
      const line = (h: { usage: string; about: string }) => `${h.usage}: ${retargetHelp(h.about, team)}`;
      const summary = [
        ...helpLines(false).map(line),
        'Add "share" at the end to post the answer in the channel instead of only to you.',
        `Periods: ${PERIOD_EXAMPLES.join(', ')} (calendar months in ${timeZone}).`,
      ];
      if (reply.finance)
        summary.push(
          'For finance:',
          ...helpLines(true)
            .filter((h) => !h.usage.startsWith('/aicost admin'))
            .map(line),
          ...ADMIN_USAGE,
        );
      return {
        title: 'aicost: what your AI really costs',
        summary,
        tables: [],
        notes: [`Examples: ${HELP_EXAMPLES.map((e) => e.replace(/\bpayments\b/g, team)).join('  |  ')}`],
      };
    }
  }
}

/** Plain text for the terminal (`aicost ask`) and for Slack's notification fallback. */
export function replyText(reply: Reply, timeZone: string): string {
  const p = replyParts(reply, timeZone);
  const out = [p.title, '', ...p.summary];
  for (const t of p.tables) out.push('', t.caption, t.table);
  if (reply.kind === 'spend' && reply.daily.length) {
    out.push(
      '',
      'Daily API spend',
      alignTable(
        ['day', 'API spend'],
        reply.daily.map((d) => [d.day, formatMoney(d.amount)]),
        [false, true],
      ),
    );
  }
  if (p.notes.length) out.push('', ...p.notes);
  return out.join('\n');
}
