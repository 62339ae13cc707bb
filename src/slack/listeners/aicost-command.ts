import type { App, RespondArguments } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { sendWithFallback } from '../block-fallback.ts';
import { ask, type AskDeps } from '../../format/ask.ts';
import { failureText } from '../../format/failure-text.ts';
import type { HiddenService } from '../../services/hidden-service.ts';
import { replyBlocks } from '../blocks/reply-blocks.ts';
import { hiddenCostModal } from '../blocks/modals.ts';
import { SLASH_COMMAND } from '../manifest-contract.ts';
import type { Logger } from '../../logger.ts';

export interface CommandDeps {
  /** Only the services this listener uses. */
  services: { askDeps: AskDeps; hidden: HiddenService; timeZone: string };
  quickchartUrl: string;
  log: Logger;
  clock: () => Date;
}

/**
 * `/aicost`: ack at once (Slack's 3-second rule), compute, then reply through response_url.
 * Ephemeral unless the user ended a read-only command with "share". Forms open with the trigger id.
 */
export function registerAicostCommand(app: App, deps: CommandDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    let reply: RespondArguments | null;
    try {
      const answer = await ask(deps.services.askDeps, {
        // should_escape is on (mentions arrive as <@U…|name>); &, < and > arrive as HTML entities.
        text: (command.text ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
        userId: command.user_id,
        channelId: command.channel_id ?? null,
        now: deps.clock(),
      });
      if (answer.reply.kind === 'modal') {
        reply = await openModal(client, deps, answer.reply, command.trigger_id, command.user_id, command.channel_id ?? null);
      } else {
        const { text, blocks } = replyBlocks(answer.reply, { timeZone: deps.services.timeZone, quickchartUrl: deps.quickchartUrl });
        reply = { response_type: answer.share ? 'in_channel' : 'ephemeral', text, blocks };
      }
    } catch (err) {
      deps.log.error({ err, command: command.text }, 'aicost command failed');
      reply = { response_type: 'ephemeral', text: 'Sorry, something went wrong answering that. Nothing was changed; please try again in a minute.' };
    }
    if (reply) {
      const r = reply;
      await sendWithFallback((r as { blocks?: KnownBlock[] }).blocks, (blocks) => respond({ ...r, ...(blocks ? { blocks } : {}) } as RespondArguments));
    }
  });
}

async function openModal(
  client: WebClient,
  deps: CommandDeps,
  reply: { modal: 'add-hidden' | 'edit-hidden'; entryId?: number },
  triggerId: string,
  userId: string,
  channelId: string | null,
): Promise<RespondArguments | null> {
  const form = await deps.services.hidden.formData(userId, reply.modal === 'edit-hidden' ? reply.entryId : undefined);
  if (!form.ok) return { response_type: 'ephemeral', text: failureText(form.failure) };
  await client.views.open({
    trigger_id: triggerId,
    view: hiddenCostModal({ categories: form.categories, channelId, ...(form.entry ? { entry: form.entry, targetText: form.targetText } : {}) }),
  });
  return null;
}
