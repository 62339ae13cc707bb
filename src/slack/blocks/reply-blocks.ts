import type { KnownBlock } from '@slack/types';
import { replyParts } from '../../format/reply-lines.ts';
import type { Reply } from '../../format/reply.ts';
import { dailyChartUrl, splitChartUrl } from '../chart.ts';
import { fitBlocks } from '../block-limits.ts';
import { tableBlocks } from './table-blocks.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

export { escapeMrkdwn };

/** Block Kit for an `/aicost` reply: header, summary, tables in code blocks, a chart, notes. */
export function replyBlocks(reply: Reply, opts: { timeZone: string; quickchartUrl: string }): { text: string; blocks: KnownBlock[] } {
  const p = replyParts(reply, opts.timeZone);
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: p.title.slice(0, 150), emoji: false } }];
  if (p.summary.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: p.summary.map(escapeMrkdwn).join('\n') } });
  blocks.push(...tableBlocks(p.tables));
  const chart =
    reply.kind === 'spend'
      ? { url: dailyChartUrl(opts.quickchartUrl, reply.daily, `Daily API spend (USD), ${reply.period.label}`), alt: `Daily API spend, ${reply.period.label}` }
      : reply.kind === 'message' && reply.chart?.type === 'split'
        ? { url: splitChartUrl(opts.quickchartUrl, reply.chart.labels, reply.chart.values, reply.chart.title), alt: reply.chart.title }
        : null;
  if (chart?.url) blocks.push({ type: 'image', image_url: chart.url, alt_text: chart.alt });
  if (p.notes.length) blocks.push({ type: 'context', elements: p.notes.map((n) => ({ type: 'mrkdwn', text: escapeKeepingMentions(n) })) });
  return { text: `${p.title}: ${p.summary[0] ?? ''}`.slice(0, 3000), blocks: fitBlocks(blocks, 'message') as KnownBlock[] };
}

/** Like escapeMrkdwn, but a user mention (`<@U…>`, written by `personLabel`) stays a mention. */
export function escapeKeepingMentions(s: string): string {
  return escapeMrkdwn(s).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
}
