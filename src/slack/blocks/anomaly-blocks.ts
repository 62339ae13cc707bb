import type { KnownBlock } from '@slack/types';
import type { IncidentRecord } from '../../db/repositories/anomalies.ts';
import { formatMoney, type Money } from '../../domain/money.ts';
import type { Contributor } from '../../domain/anomaly/contributors.ts';
import { dailyChartUrl } from '../chart.ts';
import { ACTIONS } from '../ids.ts';
import { escapeMrkdwn } from './reply-blocks.ts';
import { mention } from '../../domain/mentions.ts';

export interface AnomalyPostVm {
  incident: IncidentRecord;
  label: string;
  day: string;
  actual: Money;
  expected: Money;
  lower: Money | null;
  upper: Money | null;
  impact: Money;
  impactPct: number | null;
  early: boolean;
  reason?: string | null;
  contributors: Contributor[];
  daily: { day: string; amount: Money }[];
  drill: string;
  quickchartUrl: string;
}

const FEEDBACK: { status: string; text: string }[] = [
  { status: 'planned', text: 'Expected (planned)' },
  { status: 'not_an_issue', text: 'Not an issue' },
  { status: 'investigating', text: 'Investigating' },
];

const pct = (p: number | null) => (p === null ? 'n/a' : `${p > 0 ? '+' : ''}${p.toFixed(0)}%`);

/** The anomaly post: actual vs expected with its band, impact, what drove it, a 30-day chart, drill-down, feedback. */
export function anomalyBlocks(vm: AnomalyPostVm): { text: string; blocks: KnownBlock[] } {
  const i = vm.incident;
  const kind = i.direction === 'spike' ? 'Spend spike' : 'Spend drop';
  const title = `${vm.early ? 'Early warning: ' : ''}${kind} in ${vm.label} on ${vm.day}`;
  const band = vm.lower !== null && vm.upper !== null ? ` (normal range ${formatMoney(vm.lower)} to ${formatMoney(vm.upper)})` : '';
  const lines = [
    `*${vm.early ? 'Projected' : 'Actual'}* ${formatMoney(vm.actual)} · *expected* ${formatMoney(vm.expected)}${band}`,
    `*Impact* ${formatMoney(vm.impact)} (${pct(vm.impactPct)})${i.startDay !== vm.day ? ` · running since ${i.startDay}: ${formatMoney(i.impact)}` : ''}`,
  ];
  if (vm.reason) lines.push(escapeMrkdwn(vm.reason));
  const drivers = vm.contributors
    .slice(0, 4)
    .map((c) => `• ${c.dimension} *${escapeMrkdwn(c.key)}*: ${c.delta >= 0 ? '+' : '-'}$${Math.abs(c.delta).toFixed(2)}${c.share !== null ? ` (${Math.round(c.share * 100)}% of the change)` : ''}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
  ];
  if (drivers.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*What drove it*\n${drivers.join('\n')}` } });
  const url = dailyChartUrl(vm.quickchartUrl, vm.daily, `${vm.label}: last 30 days`, vm.day);
  if (url) blocks.push({ type: 'image', image_url: url, alt_text: `${vm.label}: daily spend, ${vm.day} marked` });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Drill down: \`${vm.drill}\` · \`/aicost anomalies\`` }] });
  blocks.push(feedbackBlock(i));
  return { text: `${title}: ${formatMoney(vm.actual)} vs ${formatMoney(vm.expected)} expected (${pct(vm.impactPct)})`, blocks };
}

export function feedbackBlock(i: IncidentRecord): KnownBlock {
  if (i.status !== 'open') {
    const label = FEEDBACK.find((f) => f.status === i.status)?.text ?? i.status;
    return { type: 'context', elements: [{ type: 'mrkdwn', text: `Marked *${label}* by ${mention(i.feedbackBy)}.` }] };
  }
  return {
    type: 'actions',
    block_id: `anomaly_${i.id}`,
    elements: FEEDBACK.map((f) => ({ type: 'button' as const, action_id: `${ACTIONS.anomalyFeedback}_${f.status}`, text: { type: 'plain_text' as const, text: f.text }, value: `${i.id}:${f.status}` })),
  };
}
