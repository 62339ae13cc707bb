/**
 * Request bodies exactly as Slack sends them to the app's /slack/events endpoint: slash commands
 * and interactivity as `application/x-www-form-urlencoded`, Events API callbacks as JSON. Sign
 * them with `postSigned` from ./slack-signer.ts.
 *
 * Defaults match the stand-in Slack server's workspace (./slack-stand-in.ts), so a bot reply to
 * a default payload goes to ids the stand-in knows. Pass `responseUrl: standIn.responseUrl('x')`:
 * the default response_url points at a closed local port, so a forgotten one fails loudly instead
 * of reaching the internet.
 */
import { randomBytes } from 'node:crypto';

export const TEST_IDS = {
  teamId: 'T0AICOST',
  teamDomain: 'aicost-test',
  teamName: 'Aicost Test',
  enterpriseId: null,
  appId: 'A0AICOST',
  botId: 'B0AICOST',
  botUserId: 'U0AICOSTBOT',
  botUserName: 'aicost',
  userId: 'U0ALICE',
  userName: 'alice',
  channelId: 'C0AICOSTS',
  channelName: 'ai-costs',
  /** The legacy verification token Slack still sends in every payload (Bolt ignores it). */
  verificationToken: 'aicostVerificationToken0',
} as const;

/** A response_url that refuses connections (port 9, discard): replace it with the stand-in's. */
export const UNSET_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-set';

let seq = 0;

/**
 * A fresh trigger_id, shaped like Slack's (`<number>.<number>.<hex>`). The first part is the issue
 * time in ms, which the stand-in uses to enforce Slack's 3-second validity.
 */
export function newTriggerId(issuedAtMs: number = Date.now()): string {
  seq += 1;
  return `${issuedAtMs}.${seq}.${randomBytes(16).toString('hex')}`;
}

/** A Slack timestamp string (`seconds.micro`), unique within this process. */
export function newSlackTs(atMs: number = Date.now()): string {
  seq += 1;
  return `${Math.floor(atMs / 1000)}.${String(seq % 1_000_000).padStart(6, '0')}`;
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** `payload=<url-encoded JSON>`: how Slack posts every interactivity payload. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

// ---------------------------------------------------------------------------------------------
// Slash commands
// ---------------------------------------------------------------------------------------------

/** The fields of a slash command request, in the order Slack sends them. */
export interface SlashCommandFields {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  api_app_id: string;
  is_enterprise_install: string;
  response_url: string;
  trigger_id: string;
}

export interface SlashCommandOptions {
  text?: string;
  command?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  token?: string;
  responseUrl?: string;
  triggerId?: string;
}

export function slashCommandFields(o: SlashCommandOptions = {}): SlashCommandFields {
  return {
    token: o.token ?? TEST_IDS.verificationToken,
    team_id: o.teamId ?? TEST_IDS.teamId,
    team_domain: o.teamDomain ?? TEST_IDS.teamDomain,
    channel_id: o.channelId ?? TEST_IDS.channelId,
    channel_name: o.channelName ?? TEST_IDS.channelName,
    user_id: o.userId ?? TEST_IDS.userId,
    user_name: o.userName ?? TEST_IDS.userName,
    command: o.command ?? '/aicost',
    text: o.text ?? '',
    api_app_id: o.apiAppId ?? TEST_IDS.appId,
    is_enterprise_install: 'false',
    response_url: o.responseUrl ?? UNSET_RESPONSE_URL,
    trigger_id: o.triggerId ?? newTriggerId(),
  };
}

/** The form body of a slash command, e.g. `token=…&team_id=…&…&command=%2Faicost&text=top+teams&…`. */
export function slashCommandBody(o: SlashCommandOptions = {}): string {
  return new URLSearchParams(Object.entries(slashCommandFields(o))).toString();
}

// ---------------------------------------------------------------------------------------------
// block_actions (button clicks)
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

export interface BlockActionsOptions {
  actionId: string;
  /** Defaults to the button's value when `blocks` contains the button, else absent. */
  value?: string;
  /** Defaults to the block holding the button in `blocks`, else a random id (as Slack generates). */
  blockId?: string;
  /** The button label; defaults to the button's own text when found in `blocks`. */
  buttonText?: string;
  /** Where the button was: a message (default), an ephemeral message, or a view (modal / Home tab). */
  container?: 'message' | 'ephemeral' | 'view';
  /** Blocks of the message or view holding the button. */
  blocks?: readonly unknown[];
  messageTs?: string;
  messageText?: string;
  /** For `container: 'view'`: fields merged into the view object (e.g. `{ type: 'modal', callback_id }`). */
  view?: Json;
  stateValues?: Record<string, Record<string, StateValueInput>>;
  userId?: string;
  userName?: string;
  teamId?: string;
  teamDomain?: string;
  channelId?: string;
  channelName?: string;
  apiAppId?: string;
  token?: string;
  responseUrl?: string;
  triggerId?: string;
  actionTs?: string;
}

interface FoundButton {
  blockId: string;
  element: Json;
}

function findAction(blocks: readonly unknown[] | undefined, actionId: string): FoundButton | undefined {
  for (const b of blocks ?? []) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as Json;
    const candidates: unknown[] = [];
    if (Array.isArray(block.elements)) candidates.push(...block.elements);
    if (block.accessory !== undefined) candidates.push(block.accessory);
    if (block.element !== undefined) candidates.push(block.element);
    for (const e of candidates) {
      if (typeof e === 'object' && e !== null && (e as Json).action_id === actionId) {
        return { blockId: typeof block.block_id === 'string' ? block.block_id : newId('b'), element: e as Json };
      }
    }
  }
  return undefined;
}

function slackUser(o: { userId?: string; userName?: string; teamId?: string }): Json {
  const name = o.userName ?? TEST_IDS.userName;
  return { id: o.userId ?? TEST_IDS.userId, username: name, name, team_id: o.teamId ?? TEST_IDS.teamId };
}

export function blockActionsPayload(o: BlockActionsOptions): Json {
  const found = findAction(o.blocks, o.actionId);
  const element = found?.element;
  const elementText = element && typeof element.text === 'object' && element.text !== null ? (element.text as Json).text : undefined;
  const value = o.value ?? (typeof element?.value === 'string' ? element.value : undefined);
  const action: Json = {
    action_id: o.actionId,
    block_id: o.blockId ?? found?.blockId ?? newId('b'),
    text: { type: 'plain_text', text: o.buttonText ?? (typeof elementText === 'string' ? elementText : 'Button'), emoji: true },
    ...(value !== undefined ? { value } : {}),
    ...(typeof element?.style === 'string' ? { style: element.style } : {}),
    type: 'button',
    action_ts: o.actionTs ?? newSlackTs(),
  };
  const teamId = o.teamId ?? TEST_IDS.teamId;
  const channelId = o.channelId ?? TEST_IDS.channelId;
  const messageTs = o.messageTs ?? newSlackTs();
  const container = o.container ?? 'message';
  const base: Json = {
    type: 'block_actions',
    user: slackUser(o),
    api_app_id: o.apiAppId ?? TEST_IDS.appId,
    token: o.token ?? TEST_IDS.verificationToken,
  };
  const state = { values: stateValues(o.stateValues) };
  if (container === 'view') {
    const view = viewObject({ type: 'home', blocks: o.blocks ?? [], ...o.view }, teamId, state.values);
    return {
      ...base,
      container: { type: 'view', view_id: view.id },
      trigger_id: o.triggerId ?? newTriggerId(),
      team: { id: teamId, domain: o.teamDomain ?? TEST_IDS.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      view,
      actions: [action],
    };
  }
  const ephemeral = container === 'ephemeral';
  return {
    ...base,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: ephemeral },
    trigger_id: o.triggerId ?? newTriggerId(),
    team: { id: teamId, domain: o.teamDomain ?? TEST_IDS.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: o.channelName ?? TEST_IDS.channelName },
    // Slack does not include ephemeral messages in the payload.
    ...(ephemeral
      ? {}
      : {
          message: {
            user: TEST_IDS.botUserId,
            type: 'message',
            ts: messageTs,
            bot_id: TEST_IDS.botId,
            app_id: o.apiAppId ?? TEST_IDS.appId,
            text: o.messageText ?? "This content can't be displayed.",
            team: teamId,
            blocks: o.blocks ?? [],
          },
        }),
    state,
    response_url: o.responseUrl ?? UNSET_RESPONSE_URL,
    actions: [action],
  };
}

export function blockActionsBody(o: BlockActionsOptions): string {
  return interactionBody(blockActionsPayload(o));
}

// ---------------------------------------------------------------------------------------------
// view_submission
// ---------------------------------------------------------------------------------------------

/** A string is shorthand for a plain_text_input's value. */
export type StateValueInput = string | Json;

export function plainTextInput(value: string | null): Json {
  return { type: 'plain_text_input', value };
}

export function staticSelect(value: string | null, text: string = value ?? ''): Json {
  return {
    type: 'static_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text, emoji: true }, value },
  };
}

function stateValues(values: Record<string, Record<string, StateValueInput>> | undefined): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  for (const [blockId, actions] of Object.entries(values ?? {})) {
    const inner: Record<string, Json> = {};
    for (const [actionId, v] of Object.entries(actions)) inner[actionId] = typeof v === 'string' ? plainTextInput(v) : v;
    out[blockId] = inner;
  }
  return out;
}

function viewObject(fields: Json, teamId: string, values: Record<string, Record<string, Json>>): Json {
  const id = typeof fields.id === 'string' ? fields.id : newId('V');
  const type = fields.type ?? 'modal';
  return {
    id,
    team_id: teamId,
    type,
    blocks: [],
    private_metadata: '',
    callback_id: '',
    state: { values },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    title: { type: 'plain_text', text: 'aicost', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: type === 'modal' ? { type: 'plain_text', text: 'Submit', emoji: true } : null,
    previous_view_id: null,
    root_view_id: id,
    app_id: TEST_IDS.appId,
    external_id: '',
    app_installed_team_id: teamId,
    bot_id: TEST_IDS.botId,
    ...fields,
  };
}

export interface ViewSubmissionOptions {
  callbackId: string;
  /** `view.state.values`: `{ [block_id]: { [action_id]: value } }`; strings mean plain_text_input. */
  values?: Record<string, Record<string, StateValueInput>>;
  privateMetadata?: string;
  blocks?: readonly unknown[];
  title?: string;
  viewId?: string;
  externalId?: string;
  hash?: string;
  /** Other view fields to merge in. */
  view?: Json;
  userId?: string;
  userName?: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  token?: string;
  triggerId?: string;
  /** Only present when the modal has a conversations select with `response_url_enabled`. */
  responseUrls?: readonly Json[];
}

export function viewSubmissionPayload(o: ViewSubmissionOptions): Json {
  const teamId = o.teamId ?? TEST_IDS.teamId;
  const view = viewObject(
    {
      type: 'modal',
      callback_id: o.callbackId,
      private_metadata: o.privateMetadata ?? '',
      blocks: o.blocks ?? [],
      ...(o.viewId !== undefined ? { id: o.viewId } : {}),
      ...(o.externalId !== undefined ? { external_id: o.externalId } : {}),
      ...(o.hash !== undefined ? { hash: o.hash } : {}),
      ...(o.title !== undefined ? { title: { type: 'plain_text', text: o.title, emoji: true } } : {}),
      ...o.view,
    },
    teamId,
    stateValues(o.values),
  );
  return {
    type: 'view_submission',
    team: { id: teamId, domain: o.teamDomain ?? TEST_IDS.teamDomain },
    user: slackUser(o),
    api_app_id: o.apiAppId ?? TEST_IDS.appId,
    token: o.token ?? TEST_IDS.verificationToken,
    trigger_id: o.triggerId ?? newTriggerId(),
    view,
    response_urls: [...(o.responseUrls ?? [])],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function viewSubmissionBody(o: ViewSubmissionOptions): string {
  return interactionBody(viewSubmissionPayload(o));
}

// ---------------------------------------------------------------------------------------------
// Events API
// ---------------------------------------------------------------------------------------------

export interface EventEnvelopeOptions {
  teamId?: string;
  apiAppId?: string;
  token?: string;
  eventId?: string;
  eventTime?: number;
}

/** An Events API `event_callback` envelope around `event`. */
export function eventCallbackEnvelope(event: Json, o: EventEnvelopeOptions = {}): Json {
  const teamId = o.teamId ?? TEST_IDS.teamId;
  return {
    token: o.token ?? TEST_IDS.verificationToken,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: o.apiAppId ?? TEST_IDS.appId,
    event,
    type: 'event_callback',
    event_id: o.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: o.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: TEST_IDS.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: teamId, aid: o.apiAppId ?? TEST_IDS.appId })).toString('base64url')}`,
  };
}

export interface AppHomeOpenedOptions extends EventEnvelopeOptions {
  userId?: string;
  /** The app's DM channel with the user. */
  channel?: string;
  tab?: 'home' | 'messages';
  /** The currently published Home view; Slack omits it before the first `views.publish`. */
  view?: Json;
  eventTs?: string;
}

export function appHomeOpenedEnvelope(o: AppHomeOpenedOptions = {}): Json {
  const userId = o.userId ?? TEST_IDS.userId;
  const event: Json = {
    type: 'app_home_opened',
    user: userId,
    channel: o.channel ?? `D${userId.slice(1)}`,
    tab: o.tab ?? 'home',
    ...(o.view !== undefined ? { view: o.view } : {}),
    event_ts: o.eventTs ?? newSlackTs(),
  };
  return eventCallbackEnvelope(event, o);
}

/** The raw JSON body of an `app_home_opened` event callback (sign it as application/json). */
export function appHomeOpenedBody(o: AppHomeOpenedOptions = {}): string {
  return JSON.stringify(appHomeOpenedEnvelope(o));
}
