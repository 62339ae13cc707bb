/**
 * A stand-in for Slack's Web API on loopback, for tests that drive the real app.
 *
 * Point Bolt (or a WebClient) at it with `clientOptions: { slackApiUrl: standIn.url }` and
 * `retryConfig: { retries: 0 }`. It parses requests exactly as Slack receives them (POST,
 * `application/x-www-form-urlencoded` with JSON-string arguments, or JSON; `Authorization: Bearer
 * xoxb-…`), records every call, answers the methods the app uses with Slack-shaped results, and
 * enforces Block Kit limits from its own table of Slack's documented limits (./block-kit-check.ts,
 * independent of production's src/slack/block-limits.ts) so an oversize message fails here as it
 * would in Slack. Any method it does not implement answers `unknown_method`: a missing stub
 * fails loudly.
 *
 * Besides `/api/<method>` it serves:
 *  - `/upload/<file_id>`: the `upload_url` of `files.getUploadURLExternal` (step 2 of
 *    files.uploadV2); records the bytes received;
 *  - `/response/<id>`: a `response_url` sink (`responseUrl(id)`), like Slack's, at most 5 posts per URL;
 *  - `/files-pri/<team>-<file_id>/<name>`: a shared file's `url_private` / `url_private_download`
 *    (files added with `shareFile`): the bytes for `Authorization: Bearer <bot token>`, and, like Slack
 *    without a valid token, a 200 HTML sign-in page otherwise. `files.info` describes such a file.
 *
 * `failNext(method, …)` also accepts the pseudo-methods `'upload'` and `'response_url'`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { inspectBlocks, inspectView, formatProblem, type BlockProblem } from './block-kit-check.ts';
import { TEST_IDS } from './slack-payloads.ts';

export interface RecordedCall {
  /** Web API method, e.g. `chat.postMessage`. */
  method: string;
  /** Arguments as Slack parses them: form strings, with `blocks`, `view`, `files`, `attachments`, `metadata` JSON-parsed. */
  args: Record<string, unknown>;
  rawBody: string;
  contentType: string;
  /** The bearer token (or the form's `token` argument), if any. */
  token: string | undefined;
  tokenSource: 'header' | 'body' | undefined;
  /** Whether the token was accepted. */
  authed: boolean;
  at: number;
  status: number;
  /** The JSON answered (or undefined for a non-JSON failure). */
  response: Record<string, unknown> | undefined;
}

export interface RecordedUpload {
  fileId: string;
  /** Filename declared to files.getUploadURLExternal. */
  filename: string;
  /** Length declared to files.getUploadURLExternal. */
  declaredLength: number;
  /** Filename of the multipart part, if the upload was multipart. */
  partFilename: string | undefined;
  /** Name of the multipart field holding the bytes (`body` for @slack/web-api). */
  field: string | undefined;
  bytes: Buffer;
  contentType: string;
  at: number;
}

export interface RecordedResponseUrlPost {
  /** The id given to `responseUrl(id)`. */
  id: string;
  /** The full URL posted to (what `responseUrl(id)` returned). */
  url: string;
  /** Parsed JSON body (`{ text, blocks, response_type, replace_original, … }`). */
  body: Record<string, unknown>;
  rawBody: string;
  contentType: string;
  authorization: string | undefined;
  status: number;
  at: number;
}

export interface FailSpec {
  /** Answer `{ ok: false, error }` (HTTP 200, not retried by the client). */
  error?: string;
  /** Answer with this HTTP status (retried by the client unless retries are 0). */
  status?: number;
  /** Answer 429 with this `Retry-After` (seconds). */
  retryAfter?: number;
  /** Record the call and never answer it (the caller's process dies mid-request); the socket closes with the stand-in. */
  hang?: boolean;
}

export type SlackUserInfo = Record<string, unknown>;
export type SlackChannelInfo = Record<string, unknown>;

export interface SlackStandInOptions {
  /** Accept only this token (else any `xoxb-` / `xoxp-` token). */
  token?: string;
  /** Lifetime of trigger ids made by `newTriggerId()`; Slack's is 3 s. */
  triggerTtlMs?: number;
  /** Posts allowed per response_url; Slack's is 5. */
  responseUrlLimit?: number;
}

export interface SlackStandIn {
  /** Base Web API URL, ending with `/api/`: pass as `slackApiUrl`. */
  readonly url: string;
  /** Origin, e.g. `http://127.0.0.1:43123`. */
  readonly origin: string;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponseUrlPost[];
  readonly uploads: RecordedUpload[];
  /** Calls of one method, in order. */
  callsTo(method: string): RecordedCall[];
  /** The first call (already recorded or future) of `method` matching `predicate`. */
  waitFor(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** The first response_url POST (already recorded or future) matching `predicate`. */
  waitForResponse(predicate?: (post: RecordedResponseUrlPost) => boolean, timeoutMs?: number): Promise<RecordedResponseUrlPost>;
  /** The first upload (already recorded or future) matching `predicate`. */
  waitForUpload(predicate?: (upload: RecordedUpload) => boolean, timeoutMs?: number): Promise<RecordedUpload>;
  /** Make the next call of `method` fail; queue several by calling it several times. */
  failNext(method: string, spec?: FailSpec): void;
  /** A URL on the stand-in that records POSTs like Slack's response_url. */
  responseUrl(id: string): string;
  setUsergroupMembers(usergroupId: string, userIds: readonly string[]): void;
  /** Make `users.info` know a user; `info` is merged over defaults (`profile` too). */
  setUser(id: string, info?: SlackUserInfo): void;
  /** Make `conversations.info` know a channel. DM channels (`D…`) are known once opened. */
  setChannel(id: string, info?: SlackChannelInfo): void;
  /** A file a user shared (e.g. a CSV in a channel): `files.info` knows it and its url_private serves the bytes. Returns its id. */
  shareFile(file: {
    name: string;
    content: string | Buffer;
    user: string;
    channel: string;
    filetype?: string;
    mimetype?: string;
    /** A lying file host: files.info declares this size, and url_private streams `content` over and over (no content-length) up to `streamBytes`. */
    declaredSize?: number;
    streamBytes?: number;
  }): string;
  /** Bytes of a shared file's body the stand-in has written to the socket so far (all downloads). */
  fileBytesSent(id: string): number;
  /** Forget recorded calls, posts, uploads and pending failures (users, groups, channels stay). */
  reset(): void;
  close(): Promise<void>;
}

const JSON_ARGS = ['blocks', 'view', 'files', 'attachments', 'metadata'] as const;

type Args = Record<string, unknown>;
type Reply = Record<string, unknown>;

class ArgsError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function fail(error: string, extra: Reply = {}): Reply {
  return { ok: false, error, ...extra };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function blocksError(problems: BlockProblem[]): Reply {
  const code = problems.every((p) => p.code === 'msg_blocks_too_long') ? 'msg_blocks_too_long' : 'invalid_blocks';
  return fail(code, { errors: problems.map((p) => `${p.message} [json-pointer:${p.path}]`) });
}

function viewError(problems: BlockProblem[]): Reply {
  return fail('invalid_arguments', {
    response_metadata: { messages: problems.map((p) => `[ERROR] ${p.message} [json-pointer:${p.path}]`) },
  });
}

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const triggerTtlMs = options.triggerTtlMs ?? 3000;
  const responseUrlLimit = options.responseUrlLimit ?? 5;

  const calls: RecordedCall[] = [];
  const responses: RecordedResponseUrlPost[] = [];
  const uploads: RecordedUpload[] = [];
  const failures = new Map<string, FailSpec[]>();
  const users = new Map<string, SlackUserInfo>();
  const usergroups = new Map<string, string[]>();
  const channels = new Map<string, SlackChannelInfo>();
  const messages = new Map<string, Reply>();
  const views = new Map<string, Reply>();
  /** user id → id of the Home view published for them. */
  const homeViews = new Map<string, string>();
  const pendingFiles = new Map<string, { filename: string; length: number; uploaded?: RecordedUpload }>();
  const sharedFiles = new Map<
    string,
    {
      name: string;
      bytes: Buffer;
      user: string;
      channel: string;
      filetype: string;
      mimetype: string;
      created: number;
      declaredSize?: number;
      streamBytes?: number;
      sent: number;
    }
  >();
  const fileUrl = (id: string, name: string) => `${origin}/files-pri/${TEST_IDS.teamId}-${id}/${encodeURIComponent(name)}`;
  const usedTriggers = new Set<string>();
  const responseUrlUses = new Map<string, number>();
  const listeners = new Set<() => void>();

  let seq = 0;
  const nextSeq = (): number => ++seq;
  const startSec = Math.floor(Date.now() / 1000);
  let origin = '';

  /** Unique per call (and so per channel), increasing. */
  const nextTs = (): string => {
    const n = nextSeq();
    return `${startSec + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, '0')}`;
  };
  const nextId = (prefix: string): string => `${prefix}0${String(nextSeq()).padStart(8, '0')}`;

  const notify = (): void => {
    for (const l of [...listeners]) l();
  };

  const takeFailure = (key: string): FailSpec | undefined => {
    const queue = failures.get(key);
    const spec = queue?.shift();
    if (queue && queue.length === 0) failures.delete(key);
    return spec;
  };

  function waitUntil<T>(find: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const listener = (): void => {
        const hit = find();
        if (hit !== undefined) {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`slack stand-in: timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      listeners.add(listener);
    });
  }

  const dmFor = (userId: string): string => `D${userId.replace(/^[UW]/, '')}`;

  /** A user id as channel opens (or reuses) the DM, as Slack does. */
  const resolveChannel = (channel: string): string => {
    if (/^[UW][A-Z0-9]+$/.test(channel)) {
      const dm = dmFor(channel);
      if (!channels.has(dm)) channels.set(dm, imChannel(dm, channel));
      return dm;
    }
    return channel;
  };

  const imChannel = (id: string, user: string): SlackChannelInfo => ({
    id,
    created: startSec,
    is_im: true,
    is_org_shared: false,
    user,
    is_user_deleted: false,
    priority: 0,
  });

  const checkTrigger = (triggerId: string | undefined): Reply | undefined => {
    if (!triggerId) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    if (usedTriggers.has(triggerId)) return fail('exchanged_trigger_id');
    const issuedAt = Number(triggerId.split('.')[0]);
    if (Number.isFinite(issuedAt) && issuedAt > 1e12 && issuedAt < 1e14 && Date.now() - issuedAt > triggerTtlMs) {
      return fail('expired_trigger_id');
    }
    usedTriggers.add(triggerId);
    return undefined;
  };

  const messageBody = (args: Args, channel: string, ts: string): Reply => ({
    user: TEST_IDS.botUserId,
    type: 'message',
    ts,
    bot_id: TEST_IDS.botId,
    app_id: TEST_IDS.appId,
    text: str(args.text) ?? '',
    team: TEST_IDS.teamId,
    ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
    ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
    ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
    ...(str(args.thread_ts) ? { thread_ts: str(args.thread_ts) } : {}),
    channel,
  });

  /** Content checks shared by postMessage, postEphemeral and update. */
  const checkMessageContent = (args: Args, requireContent: boolean): Reply | undefined => {
    if (requireContent && args.text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
    const text = str(args.text);
    if (text !== undefined && text.length > 40_000) return fail('msg_too_long');
    if (args.blocks !== undefined) {
      if (!Array.isArray(args.blocks)) return fail('invalid_blocks_format');
      const problems = inspectBlocks(args.blocks, 'message');
      if (problems.length > 0) return blocksError(problems);
    }
    if (args.attachments !== undefined && !Array.isArray(args.attachments)) return fail('invalid_attachments');
    return undefined;
  };

  const storeView = (args: Args, view: Reply, existing?: Reply): Reply => {
    const id = existing && typeof existing.id === 'string' ? existing.id : (str(args.view_id) ?? nextId('V'));
    const stored: Reply = {
      id,
      team_id: TEST_IDS.teamId,
      type: view.type,
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: view.title ?? null,
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: null,
      root_view_id: existing?.root_view_id ?? id,
      app_id: TEST_IDS.appId,
      external_id: view.external_id ?? existing?.external_id ?? '',
      app_installed_team_id: TEST_IDS.teamId,
      bot_id: TEST_IDS.botId,
    };
    views.set(id, stored);
    return stored;
  };

  const validView = (args: Args): Reply | Record<string, unknown> => {
    const view = args.view;
    if (view === undefined) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    const problems = inspectView(view);
    if (problems.length > 0) return viewError(problems);
    return view as Record<string, unknown>;
  };

  const isFail = (r: Reply): boolean => r.ok === false;

  const handlers: Record<string, (args: Args) => Reply> = {
    'auth.test': () => ({
      ok: true,
      url: `https://${TEST_IDS.teamDomain}.slack.com/`,
      team: TEST_IDS.teamName,
      user: TEST_IDS.botUserName,
      team_id: TEST_IDS.teamId,
      user_id: TEST_IDS.botUserId,
      bot_id: TEST_IDS.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const raw = str(args.channel);
      if (!raw) return fail('channel_not_found');
      const problem = checkMessageContent(args, true);
      if (problem) return problem;
      const channel = resolveChannel(raw);
      const ts = nextTs();
      const message = messageBody(args, channel, ts);
      messages.set(`${channel}:${ts}`, message);
      return { ok: true, channel, ts, message };
    },

    'chat.postEphemeral': (args) => {
      const channel = str(args.channel);
      if (!channel) return fail('channel_not_found');
      if (!str(args.user)) return fail('user_not_found');
      const problem = checkMessageContent(args, true);
      if (problem) return problem;
      return { ok: true, message_ts: nextTs() };
    },

    'chat.update': (args) => {
      const channel = str(args.channel);
      const ts = str(args.ts);
      if (!channel) return fail('channel_not_found');
      if (!ts) return fail('message_not_found');
      const problem = checkMessageContent(args, false);
      if (problem) return problem;
      // Messages the stand-in never saw (e.g. from a payload fixture) are accepted and stored.
      const message = { ...messages.get(`${channel}:${ts}`), ...messageBody(args, channel, ts) };
      messages.set(`${channel}:${ts}`, message);
      return { ok: true, channel, ts, text: message.text, message };
    },

    'chat.getPermalink': (args) => {
      const channel = str(args.channel);
      const ts = str(args.message_ts);
      if (!channel) return fail('channel_not_found');
      if (!ts) return fail('message_not_found');
      return { ok: true, channel, permalink: `https://${TEST_IDS.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}` };
    },

    'views.open': (args) => {
      const view = validView(args);
      if (isFail(view)) return view;
      if (view.type !== 'modal') return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] views.open needs a modal view'] } });
      const trigger = checkTrigger(str(args.trigger_id));
      if (trigger) return trigger;
      return { ok: true, view: storeView(args, view) };
    },

    'views.update': (args) => {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (!viewId && !externalId) {
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] view_id or external_id is required'] } });
      }
      const view = validView(args);
      if (isFail(view)) return view;
      const existing = viewId ? views.get(viewId) : [...views.values()].find((v) => v.external_id === externalId);
      if (!viewId && !existing) return fail('not_found');
      const hash = str(args.hash);
      if (hash && existing && existing.hash !== hash) return fail('hash_conflict');
      return { ok: true, view: storeView(args, view, existing) };
    },

    'views.publish': (args) => {
      const userId = str(args.user_id);
      if (!userId) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: user_id'] } });
      const view = validView(args);
      if (isFail(view)) return view;
      if (view.type !== 'home') return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] views.publish needs a home view'] } });
      const homeId = homeViews.get(userId);
      const existing = homeId ? views.get(homeId) : undefined;
      const hash = str(args.hash);
      if (hash && existing && existing.hash !== hash) return fail('hash_conflict');
      const stored = storeView({}, view, existing);
      homeViews.set(userId, stored.id as string);
      return { ok: true, view: stored };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = str(args.filename);
      const length = Number(str(args.length));
      if (!filename) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: filename'] } });
      if (!Number.isInteger(length) || length < 1) {
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] length must be a positive integer'] } });
      }
      const fileId = nextId('F');
      pendingFiles.set(fileId, { filename, length });
      return { ok: true, upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args) => {
      const files = args.files;
      if (!Array.isArray(files) || files.length === 0) {
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: files'] } });
      }
      if (args.blocks !== undefined) {
        const problem = checkMessageContent(args, false);
        if (problem) return problem;
      }
      const raw = str(args.channel_id) ?? str(args.channels);
      const channel = raw ? resolveChannel(raw) : undefined;
      const threadTs = str(args.thread_ts);
      const out: Reply[] = [];
      for (const f of files) {
        const id = f && typeof f === 'object' ? str((f as Args).id) : undefined;
        const pending = id ? pendingFiles.get(id) : undefined;
        if (!id || !pending?.uploaded) return fail('file_not_found');
        const title = str((f as Args).title) ?? pending.filename;
        const now = Math.floor(Date.now() / 1000);
        out.push({
          id,
          created: now,
          timestamp: now,
          name: pending.filename,
          title,
          mimetype: '',
          filetype: '',
          pretty_type: '',
          user: TEST_IDS.botUserId,
          user_team: TEST_IDS.teamId,
          editable: false,
          size: pending.uploaded.bytes.length,
          mode: 'hosted',
          is_external: false,
          is_public: channel?.startsWith('C'),
          url_private: `https://files.slack.com/files-pri/${TEST_IDS.teamId}-${id}/${encodeURIComponent(pending.filename)}`,
          permalink: `https://${TEST_IDS.teamDomain}.slack.com/files/${TEST_IDS.botUserId}/${id}/${encodeURIComponent(pending.filename)}`,
          channels: channel?.startsWith('C') ? [channel] : [],
          groups: [],
          ims: channel?.startsWith('D') ? [channel] : [],
          comments_count: 0,
          ...(channel
            ? { shares: { [channel.startsWith('C') ? 'public' : 'private']: { [channel]: [{ ts: nextTs(), ...(threadTs ? { thread_ts: threadTs } : {}) }] } } }
            : {}),
        });
      }
      return { ok: true, files: out };
    },

    'files.info': (args) => {
      const id = str(args.file);
      const f = id ? sharedFiles.get(id) : undefined;
      if (!id || !f) return fail('file_not_found');
      return {
        ok: true,
        file: {
          id,
          created: f.created,
          timestamp: f.created,
          name: f.name,
          title: f.name,
          mimetype: f.mimetype,
          filetype: f.filetype,
          pretty_type: f.filetype.toUpperCase(),
          user: f.user,
          user_team: TEST_IDS.teamId,
          editable: false,
          size: f.declaredSize ?? f.bytes.length,
          mode: 'hosted',
          is_external: false,
          is_public: f.channel.startsWith('C'),
          url_private: fileUrl(id, f.name),
          url_private_download: `${fileUrl(id, f.name)}?download=1`,
          permalink: `https://${TEST_IDS.teamDomain}.slack.com/files/${f.user}/${id}/${encodeURIComponent(f.name)}`,
          channels: f.channel.startsWith('C') ? [f.channel] : [],
          groups: f.channel.startsWith('G') ? [f.channel] : [],
          ims: [],
          comments_count: 0,
        },
        comments: [],
        response_metadata: { next_cursor: '' },
      };
    },

    'users.info': (args) => {
      const id = str(args.user);
      const user = id ? users.get(id) : undefined;
      if (!user) return fail('user_not_found');
      return { ok: true, user };
    },

    'usergroups.users.list': (args) => {
      const id = str(args.usergroup);
      const members = id ? usergroups.get(id) : undefined;
      if (!members) return fail('no_such_subteam');
      return { ok: true, users: [...members] };
    },

    'conversations.open': (args) => {
      const channel = str(args.channel);
      if (channel) {
        if (!channels.has(channel)) return fail('channel_not_found');
        return { ok: true, no_op: true, already_open: true, channel: { id: channel } };
      }
      const list = (str(args.users) ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (list.length === 0) return fail('users_list_not_supplied');
      if (list.length > 8) return fail('too_many_users');
      const first = list[0];
      if (list.length === 1 && first !== undefined) {
        const id = dmFor(first);
        const already = channels.has(id);
        if (!already) channels.set(id, imChannel(id, first));
        return { ok: true, no_op: already, already_open: already, channel: { id } };
      }
      const id = `G${[...list]
        .sort()
        .join('')
        .replace(/[^A-Z0-9]/g, '')
        .slice(0, 10)}`;
      if (!channels.has(id)) channels.set(id, { id, is_mpim: true, is_private: true, created: startSec });
      return { ok: true, channel: { id } };
    },

    'conversations.info': (args) => {
      const id = str(args.channel);
      const channel = id ? channels.get(id) : undefined;
      if (!channel) return fail('channel_not_found');
      return { ok: true, channel };
    },
  };

  const parseArgs = (raw: string, contentType: string): Args => {
    const type = mediaType(contentType);
    let args: Args;
    if (type === 'application/x-www-form-urlencoded') {
      args = Object.fromEntries(new URLSearchParams(raw));
    } else if (type === 'application/json') {
      try {
        const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        args = parsed as Args;
      } catch {
        throw new ArgsError('invalid_json');
      }
    } else {
      throw new ArgsError('invalid_form_data');
    }
    for (const key of JSON_ARGS) {
      const v = args[key];
      if (typeof v !== 'string') continue;
      try {
        args[key] = JSON.parse(v);
      } catch {
        args[key] = v;
        args.__invalidJson = key;
      }
    }
    return args;
  };

  const send = (res: ServerResponse, status: number, body: Reply | string, headers: Record<string, string> = {}): void => {
    const isText = typeof body === 'string';
    res.writeHead(status, {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...headers,
    });
    res.end(isText ? body : JSON.stringify(body));
  };

  const failureReply = (spec: FailSpec): { status: number; body: Reply; headers: Record<string, string> } => {
    if (spec.retryAfter !== undefined) {
      return { status: 429, body: fail(spec.error ?? 'ratelimited'), headers: { 'retry-after': String(spec.retryAfter) } };
    }
    return { status: spec.status ?? 200, body: fail(spec.error ?? (spec.status && spec.status !== 200 ? 'internal_error' : 'fatal_error')), headers: {} };
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, method: string, raw: string): void => {
    const contentType = req.headers['content-type'] ?? '';
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const call: RecordedCall = {
      method,
      args: {},
      rawBody: raw,
      contentType,
      token: undefined,
      tokenSource: undefined,
      authed: false,
      at: Date.now(),
      status: 200,
      response: undefined,
    };
    let status = 200;
    let headers: Record<string, string> = {};
    let reply: Reply;
    let parseError: string | undefined;
    try {
      call.args = parseArgs(raw, contentType);
    } catch (e) {
      parseError = e instanceof ArgsError ? e.code : 'invalid_form_data';
    }
    const bodyToken = str(call.args.token);
    call.token = bearer ?? bodyToken;
    call.tokenSource = bearer ? 'header' : bodyToken ? 'body' : undefined;
    call.authed = call.token !== undefined && (options.token ? call.token === options.token : /^xox[bp]-/.test(call.token));

    const injected = takeFailure(method);
    const handler = handlers[method];
    if (injected?.hang) {
      call.status = 0;
      calls.push(call);
      notify();
      return;
    }
    if (injected) {
      const f = failureReply(injected);
      ({ status, headers } = f);
      reply = f.body;
    } else if (req.method !== 'POST') {
      status = 405;
      reply = fail('method_not_allowed');
    } else if (!handler) {
      reply = fail('unknown_method', { req_method: method });
    } else if (parseError) {
      reply = fail(parseError);
    } else if (call.token === undefined) {
      reply = fail('not_authed');
    } else if (!call.authed) {
      reply = fail('invalid_auth');
    } else if (typeof call.args.__invalidJson === 'string') {
      const key = call.args.__invalidJson;
      reply = fail(key === 'blocks' ? 'invalid_blocks_format' : key === 'attachments' ? 'invalid_attachments' : 'invalid_arguments');
    } else {
      reply = handler(call.args);
    }
    delete call.args.__invalidJson;
    call.status = status;
    call.response = reply;
    calls.push(call);
    notify();
    send(res, status, reply, headers);
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, fileId: string, body: Buffer): Promise<void> => {
    const injected = takeFailure('upload');
    if (injected) {
      const f = failureReply(injected);
      send(res, f.status === 200 ? 500 : f.status, f.body, f.headers);
      return;
    }
    const pending = pendingFiles.get(fileId);
    if (!pending || req.method !== 'POST') {
      send(res, 404, 'Not Found');
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    let bytes = body;
    let partFilename: string | undefined;
    let field: string | undefined;
    if (mediaType(contentType) === 'multipart/form-data') {
      try {
        const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
        for (const [name, value] of form.entries()) {
          if (typeof value !== 'string') {
            field = name;
            partFilename = value.name;
            bytes = Buffer.from(await value.arrayBuffer());
            break;
          }
        }
      } catch {
        send(res, 400, 'Bad multipart body');
        return;
      }
      if (field === undefined) {
        send(res, 400, 'No file part in multipart body');
        return;
      }
    }
    const upload: RecordedUpload = {
      fileId,
      filename: pending.filename,
      declaredLength: pending.length,
      partFilename,
      field,
      bytes,
      contentType,
      at: Date.now(),
    };
    pending.uploaded = upload;
    uploads.push(upload);
    notify();
    send(res, 200, `OK - ${bytes.length}`);
  };

  const handleResponseUrl = (req: IncomingMessage, res: ServerResponse, id: string, raw: string): void => {
    const contentType = req.headers['content-type'] ?? '';
    const post: RecordedResponseUrlPost = {
      id,
      url: `${origin}/response/${encodeURIComponent(id)}`,
      body: {},
      rawBody: raw,
      contentType,
      authorization: req.headers.authorization,
      status: 200,
      at: Date.now(),
    };
    let status = 200;
    let reply: Reply | string = { ok: true };
    let headers: Record<string, string> = {};
    const injected = takeFailure('response_url');
    const uses = (responseUrlUses.get(id) ?? 0) + 1;
    responseUrlUses.set(id, uses);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) post.body = parsed as Record<string, unknown>;
    if (injected) {
      const f = failureReply(injected);
      status = f.status === 200 ? 500 : f.status;
      reply = f.body;
      headers = f.headers;
    } else if (req.method !== 'POST') {
      status = 405;
      reply = 'method_not_allowed';
    } else if (parsed === undefined || post.body !== parsed) {
      status = 400;
      reply = 'invalid_payload';
    } else if (uses > responseUrlLimit) {
      status = 404;
      reply = 'used_url';
    } else {
      const problems = post.body.blocks !== undefined ? inspectBlocks(post.body.blocks, 'message') : [];
      const text = str(post.body.text);
      if (problems.length > 0) {
        status = 400;
        reply = `${blocksError(problems).error as string}: ${problems.map(formatProblem).join('; ')}`;
      } else if (post.body.text === undefined && post.body.blocks === undefined && post.body.delete_original !== true) {
        status = 400;
        reply = 'no_text';
      } else if (text !== undefined && text.length > 40_000) {
        status = 400;
        reply = 'msg_too_long';
      }
    }
    post.status = status;
    responses.push(post);
    notify();
    send(res, status, reply, headers);
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    readBody(req)
      .then(async (body) => {
        let m: RegExpMatchArray | null;
        if ((m = path.match(/^\/api\/([A-Za-z0-9_.]+)$/))) handleApi(req, res, m[1] ?? '', body.toString('utf8'));
        else if ((m = path.match(/^\/upload\/([A-Z0-9]+)$/))) await handleUpload(req, res, m[1] ?? '', body);
        else if ((m = path.match(/^\/response\/([^/]+)$/))) handleResponseUrl(req, res, decodeURIComponent(m[1] ?? ''), body.toString('utf8'));
        else if ((m = path.match(/^\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\/[^/]+$/)) && req.method === 'GET') {
          const f = sharedFiles.get(m[1] ?? '');
          const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
          const ok = auth !== undefined && (options.token ? auth === options.token : /^xox[bp]-/.test(auth));
          calls.push({
            method: 'GET url_private',
            args: { file: m[1] },
            rawBody: '',
            contentType: '',
            token: auth,
            tokenSource: auth ? 'header' : undefined,
            authed: ok,
            at: Date.now(),
            status: 200,
            response: undefined,
          });
          notify();
          if (!f) send(res, 404, 'Not Found');
          else if (!ok) send(res, 200, '<!DOCTYPE html><html><body>Sign in to Slack</body></html>', { 'content-type': 'text/html; charset=utf-8' });
          else if (f.streamBytes !== undefined) {
            // Chunked, as much as streamBytes, honouring backpressure: stops when the client hangs up.
            res.writeHead(200, { 'content-type': f.mimetype || 'application/octet-stream' });
            const chunk = Buffer.concat(Array.from({ length: Math.max(1, Math.ceil(65_536 / Math.max(1, f.bytes.length))) }, () => f.bytes));
            let closed = false;
            res.once('close', () => (closed = true));
            for (let n = 0; n < f.streamBytes && !closed; n += chunk.length) {
              f.sent += chunk.length;
              if (!res.write(chunk))
                await new Promise<void>((r) => {
                  if (closed) return r();
                  // One listener each per wait, removed when the other fires (they piled up: MaxListenersExceededWarning).
                  const done = () => {
                    res.off('drain', done);
                    res.off('close', done);
                    r();
                  };
                  res.once('drain', done);
                  res.once('close', done);
                });
            }
            if (!closed) res.end();
          } else {
            res.writeHead(200, { 'content-type': f.mimetype || 'application/octet-stream', 'content-length': String(f.bytes.length) });
            f.sent += f.bytes.length;
            res.end(f.bytes);
          }
        } else send(res, 404, 'Not Found');
      })
      .catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, `stand-in error: ${err instanceof Error ? err.message : String(err)}`);
        else res.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  setUser(TEST_IDS.botUserId, { name: TEST_IDS.botUserName, is_bot: true, real_name: 'aicost' });
  channels.set(TEST_IDS.channelId, {
    id: TEST_IDS.channelId,
    name: TEST_IDS.channelName,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_private: false,
    is_archived: false,
    is_member: true,
    created: startSec,
  });

  function setUser(id: string, info: SlackUserInfo = {}): void {
    const name = typeof info.name === 'string' ? info.name : id.toLowerCase();
    const realName = typeof info.real_name === 'string' ? info.real_name : name;
    const profile = typeof info.profile === 'object' && info.profile !== null ? (info.profile as Record<string, unknown>) : {};
    users.set(id, {
      id,
      team_id: TEST_IDS.teamId,
      name,
      deleted: false,
      real_name: realName,
      tz: 'Europe/London',
      tz_label: 'Greenwich Mean Time',
      tz_offset: 0,
      is_admin: false,
      is_owner: false,
      is_bot: false,
      is_app_user: false,
      updated: startSec,
      ...info,
      profile: { real_name: realName, display_name: name, ...profile },
    });
  }

  const describeCalls = (): string => (calls.length === 0 ? 'none' : calls.map((c) => c.method).join(', '));

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    responses,
    uploads,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor: (method, predicate = () => true, timeoutMs = 5000) =>
      waitUntil(
        () => calls.find((c) => c.method === method && predicate(c)),
        timeoutMs,
        () => `a matching ${method} call (calls so far: ${describeCalls()})`,
      ),
    waitForResponse: (predicate = () => true, timeoutMs = 5000) =>
      waitUntil(
        () => responses.find((r) => predicate(r)),
        timeoutMs,
        () => `a matching response_url post (${responses.length} so far; calls: ${describeCalls()})`,
      ),
    waitForUpload: (predicate = () => true, timeoutMs = 5000) =>
      waitUntil(
        () => uploads.find((u) => predicate(u)),
        timeoutMs,
        () => `a matching upload (${uploads.length} so far; calls: ${describeCalls()})`,
      ),
    failNext: (method, spec = {}) => {
      const queue = failures.get(method) ?? [];
      queue.push(spec);
      failures.set(method, queue);
    },
    responseUrl: (id) => `${origin}/response/${encodeURIComponent(id)}`,
    setUsergroupMembers: (id, members) => {
      usergroups.set(id, [...members]);
    },
    setUser,
    setChannel: (id, info = {}) => {
      channels.set(id, {
        id,
        name: id.toLowerCase(),
        is_channel: id.startsWith('C'),
        is_im: id.startsWith('D'),
        is_private: false,
        is_archived: false,
        is_member: true,
        created: startSec,
        ...info,
      });
    },
    shareFile: (file) => {
      const id = nextId('F');
      sharedFiles.set(id, {
        name: file.name,
        bytes: Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, 'utf8'),
        user: file.user,
        channel: file.channel,
        filetype: file.filetype ?? (file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'text'),
        mimetype: file.mimetype ?? (file.name.toLowerCase().endsWith('.csv') ? 'text/csv' : 'text/plain'),
        created: Math.floor(Date.now() / 1000),
        ...(file.declaredSize !== undefined ? { declaredSize: file.declaredSize } : {}),
        ...(file.streamBytes !== undefined ? { streamBytes: file.streamBytes } : {}),
        sent: 0,
      });
      return id;
    },
    fileBytesSent: (id) => sharedFiles.get(id)?.sent ?? 0,
    reset: () => {
      calls.length = 0;
      responses.length = 0;
      uploads.length = 0;
      failures.clear();
    },
    close: async () => {
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
