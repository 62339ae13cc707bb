import type { KnownBlock } from '@slack/types';
import { formatMoney, type Money } from '../../domain/money.ts';
import { mention } from '../../domain/mentions.ts';
import { unobservedCorrectionCategory } from '../../domain/reconciliation.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

/** The weekly finance post when a provider's unobserved share of a completed week is above the threshold. */
export function reconcileAlertBlocks(
  a: { provider: string; weekStart: string; billed: Money; observed: Money; unobserved: Money; sharePct: number },
  thresholdPct: number,
): { text: string; blocks: KnownBlock[] } {
  const text = `${a.provider}: ${a.sharePct.toFixed(1)}% of the week of ${a.weekStart} was not seen by Helicone/Langfuse (${formatMoney(a.unobserved)} of ${formatMoney(a.billed)} billed).`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Unobserved ${a.provider} spend: ${a.sharePct.toFixed(1)}%` } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Week of *${a.weekStart}* (UTC billing days): billed *${formatMoney(a.billed)}*, observed ${formatMoney(a.observed)}, unobserved *${formatMoney(a.unobserved)}* (above the ${thresholdPct}% threshold).\nCalls made with other keys, batch jobs or the playground do not pass through the observability tools. \`/aicost reconcile\` shows the projects and days.`,
        },
      },
    ],
  };
}

/**
 * A change to a closed month's unobserved spend (a mapping, a re-read bill), booked as a correction in the
 * open month (issue 21 item 2): finance reads what changed, by whom, and where each team's part is booked.
 */
export function correctionBlocks(c: {
  month: string;
  bookedIn: string;
  cause: string;
  by: string | null;
  lines: readonly { team: string | null; provider: string; amount: Money }[];
}): { text: string; blocks: KnownBlock[] } {
  const signed = (m: Money) => (m > 0n ? `+${formatMoney(m)}` : formatMoney(m));
  const category = (provider: string) => unobservedCorrectionCategory(provider === 'anthropic' ? 'anthropic' : 'openai', c.month);
  const text = `Correction of ${c.month} booked in ${c.bookedIn}: ${c.cause}. ${c.month} is closed and keeps its figures.`;
  const lines = c.lines.map((l) => `• ${l.team === null ? 'no team (unallocated)' : escapeMrkdwn(l.team)}: ${signed(l.amount)} ${category(l.provider)}`);
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Correction of ${c.month} booked in ${c.bookedIn}` } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `*${c.month}* is closed and keeps its figures. What changed: *${escapeMrkdwn(c.cause)}*${c.by ? ` (by ${mention(c.by)})` : ''}.`,
            `The difference it makes to ${c.month}'s unobserved spend is booked in ${c.bookedIn}, on each team as an adjustment in the ${c.bookedIn} chargeback:`,
            ...lines,
            `To have a change in ${c.month} itself, reopen ${c.month} and close it again: what was booked for it here is then reversed.`,
          ].join('\n'),
        },
      },
    ],
  };
}
