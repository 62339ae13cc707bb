import type { KnownBlock } from '@slack/types';
import { isUnobservedCategory } from '../../domain/reconciliation.ts';
import { splitHidden, unobservedText } from '../../format/unobserved.ts';
import type { Chargeback, ChargebackLine } from '../../domain/chargeback.ts';
import { roundChargeback } from '../../domain/csv-export.ts';
import { formatMoney, roundToCents, sub, ZERO, type Money } from '../../domain/money.ts';
import { footCents } from '../../domain/footing.ts';
import { costFigure } from '../../domain/rounding.ts';
import { chargebackParts, varianceText } from '../../format/chargeback-lines.ts';
import { humanLabel, possessive } from '../../format/table.ts';
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
  // The same figures as the table and the GL (one rounding per team, `roundChargeback`).
  const rc = roundChargeback(cb, { allowUnreconciled: true });
  const centres = cb.lines.map((l) => {
    const total = rc.teams.get(l.teamId)!.total;
    const variance = l.budget === null ? null : sub(total, roundToCents(l.budget));
    return `${escapeMrkdwn(l.slug)} → ${l.costCenter ? `\`${escapeMrkdwn(l.costCenter)}\`` : '_no cost centre (booked to UNASSIGNED)_'} · ${formatMoney(total)}${l.budget !== null ? ` · ${vsBudget(variance)}` : ''}`;
  });
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
  return { text: `Chargeback ${cb.month} (${cb.periodStatus}): ${formatMoney(rc.grandTotal)}`, blocks };
}

/** A team's own line, posted in its channel when the month closes. */
export function teamLineBlocks(line: ChargebackLine, month: string): { text: string; blocks: KnownBlock[] } {
  // The team's one figure (the chargeback's, the GL's) and its parts footing to it. Unobserved bill spend
  // ("unobserved (OpenAI bill)") is shown apart from the hidden costs people entered.
  const categories = [...line.hiddenByCategory];
  const f = costFigure([line.direct, line.hidden, line.allocated, line.adjustments]);
  const [direct, hiddenTotal, allocated, adjustments] = f.parts as [Money, Money, Money, Money];
  const total = f.total;
  const byCategory = footCents(
    categories.map(([, a]) => a),
    hiddenTotal,
  ).parts;
  const shownByCategory = new Map(categories.map(([c], i) => [c, byCategory[i]!]));
  const split = splitHidden(shownByCategory, hiddenTotal);
  const hidden = categories
    .filter(([c]) => !isUnobservedCategory(c))
    .map(([c]) => `${humanLabel(c).toLowerCase()} ${formatMoney(shownByCategory.get(c)!)}`)
    .join(', ');
  const budget = line.budget === null ? null : roundToCents(line.budget);
  const variance = budget === null ? null : sub(total, budget);
  const text = `${possessive(line.name)} AI cost for ${month} is closed at ${formatMoney(total)}.`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${line.name}: ${month} closed at ${formatMoney(total)}` } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `API ${formatMoney(direct)}${hidden ? ` · hidden ${formatMoney(split.entered)} (${hidden})` : ''}${unobservedText(split.unobserved, ' · ')} · allocated shared ${formatMoney(allocated)}${line.adjustments !== 0n ? ` · adjustments ${formatMoney(adjustments)}` : ''}`,
            budget === null
              ? 'No budget was set.'
              : `Budget ${formatMoney(budget)}: ${vsBudget(variance)}${line.variancePct !== null ? ` (${line.variancePct > 0 ? '+' : ''}${line.variancePct.toFixed(1)}%)` : ''}.`,
            `${line.workItems.toLocaleString('en-US')} work items${line.costPerWorkItem !== null ? `, ${formatMoney(line.costPerWorkItem)} each` : ''}.`,
          ]
            .map(escapeMrkdwn)
            .join('\n'),
        },
      },
    ],
  };
}
