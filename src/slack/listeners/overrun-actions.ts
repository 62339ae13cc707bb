import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import { parseAmountInput } from '../../domain/money.ts';
import { failureText } from '../../format/failure-text.ts';
import { plainMentions } from '../../domain/mentions.ts';
import type { BudgetService } from '../../services/budget-service.ts';
import type { Logger } from '../../logger.ts';
import { ACTIONS, VIEWS } from '../ids.ts';
import { approveOtherMeta, denyMeta, idValue } from '../payload-schemas.ts';
import type { WebClient } from '@slack/web-api';
import { approveOtherModal, denyModal, viewValues } from '../blocks/modals.ts';
import { homeView } from '../blocks/home-blocks.ts';

/**
 * Approve / Deny / Approve another amount on a budget request. Every click is re-authorised on the
 * server (finance only); anyone else gets an ephemeral refusal and nothing changes. Deciding is atomic,
 * so two simultaneous clicks give one decision.
 */
export function registerOverrunActions(app: App, deps: { services: { budgets: BudgetService }; log: Logger; clock: () => Date }): void {
  const { services } = deps;
  /** The request id a button carries, or null after answering that the button was tampered with. */
  const requestId = async (body: BlockButtonAction, respond: RespondFn): Promise<number | null> => {
    const id = idValue.safeParse(body.actions[0]?.value ?? '');
    if (id.success) return id.data;
    await respond({ response_type: 'ephemeral', replace_original: false, text: failureText({ code: 'input.tampered-button' }) });
    return null;
  };
  const republishHome = async (client: WebClient, userId: string) => {
    await client.views
      .publish({ user_id: userId, view: homeView(await services.budgets.home(userId, deps.clock())) })
      .catch((err: unknown) => deps.log.warn({ err }, 'could not refresh App Home'));
  };

  app.action<BlockButtonAction>(ACTIONS.approveOverrun, async ({ ack, body, respond, client }) => {
    await ack();
    const id = await requestId(body, respond);
    if (id === null) return;
    const r = await services.budgets.decide(id, 'approved', body.user.id, deps.clock());
    // From App Home (a view: no response_url) the answer is the refreshed Home tab.
    if (body.container?.type === 'view') await republishHome(client, body.user.id);
    else if (!r.ok) await respond({ response_type: 'ephemeral', replace_original: false, text: failureText(r.failure) });
  });

  // Deny asks for an optional reason first; the decision is made (and re-authorised) on submit.
  app.action<BlockButtonAction>(ACTIONS.denyOverrun, async ({ ack, body, respond, client }) => {
    await ack();
    const id = await requestId(body, respond);
    if (id === null) return;
    const r = await services.budgets.requestToDecide(id, body.user.id);
    if (!r.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: failureText(r.failure) });
      return;
    }
    await client.views.open({ trigger_id: body.trigger_id, view: denyModal(r.request, r.teamName, body.channel?.id ?? null) });
  });

  app.view(VIEWS.denyOverrun, async ({ ack, view, body, client }) => {
    const values = viewValues(view.state as Parameters<typeof viewValues>[0]);
    const reason = (values.reason ?? '').trim().slice(0, 500);
    const meta = denyMeta.safeParse(view.private_metadata ?? '');
    if (!meta.success) {
      await ack({ response_action: 'errors', errors: { reason: failureText({ code: 'input.tampered-form' }) } });
      return;
    }
    const id = meta.data.requestId;
    const check = await services.budgets.requestToDecide(id, body.user.id);
    if (!check.ok) {
      await ack({ response_action: 'errors', errors: { reason: plainMentions(failureText(check.failure)).slice(0, 150) } });
      return;
    }
    await ack();
    const r = await services.budgets.decide(id, 'denied', body.user.id, deps.clock(), { reason: reason || null });
    if (!r.ok)
      await client.chat
        .postEphemeral({ channel: meta.data.channelId ?? body.user.id, user: body.user.id, text: failureText(r.failure) })
        .catch((err: unknown) => deps.log.warn({ err }, 'could not tell the user'));
  });

  app.action<BlockButtonAction>(ACTIONS.approveOtherOverrun, async ({ ack, body, respond, client }) => {
    await ack();
    const id = await requestId(body, respond);
    if (id === null) return;
    const r = await services.budgets.requestToDecide(id, body.user.id);
    if (!r.ok) {
      if (body.container?.type === 'view') await republishHome(client, body.user.id);
      else await respond({ response_type: 'ephemeral', replace_original: false, text: failureText(r.failure) });
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: approveOtherModal(r.request, r.teamName, body.message?.ts ?? null, body.channel?.id ?? null),
    });
  });

  app.view(VIEWS.approveOther, async ({ ack, view, body, client }) => {
    const parsedMeta = approveOtherMeta.safeParse(view.private_metadata ?? '');
    if (!parsedMeta.success) {
      await ack({ response_action: 'errors', errors: { amount: failureText({ code: 'input.tampered-form' }).slice(0, 150) } });
      return;
    }
    const meta = parsedMeta.data;
    const values = viewValues(view.state as Parameters<typeof viewValues>[0]);
    const parsed = parseAmountInput(values.amount ?? '');
    const amount = parsed.ok ? parsed.value : null;
    const reason = (values.reason ?? '').trim();
    const errors: Record<string, string> = {};
    if (!parsed.ok) errors.amount = failureText(parsed.failure).slice(0, 150);
    if (!reason) errors.reason = failureText({ code: 'budget.approve-reason' });
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const requestId = meta.requestId;
    // Who may decide, and whether there is still something to decide, is answered in the form; the
    // decision and its messages (three Slack calls) happen after the ack, inside Slack's 3 seconds.
    const check = await services.budgets.requestToDecide(requestId, body.user.id);
    if (!check.ok) {
      await ack({ response_action: 'errors', errors: { amount: plainMentions(failureText(check.failure)).slice(0, 150) } });
      return;
    }
    await ack();
    const r = await services.budgets.decide(requestId, 'approved', body.user.id, deps.clock(), { amount: amount!, reason });
    if (!r.ok)
      await client.chat
        .postEphemeral({ channel: meta.channelId ?? body.user.id, user: body.user.id, text: failureText(r.failure) })
        .catch((err: unknown) => deps.log.warn({ err }, 'could not tell the user'));
  });
}
