import type { App } from '@slack/bolt';
import type { HiddenService } from '../../services/hidden-service.ts';
import type { Logger } from '../../logger.ts';
import { VIEWS } from '../ids.ts';
import { viewValues } from '../blocks/modals.ts';
import { hiddenCostMeta } from '../payload-schemas.ts';
import { plainMentions } from '../../domain/mentions.ts';
import { failureText, fieldFailureTexts } from '../../format/failure-text.ts';

/**
 * The hidden-cost form: every field is validated, and errors are shown next to their fields
 * (`response_action: errors`); a refusal (not the user's team) is shown on the "Who pays" field.
 * Nothing is saved unless everything is right. On success the user gets an ephemeral confirmation.
 */
export function registerHiddenCostModal(app: App, deps: { services: { hidden: HiddenService }; log: Logger; clock: () => Date }): void {
  app.view(VIEWS.addHidden, async ({ ack, view, body, client }) => {
    const parsedMeta = hiddenCostMeta.safeParse(view.private_metadata ?? '');
    if (!parsedMeta.success) {
      await ack({ response_action: 'errors', errors: { amount: failureText({ code: 'input.tampered-form' }).slice(0, 150) } });
      return;
    }
    const meta = parsedMeta.data;
    const values = viewValues(view.state as Parameters<typeof viewValues>[0]);
    const userId = body.user.id;
    const now = deps.clock();
    const outcome = await deps.services.hidden.addFromFields(values, userId, now, meta.entryId ?? undefined);
    if (!outcome.ok) {
      // Field errors are plain text (they never pass the Slack egress): mentions are shown as @U….
      const errors = 'fields' in outcome ? fieldFailureTexts(outcome.fields) : { target: plainMentions(failureText(outcome.failure)) };
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    if (meta.channelId) {
      await client.chat
        .postEphemeral({ channel: meta.channelId, user: userId, text: `${outcome.message} It now counts in /aicost team, /aicost feature and the budgets.` })
        .catch((err: unknown) => deps.log.warn({ err }, 'could not confirm the hidden cost'));
    }
  });
}
