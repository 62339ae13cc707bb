import type { KnownBlock } from '@slack/types';
import type { OverrunRequestRecord } from '../../db/repositories/budgets.ts';
import type { TeamRecord } from '../../db/repositories/teams.ts';
import { formatMoney, type Money } from '../../domain/money.ts';
import type { BudgetRow } from '../../services/budget-service.ts';
import { ACTIONS } from '../ids.ts';
import { escapeMrkdwn } from './reply-blocks.ts';
import { mention } from '../../domain/mentions.ts';

/** The cost split every budget view shows: budgets count the true cost. */
export function splitText(c: BudgetRow['cost']): string {
  return `direct API ${formatMoney(c.direct)} + hidden ${formatMoney(c.hiddenTotal)} + allocated shared ${formatMoney(c.allocated)}`;
}

export function forecastText(row: BudgetRow): string {
  const f = row.forecast;
  if (!f.reliable) return 'Forecast: not yet reliable (fewer than 14 days of history).';
  return `Forecast for the month: ${formatMoney(f.projectedTotal)}${f.exceedsOn && row.status.budget !== null ? `, over budget around ${f.exceedsOn}` : ''}.`;
}

export function thresholdBlocks(vm: { team: TeamRecord; row: BudgetRow; threshold: number; month: string }): KnownBlock[] {
  const { status } = vm.row;
  return [
    { type: 'header', text: { type: 'plain_text', text: `${vm.team.name}: ${vm.threshold}% of the ${vm.month} AI budget` } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${formatMoney(status.spent)}* of *${formatMoney(status.budget ?? 0n)}* used (${Math.floor(status.percentUsed ?? 0)}%).\n${splitText(vm.row.cost)}\n${forecastText(vm.row)}`,
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Details: \`/aicost team ${vm.team.slug}\` · Need more? \`/aicost request <amount> ${vm.team.slug} <reason>\`` }] },
  ];
}

export function forecastBlocks(vm: { team: TeamRecord; row: BudgetRow; overrun: Money; month: string }): KnownBlock[] {
  const f = vm.row.forecast;
  return [
    { type: 'header', text: { type: 'plain_text', text: `${vm.team.name}: on track to exceed the ${vm.month} budget` } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Projected month total *${formatMoney(f.projectedTotal ?? 0n)}* against a budget of *${formatMoney(vm.row.status.budget ?? 0n)}*: over by *${formatMoney(vm.overrun)}*${f.exceedsOn ? ` around ${f.exceedsOn}` : ''}.\nSo far: ${formatMoney(vm.row.status.spent)} (${splitText(vm.row.cost)}).`,
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `The projection is a weekday-aware run rate of recent days plus the recurring hidden costs still to come. \`/aicost budget\` shows every team.` }] },
  ];
}

/** The request message in the finance channel: buttons while pending, the decision once decided. */
export function overrunRequestBlocks(vm: { request: OverrunRequestRecord; team: TeamRecord; timeZone: string }): KnownBlock[] {
  const r = vm.request;
  const who = r.automatic ? 'aicost (automatic: the team reached 100% with no approved increase)' : `${mention(r.requestedBy)}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Budget request #${r.id}: ${vm.team.name}, ${r.month}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Asked*\n${formatMoney(r.amount)} more` },
        { type: 'mrkdwn', text: `*By*\n${who}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${escapeMrkdwn(r.reason)}` } },
  ];
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
    const when = r.decidedAt ? r.decidedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '';
    const verdict = r.status === 'approved' ? `:white_check_mark: *Approved ${formatMoney(r.decidedAmount ?? 0n)}*` : ':no_entry: *Denied*';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${verdict} by ${mention(r.decidedBy)} on ${when}${r.decisionReason ? `\nReason: ${escapeMrkdwn(r.decisionReason)}` : ''}` } });
  }
  return blocks;
}
