import type { KnownBlock } from '@slack/types';
import { isUnobservedCategory } from '../../domain/reconciliation.ts';
import { splitHidden, unobservedText } from '../../format/unobserved.ts';
import type { Chargeback, ChargebackLine } from '../../domain/chargeback.ts';
import { formatMoney, ZERO, type Money } from '../../domain/money.ts';
import { chargebackParts, varianceText } from '../../format/chargeback-lines.ts';
import { humanLabel } from '../../format/table.ts';
import { stackedChartUrl } from '../chart.ts';
import { ACTIONS } from '../ids.ts';
import { escapeMrkdwn } from './reply-blocks.ts';
import { tableBlocks } from './table-blocks.ts';

/** "$150.33 over budget", "$12.00 under budget", "on budget". */
const vsBudget = (v: Money | null) => (v === null ? 'no budget' : v === 0n ? 'on budget' : `${varianceText(v)} budget`);
import { savingLines } from '../../format/margin-lines.ts';
import type { SavingCandidate } from '../../services/whatif-service.ts';

/** The draft in the finance channel: the table, the chart, the reconciliation, and the buttons the month's status allows. */
export function chargebackBlocks(
  cb: Chargeback,
  opts: { quickchartUrl: string; timeZone: string; draft: boolean; savings?: Map<number, SavingCandidate> },
): { text: string; blocks: KnownBlock[] } {
  const p = chargebackParts(cb, null);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Chargeback ${opts.draft && cb.periodStatus === 'open' ? 'draft ' : ''}· ${cb.month}` } },
    { type: 'section', text: { type: 'mrkdwn', text: p.summary.map(escapeMrkdwn).join('\n') } },
    ...tableBlocks(p.tables),
  ];
  // Where each team's cost is booked (the GL debits one line per cost centre).
  const centres = cb.lines.map(
    (l) =>
      `${escapeMrkdwn(l.slug)} → ${l.costCenter ? `\`${escapeMrkdwn(l.costCenter)}\`` : '_no cost centre (booked to UNASSIGNED)_'} · ${formatMoney(l.total)}${l.budget !== null ? ` · ${vsBudget(l.variance)}` : ''}`,
  );
  if (centres.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Cost centres*\n${centres.join('\n')}`.slice(0, 3000) } });
  const saving = opts.savings ? savingLines(cb.lines, opts.savings) : [];
  if (saving.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: saving.map(escapeMrkdwn).join('\n').slice(0, 3000) } });
  const categories = [...new Set(cb.lines.flatMap((l) => [...l.hiddenByCategory.keys()]))];
  const series = [
    { label: 'API spend', values: cb.lines.map((l) => l.direct) },
    ...categories.map((c) => ({ label: humanLabel(c), values: cb.lines.map((l) => l.hiddenByCategory.get(c) ?? ZERO) })),
    { label: 'Shared (allocated)', values: cb.lines.map((l) => l.allocated) },
  ];
  const url = stackedChartUrl(
    opts.quickchartUrl,
    cb.lines.map((l) => l.slug),
    series,
    `True cost by team and part (USD), ${cb.month}`,
  );
  if (url) blocks.push({ type: 'image', image_url: url, alt_text: `True cost by team and part, ${cb.month}` });
  blocks.push({ type: 'context', elements: p.notes.slice(0, 10).map((n) => ({ type: 'mrkdwn' as const, text: escapeMrkdwn(n).slice(0, 2000) })) });
  const buttons =
    cb.periodStatus === 'open'
      ? [{ action_id: ACTIONS.periodClose, text: 'Close month', style: 'primary' as const }]
      : cb.periodStatus === 'closed'
        ? [
            { action_id: ACTIONS.periodReopen, text: 'Reopen' },
            { action_id: ACTIONS.periodFinalize, text: 'Finalize (irreversible)', style: 'danger' as const },
          ]
        : [];
  if (buttons.length) {
    blocks.push({
      type: 'actions',
      block_id: `period_${cb.month}`,
      elements: buttons.map((b) => ({
        type: 'button',
        action_id: b.action_id,
        text: { type: 'plain_text', text: b.text },
        value: cb.month,
        ...('style' in b ? { style: b.style } : {}),
      })),
    });
  } else blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${cb.month} is finalized: its numbers are final.` }] });
  return { text: `Chargeback ${cb.month} (${cb.periodStatus}): ${formatMoney(cb.totals.total)}`, blocks };
}

/** A team's own line, posted in its channel when the month closes. */
export function teamLineBlocks(line: ChargebackLine, month: string): { text: string; blocks: KnownBlock[] } {
  const split = splitHidden(line.hiddenByCategory, line.hidden);
  const hidden = [...line.hiddenByCategory]
    .filter(([c]) => !isUnobservedCategory(c))
    .map(([c, a]) => `${c} ${formatMoney(a)}`)
    .join(', ');
  const text = `${line.name}'s AI cost for ${month} is closed at ${formatMoney(line.total)}.`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${line.name}: ${month} closed at ${formatMoney(line.total)}` } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `API ${formatMoney(line.direct)}${hidden ? ` · hidden ${formatMoney(split.entered)} (${hidden})` : ''}${unobservedText(split.unobserved, ' · ')} · allocated shared ${formatMoney(line.allocated)}${line.adjustments !== 0n ? ` · adjustments ${formatMoney(line.adjustments)}` : ''}`,
            line.budget === null
              ? 'No budget was set.'
              : `Budget ${formatMoney(line.budget)}: ${vsBudget(line.variance)}${line.variancePct !== null ? ` (${line.variancePct > 0 ? '+' : ''}${line.variancePct.toFixed(1)}%)` : ''}.`,
            `${line.workItems.toLocaleString('en-US')} work items${line.costPerWorkItem !== null ? `, ${formatMoney(line.costPerWorkItem)} each` : ''}.`,
          ]
            .map(escapeMrkdwn)
            .join('\n'),
        },
      },
    ],
  };
}
