import { renderMentions } from '../domain/mentions.ts';
import { fitBlocks, type BlockSurface } from './block-limits.ts';

/**
 * The one place text becomes Slack markup. Every request aicost sends to Slack (Web API calls of
 * Bolt's listeners and of the jobs, and `respond()` to a response_url) goes through
 * {@link escapingFetch}, which escapes `&`, `<` and `>` in every `text` field, every mrkdwn text
 * object and every `initial_comment`, then turns aicost's own mention tokens (src/domain/mentions.ts)
 * into `<@U…>`. So a team tagged `<!channel>` or a feature `<https://evil|reset>` arrives as text
 * whatever builder, service or listener produced it; builders cannot forget.
 *
 * Escaping is idempotent: an entity that is already there (`&amp;`, `&lt;`, `&gt;`) is kept, so text a
 * builder escaped itself is not escaped twice. plain_text objects are not parsed by Slack, so they
 * only lose mention tokens (shown as `@U…`).
 */
export function escapeSlackText(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Escaped mrkdwn / `text` with aicost's mentions rendered. */
export function slackText(text: string): string {
  return renderMentions(escapeSlackText(text), (id) => `<@${id}>`);
}

type Json = unknown;

function walk(value: Json): Json {
  if (Array.isArray(value)) return value.map(walk);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) out[k] = walk(v);
  if (typeof o.text === 'string') {
    if (o.type === 'mrkdwn') out.text = slackText(o.text);
    else if (o.type === 'plain_text') out.text = renderMentions(o.text, (id) => `@${id}`);
  }
  return out;
}

function fitted(blocks: Json, surface: BlockSurface): Json {
  return Array.isArray(blocks) ? fitBlocks(walk(blocks) as unknown[], surface) : blocks;
}

/** A message or view payload as it must reach Slack (see the module comment). */
export function escapeOutgoing(method: string, args: Record<string, Json>): Record<string, Json> {
  const out = { ...args };
  if (typeof out.text === 'string') out.text = slackText(out.text);
  if (typeof out.initial_comment === 'string') out.initial_comment = slackText(out.initial_comment);
  if (out.blocks !== undefined) out.blocks = fitted(out.blocks, 'message');
  if (out.attachments !== undefined) out.attachments = walk(out.attachments);
  if (out.view && typeof out.view === 'object') {
    const view = out.view as Record<string, Json>;
    const surface: BlockSurface = method === 'views.publish' || view.type === 'home' ? 'home' : 'modal';
    out.view = { ...(walk(view) as Record<string, Json>), ...(view.blocks !== undefined ? { blocks: fitted(view.blocks, surface) } : {}) };
  }
  return out;
}

const JSON_FIELDS = ['blocks', 'view', 'attachments'];

function headerOf(headers: RequestInit['headers'], name: string): string {
  if (!headers) return '';
  if (headers instanceof Headers) return headers.get(name) ?? '';
  if (Array.isArray(headers)) return headers.find(([k]) => k?.toLowerCase() === name)?.[1] ?? '';
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  return '';
}

/**
 * `fetch` for Bolt's `clientOptions.fetch` (also used by `respond()`) and for the jobs' WebClient:
 * escapes every outgoing message and view (url-encoded Web API calls and JSON response_url posts).
 * File bytes (multipart) pass untouched.
 */
export function escapingFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (init && typeof init.body === 'string') {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const method = new URL(url).pathname.split('/').pop() ?? '';
      const type = headerOf(init.headers, 'content-type').toLowerCase();
      if (type.includes('application/json')) {
        const parsed = JSON.parse(init.body) as Json;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
          init = { ...init, body: JSON.stringify(escapeOutgoing(method, parsed as Record<string, Json>)) };
      } else if (type.includes('application/x-www-form-urlencoded')) {
        const form = new URLSearchParams(init.body);
        const args: Record<string, Json> = {};
        for (const [k, v] of form) args[k] = JSON_FIELDS.includes(k) ? safeJson(v) : v;
        const escaped = escapeOutgoing(method, args);
        const next = new URLSearchParams();
        for (const [k, v] of Object.entries(escaped)) next.append(k, typeof v === 'string' ? v : JSON.stringify(v));
        init = { ...init, body: next.toString() };
      }
    }
    return inner(input, init);
  }) as typeof fetch;
}

function safeJson(v: string): Json {
  try {
    return JSON.parse(v) as Json;
  } catch {
    return v;
  }
}
