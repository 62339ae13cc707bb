import type { KnownBlock } from '@slack/types';
import { formatMoney, type Money } from '../../domain/money.ts';

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
