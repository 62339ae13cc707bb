import { TIERS, type MarginRow, type Tier } from '../domain/margin.ts';
import { formatMoney, nanos, sum, type Money } from '../domain/money.ts';
import type { CustomerReport, MarginReport } from '../services/margin-service.ts';
import type { ImportResult, AliasResult } from '../services/revenue-service.ts';
import type { SavingCandidate, WhatIfResult } from '../services/whatif-service.ts';
import type { ReplyParts } from './reply-lines.ts';
import { alignTable, gridTable, percent, type TablePart } from './table.ts';
import { failureText } from './failure-text.ts';

/** Words and tables for revenue, margin, customer and what-if answers (Slack and terminal alike). */
export const MARGIN_RULE =
  "AI cost to serve = the customer's own API spend + a share of its team's hidden and shared costs in proportion to the customer's API spend within that team, month by month.";
export const WHATIF_CAVEAT = 'This prices the same tokens on another model; it says nothing about whether that model would do the job as well.';
const TABLE_ROWS = 20;
const NO_REVENUE_PLAN = '(no revenue)';

const share = (s: number | null) => (s === null ? '-' : percent(s));
const tierText = (t: Tier | null) => (t === null ? '-' : t);
export const tierLine = () =>
  `Benchmarks for AI cost as a share of revenue (the tier column): ${TIERS.map((t) => `${t.tier}: ${t.label.split(': ')[0]}`).join('; ')}.`;

/** About 76 characters wide: a table block in Slack (`gridTable`), monospace in the terminal. */
function customerTable(rows: MarginRow[]): TablePart {
  const shown = rows.slice(0, TABLE_ROWS);
  const rest = rows.slice(TABLE_ROWS);
  const body = shown.map((r) => [
    r.customer,
    r.plan,
    r.revenue === null ? '-' : formatMoney(r.revenue),
    formatMoney(r.cost),
    formatMoney(r.margin),
    share(r.costShare),
    tierText(r.tier),
  ]);
  if (rest.length) {
    const sum = (f: (r: MarginRow) => Money | null) => nanos(rest.reduce((s, r) => s + (f(r) ?? 0n), 0n));
    body.push([`(${rest.length} more)`, '', formatMoney(sum((r) => r.revenue)), formatMoney(sum((r) => r.cost)), formatMoney(sum((r) => r.margin)), '', '']);
  }
  return gridTable('By customer (losses first)', ['customer', 'plan', 'revenue', 'AI cost', 'margin', 'cost %', 'tier'], body, [
    false,
    false,
    true,
    true,
    true,
    true,
    false,
  ]);
}

function noRevenueTable(rows: MarginRow[]): string {
  const shown = rows.slice(0, TABLE_ROWS);
  const rest = rows.slice(TABLE_ROWS);
  const body = shown.map((r) => [r.customer, formatMoney(r.cost), formatMoney(r.direct), formatMoney(r.shared)]);
  if (rest.length)
    body.push([
      `(${rest.length} more)`,
      formatMoney(sum(rest.map((r) => r.cost))),
      formatMoney(sum(rest.map((r) => r.direct))),
      formatMoney(sum(rest.map((r) => r.shared))),
    ]);
  return alignTable(['customer', 'AI cost', 'API', 'hidden+shared'], body, [false, true, true, true]);
}

export function marginParts(r: MarginReport, timeZone: string): ReplyParts {
  const f = r.figures;
  const t = f.totals;
  // A loss is revenue below cost; a customer with no revenue imported is its own group, not a loss.
  const withRevenue = f.customers.filter((c) => c.revenue !== null);
  const noRevenue = f.customers.filter((c) => c.revenue === null);
  const losses = withRevenue.filter((c) => c.margin < 0n);
  const summary = [
    `Revenue ${formatMoney(t.revenue)} · AI cost to serve ${formatMoney(t.cost)} · margin after AI cost ${formatMoney(t.margin)}`,
    t.costShare === null
      ? 'No revenue imported for this period: import it with npx aicost import revenue FILE.csv.'
      : `AI cost is ${percent(t.costShare)} of revenue: ${TIERS.find((x) => x.tier === t.tier)?.label ?? ''}.`,
    losses.length
      ? `Served at a loss: ${losses.length} customer${losses.length === 1 ? '' : 's'} (${losses
          .slice(0, 10)
          .map((c) => c.customer)
          .join(', ')}${losses.length > 10 ? ', …' : ''}).`
      : 'No customer with revenue was served at a loss.',
  ];
  if (f.costNoRevenue.length)
    summary.push(
      `Cost with no revenue imported: ${f.costNoRevenue.length} customer${f.costNoRevenue.length === 1 ? '' : 's'} (${f.costNoRevenue.slice(0, 10).join(', ')}${f.costNoRevenue.length > 10 ? ', …' : ''}), ${formatMoney(sum(noRevenue.map((c) => c.cost)))}: not counted as losses.`,
    );
  if (f.revenueNoCost.length) summary.push(`Revenue but no AI cost: ${f.revenueNoCost.join(', ')}.`);
  if (f.notCarried !== 0n)
    summary.push(`AI cost no customer carries (calls without a customer id, internal use): ${formatMoney(f.notCarried)}; it is not in the figures above.`);
  const tables: ReplyParts['tables'] = [];
  if (withRevenue.length) tables.push(customerTable(withRevenue));
  if (noRevenue.length) tables.push({ caption: 'Cost with no revenue imported', table: noRevenueTable(noRevenue) });
  if (f.plans.length) {
    tables.push({
      caption: 'By plan',
      table: alignTable(
        ['plan', 'cust.', 'revenue', 'AI cost', 'margin', 'cost %'],
        f.plans.map((p) => [
          p.plan,
          String(p.customers),
          formatMoney(p.revenue),
          formatMoney(p.cost),
          p.plan === NO_REVENUE_PLAN ? '-' : formatMoney(p.margin),
          share(p.costShare),
        ]),
        [false, true, true, true, true, true],
      ),
    });
  }
  const notes = [MARGIN_RULE, tierLine(), 'Figures are rounded to the cent so that rows add up to the totals exactly.'];
  notes.push(r.running ? `Costs up to ${r.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC; months are in ${timeZone}.` : `Months are in ${timeZone}.`);
  return { title: `Margin · ${r.label}`, summary, tables, notes };
}

export function customerParts(r: CustomerReport, timeZone: string): ReplyParts {
  const row = r.row;
  const summary = row
    ? [
        `Revenue ${row.revenue === null ? 'none imported' : formatMoney(row.revenue)} · AI cost to serve ${formatMoney(row.cost)} (API ${formatMoney(row.direct)} + hidden and shared ${formatMoney(row.shared)}) · margin ${formatMoney(row.margin)}`,
        row.costShare === null
          ? 'No revenue for this period, so no cost share.'
          : `AI cost is ${percent(row.costShare)} of revenue: ${TIERS.find((x) => x.tier === row.tier)?.label ?? ''}.`,
      ]
    : ['No cost and no revenue in this period.'];
  if (row?.plan) summary.push(`Plan: ${row.plan}`);
  if (r.aliases.length) summary.push(`Also known as: ${r.aliases.join(', ')}`);
  const tables: ReplyParts['tables'] = [];
  if (r.breakdown.length) {
    tables.push({
      caption: 'API cost by feature and model',
      table: alignTable(
        ['feature', 'model', 'API cost', 'calls'],
        r.breakdown.map((b) => [b.feature, b.model, formatMoney(b.amount), b.calls.toLocaleString('en-US')]),
        [false, false, true, true],
      ),
    });
  }
  tables.push({
    caption: 'Trend',
    table: alignTable(
      ['month', 'revenue', 'AI cost', 'margin', 'cost %'],
      r.trend.map((t) => [t.month, t.revenue === null ? '-' : formatMoney(t.revenue), formatMoney(t.cost), formatMoney(t.margin), share(t.costShare)]),
      [false, true, true, true, true],
    ),
  });
  const notes = [MARGIN_RULE, tierLine()];
  if (r.unpricedCalls) notes.push(`${r.unpricedCalls.toLocaleString('en-US')} calls have no price (unknown model) and are not in these totals.`);
  notes.push(r.running ? `Costs up to ${r.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC; months are in ${timeZone}.` : `Months are in ${timeZone}.`);
  return { title: `Customer ${r.customer} · ${r.label}`, summary, tables, notes };
}

/** The recorded cost beside the list price of the same tokens, with the gap explained when it is large. */
function recordedGap(recorded: Money, list: Money): string {
  if (list <= 0n || recorded <= 0n) return '';
  const times = Number((recorded * 100n) / list) / 100;
  if (times >= 1.5)
    return `recorded cost ${formatMoney(recorded)} is ${times.toFixed(times >= 10 ? 0 : 1)}× the list price of these tokens: check the source's pricing`;
  if (times <= 0.67)
    return `recorded cost ${formatMoney(recorded)} is ${Math.round((1 - times) * 100)}% below the list price of these tokens (a discount, or the source's own pricing)`;
  return '';
}

const pctChange = (from: Money, to: Money) => {
  if (from === 0n) return '';
  const bp = Number(((to - from) * 10_000n) / from) / 100;
  return ` (${bp < 0 ? '−' : '+'}${Math.abs(bp).toFixed(1)}%)`;
};

export function whatIfParts(r: WhatIfResult, timeZone: string): ReplyParts {
  const summary: string[] = [];
  /** Asked about the model(s) the feature already runs on. */
  const ownModel = r.rows.length > 0 && r.rows.every((x) => x.model === r.targetId);
  const on = r.target === 'cheapest' ? 'the cheapest model of the same provider and family' : (r.targetId ?? r.target);
  if (!r.rows.length) summary.push(`No priced calls of ${r.feature} in this period, so there is nothing to re-price.`);
  else if (r.target !== 'cheapest' && r.targetId === null)
    summary.push(`The price table does not know the model ${r.target}, so nothing is estimated (never $0).`);
  else if (r.wouldCost === null) {
    const days = [...new Set(r.rows.flatMap((x) => x.missingDays))].sort();
    summary.push(
      `The price table has no price for ${on} on ${days.length} of the calls' days (${days.slice(0, 5).join(', ')}${days.length > 5 ? ', …' : ''}), so no total is given.`,
    );
  } else if (r.listCost === null) {
    summary.push(`The price table has no price for the feature's own models on some of the calls' days, so there is nothing like-with-like to compare with.`);
  } else if (r.target === 'cheapest') {
    // Like with like: both sides are list prices of the same tokens on the calls' dates (issue 21.3).
    const switched = r.rows.filter((x) => x.on !== null);
    summary.push(
      switched.length
        ? `On ${switched.map((x) => `${x.on} (instead of ${x.model})`).join(', ')} this feature's tokens would have cost ${formatMoney(r.wouldCost)} instead of ${formatMoney(r.listCost)} at list price${pctChange(r.listCost, r.wouldCost)}.`
        : `No cheaper model of the same provider and family would have cost less than the ${formatMoney(r.listCost)} list price of this feature's tokens.`,
    );
  } else if (ownModel) {
    // Asked about the model it already runs on: nothing to compare ("would have cost $X instead of $X (+0.0%)").
    summary.push(`${r.feature} already runs on ${on}: at list price its tokens cost ${formatMoney(r.listCost)}, so there is no change to estimate.`);
  } else if (r.wouldCost === r.listCost) {
    summary.push(`On ${on} this feature's tokens would have cost the same ${formatMoney(r.wouldCost)} as at the list price of its own models.`);
  } else {
    summary.push(
      `On ${on} this feature's tokens would have cost ${formatMoney(r.wouldCost)} instead of ${formatMoney(r.listCost)} at the list price of its own models${pctChange(r.listCost, r.wouldCost)}.`,
    );
  }
  if (r.rows.length && r.listCost !== null) {
    const gap = recordedGap(r.actual, r.listCost);
    summary.push(gap ? `The ${gap}.` : `Recorded cost: ${formatMoney(r.actual)}, close to the list price.`);
  }
  // The caveat is about another model; on the feature's own model there is none.
  if (!ownModel) summary.push(WHATIF_CAVEAT);
  const tables = r.rows.length
    ? [
        // About 80 characters wide: a grid, so Slack shows a table block rather than wrapping monospace (issue 21.7).
        gridTable(
          'Per model used',
          ['model', 'calls', 'input', 'cached', 'output', 'cost', 'priced on', 'would cost'],
          r.rows.map((x) => [
            x.model,
            x.calls.toLocaleString('en-US'),
            x.input.toLocaleString('en-US'),
            x.cached.toLocaleString('en-US'),
            x.output.toLocaleString('en-US'),
            formatMoney(x.actual),
            x.on ?? '(no cheaper)',
            x.wouldCost === null ? 'no price' : formatMoney(x.wouldCost),
          ]),
          [false, true, true, true, true, true, false, true],
        ),
      ]
    : [];
  const notes = [
    '"cost" is what the calls cost as recorded; "would cost" is the price table (@pydantic/genai-prices) price of the same input, cached and output tokens on the other model on each call\'s date.',
  ];
  if (r.unpricedModels.length)
    notes.push(`Left out (their own model has no known price): ${r.unpricedModels.map((u) => `${u.model} (${u.calls} calls)`).join(', ')}.`);
  notes.push(
    r.asOf < r.period.to ? `Up to ${r.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC; periods are in ${timeZone}.` : `Periods are in ${timeZone}.`,
  );
  return { title: `What if · ${r.feature} · ${r.period.label}`, summary, tables, notes };
}

export function importParts(r: ImportResult): ReplyParts {
  if (r.ok) {
    return {
      title: 'Revenue imported',
      summary: [
        `${r.rows} row${r.rows === 1 ? '' : 's'} stored for ${r.months.length} month${r.months.length === 1 ? '' : 's'}.`,
        ...r.months.map(
          (m) =>
            `${m.month}: ${m.rows} customers, ${formatMoney(m.total)}${m.replacedRows ? ` (replaces ${m.replacedRows} rows, ${formatMoney(m.replacedTotal)})` : ''}`,
        ),
      ],
      tables: [],
      notes: ['Re-importing a month replaces that whole month. See it with /aicost margin <month>.'],
    };
  }
  if (r.refused === 'not-finance')
    return { title: 'Revenue not imported', summary: ['Only finance can import revenue. Nothing was stored.'], tables: [], notes: [] };
  const shown = r.problems.slice(0, 20);
  return {
    title: 'Revenue not imported: nothing was stored',
    summary: [
      `The file has ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}; fix ${r.problems.length === 1 ? 'it' : 'them'} and import the whole file again.`,
      ...shown.map((p) => `Row ${p.line}: ${failureText(p.failure)}`),
      ...(r.problems.length > shown.length ? [`… and ${r.problems.length - shown.length} more.`] : []),
    ],
    tables: [],
    notes: [
      'Format: a header customer,month,revenue[,plan]; month YYYY-MM; revenue in USD with at most two decimals (12500 or 12,500.50). Row numbers are file lines (line 1 is the header).',
    ],
  };
}

export function aliasParts(r: AliasResult | { ok: false; refused: 'not-finance' }, usage: string[]): ReplyParts {
  const out = (summary: string[], notes: string[] = []): ReplyParts => ({ title: 'Customer aliases', summary, tables: [], notes });
  if (!r.ok) return 'refused' in r ? out(['Only finance can set customer aliases. Nothing was changed.']) : out([failureText(r.failure)], usage);
  if (r.action === 'list')
    return r.aliases.length
      ? {
          ...out([`${r.aliases.length} alias${r.aliases.length === 1 ? '' : 'es'}.`]),
          tables: [{ caption: 'Aliases', table: alignTable(['alias', 'customer'], r.aliases) }],
        }
      : out(['No customer aliases yet.'], usage);
  if (r.action === 'removed') return out([`${r.alias} is no longer an alias; its costs and revenue count under ${r.alias} itself again.`]);
  return out([
    `${r.alias} now counts as ${r.customer}${r.before ? ` (was ${r.before})` : ''}: costs and revenue under ${r.alias} are shown for ${r.customer}.`,
  ]);
}

/** The chargeback draft's saving candidates: one line per team that has one, in the draft's team order. */
export function savingLines(lines: readonly { teamId: string; slug: string }[], savings: Map<number, SavingCandidate>): string[] {
  const out = lines.flatMap((l) => {
    const s = savings.get(Number(l.teamId));
    return s
      ? [
          `${l.slug}: ${s.feature} on ${s.to} instead of ${s.from} would have cost ${formatMoney(s.wouldCost)} instead of ${formatMoney(s.listCost)} at list price (saves ${formatMoney(s.saving)}${pctChange(s.listCost, s.wouldCost)})${recordedGap(s.actual, s.listCost) ? `; ${recordedGap(s.actual, s.listCost)}` : ''}`,
        ]
      : [];
  });
  return out.length
    ? ['Largest saving candidate per team (cheaper model of the same provider and family; same tokens, says nothing about quality):', ...out]
    : [];
}
