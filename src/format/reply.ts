import type { SpendReport, TopReport, UnknownName } from '../services/reports.ts';
import type { Money } from '../domain/money.ts';

/** A table as cells, kept beside its monospace text so Slack can draw it as a table block. */
export interface Grid {
  header: string[];
  rows: string[][];
  rightAligned: boolean[];
}

export interface TablePart {
  caption: string;
  /** Monospace text (terminal, and Slack when narrow enough). */
  table: string;
  /** The same cells; Slack draws the one wide table of a message as a table block. */
  grid?: Grid;
}

/**
 * The words and tables of each reply, shared by Slack blocks and the terminal so both say the same.
 * Each part is a paragraph of mrkdwn-safe plain text (tables go in code blocks in Slack).
 */
export interface ReplyParts {
  title: string;
  summary: string[];
  tables: TablePart[];
  notes: string[];
}

/** What `/aicost` answers, as data: presentation turns it into text (the terminal) or Block Kit (Slack). */
export type ChartSpec = { type: 'daily'; title: string; daily: SpendReport['daily'] } | { type: 'split'; title: string; labels: string[]; values: Money[] };

export type Reply =
  | SpendReport
  | TopReport
  | UnknownName
  | { kind: 'message'; parts: ReplyParts; chart?: ChartSpec; tone?: 'ok' | 'refused' }
  /** The listener opens a modal; `fallback` is shown where no modal can open (the terminal). */
  | { kind: 'modal'; modal: 'add-hidden' | 'edit-hidden'; entryId?: number; fallback: ReplyParts }
  /** `finance`: also list finance's commands; `team`: a team that exists, for the examples. */
  | { kind: 'help'; finance?: boolean; team?: string }
  | { kind: 'invalid'; problem: string; examples: string[] };
