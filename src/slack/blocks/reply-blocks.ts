import type { KnownBlock } from '@slack/types';
import { replyParts } from '../../format/reply-lines.ts';
import type { Reply } from '../../format/reply.ts';
import { dailyChartUrl, splitChartUrl } from '../chart.ts';
import { BLOCK_LIMITS, fitBlocks } from '../block-limits.ts';
import { tableBlocks } from './table-blocks.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

export { escapeMrkdwn };

/** Block Kit for an `/aicost` reply: header, summary, tables in code blocks, a chart, notes. */
export function replyBlocks(reply: Reply, opts: { timeZone: string; quickchartUrl: string }): { text: string; blocks: KnownBlock[] } {
  const p = replyParts(reply, opts.timeZone);
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: p.title.slice(0, 150), emoji: false } }];
  for (const text of sectionTexts(p.summary.map(escapeMrkdwn))) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
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

/**
 * Lines joined into as few section texts as fit Slack's limit per section, in order, so a long answer
 * (finance's help is over 3,000 characters) is shown whole instead of cut with "…". Only a single line
 * longer than the limit is still cut (by `fitBlocks`).
 */
function sectionTexts(lines: readonly string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > BLOCK_LIMITS.sectionText) {
      out.push(current);
      current = line;
    } else current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(current);
  return out;
}

/** Like escapeMrkdwn, but a user mention (`<@U…>`, written by `personLabel`) stays a mention. */
export function escapeKeepingMentions(s: string): string {
  return escapeMrkdwn(s).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
}
