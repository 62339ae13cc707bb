import type { HiddenCostListing } from '../services/ports/hidden-costs.ts';
import type { TeamRecord } from '../services/ports/teams.ts';
import { describeRule } from '../domain/allocation.ts';
import { add, formatMoney, ratio, roundToCents, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { costFigure, costTable } from '../domain/rounding.ts';
import type { BudgetRow, MonthReview } from '../services/budget-service.ts';
import type { FeatureIceberg, TeamIceberg } from '../services/iceberg.ts';
import type { ReplyParts } from './reply-lines.ts';
import { alignTable, gridTable, humanLabel, percent, personLabel } from './table.ts';
import { splitHidden } from './unobserved.ts';

/** Words and tables for budgets, the iceberg and hidden-cost listings (Slack and terminal alike). */

export function budgetParts(rows: BudgetRow[], monthLabel: string, timeZone: string): ReplyParts {
  // The true cost of each team is its one figure (`costTable`: the same cents as App Home, the
  // chargeback and the alerts), its parts foot to it; "month to date" in the first table is that figure.
  // Unobserved bill spend gets its own column per provider ("unobserved (OpenAI bill)"), out of "hidden".
  const splits = rows.map((r) => splitHidden(r.cost.hidden ?? new Map(), r.cost.hiddenTotal));
  const unseen = [...new Set(splits.flatMap((x) => x.unobserved.map(([c]) => c)))].sort();
  const grid = costTable(
    rows.map((r, i) => [r.cost.direct, splits[i]!.entered, ...unseen.map((c) => splits[i]!.unobserved.find(([k]) => k === c)?.[1] ?? ZERO), r.cost.allocated]),
  );
  const table = alignTable(
    ['team', 'budget', 'true cost', 'used', 'forecast', 'status'],
    rows.map((r, i) => [
      r.team.slug,
      r.status.budget === null ? '-' : formatMoney(r.status.budget),
      formatMoney(grid.rowTotals[i]!),
      r.status.percentUsed === null ? '-' : `${Math.floor(r.status.percentUsed)}%`,
      r.forecast.reliable ? formatMoney(r.forecast.projectedTotal) : 'too early',
      r.status.status.replace('_', ' '),
    ]),
    [false, true, true, true, true, false],
  );
  const splitRows = rows.map((r, i) => [r.team.slug, ...grid.cells[i]!.map(formatMoney), formatMoney(grid.rowTotals[i]!)]);
  if (rows.length > 1) splitRows.push(['Total', ...grid.columnTotals.map(formatMoney), formatMoney(grid.total)]);
  const split = alignTable(['team', 'API spend', 'hidden', ...unseen, 'shared', 'true cost'], splitRows, [
    false,
    true,
    true,
    ...unseen.map(() => true),
    true,
    true,
  ]);
  return {
    title: `Budgets · ${monthLabel}`,
    summary: [
      `Budgets count the true cost: API spend + hidden costs${unseen.length ? ' + API spend the providers billed that no source observed (unobserved)' : ''} + allocated shared costs.`,
    ],
    tables: rows.length
      ? [
          { caption: 'Budget, true cost to date and forecast', table },
          { caption: 'What the true cost is made of', table: split },
        ]
      : [],
    notes: [
      rows.length
        ? `Months are calendar months in ${timeZone}. Finance sets budgets with /aicost budget set <team> <amount> [YYYY-MM|monthly].`
        : 'No teams yet.',
    ],
  };
}

/** `/aicost budget [team] <month>`: budget and its parts, true cost, variance, and the month's requests. */
export function budgetMonthParts(r: MonthReview, timeZone: string): ReplyParts {
  const grid = costTable(r.teams.map((t) => [t.cost.direct, t.cost.hiddenTotal, t.cost.allocated]));
  const rows = r.teams.map((t, i) => {
    const cost = grid.rowTotals[i]!;
    const budget = t.budget === null ? null : roundToCents(t.budget);
    return [
      t.team.slug,
      budget === null ? '-' : formatMoney(budget),
      formatMoney(cost),
      budget === null ? '-' : formatMoney(sub(cost, budget)),
      budget === null || budget === 0n ? '-' : `${Math.floor(ratio(cost, budget) * 100)}%`,
    ];
  });
  const parts = r.teams
    .filter((t) => t.budget !== null)
    .map((t) => {
      const base =
        t.own !== null
          ? `${formatMoney(t.own)} set for ${r.month}${t.standing !== null ? ` (instead of the standing ${formatMoney(t.standing)})` : ''}`
          : t.standing !== null
            ? `standing ${formatMoney(t.standing)} a month`
            : 'no base budget';
      return `${t.team.slug}: ${base}${t.approved !== 0n ? ` + approved increases ${formatMoney(t.approved)}` : ''} = ${formatMoney(t.budget!)}`;
    });
  const teamSlug = (id: number) => r.teams.find((t) => t.team.id === id)?.team.slug ?? `team ${id}`;
  const requests = r.requests.map((q) => {
    const asked = `#${q.id} ${teamSlug(q.teamId)} asked ${formatMoney(q.amount)} on ${q.createdAt.toISOString().slice(0, 10)} (${q.automatic ? 'automatic' : personLabel(q.requestedBy)}: ${q.reason.slice(0, 80)})`;
    const decided =
      q.status === 'pending'
        ? 'pending'
        : `${q.status}${q.status === 'approved' ? ` ${formatMoney(q.decidedAmount ?? ZERO)}` : ''} by ${personLabel(q.decidedBy ?? '')}${q.decidedAt ? ` on ${q.decidedAt.toISOString().slice(0, 10)}` : ''}${q.decisionReason ? `: ${q.decisionReason.slice(0, 80)}` : ''}`;
    return `${asked} → ${decided}`;
  });
  return {
    title: `Budgets · ${r.label}${r.teams.length === 1 ? ` · ${r.teams[0]!.team.name}` : ''}`,
    summary: [
      r.running ? `True cost to ${r.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC (the month is still running).` : 'True cost of the whole month.',
      'Over budget = true cost − budget: positive is over, negative is what was left.',
    ],
    tables: r.teams.length
      ? [
          {
            caption: 'Budget against true cost',
            table: alignTable(['team', 'budget', 'true cost', 'over budget', 'used'], rows, [false, true, true, true, true]),
          },
        ]
      : [],
    notes: [
      ...(parts.length ? [`Budgets: ${parts.join(' · ')}`] : ['No budget was set for this month.']),
      requests.length ? `Requests: ${requests.join(' · ')}` : 'No budget requests this month.',
      `Months are calendar months in ${timeZone}.`,
    ],
  };
}

/** Rows of an iceberg (label, exact amount) as displayed (`icebergSlices`), and the true cost they add up to. */
function icebergTable(parts: { label: string; amount: Money }[], total: Money): string {
  const rounded = icebergSlices(parts).map((p) => p.amount);
  const rows = parts.map((p, i) => [p.label, formatMoney(rounded[i]!), percent(ratio(p.amount, total))]);
  rows.push(['True cost', formatMoney(sum(rounded)), '100%']);
  return alignTable(['cost', 'amount', 'share'], rows, [false, true, true]);
}

/**
 * The parts of an iceberg as displayed, for the table and the chart alike: the true cost and the API
 * spend (the first part) are figures (each rounded once, the same cents as every other surface), the
 * other parts foot to them (`costFigure`).
 */
export function icebergSlices(parts: { label: string; amount: Money }[]): { label: string; amount: Money }[] {
  const rounded = costFigure(parts.map((p) => p.amount)).parts;
  return parts.map((p, i) => ({ label: p.label, amount: rounded[i]! }));
}

export function featureIcebergSlices(e: FeatureIceberg['economics']): { label: string; amount: Money }[] {
  return [
    { label: 'API spend', amount: e.direct },
    ...e.byCategory.map((c) => ({ label: humanLabel(c.category), amount: c.amount })),
    { label: 'Shared (allocated)', amount: e.allocated },
  ];
}

export function teamIcebergSlices(t: TeamIceberg): { label: string; amount: Money }[] {
  const parts = [
    { label: 'API spend', amount: t.direct },
    ...[...t.hidden].sort((x, y) => (x[1] > y[1] ? -1 : 1)).map(([c, a]) => ({ label: humanLabel(c), amount: a })),
    { label: 'Shared (allocated)', amount: t.allocated },
  ];
  if (t.unallocated !== null && t.unallocated !== 0n) parts.push({ label: 'Shared (unallocated)', amount: t.unallocated });
  return parts;
}

export function featureIcebergParts(f: FeatureIceberg): ReplyParts {
  const e = f.economics;
  const slices = icebergSlices(featureIcebergSlices(e));
  const summary = [
    `True cost: ${formatMoney(sum(slices.map((x) => x.amount)))}; the API spend is ${percent(ratio(e.direct, e.total))} of it (hidden share ${percent(e.hiddenShare ?? 0)}).`,
    `Work items: ${e.workItems.toLocaleString('en-US')} · requests: ${f.requests.toLocaleString('en-US')} · true cost per work item: ${e.costPerWorkItem === null ? 'n/a (no work items)' : formatMoney(e.costPerWorkItem)}`,
  ];
  if (e.baselinePerUnit !== null && e.baselineTotal !== null && e.savings !== null) {
    summary.push(
      `Human baseline ${formatMoney(e.baselinePerUnit)} per item → ${formatMoney(e.baselineTotal)}; savings ${formatMoney(e.savings)}${e.roi !== null ? ` (ROI ${percent(e.roi)})` : ''}.`,
    );
  }
  return {
    title: `Feature ${f.slug}${f.teamSlug ? ` (${f.teamSlug})` : ''} · ${f.period.label}`,
    summary,
    tables: [{ caption: 'The iceberg: what the true cost is made of', table: icebergTable(featureIcebergSlices(e), e.total) }],
    notes: ['Shared costs reach a feature through its team, in proportion to the team features\u2019 API spend.'],
  };
}

export function teamIcebergParts(t: TeamIceberg): ReplyParts {
  const parts = teamIcebergSlices(t);
  const slices = icebergSlices(parts);
  const at = (label: string) => slices.find((x) => x.label === label)?.amount ?? ZERO;
  const unseen = slices.filter((x) => x.label.startsWith('Unobserved ('));
  const hidden = sum(
    slices.filter((x) => !['API spend', 'Shared (allocated)', 'Shared (unallocated)'].includes(x.label) && !unseen.includes(x)).map((x) => x.amount),
  );
  const summary = [
    `True cost ${formatMoney(sum(slices.map((x) => x.amount)))}: API spend ${formatMoney(at('API spend'))}, hidden ${formatMoney(hidden)}${unseen.map((x) => `, ${x.label.charAt(0).toLowerCase()}${x.label.slice(1)} ${formatMoney(x.amount)}`).join('')}, shared ${formatMoney(add(at('Shared (allocated)'), at('Shared (unallocated)')))}.`,
  ];
  if (t.unattributed !== null && t.unattributed !== 0n)
    summary.push(`The API spend includes ${formatMoney(t.unattributed)} that no team tag claims (unattributed).`);
  return {
    title: `Iceberg · ${t.title} · ${t.period.label}`,
    summary,
    tables: [{ caption: 'Visible vs hidden', table: icebergTable(parts, t.total) }],
    notes: [],
  };
}

function describeEntry(e: HiddenCostListing, teams: TeamRecord[], features: { id: number; slug: string }[]): { target: string; when: string } {
  const teamName = (id: number) => teams.find((t) => t.id === id)?.slug ?? `team ${id}`;
  const t = e.target;
  const target =
    t.type === 'team'
      ? teamName(t.teamId)
      : t.type === 'feature'
        ? (features.find((f) => f.id === t.featureId)?.slug ?? `feature ${t.featureId}`)
        : `shared (${describeRule(t.rule, teamName)})`;
  const when =
    e.kind === 'one_off'
      ? `once ${e.date}`
      : e.kind === 'monthly'
        ? `monthly from ${e.fromMonth}${e.untilMonth ? ` to ${e.untilMonth}` : ''}`
        : `per ${e.unit === 'request' ? 'request' : 'work item'}${e.fromMonth ? ` from ${e.fromMonth}` : ''}`;
  return { target, when };
}

export function hiddenListParts(entries: HiddenCostListing[], teams: TeamRecord[], features: { id: number; slug: string }[], scope: string | null): ReplyParts {
  const rows = entries.map((e) => {
    const d = describeEntry(e, teams, features);
    // Narrow rows (≈60 characters): who added it and the note go on a second, indented line.
    return [`#${e.id}`, humanLabel(e.category), formatMoney(e.amount), d.when, d.target];
  });
  const details = entries.map((e) => `#${e.id} ${personLabel(e.author)}, ${e.createdAt.toISOString().slice(0, 10)}${e.note ? `: ${e.note.slice(0, 60)}` : ''}`);
  return {
    title: `Hidden costs${scope ? ` · ${scope}` : ''}`,
    summary: [entries.length ? `${entries.length} active entr${entries.length === 1 ? 'y' : 'ies'}.` : 'No hidden costs entered yet.'],
    tables: rows.length ? [gridTable('Entries', ['#', 'category', 'amount', 'when', 'target'], rows, [false, false, true])] : [],
    notes: [
      ...(details.length ? [`Added by: ${details.join(' · ')}`] : []),
      'Add: /aicost add (a form) or /aicost add 2800 vector_db monthly shared "Pinecone". Change: /aicost hidden edit <#> · /aicost hidden delete <#>.',
    ],
  };
}
