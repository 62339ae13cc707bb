import type { View } from '@slack/types';
import type { HiddenCostListing } from '../../services/ports/hidden-costs.ts';
import type { OverrunRequestRecord } from '../../services/ports/budgets.ts';
import { formatMoney, toDecimalString } from '../../domain/money.ts';
import { VIEWS } from '../ids.ts';

/** Modals. Each input's block_id is the field name and its action_id is "value". */
const text = (
  block: string,
  label: string,
  opts: { placeholder?: string; hint?: string; optional?: boolean; multiline?: boolean; initial?: string | null } = {},
) => ({
  type: 'input' as const,
  block_id: block,
  optional: opts.optional ?? false,
  label: { type: 'plain_text' as const, text: label },
  ...(opts.hint ? { hint: { type: 'plain_text' as const, text: opts.hint } } : {}),
  element: {
    type: 'plain_text_input' as const,
    action_id: 'value',
    ...(opts.multiline ? { multiline: true } : {}),
    ...(opts.placeholder ? { placeholder: { type: 'plain_text' as const, text: opts.placeholder } } : {}),
    ...(opts.initial ? { initial_value: opts.initial } : {}),
  },
});

const option = (value: string, label = value) => ({ text: { type: 'plain_text' as const, text: label.slice(0, 75) }, value });

export function hiddenCostModal(opts: { categories: string[]; channelId: string | null; entry?: HiddenCostListing; targetText?: string }): View {
  const e = opts.entry;
  const kindValue = e ? (e.kind === 'per_unit' ? (e.unit === 'request' ? 'per_request' : 'per_item') : e.kind === 'one_off' ? 'once' : 'monthly') : undefined;
  const kinds = [
    option('once', 'One-off, on a date'),
    option('monthly', 'Every month'),
    option('per_item', 'Per work item of a feature'),
    option('per_request', 'Per request of a feature'),
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.addHidden,
    private_metadata: JSON.stringify({ channelId: opts.channelId, entryId: e?.id ?? null }),
    title: { type: 'plain_text', text: e ? `Edit hidden cost #${e.id}`.slice(0, 24) : 'Add a hidden cost' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      text('amount', 'Amount (USD)', {
        placeholder: '2800 or 4.50',
        hint: 'Per work item or request for per-unit costs (up to 4 decimals).',
        initial: e ? toDecimalString(e.amount, e.kind === 'per_unit' ? 4 : 2) : null,
      }),
      {
        type: 'input',
        block_id: 'category',
        label: { type: 'plain_text', text: 'Category' },
        element: {
          type: 'static_select',
          action_id: 'value',
          options: opts.categories.slice(0, 100).map((c) => option(c)),
          ...(e ? { initial_option: option(e.category) } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'kind',
        label: { type: 'plain_text', text: 'How often' },
        element: {
          type: 'static_select',
          action_id: 'value',
          options: kinds,
          ...(kindValue ? { initial_option: kinds.find((k) => k.value === kindValue)! } : {}),
        },
      },
      text('target', 'Who pays', {
        placeholder: 'payments, feature:search, shared, shared even',
        hint: 'A team or feature slug, or "shared" (split by direct API spend unless a rule follows).',
        initial: opts.targetText ?? null,
      }),
      text('rule', 'Allocation rule (shared costs)', { optional: true, placeholder: 'even · direct · usage:requests · fixed:payments=60,search=40' }),
      {
        type: 'input',
        block_id: 'date',
        optional: true,
        label: { type: 'plain_text', text: 'Date (one-off costs)' },
        element: { type: 'datepicker', action_id: 'value', ...(e?.date ? { initial_date: e.date } : {}) },
      },
      text('fromMonth', 'From month (YYYY-MM)', { optional: true, placeholder: '2026-11', initial: e?.fromMonth ?? null }),
      text('untilMonth', 'Until month, included (YYYY-MM)', { optional: true, placeholder: 'leave empty for open-ended', initial: e?.untilMonth ?? null }),
      text('note', 'Note', { optional: true, multiline: true, initial: e?.note ?? null }),
    ],
  };
}

export function approveOtherModal(req: OverrunRequestRecord, teamName: string, messageTs: string | null, channelId: string | null): View {
  return {
    type: 'modal',
    callback_id: VIEWS.approveOther,
    private_metadata: JSON.stringify({ requestId: req.id, messageTs, channelId }),
    title: { type: 'plain_text', text: 'Approve another amount' },
    submit: { type: 'plain_text', text: 'Approve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Request #${req.id} from ${escapeText(teamName)} asked for *${formatMoney(req.amount)}* more in ${req.month}.${contextLine(req)}`,
        },
      },
      text('amount', 'Amount to approve (USD)', { placeholder: toDecimalString(req.amount, 2) }),
      text('reason', 'Reason', { multiline: true, placeholder: 'Why this amount' }),
    ],
  };
}

/** Deny a budget request, with an optional reason the requester and the team will read. */
export function denyModal(req: OverrunRequestRecord, teamName: string, channelId: string | null): View {
  return {
    type: 'modal',
    callback_id: VIEWS.denyOverrun,
    private_metadata: JSON.stringify({ requestId: req.id, channelId }),
    title: { type: 'plain_text', text: 'Deny the request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Request #${req.id} from ${escapeText(teamName)} asked for *${formatMoney(req.amount)}* more in ${req.month}.${contextLine(req)}`,
        },
      },
      text('reason', 'Reason (optional)', { multiline: true, optional: true, placeholder: 'Told to the requester and the team' }),
    ],
  };
}

/** Budget, spent, forecast and shortfall when the request was made, so the amount can be judged in the form. */
function contextLine(req: OverrunRequestRecord): string {
  const c = req.context;
  if (!c) return '';
  const parts = [
    `budget ${c.budget === null ? 'none' : formatMoney(c.budget)}`,
    `spent ${formatMoney(c.spent)}`,
    `forecast ${c.forecast === null ? 'not yet reliable' : formatMoney(c.forecast)}`,
  ];
  if (c.shortfall !== null) parts.push(`projected shortfall *${formatMoney(c.shortfall)}*`);
  return `\nWhen asked: ${parts.join(' · ')}.`;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Values of a submitted view as plain strings by block id (text, select, date). */
export function viewValues(state: {
  values: Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_date?: string | null }>>;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [block, actions] of Object.entries(state.values)) {
    const a = actions.value ?? Object.values(actions)[0];
    if (!a) continue;
    out[block] = a.value ?? a.selected_option?.value ?? a.selected_date ?? '';
  }
  return out;
}
