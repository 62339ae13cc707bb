import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LogLevel, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { fitBlocks } from '../../src/slack/block-limits.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-stand-in.ts';
import { computeSignature, postSigned, signRequest } from '../support/slack-signer.ts';
import {
  TEST_IDS,
  appHomeOpenedBody,
  blockActionsBody,
  blockActionsPayload,
  newTriggerId,
  slashCommandBody,
  viewSubmissionPayload,
} from '../support/slack-payloads.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const TOKEN = 'xoxb-test-token';

let slack: SlackStandIn;
let client: WebClient;

/** The client logs Slack's `[ERROR]` response_metadata messages; keep test output quiet. */
const silent = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** `null` for a client without a token. */
function webClient(token: string | null = TOKEN): WebClient {
  return new WebClient(token ?? undefined, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger: silent });
}

async function slackError(p: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await p;
  } catch (e) {
    const err = e as WebAPIPlatformError;
    if (err.code !== 'slack_webapi_platform_error') throw e;
    return err.data;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  slack = await startSlackStandIn();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.reset();
  client = webClient();
});

describe('slack stand-in: Web API', () => {
  it('serves under a base URL ending with /api/ and answers auth.test', async () => {
    expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: TEST_IDS.teamId, user_id: TEST_IDS.botUserId, bot_id: TEST_IDS.botId });
  });

  it('records chat.postMessage as Slack receives it, with parsed blocks and the bearer token', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*$12.00* this month' } }];
    const res = await client.chat.postMessage({ channel: 'C0COSTS', text: 'spend', blocks, metadata: { event_type: 'x', event_payload: { a: 1 } } });
    expect(res.ok).toBe(true);
    const call = await slack.waitFor('chat.postMessage');
    expect(call.contentType).toBe('application/x-www-form-urlencoded');
    expect(call.token).toBe(TOKEN);
    expect(call.tokenSource).toBe('header');
    expect(call.args.channel).toBe('C0COSTS');
    expect(call.args.text).toBe('spend');
    expect(call.args.blocks).toEqual(blocks);
    expect(call.args.metadata).toEqual({ event_type: 'x', event_payload: { a: 1 } });
    expect(call.rawBody).toContain('blocks=%5B%7B'); // a JSON string inside the form
    expect(res.channel).toBe('C0COSTS');
    expect(res.message?.blocks).toEqual(blocks);
  });

  it('returns a ts unique per call and channel', async () => {
    const a = await client.chat.postMessage({ channel: 'C1', text: 'a' });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'b' });
    const c = await client.chat.postMessage({ channel: 'C2', text: 'c' });
    expect(new Set([a.ts, b.ts, c.ts]).size).toBe(3);
    expect(a.ts).toMatch(/^\d+\.\d{6}$/);
  });

  it('accepts JSON bodies too', async () => {
    const res = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C1', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C1' });
    expect((await slack.waitFor('chat.postMessage')).args.blocks).toEqual([{ type: 'divider' }]);
  });

  it('rejects a missing token with not_authed and a bad one with invalid_auth', async () => {
    expect((await slackError(webClient(null).auth.test())).error).toBe('not_authed');
    expect((await slackError(webClient('not-a-token').auth.test())).error).toBe('invalid_auth');
    expect(slack.callsTo('auth.test').map((c) => c.authed)).toEqual([false, false]);
  });

  it('fails loudly on a method it does not implement', async () => {
    const data = await slackError(client.conversations.history({ channel: 'C1' }));
    expect(data.error).toBe('unknown_method');
    expect((await slack.waitFor('conversations.history')).response).toMatchObject({ ok: false, error: 'unknown_method' });
  });

  it('rejects oversize blocks like Slack does', async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const data = await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: tooMany }));
    expect(data.error).toBe('invalid_blocks');
    const longSection = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    const data2 = await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: longSection }));
    expect(data2.error).toBe('invalid_blocks');
    expect((data2 as { errors?: string[] }).errors?.[0]).toContain('[json-pointer:/blocks/0/text/text]');
    const budget = Array.from({ length: 5 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(2500) } }));
    expect((await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: budget }))).error).toBe('msg_blocks_too_long');
    const header = [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }];
    expect((await slackError(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x', blocks: header }))).error).toBe('invalid_blocks');
    expect((await slackError(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x', blocks: tooMany }))).error).toBe('invalid_blocks');
    const home = { type: 'home' as const, blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) };
    expect((await slackError(client.views.publish({ user_id: 'U1', view: home }))).error).toBe('invalid_arguments');
  });

  it("refuses an oversize message and accepts what production's fitter makes of it", async () => {
    const rows = Array.from({ length: 70 }, (_, i) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `row ${i} ${'y'.repeat(300)}` } }));
    const blocks = [{ type: 'header' as const, text: { type: 'plain_text' as const, text: 'h'.repeat(200) } }, ...rows];
    const refused = await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks }));
    expect(refused.error).toBe('invalid_blocks');
    const fitted = fitBlocks(blocks, 'message');
    const res = await client.chat.postMessage({ channel: 'C1', text: 'x', blocks: fitted });
    expect(res.ok).toBe(true);
    const calls = slack.callsTo('chat.postMessage');
    expect(calls.map((c) => c.response)).toMatchObject([{ ok: false, error: 'invalid_blocks' }, { ok: true }]);
    expect(calls[1]!.args.blocks).toEqual(fitted);
  });

  it('answers chat.postEphemeral, chat.update and chat.getPermalink', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'a' });
    expect(await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'psst' })).toMatchObject({ ok: true });
    const updated = await client.chat.update({ channel: 'C1', ts: ts!, text: 'b' });
    expect(updated).toMatchObject({ ok: true, channel: 'C1', ts, text: 'b' });
    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: ts! });
    expect(link.permalink).toBe(`https://${TEST_IDS.teamDomain}.slack.com/archives/C1/p${ts!.replace('.', '')}`);
  });

  it('opens, updates and publishes views; trigger ids are single-use and expire after 3 s', async () => {
    const modal = { type: 'modal' as const, callback_id: 'budget', title: { type: 'plain_text' as const, text: 'Budget' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: newTriggerId(), view: modal });
    expect(opened.view?.id).toMatch(/^V/);
    expect((await slack.waitFor('views.open')).args.view).toEqual(modal);
    const updated = await client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal });
    expect(updated.view?.id).toBe(opened.view?.id);
    expect((await slackError(client.views.update({ view_id: opened.view!.id!, hash: 'stale', view: modal }))).error).toBe('hash_conflict');

    const trigger = newTriggerId();
    await client.views.open({ trigger_id: trigger, view: modal });
    expect((await slackError(client.views.open({ trigger_id: trigger, view: modal }))).error).toBe('exchanged_trigger_id');
    expect((await slackError(client.views.open({ trigger_id: newTriggerId(Date.now() - 3500), view: modal }))).error).toBe('expired_trigger_id');

    const published = await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    expect(published.view?.type).toBe('home');
  });

  it('files.uploadV2 makes the three calls and the bytes arrive', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
    const res = await client.files.uploadV2({ channel_id: 'C1', file: png, filename: 'spend.png', title: 'Spend', initial_comment: 'chart' });
    const methods = slack.calls.map((c) => c.method);
    expect(methods).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    const get = slack.callsTo('files.getUploadURLExternal')[0]!;
    expect(get.args).toMatchObject({ filename: 'spend.png', length: String(png.length) });
    const upload = await slack.waitForUpload();
    expect(upload.bytes.equals(png)).toBe(true);
    expect(upload.filename).toBe('spend.png');
    expect(upload.field).toBe('body');
    expect(upload.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const complete = await slack.waitFor('files.completeUploadExternal');
    expect(complete.args).toMatchObject({ channel_id: 'C1', initial_comment: 'chart', files: [{ id: upload.fileId, title: 'Spend' }] });
    // The result is nested: one completion per group, each with its files.
    const files = (res as unknown as { files: Array<{ files: Array<{ id: string; title: string; size: number }> }> }).files;
    expect(files[0]!.files[0]).toMatchObject({ id: upload.fileId, title: 'Spend', size: png.length });
  });

  it('completeUploadExternal refuses a file that was never uploaded', async () => {
    const { file_id } = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const data = await slackError(client.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: 'C1' }));
    expect(data.error).toBe('file_not_found');
  });

  it('failNext fails the next call once: with an error, an HTTP status or a rate limit', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect((await slackError(client.chat.postMessage({ channel: 'C1', text: 'a' }))).error).toBe('channel_not_found');
    expect((await client.chat.postMessage({ channel: 'C1', text: 'a' })).ok).toBe(true);

    slack.failNext('chat.postMessage', { status: 500 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'a' })).rejects.toMatchObject({ code: 'slack_webapi_http_error' });

    slack.failNext('chat.postMessage', { retryAfter: 0 });
    const rateLimited = new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
    await expect(rateLimited.chat.postMessage({ channel: 'C1', text: 'a' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error' });

    const failed = slack.callsTo('chat.postMessage').map((c) => c.status);
    expect(failed).toEqual([200, 200, 500, 429]);
  });

  it('answers users.info, usergroups.users.list, conversations.open and conversations.info', async () => {
    expect((await slackError(client.users.info({ user: 'U0NOBODY' }))).error).toBe('user_not_found');
    slack.setUser('U0BOB', { name: 'bob', real_name: 'Bob Smith', tz: 'America/New_York', profile: { email: 'bob@example.com' } });
    const bob = await client.users.info({ user: 'U0BOB' });
    expect(bob.user).toMatchObject({ id: 'U0BOB', name: 'bob', real_name: 'Bob Smith', tz: 'America/New_York', profile: { email: 'bob@example.com' } });

    expect((await slackError(client.usergroups.users.list({ usergroup: 'S0FIN' }))).error).toBe('no_such_subteam');
    slack.setUsergroupMembers('S0FIN', ['U0BOB', 'U0CAROL']);
    expect((await client.usergroups.users.list({ usergroup: 'S0FIN' })).users).toEqual(['U0BOB', 'U0CAROL']);

    const dm = await client.conversations.open({ users: 'U0BOB' });
    expect(dm.channel?.id).toBe('D0BOB');
    expect((await client.conversations.info({ channel: 'D0BOB' })).channel).toMatchObject({ id: 'D0BOB', is_im: true, user: 'U0BOB' });
    expect((await client.conversations.info({ channel: TEST_IDS.channelId })).channel).toMatchObject({ name: TEST_IDS.channelName });
    expect((await slackError(client.conversations.info({ channel: 'C0UNKNOWN' }))).error).toBe('channel_not_found');
  });

  it('waitFor times out with the calls seen so far', async () => {
    await client.auth.test();
    await expect(slack.waitFor('chat.postMessage', undefined, 50)).rejects.toThrow(/chat\.postMessage.*auth\.test/);
  });
});

describe('slack stand-in: response_url', () => {
  it("records JSON posts like Slack's response_url, at most 5 per URL", async () => {
    const url = slack.responseUrl('cmd-1');
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ response_type: 'ephemeral', text: 'hi' })).status).toBe(200);
    const got = await slack.waitForResponse((r) => r.id === 'cmd-1');
    expect(got).toMatchObject({ url, body: { response_type: 'ephemeral', text: 'hi' }, status: 200 });
    for (let i = 0; i < 4; i++) expect((await post({ text: `${i}` })).status).toBe(200);
    expect((await post({ text: 'sixth' })).status).toBe(404);
  });

  it('rejects oversize blocks and honours failNext', async () => {
    const url = slack.responseUrl('cmd-2');
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ blocks }) });
    expect(res.status).toBe(400);
    slack.failNext('response_url', { status: 503 });
    const res2 = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a' }) });
    expect(res2.status).toBe(503);
  });
});

describe('signer and payloads', () => {
  let server: Server;
  let seen: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let appUrl = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    seen = [];
  });

  it("signs v0:<ts>:<body> with HMAC-SHA256 (Slack's documented example)", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(computeSignature('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    const headers = signRequest('s', body, 1531420618);
    expect(headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(headers['X-Slack-Request-Timestamp']).toBe('1531420618');
    expect(signRequest('s', '{"type":"event_callback"}')['Content-Type']).toBe('application/json');
  });

  it('postSigned sends the string body with the exact content type and a valid signature', async () => {
    const body = slashCommandBody({ text: 'top teams', responseUrl: slack.responseUrl('x') });
    await postSigned(appUrl, body, { secret: 'sec', timestamp: 1700000000 });
    const req = seen[0]!;
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.body).toBe(body);
    expect(req.headers['x-slack-signature']).toBe(computeSignature('sec', body, 1700000000));
    await postSigned(appUrl, appHomeOpenedBody(), { secret: 'sec' });
    expect(seen[1]!.headers['content-type']).toBe('application/json');
  });

  it('builds a slash command with every field Slack sends, in order', () => {
    const params = new URLSearchParams(slashCommandBody({ text: 'team payments mtd' }));
    expect([...params.keys()]).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(params.get('command')).toBe('/aicost');
    expect(params.get('text')).toBe('team payments mtd');
  });

  it('builds block_actions from the clicked button in the message blocks', () => {
    const blocks = [
      {
        type: 'actions',
        block_id: 'budget_actions',
        elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'req-7', style: 'primary' }],
      },
    ];
    const body = blockActionsBody({ actionId: 'approve', blocks, messageTs: '1700000000.000100' });
    const payload = JSON.parse(new URLSearchParams(body).get('payload')!);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: TEST_IDS.userId, username: TEST_IDS.userName, team_id: TEST_IDS.teamId },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: TEST_IDS.channelId, is_ephemeral: false },
      channel: { id: TEST_IDS.channelId },
      message: { ts: '1700000000.000100', blocks },
      actions: [{ action_id: 'approve', block_id: 'budget_actions', value: 'req-7', type: 'button', text: { text: 'Approve' } }],
    });
    expect(typeof payload.trigger_id).toBe('string');
    expect(typeof payload.actions[0].action_ts).toBe('string');
    expect(blockActionsPayload({ actionId: 'x', container: 'ephemeral' }).message).toBeUndefined();
  });

  it('builds view_submission with state values', () => {
    const p = viewSubmissionPayload({ callbackId: 'budget_request', privateMetadata: '{"team":"payments"}', values: { amount: { v: '500' } } });
    expect(p).toMatchObject({
      type: 'view_submission',
      view: {
        type: 'modal',
        callback_id: 'budget_request',
        private_metadata: '{"team":"payments"}',
        state: { values: { amount: { v: { type: 'plain_text_input', value: '500' } } } },
      },
    });
  });
});
