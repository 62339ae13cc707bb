import type { App, BlockButtonAction } from '@slack/bolt';
import type { IncidentStatus } from '../../db/repositories/anomalies.ts';
import type { Services } from '../../container.ts';
import type { Logger } from '../../logger.ts';
import { ACTIONS } from '../ids.ts';

const STATUSES: IncidentStatus[] = ['planned', 'not_an_issue', 'investigating'];

/** Feedback on an anomaly post: Expected (planned), Not an issue, Investigating. */
export function registerAnomalyActions(app: App, deps: { services: Services; log: Logger; clock: () => Date }): void {
  app.action<BlockButtonAction>(new RegExp(`^${ACTIONS.anomalyFeedback}_`), async ({ ack, body, respond }) => {
    await ack();
    const [idText, status] = String(body.actions[0]?.value ?? '').split(':');
    const id = Number(idText);
    if (!Number.isInteger(id) || !STATUSES.includes(status as IncidentStatus)) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button is not one I know.' });
      return;
    }
    const r = await deps.services.anomalies.feedback(id, status as IncidentStatus, body.user.id, deps.clock());
    await respond({ response_type: 'ephemeral', replace_original: false, text: r.message });
  });
}
