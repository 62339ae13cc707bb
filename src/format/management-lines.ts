import type { HiddenCostListing } from '../services/ports/hidden-costs.ts';
import type { TeamRecord } from '../services/ports/teams.ts';
import { describeRule } from '../domain/allocation.ts';
import { formatMoney, ratio, type Money } from '../domain/money.ts';
import type { BudgetRow } from '../services/budget-service.ts';
import type { FeatureIceberg, TeamIceberg } from '../services/iceberg.ts';
import type { ReplyParts } from './reply-lines.ts';
import { alignTable, percent } from './table.ts';

/** Words and tables for budgets, the iceberg and hidden-cost listings (Slack and terminal alike). */

export function budgetParts(rows: BudgetRow[], monthLabel: string, timeZone: string): ReplyParts {
  const table = alignTable(
    ['team', 'budget', 'month to date', 'used', 'forecast', 'status'],
    rows.map((r) => [
      r.team.slug,
      r.status.budget === null ? '-' : formatMoney(r.status.budget),
      formatMoney(r.status.spent),
      r.status.percentUsed === null ? '-' : `${Math.floor(r.status.percentUsed)}%`,
      r.forecast.reliable ? formatMoney(r.forecast.projectedTotal) : 'not yet reliable',
      r.status.status.replace('_', ' '),
    ]),
    [false, true, true, true, true, false],
  );
  const split = alignTable(
    ['team', 'direct API', 'hidden', 'allocated', 'total'],
    rows.map((r) => [r.team.slug, formatMoney(r.cost.direct), formatMoney(r.cost.hiddenTotal), formatMoney(r.cost.allocated), formatMoney(r.cost.total)]),
    [false, true, true, true, true],
  );
  return {
    title: `Budgets · ${monthLabel}`,
    summary: ['Budgets count the true cost: direct API spend + hidden costs + allocated shared costs.'],
    tables: rows.length ? [{ caption: 'Budget, spend and forecast', table }, { caption: 'What the spend is made of', table: split }] : [],
    notes: [rows.length ? `Months are calendar months in ${timeZone}. Finance sets budgets with /aicost budget set <team> <amount> [YYYY-MM|monthly].` : 'No teams yet.'],
  };
}

export function featureIcebergParts(f: FeatureIceberg): ReplyParts {
  const e = f.economics;
  const rows: string[][] = [['API (direct)', formatMoney(e.direct), percent(ratio(e.direct, e.total))]];
  for (const c of e.byCategory) rows.push([`${c.category} (hidden)`, formatMoney(c.amount), percent(ratio(c.amount, e.total))]);
  rows.push(['shared (allocated)', formatMoney(e.allocated), percent(ratio(e.allocated, e.total))]);
  rows.push(['total', formatMoney(e.total), '100%']);
  const summary = [
    `True cost: ${formatMoney(e.total)}; the API bill is ${percent(ratio(e.direct, e.total))} of it (hidden share ${percent(e.hiddenShare ?? 0)}).`,
    `Work items: ${e.workItems.toLocaleString('en-US')} · requests: ${f.requests.toLocaleString('en-US')} · cost per work item: ${e.costPerWorkItem === null ? 'n/a (no work items)' : formatMoney(e.costPerWorkItem)}`,
  ];
  if (e.baselinePerUnit !== null && e.baselineTotal !== null && e.savings !== null) {
    summary.push(
      `Human baseline ${formatMoney(e.baselinePerUnit)} per item → ${formatMoney(e.baselineTotal)}; savings ${formatMoney(e.savings)}${e.roi !== null ? ` (ROI ${percent(e.roi)})` : ''}.`,
    );
  }
  return {
    title: `Feature ${f.slug}${f.teamSlug ? ` (${f.teamSlug})` : ''} · ${f.period.label}`,
    summary,
    tables: [{ caption: 'The iceberg', table: alignTable(['cost', 'amount', 'share'], rows, [false, true, true]) }],
    notes: ['Shared costs reach a feature through its team, in proportion to the team features\u2019 direct API spend.'],
  };
}

export function teamIcebergParts(t: TeamIceberg): ReplyParts {
  const hiddenTotal = [...t.hidden.values()].reduce((a, b) => a + b, 0n) as Money;
  const rows: string[][] = [['API (direct)', formatMoney(t.direct), percent(ratio(t.direct, t.total))]];
  for (const [c, a] of [...t.hidden].sort((x, y) => (x[1] > y[1] ? -1 : 1))) rows.push([`${c} (hidden)`, formatMoney(a), percent(ratio(a, t.total))]);
  rows.push(['shared (allocated)', formatMoney(t.allocated), percent(ratio(t.allocated, t.total))]);
  if (t.unattributed !== null) rows.push(['unattributed API', '(in API)', percent(ratio(t.unattributed, t.total))]);
  if (t.unallocated !== null) rows.push(['unallocated shared', formatMoney(t.unallocated), percent(ratio(t.unallocated, t.total))]);
  rows.push(['total', formatMoney(t.total), '100%']);
  return {
    title: `Iceberg · ${t.title} · ${t.period.label}`,
    summary: [`True cost ${formatMoney(t.total)}: API ${formatMoney(t.direct)}, hidden ${formatMoney(hiddenTotal)}, allocated ${formatMoney(t.allocated)}.`],
    tables: [{ caption: 'Visible vs hidden', table: alignTable(['cost', 'amount', 'share'], rows, [false, true, true]) }],
    notes: [],
  };
}

function describeEntry(e: HiddenCostListing, teams: TeamRecord[], features: { id: number; slug: string }[]): { target: string; when: string } {
  const teamName = (id: number) => teams.find((t) => t.id === id)?.slug ?? `team ${id}`;
  const t = e.target;
  const target = t.type === 'team' ? teamName(t.teamId) : t.type === 'feature' ? (features.find((f) => f.id === t.featureId)?.slug ?? `feature ${t.featureId}`) : `shared (${describeRule(t.rule, teamName)})`;
  const when =
    e.kind === 'one_off' ? `once ${e.date}` : e.kind === 'monthly' ? `monthly from ${e.fromMonth}${e.untilMonth ? ` to ${e.untilMonth}` : ''}` : `per ${e.unit === 'request' ? 'request' : 'work item'}${e.fromMonth ? ` from ${e.fromMonth}` : ''}`;
  return { target, when };
}

export function hiddenListParts(entries: HiddenCostListing[], teams: TeamRecord[], features: { id: number; slug: string }[], scope: string | null): ReplyParts {
  const rows = entries.map((e) => {
    const d = describeEntry(e, teams, features);
    return [`#${e.id}`, e.category, formatMoney(e.amount), d.when, d.target, e.author, e.createdAt.toISOString().slice(0, 10), (e.note ?? '').slice(0, 40)];
  });
  return {
    title: `Hidden costs${scope ? ` · ${scope}` : ''}`,
    summary: [entries.length ? `${entries.length} active entr${entries.length === 1 ? 'y' : 'ies'}.` : 'No hidden costs entered yet.'],
    tables: rows.length ? [{ caption: 'Entries', table: alignTable(['#', 'category', 'amount', 'when', 'target', 'author', 'added', 'note'], rows, [false, false, true]) }] : [],
    notes: ['Add: /aicost add (a form) or /aicost add 2800 vector_db monthly shared "Pinecone". Change: /aicost hidden edit <#> · /aicost hidden delete <#>.'],
  };
}
