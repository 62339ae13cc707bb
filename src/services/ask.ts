import { parseCommand, type Command } from '../slack/command-text.ts';
import type { ReportService, SpendReport, TopReport, UnknownName } from './reports.ts';

/**
 * The whole `/aicost` question → answer path, shared by the Slack listener and `aicost ask`, so the
 * terminal and Slack always show the same numbers.
 */
export type Reply =
  | SpendReport
  | TopReport
  | UnknownName
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string; examples: string[] };

export interface AskInput {
  text: string;
  userId: string;
  channelId: string | null;
  now: Date;
}

export interface Answer {
  reply: Reply;
  /** The user asked to post the answer in the channel. */
  share: boolean;
}

export async function ask(reports: ReportService, timeZone: string, input: AskInput): Promise<Answer> {
  const command: Command = parseCommand(input.text, input.now, timeZone);
  switch (command.kind) {
    case 'help':
    case 'invalid':
      return { reply: command, share: false };
    case 'overview':
      return { reply: await reports.overview(input, command.period, input.now), share: command.share };
    case 'team': {
      const reply = await reports.team(command.slug, command.period, input.now);
      return { reply, share: reply.kind === 'unknown' ? false : command.share };
    }
    case 'top':
      return { reply: await reports.top(command.dimension, command.period, input.now), share: command.share };
  }
}
