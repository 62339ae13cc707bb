import type { KnownBlock } from '@slack/types';
import { alignTable, NARROW_WIDTH, tableWidth, type TablePart } from '../../format/table.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

/**
 * Tables of a message: a monospace code block when its rows fit a laptop-width pane
 * (≤ NARROW_WIDTH characters), else Slack's table block, which Slack draws with real columns.
 * Slack allows one table block per message: the first wide table gets it, the rest stay monospace.
 * If Slack refuses the table block, `plainerBlocks` turns it back into monospace.
 */
export function tableBlocks(tables: readonly TablePart[]): KnownBlock[] {
  let tableUsed = false;
  return tables.flatMap((t): KnownBlock[] => {
    const g = t.grid;
    if (!tableUsed && g && tableWidth(t.table) > NARROW_WIDTH && g.rows.length < 100 && g.header.length <= 20) {
      tableUsed = true;
      return [
        { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(t.caption)}*` } },
        {
          type: 'table',
          rows: [g.header, ...g.rows].map((r) => r.map((c) => ({ type: 'raw_text' as const, text: escapeMrkdwn(c) }))),
          column_settings: g.header.map((_, i) => ({ align: g.rightAligned[i] ? ('right' as const) : ('left' as const) })),
        } as KnownBlock,
      ];
    }
    return [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(t.caption)}*\n\`\`\`${escapeMrkdwn(t.table)}\`\`\`` } }];
  });
}

/**
 * The same message without what Slack may refuse (a table block, a data visualization block, an image
 * Slack could not fetch): tables become monospace, charts are left out with a note. Returns null when
 * there is nothing to take out (then the refusal was about something else and is not retried).
 */
export function plainerBlocks(blocks: readonly KnownBlock[]): KnownBlock[] | null {
  let changed = false;
  let chartDropped = false;
  const out: KnownBlock[] = [];
  for (const b of blocks) {
    const type = (b as { type: string }).type;
    if (type === 'table') {
      changed = true;
      const rows = ((b as { rows?: { text?: string }[][] }).rows ?? []).map((r) => r.map((c) => c.text ?? ''));
      const [header = [], ...body] = rows;
      const align = ((b as { column_settings?: { align?: string }[] }).column_settings ?? []).map((c) => c.align === 'right');
      out.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${alignTable(header, body, align)}\`\`\`` } });
    } else if (type === 'image' || type === 'data_visualization') {
      changed = true;
      chartDropped = true;
    } else out.push(b);
  }
  if (!changed) return null;
  if (chartDropped) out.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'The chart was left out: Slack did not accept it.' }] });
  return out;
}
