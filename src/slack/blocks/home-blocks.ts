import type { HomeView, KnownBlock } from '@slack/types';
import type { OverrunRequestRecord } from '../../services/ports/budgets.ts';
import type { TeamRecord } from '../../services/ports/teams.ts';
import { formatMoney } from '../../domain/money.ts';
import { monthOf } from '../../domain/periods.ts';
import type { BudgetRow } from '../../services/budget-service.ts';
import { fitBlocks } from '../block-limits.ts';
import { forecastText, splitText } from './budget-blocks.ts';
import { escapeMrkdwn } from './reply-blocks.ts';

/** A text bar of 20 cells for the share of the budget used (capped at the end, marked when over). */
export function budgetBar(percent: number | null): string {
  if (percent === null) return '';
  const filled = Math.max(0, Math.min(20, Math.round(percent / 5)));
  return `${'█'.repeat(filled)}${'░'.repeat(20 - filled)} ${Math.floor(percent)}%${percent >= 100 ? ' over' : ''}`;
}

export function homeView(vm: { rows: BudgetRow[]; pending: OverrunRequestRecord[]; teams: TeamRecord[]; finance: boolean; timeZone: string; now: Date }): HomeView {
  const month = monthOf(vm.now, vm.timeZone);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `AI spend · ${month}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: vm.finance ? 'You are finance: every team, and the requests waiting for you.' : 'Your teams. Budgets count the true cost: API + hidden + allocated shared costs.' }] },
  ];
  if (vm.rows.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'You are not a lead or member of any team yet. Ask finance to add you, or try `/aicost`.' } });
  for (const r of vm.rows) {
    const budget = r.status.budget === null ? 'no budget set' : `${formatMoney(r.status.spent)} of ${formatMoney(r.status.budget)}`;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(r.team.name)}* · ${budget}\n\`${budgetBar(r.status.percentUsed)}\`\n${splitText(r.cost)}\n${forecastText(r)}`,
      },
    });
  }
  const teamName = (id: number) => vm.teams.find((t) => t.id === id)?.name ?? `team ${id}`;
  blocks.push({ type: 'divider' });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: vm.finance ? 'Pending approvals' : 'Open requests' } });
  if (vm.pending.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'None.' } });
  for (const p of vm.pending.slice(0, 20)) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `#${p.id} · *${escapeMrkdwn(teamName(p.teamId))}* asks ${formatMoney(p.amount)} more for ${p.month}: ${escapeMrkdwn(p.reason.slice(0, 200))}${vm.finance ? '\nDecide in the finance channel, on the request message.' : ''}` },
    });
  }
  return { type: 'home', blocks: fitBlocks(blocks, 'home') as KnownBlock[] };
}
