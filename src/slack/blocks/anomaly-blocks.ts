import type { KnownBlock } from '@slack/types';
import type { IncidentRecord } from '../../services/ports/anomalies.ts';
import { formatMoney, fromUsd, toChartNumber, type Money } from '../../domain/money.ts';
import type { Contributor } from '../../domain/anomaly/contributors.ts';
import { dailyChartUrl, hourlyChartUrl } from '../chart.ts';
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
  drivenBy?: { feature: string | null; model: string | null };
  calls?: { count: number; usual: number } | null;
  leads?: string[];
  related?: { label: string; impact: Money; impactPct: number | null }[];
  /** The team has no channel: nobody on it saw this post. */
  noChannelTeam?: string;
  /** A burst of a few hours (local `HH:00` labels, the zone, the team's usual whole day, and its last hours for the chart). */
  burst?: { from: string; to: string; timeZone: string; usualDay: Money; hours?: { label: string; amount: Money; marked: boolean }[] };
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
  const b = vm.burst;
  const hours = b ? `${b.from}–${b.to}` : '';
  const title = b ? `Spend burst in ${vm.label} on ${vm.day}, ${hours}` : `${vm.early ? 'Early warning: ' : ''}${kind} in ${vm.label} on ${vm.day}`;
  // The band is where the day would not have alerted (the spread and the $ and % floors together), not a
  // statistical "normal range": a steady $28 series is not "normally" $121, but $121 would not alert.
  const band = vm.lower !== null && vm.upper !== null ? ` (no alert between ${formatMoney(vm.lower)} and ${formatMoney(vm.upper)})` : '';
  const lines = b
    ? [
        `*${hours}* (${escapeMrkdwn(b.timeZone)}) spent ${formatMoney(vm.actual)} · *usual for those hours* ${formatMoney(vm.expected)}`,
        `*Impact* ${formatMoney(vm.impact)} (${pct(vm.impactPct)}) so far, ${
          b.usualDay > 0n ? `${Math.round((100 * toChartNumber(vm.impact)) / toChartNumber(b.usualDay))}% of` : 'against'
        } a usual whole day of ${formatMoney(b.usualDay)}${i.startDay !== vm.day ? ` · running since ${i.startDay}: ${formatMoney(i.impact)}` : ''}`,
      ]
    : [
        `*${vm.early ? 'Projected' : 'Actual'}* ${formatMoney(vm.actual)} · *expected* ${formatMoney(vm.expected)}${band}`,
        `*Impact* ${formatMoney(vm.impact)} (${pct(vm.impactPct)})${i.startDay !== vm.day ? ` · running since ${i.startDay}: ${formatMoney(i.impact)}` : ''}`,
      ];
  const driven = [
    vm.drivenBy?.feature ? `feature *${escapeMrkdwn(vm.drivenBy.feature)}*` : null,
    vm.drivenBy?.model ? `model *${escapeMrkdwn(vm.drivenBy.model)}*` : null,
  ].filter(Boolean);
  if (driven.length) lines.push(`*Driven by* ${driven.join(' on ')}`);
  if (vm.calls) {
    const times = vm.calls.usual > 0 ? vm.calls.count / vm.calls.usual : null;
    const factor =
      times === null
        ? ''
        : times >= 1.5
          ? ` (calls ×${times >= 10 ? Math.round(times) : times.toFixed(1)})`
          : times <= 0.67
            ? ` (calls ÷${(1 / Math.max(times, 0.001)).toFixed(1)})`
            : '';
    lines.push(`*Calls* ${vm.calls.count.toLocaleString('en-US')} against a usual ${vm.calls.usual.toLocaleString('en-US')}${factor}`);
  }
  if (vm.reason) lines.push(escapeMrkdwn(vm.reason));
  if (vm.related?.length)
    lines.push(
      `*Same event* (other series that moved on the same day) ${vm.related.map((r) => `${escapeMrkdwn(r.label)} ${formatMoney(r.impact)} (${pct(r.impactPct)})`).join(' · ')}`,
    );
  if (vm.leads?.length) lines.push(`*Leads* ${vm.leads.map((u) => mention(u)).join(' ')}`);
  if (vm.noChannelTeam)
    lines.push(
      `:warning: ${escapeMrkdwn(vm.noChannelTeam)} has no channel: nobody on the team was told. Give it one with \`/aicost admin team ${escapeMrkdwn(vm.noChannelTeam)} channel #channel\`.`,
    );
  const drivers = vm.contributors
    .slice(0, 4)
    .map(
      (c) =>
        `• ${c.dimension} *${escapeMrkdwn(c.key)}*: ${c.delta >= 0 ? '+' : ''}${formatMoney(fromUsd(c.delta))}${c.share !== null ? ` (${Math.round(c.share * 100)}% of the change)` : ''}`,
    );
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
  ];
  if (drivers.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*What drove it*\n${drivers.join('\n')}` } });
  // A burst is a matter of hours: its chart is hourly (a day's bar would hide it in the day's total).
  const url = b?.hours?.length
    ? hourlyChartUrl(vm.quickchartUrl, b.hours, `${vm.label}: spend per hour, last ${b.hours.length} hours (${b.timeZone})`)
    : dailyChartUrl(vm.quickchartUrl, vm.daily, `${vm.label}: last 30 days`, vm.day);
  if (url)
    blocks.push({
      type: 'image',
      image_url: url,
      alt_text: b?.hours?.length ? `${vm.label}: spend per hour, ${hours} marked` : `${vm.label}: daily spend, ${vm.day} marked`,
    });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Drill down: \`${vm.drill}\` · \`/aicost anomalies\`` }] });
  const status = statusLine(i);
  if (status) blocks.push(status);
  blocks.push(feedbackBlock(i));
  return {
    text: `${title}: ${formatMoney(vm.actual)} vs ${formatMoney(vm.expected)} ${b ? 'usual for those hours' : 'expected'} (${pct(vm.impactPct)})`,
    blocks,
  };
}

/** Who marked the incident what, and when; none while it is open. */
export function statusLine(i: IncidentRecord): KnownBlock | null {
  if (i.status === 'open') return null;
  const label = FEEDBACK.find((f) => f.status === i.status)?.text ?? i.status;
  const when = i.feedbackAt ? ` on ${new Date(i.feedbackAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `*Status:* ${label} · marked by ${mention(i.feedbackBy)}${when}` }] };
}

/** The feedback buttons; they stay after a click, so the status can be changed (the current one is highlighted). */
export function feedbackBlock(i: IncidentRecord): KnownBlock {
  return {
    type: 'actions',
    block_id: `anomaly_${i.id}`,
    elements: FEEDBACK.map((f) => ({
      type: 'button' as const,
      action_id: `${ACTIONS.anomalyFeedback}_${f.status}`,
      text: { type: 'plain_text' as const, text: f.text },
      value: `${i.id}:${f.status}`,
      ...(f.status === i.status ? { style: 'primary' as const } : {}),
    })),
  };
}
