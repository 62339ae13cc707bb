import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../container.ts';
import type { Logger } from '../../logger.ts';
import { ACTIONS } from '../ids.ts';
import { isMonth } from '../../domain/calendar.ts';

/** Close / Reopen / Finalize on the chargeback draft: finance only, re-checked on every click, audited. */
export function registerPeriodActions(app: App, deps: { services: Services; log: Logger; clock: () => Date }): void {
  for (const [action, verb] of [[ACTIONS.periodClose, 'close'], [ACTIONS.periodReopen, 'reopen'], [ACTIONS.periodFinalize, 'finalize']] as const) {
    app.action<BlockButtonAction>(action, async ({ ack, body, respond }) => {
      await ack();
      const month = String(body.actions[0]?.value ?? '');
      const r = isMonth(month) ? await deps.services.chargeback.transition(month, verb, body.user.id, deps.clock()) : { ok: false, message: 'That button carries no month.' };
      await respond({ response_type: 'ephemeral', replace_original: false, text: r.message });
    });
  }
}
