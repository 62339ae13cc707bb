import type { HomeView, KnownBlock } from '@slack/types';
import type { OverrunRequestRecord } from '../../services/ports/budgets.ts';
import type { TeamRecord } from '../../services/ports/teams.ts';
import { formatMoney, ZERO } from '../../domain/money.ts';
import { monthOf } from '../../domain/periods.ts';
import type { BudgetRow } from '../../services/budget-service.ts';
import { fitBlocks } from '../block-limits.ts';
import { ACTIONS } from '../ids.ts';
import { forecastText, splitText } from './budget-blocks.ts';
import { escapeMrkdwn } from './reply-blocks.ts';

/** A text bar of 20 cells for the share of the budget used (capped at the end, marked when over). */
export function budgetBar(percent: number | null): string {
  if (percent === null) return '';
  const filled = Math.max(0, Math.min(20, Math.round(percent / 5)));
  return `${'█'.repeat(filled)}${'░'.repeat(20 - filled)} ${Math.floor(percent)}%${percent >= 100 ? ' over' : ''}`;
}

export function homeView(vm: {
  rows: BudgetRow[];
  pending: OverrunRequestRecord[];
  teams: TeamRecord[];
  finance: boolean;
  timeZone: string;
  now: Date;
}): HomeView {
  const month = monthOf(vm.now, vm.timeZone);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `AI spend · ${month}` } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: vm.finance
            ? 'You are finance: every team, and the requests waiting for you.'
            : 'Your teams. Budgets count the true cost: API spend + hidden + allocated shared costs.',
        },
      ],
    },
  ];
  if (vm.rows.length === 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'You are not a lead or member of any team yet. Ask finance to add you, or try `/aicost`.' } });
  for (const r of vm.rows) {
    const st = r.status;
    const budget = st.budget === null ? 'no budget set' : `${formatMoney(st.spent)} of ${formatMoney(st.budget)}`;
    const lines = [`*${escapeMrkdwn(r.team.name)}* · ${budget}`];
    if (st.percentUsed !== null) lines.push(`\`${budgetBar(st.percentUsed)}\``);
    // Warn before the money is spent: a forecast above the budget matters most while still below 100%.
    if (st.projectedOverrun !== null && st.budget !== null && (st.percentUsed ?? 0) < 100) {
      lines.push(`:warning: The forecast (${formatMoney(st.projected ?? ZERO)}) is over the budget by ${formatMoney(st.projectedOverrun)} at this pace.`);
    }
    lines.push(splitText(r.cost), forecastText(r));
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  }
  const teamName = (id: number) => vm.teams.find((t) => t.id === id)?.name ?? `team ${id}`;
  blocks.push({ type: 'divider' });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: vm.finance ? 'Pending approvals' : 'Open requests' } });
  if (vm.pending.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'None.' } });
  for (const p of vm.pending.slice(0, 20)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `#${p.id} · *${escapeMrkdwn(teamName(p.teamId))}* asks ${formatMoney(p.amount)} more for ${p.month}: ${escapeMrkdwn(p.reason.slice(0, 200))}`,
      },
    });
    // Finance decides here too: the same buttons as on the request message, re-authorised on every click.
    if (vm.finance && p.status === 'pending') {
      const value = String(p.id);
      blocks.push({
        type: 'actions',
        block_id: `home_overrun_${p.id}`,
        elements: [
          {
            type: 'button',
            action_id: ACTIONS.approveOverrun,
            text: { type: 'plain_text', text: `Approve ${formatMoney(p.amount)}` },
            style: 'primary',
            value,
          },
          { type: 'button', action_id: ACTIONS.denyOverrun, text: { type: 'plain_text', text: 'Deny' }, style: 'danger', value },
          { type: 'button', action_id: ACTIONS.approveOtherOverrun, text: { type: 'plain_text', text: 'Approve another amount' }, value },
        ],
      });
    }
  }
  return { type: 'home', blocks: fitBlocks(blocks, 'home') as KnownBlock[] };
}
