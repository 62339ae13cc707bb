import type { App, BlockButtonAction } from '@slack/bolt';
import type { ChargebackService } from '../../services/chargeback-service.ts';
import type { Logger } from '../../logger.ts';
import { failureText } from '../../format/failure-text.ts';
import { ACTIONS } from '../ids.ts';
import { monthValue } from '../payload-schemas.ts';

/** Close / Reopen / Finalize on the chargeback draft: finance only, re-checked on every click, audited. */
export function registerPeriodActions(app: App, deps: { services: { chargeback: ChargebackService }; log: Logger; clock: () => Date }): void {
  for (const [action, verb] of [
    [ACTIONS.periodClose, 'close'],
    [ACTIONS.periodReopen, 'reopen'],
    [ACTIONS.periodFinalize, 'finalize'],
  ] as const) {
    app.action<BlockButtonAction>(action, async ({ ack, body, respond }) => {
      await ack();
      const month = monthValue.safeParse(body.actions[0]?.value ?? '');
      const r = month.success
        ? await deps.services.chargeback.transition(month.data, verb, body.user.id, deps.clock())
        : { ok: false as const, failure: { code: 'input.tampered-button' as const } };
      await respond({ response_type: 'ephemeral', replace_original: false, text: r.ok ? r.message : failureText(r.failure) });
    });
  }
}
