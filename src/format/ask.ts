import { parseText, runParsed } from '../commands/registry.ts';
import { isInvalid } from '../commands/command.ts';
import type { CommandServices } from '../commands/services.ts';
import { outcomeReply, isShareable } from './outcome-parts.ts';
import type { Reply } from './reply.ts';
import type { Viewer } from '../services/visibility.ts';

/**
 * The whole `/aicost` text → answer path, shared by the Slack listener and `aicost ask`, so the terminal
 * and Slack always show the same numbers: the registry parses the verb, the request's one Viewer is built,
 * the verb runs with it, and its outcome is put into words here.
 */
export type { Reply } from './reply.ts';
export type AskDeps = CommandServices;

export interface AskInput {
  text: string;
  userId: string;
  channelId: string | null;
  now: Date;
  /** The operator's terminal (`aicost ask` without --user): reads what finance may read. */
  operator?: boolean;
}

export interface Answer {
  reply: Reply;
  /** The user asked to post the answer in the channel. */
  share: boolean;
}

/**
 * The parser's examples say `payments`; show a team the viewer may see instead (their own first), so an
 * example never names a team the viewer may not see; a reader who may see none reads `your-team`.
 */
async function exampleTeam(deps: AskDeps, viewer: Viewer): Promise<string> {
  if (viewer.teams[0]) return viewer.teams[0].slug;
  if (!viewer.all) return 'your-team';
  const slugs = (await deps.teamSlugs?.()) ?? [];
  return slugs.includes('payments') ? 'payments' : (slugs[0] ?? 'support');
}

export async function ask(deps: AskDeps, input: AskInput): Promise<Answer> {
  const { now, userId, timeZone } = { ...input, timeZone: deps.timeZone };
  const parsed = parseText(input.text, { now, timeZone });
  const viewer = await deps.visibility.of(userId, { operator: input.operator });
  const team = await exampleTeam(deps, viewer);
  if (isInvalid(parsed)) return { reply: outcomeReply(parsed, { timeZone, team }), share: false };
  const outcome = await runParsed(parsed, { viewer, userId, channelId: input.channelId, now, timeZone, services: deps });
  return { reply: outcomeReply(outcome, { timeZone, team }), share: parsed.share && isShareable(outcome) };
}
