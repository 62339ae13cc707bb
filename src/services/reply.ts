import type { SpendReport, TopReport, UnknownName } from './reports.ts';

/**
 * The words and tables of each reply, shared by Slack blocks and the terminal so both say the same.
 * Each part is a paragraph of mrkdwn-safe plain text (tables go in code blocks in Slack).
 */
export interface ReplyParts {
  title: string;
  summary: string[];
  tables: { caption: string; table: string }[];
  notes: string[];
}

/** What `/aicost` answers, as data: presentation turns it into text (the terminal) or Block Kit (Slack). */
export type ChartSpec =
  | { type: 'daily'; title: string; daily: SpendReport['daily'] }
  | { type: 'split'; title: string; labels: string[]; values: bigint[] };

export type Reply =
  | SpendReport
  | TopReport
  | UnknownName
  | { kind: 'message'; parts: ReplyParts; chart?: ChartSpec; tone?: 'ok' | 'refused' }
  /** The listener opens a modal; `fallback` is shown where no modal can open (the terminal). */
  | { kind: 'modal'; modal: 'add-hidden' | 'edit-hidden'; entryId?: number; fallback: ReplyParts }
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string; examples: string[] };
