import type { App, BlockButtonAction } from '@slack/bolt';
import type { IncidentStatus } from '../../services/ports/anomalies.ts';
import type { AnomalyService } from '../../services/anomaly-service.ts';
import type { Logger } from '../../logger.ts';
import { failureText } from '../../format/failure-text.ts';
import { ACTIONS } from '../ids.ts';
import { anomalyFeedbackValue } from '../payload-schemas.ts';

const STATUSES: IncidentStatus[] = ['planned', 'not_an_issue', 'investigating'];

/** Feedback on an anomaly post: Expected (planned), Not an issue, Investigating. */
export function registerAnomalyActions(app: App, deps: { services: { anomalies: AnomalyService }; log: Logger; clock: () => Date }): void {
  app.action<BlockButtonAction>(new RegExp(`^${ACTIONS.anomalyFeedback}_`), async ({ ack, body, respond }) => {
    await ack();
    const value = anomalyFeedbackValue.safeParse(body.actions[0]?.value ?? '');
    if (!value.success || !STATUSES.includes(value.data.status)) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: failureText({ code: 'input.tampered-button' }) });
      return;
    }
    const r = await deps.services.anomalies.feedback(value.data.id, value.data.status, body.user.id, deps.clock());
    await respond({ response_type: 'ephemeral', replace_original: false, text: r.ok ? r.message : failureText(r.failure) });
  });
}
