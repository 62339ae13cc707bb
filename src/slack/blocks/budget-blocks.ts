import type { KnownBlock } from '@slack/types';
import type { OverrunRequestRecord } from '../../services/ports/budgets.ts';
import type { TeamRecord } from '../../services/ports/teams.ts';
import { formatMoney, sub, ZERO, type Money } from '../../domain/money.ts';
import type { BudgetRow, RequestContext } from '../../services/budget-service.ts';
import { ACTIONS } from '../ids.ts';
import { escapeMrkdwn } from './reply-blocks.ts';
import { mention } from '../../domain/mentions.ts';
import { splitHidden, unobservedText } from '../../format/unobserved.ts';

/** The cost split every budget view shows: budgets count the true cost. */
export function splitText(c: BudgetRow['cost']): string {
  const h = splitHidden(c.hidden ?? new Map(), c.hiddenTotal);
  return `API spend ${formatMoney(c.direct)} + hidden ${formatMoney(h.entered)}${unobservedText(h.unobserved)} + allocated shared ${formatMoney(c.allocated)}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-11" → "November 2026". */
export function monthName(month: string): string {
  const [y, m] = month.split('-');
  return `${MONTHS[Number(m) - 1] ?? m} ${y}`;
}

/** "2026-11-24" → "Nov 24". */
export function shortDay(day: string): string {
  const [, m, d] = day.split('-');
  return `${(MONTHS[Number(m) - 1] ?? '').slice(0, 3)} ${Number(d)}`;
}

/** Calendar days from a to b ("YYYY-MM-DD"). */
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Whole percent used, rounded down (99.6% is not yet 100%). */
const pctUsed = (row: BudgetRow) => Math.floor(row.status.percentUsed ?? 0);

/**
 * When the forecast says the budget runs out, in the right tense: a day already past is "since"
 * (the budget is already exceeded), a day to come is "around Nov 24 (in 4 days)".
 */
export function exceedsText(row: BudgetRow): string | null {
  const f = row.forecast;
  if (row.status.budget === null) return null;
  const over = row.status.spent > row.status.budget;
  // The day is computed from direct spend day by day; a team over its budget through hidden or shared
  // costs is over now, whatever day that computation gives.
  if (over && (!f.exceedsOn || f.exceedsOn > f.today)) return 'already over budget';
  if (!f.exceedsOn) return null;
  const ahead = daysBetween(f.today, f.exceedsOn);
  if (ahead < 0) return `over budget since ${shortDay(f.exceedsOn)}`;
  if (ahead === 0) return 'over budget from today';
  return `over budget around ${shortDay(f.exceedsOn)} (in ${ahead} day${ahead === 1 ? '' : 's'})`;
}

export function forecastText(row: BudgetRow): string {
  const f = row.forecast;
  if (!f.reliable) return 'Forecast: not yet reliable (fewer than 14 days of history).';
  const budget = row.status.budget;
  const by = budget !== null && f.projectedTotal > budget ? `, ${formatMoney(sub(f.projectedTotal, budget))} over the budget` : '';
  const when = exceedsText(row);
  return `Forecast for the month: ${formatMoney(f.projectedTotal)}${by}${when ? `; ${when}` : ''}.`;
}

/** The headline states the real figure: "Search is over its November 2026 budget: $694.00 of $400.00 (173%)". */
export function thresholdHeadline(team: TeamRecord, row: BudgetRow, month: string): string {
  const { status } = row;
  const figures = `${formatMoney(status.spent)} of ${formatMoney(status.budget ?? ZERO)} (${pctUsed(row)}%)`;
  const since = row.forecast.exceedsOn && row.forecast.exceedsOn <= row.forecast.today ? `, since ${shortDay(row.forecast.exceedsOn)}` : '';
  return status.budget !== null && status.spent > status.budget
    ? `${team.name} is over its ${monthName(month)} budget: ${figures}${since}`
    : `${team.name} has used ${pctUsed(row)}% of its ${monthName(month)} budget: ${formatMoney(status.spent)} of ${formatMoney(status.budget ?? ZERO)}`;
}

const possessive = (name: string) => (name.endsWith('s') ? `${name}'` : `${name}'s`);

const mentions = (ids: string[]) => ids.map((id) => mention(id)).join(' ');

/** Said in finance's channel when the team has no channel of its own: nobody on the team saw the alert. */
export function noChannelText(team: TeamRecord): string {
  return `:warning: ${team.slug} has no channel: nobody on the team was told. Give it one with \`/aicost admin team ${team.slug} channel #channel\`.`;
}

export function thresholdBlocks(vm: { team: TeamRecord; row: BudgetRow; threshold: number; month: string; noChannel?: boolean }): {
  text: string;
  blocks: KnownBlock[];
} {
  const headline = thresholdHeadline(vm.team, vm.row, vm.month);
  const leads = vm.team.leadUserIds.length ? `\nLeads: ${mentions(vm.team.leadUserIds)}` : '';
  return {
    text: `${headline}.`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${formatMoney(vm.row.status.spent)}* of *${formatMoney(vm.row.status.budget ?? ZERO)}* used (${pctUsed(vm.row)}%; the ${vm.threshold}% alert).\n${splitText(vm.row.cost)}\n${forecastText(vm.row)}${leads}`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Details: \`/aicost team ${vm.team.slug}\` · Need more? \`/aicost request <amount> ${vm.team.slug} <reason>\`` }],
      },
      ...noChannelBlocks(vm),
    ],
  };
}

function noChannelBlocks(vm: { team: TeamRecord; noChannel?: boolean }): KnownBlock[] {
  return vm.noChannel ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: noChannelText(vm.team) }] }] : [];
}

/**
 * A forecast overrun. Once the team is already over its budget the post says so (the over-budget
 * headline with the real figures) instead of "on track to exceed", which read as if it were not yet.
 */
export function forecastBlocks(vm: { team: TeamRecord; row: BudgetRow; overrun: Money; month: string; noChannel?: boolean }): {
  text: string;
  blocks: KnownBlock[];
} {
  const f = vm.row.forecast;
  const when = exceedsText(vm.row);
  const budget = vm.row.status.budget ?? ZERO;
  const over = vm.row.status.budget !== null && vm.row.status.spent > budget;
  const headline = over
    ? thresholdHeadline(vm.team, vm.row, vm.month)
    : `${vm.team.name} is on track to exceed its ${monthName(vm.month)} budget by ${formatMoney(vm.overrun)}`;
  const body = over
    ? `Already *${formatMoney(sub(vm.row.status.spent, budget))}* over: *${formatMoney(vm.row.status.spent)}* of *${formatMoney(budget)}* (${pctUsed(vm.row)}%; ${splitText(vm.row.cost)}).\nAt this pace the month ends at *${formatMoney(f.projectedTotal ?? ZERO)}*, *${formatMoney(vm.overrun)}* over the budget.`
    : `Projected month total *${formatMoney(f.projectedTotal ?? ZERO)}* against a budget of *${formatMoney(budget)}*: over by *${formatMoney(vm.overrun)}*${when ? `, ${when}` : ''}.\nSo far: ${formatMoney(vm.row.status.spent)} (${pctUsed(vm.row)}%; ${splitText(vm.row.cost)}).`;
  return {
    text: `${headline}${!over && when ? `, ${when}` : ''}.`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `The projection is a weekday-aware run rate of recent days plus the recurring hidden costs still to come. \`/aicost budget\` shows every team.`,
          },
        ],
      },
      ...noChannelBlocks(vm),
    ],
  };
}

/** The request message in the finance channel: the context to decide on, buttons while pending, the decision once decided. */
export function overrunRequestBlocks(vm: { request: OverrunRequestRecord; team: TeamRecord; context: RequestContext | null; effectiveBudget?: Money | null }): {
  text: string;
  blocks: KnownBlock[];
} {
  const r = vm.request;
  const c = vm.context;
  const who = r.automatic ? 'aicost (automatic: the team reached 100% with no approved increase)' : mention(r.requestedBy);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Budget request #${r.id}: ${vm.team.name}, ${monthName(r.month)}`.slice(0, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Asked*\n${formatMoney(r.amount)} more` },
        { type: 'mrkdwn', text: `*By*\n${who}` },
        ...(c
          ? [
              { type: 'mrkdwn' as const, text: `*Budget*\n${c.budget === null ? 'none' : formatMoney(c.budget)}` },
              {
                type: 'mrkdwn' as const,
                text: `*Spent so far*\n${formatMoney(c.spent)}${c.budget !== null && c.budget > 0n ? ` (${Math.floor(Number((c.spent * 1000n) / c.budget) / 10)}%)` : ''}`,
              },
              { type: 'mrkdwn' as const, text: `*Forecast*\n${c.forecast === null ? 'not yet reliable' : formatMoney(c.forecast)}` },
              { type: 'mrkdwn' as const, text: `*Projected shortfall*\n${c.shortfall === null ? 'none' : formatMoney(c.shortfall)}` },
            ]
          : []),
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${escapeMrkdwn(r.reason)}` } },
  ];
  if (c && (c.history.length || c.drivers.length)) {
    const history = c.history
      .map((h) => `${monthName(h.month)}: ${formatMoney(h.cost)}${h.budget !== null ? ` of ${formatMoney(h.budget)}` : ' (no budget)'}`)
      .join('\n');
    const drivers = c.drivers.map((d) => `${escapeMrkdwn(d.label)}: ${formatMoney(d.amount)}`).join('\n');
    blocks.push({
      type: 'section',
      fields: [
        ...(history ? [{ type: 'mrkdwn' as const, text: `*Last three months (true cost)*\n${history}` }] : []),
        ...(drivers ? [{ type: 'mrkdwn' as const, text: `*Top drivers this month (API spend)*\n${drivers}` }] : []),
      ],
    });
  }
  if (r.status === 'pending') {
    const value = String(r.id);
    blocks.push({
      type: 'actions',
      block_id: `overrun_${r.id}`,
      elements: [
        { type: 'button', action_id: ACTIONS.approveOverrun, text: { type: 'plain_text', text: `Approve ${formatMoney(r.amount)}` }, style: 'primary', value },
        { type: 'button', action_id: ACTIONS.denyOverrun, text: { type: 'plain_text', text: 'Deny' }, style: 'danger', value },
        { type: 'button', action_id: ACTIONS.approveOtherOverrun, text: { type: 'plain_text', text: 'Approve another amount' }, value },
      ],
    });
  } else {
    const when = r.decidedAt ? `${r.decidedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
    const verdict = r.status === 'approved' ? `:white_check_mark: *Approved ${formatMoney(r.decidedAmount ?? ZERO)}*` : ':no_entry: *Denied*';
    const budget =
      vm.effectiveBudget !== undefined && vm.effectiveBudget !== null
        ? `\n${possessive(escapeMrkdwn(vm.team.name))} ${monthName(r.month)} budget ${r.status === 'approved' ? 'is now' : 'stays'} *${formatMoney(vm.effectiveBudget)}*.`
        : '';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${verdict} by ${mention(r.decidedBy)} on ${when}${budget}${r.decisionReason ? `\nReason: ${escapeMrkdwn(r.decisionReason)}` : ''}`,
      },
    });
  }
  return { text: `Budget request #${r.id} from ${vm.team.name}: ${formatMoney(r.amount)}${r.status === 'pending' ? '' : ` (${r.status})`}`, blocks };
}

/** The decision, told to the requester and the team channel, with the budget now in force. */
export function decisionBlocks(vm: { request: OverrunRequestRecord; team: TeamRecord; effectiveBudget: Money | null }): { text: string; blocks: KnownBlock[] } {
  const r = vm.request;
  const team = escapeMrkdwn(vm.team.name);
  const verdict = r.status === 'approved' ? `approved for ${formatMoney(r.decidedAmount ?? ZERO)}` : 'denied';
  const budget =
    vm.effectiveBudget === null
      ? ''
      : ` ${possessive(team)} ${monthName(r.month)} budget ${r.status === 'approved' ? 'is now' : 'stays'} ${formatMoney(vm.effectiveBudget)}.`;
  const text = `Budget request #${r.id} for ${team} (${r.month}) was ${verdict} by ${mention(r.decidedBy)}.${budget}${r.decisionReason ? ` Reason: ${escapeMrkdwn(r.decisionReason)}` : ''}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
