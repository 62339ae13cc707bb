/** Aligns rows into fixed-width columns (numbers right-aligned) for Slack code blocks and the terminal. */
export function alignTable(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function percent(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 0.1 ? '<0.1' : p.toFixed(p >= 10 || p === 0 ? 0 : 1)}%`;
}

/** Widest monospace row a laptop-width Slack pane shows without wrapping. */
export const NARROW_WIDTH = 60;

import type { TablePart } from './reply.ts';
import { isUnobservedCategory } from '../domain/reconciliation.ts';
import { mention } from '../domain/mentions.ts';

export type { TablePart };

export function gridTable(caption: string, header: string[], rows: string[][], rightAligned: boolean[] = []): TablePart {
  return { caption, table: alignTable(header, rows, rightAligned), grid: { header, rows, rightAligned } };
}

export function tableWidth(table: string): number {
  return Math.max(0, ...table.split('\n').map((l) => l.length));
}

const ACRONYMS = new Set(['api', 'db', 'llm', 'gpu', 'qa', 'ocr', 'ml', 'ai', 'sla', 'etl', 'id']);

/** A cost category or other snake_case key as people write it: `human_review` → "Human review", `vector_db` → "Vector DB". */
export function humanLabel(key: string): string {
  // "unobserved (OpenAI bill)" keeps the provider's own spelling.
  if (isUnobservedCategory(key)) return key.charAt(0).toUpperCase() + key.slice(1);
  const words = key
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A Slack user id as a mention (Slack shows the person's name); anything else unchanged. */
export function personLabel(id: string): string {
  return mention(id);
}

/** "Support's", "Claims'" (a name ending in s takes only the apostrophe). */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}
