import type { App, RespondArguments } from '@slack/bolt';
import { ask } from '../../services/ask.ts';
import type { Services } from '../../services/container.ts';
import { replyBlocks } from '../blocks/reply-blocks.ts';
import { SLASH_COMMAND } from '../manifest-contract.ts';
import type { Logger } from '../../logger.ts';

export interface CommandDeps {
  services: Services;
  quickchartUrl: string;
  log: Logger;
  clock: () => Date;
}

/**
 * `/aicost`: ack at once (Slack's 3-second rule), compute, then reply through response_url.
 * Ephemeral unless the user ended the command with "share".
 */
export function registerAicostCommand(app: App, deps: CommandDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    await ack();
    let reply: RespondArguments;
    try {
      const answer = await ask(deps.services.reports, deps.services.timeZone, {
        text: command.text ?? '',
        userId: command.user_id,
        channelId: command.channel_id ?? null,
        now: deps.clock(),
      });
      const { text, blocks } = replyBlocks(answer.reply, { timeZone: deps.services.timeZone, quickchartUrl: deps.quickchartUrl });
      reply = { response_type: answer.share ? 'in_channel' : 'ephemeral', text, blocks };
    } catch (err) {
      deps.log.error({ err, command: command.text }, 'aicost command failed');
      reply = { response_type: 'ephemeral', text: 'Sorry, something went wrong answering that. Nothing was changed; please try again in a minute.' };
    }
    await respond(reply);
  });
}
