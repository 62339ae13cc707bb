/**
 * Signs requests the way Slack does, so tests can drive the real app over HTTP.
 *
 * Slack sends `X-Slack-Request-Timestamp: <unix seconds>` and
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">` keyed by the signing
 * secret. Bolt rejects a content type other than exactly `application/x-www-form-urlencoded`
 * (for commands and interactivity) or `application/json` (events): so bodies here are always
 * strings with an explicit Content-Type. A `URLSearchParams` body would make fetch add
 * `;charset=UTF-8`, which Bolt answers with 400.
 */
import { createHmac } from 'node:crypto';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const JSON_CONTENT_TYPE = 'application/json';

/** A type alias (not an interface) so it is assignable to fetch's `HeadersInit`. */
export type SlackSignatureHeaders = {
  'X-Slack-Request-Timestamp': string;
  'X-Slack-Signature': string;
  'Content-Type': string;
};

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `v0=<hex>`: the signature of `rawBody` at `timestamp` (unix seconds). */
export function computeSignature(secret: string, rawBody: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
}

/** A JSON body (an Events API callback) starts with `{`; everything else Slack sends is a form. */
export function contentTypeFor(rawBody: string): string {
  return rawBody.trimStart().startsWith('{') ? JSON_CONTENT_TYPE : FORM_CONTENT_TYPE;
}

/**
 * Headers Slack would send with `rawBody`. `timestamp` defaults to now; pass an old one
 * (e.g. `nowSeconds() - 6 * 60`) to test replay rejection. `contentType` defaults to JSON for a
 * body starting with `{`, else to the form type.
 */
export function signRequest(secret: string, rawBody: string, timestamp: number = nowSeconds(), contentType?: string): SlackSignatureHeaders {
  return {
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': computeSignature(secret, rawBody, timestamp),
    'Content-Type': contentType ?? contentTypeFor(rawBody),
  };
}

export interface PostSignedOptions {
  secret: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Default: see {@link contentTypeFor}; objects are sent as JSON. */
  contentType?: string;
  /** Extra headers, e.g. `{ 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' }`. */
  headers?: Record<string, string>;
  /** Replace the signature (to test rejection of a bad one). */
  signature?: string;
  signal?: AbortSignal;
}

/**
 * POSTs `body` signed to `url` (the app's `/slack/events`). A string body is sent byte for byte;
 * an object is serialised as JSON (an Events API envelope).
 */
export async function postSigned(url: string, body: string | object, opts: PostSignedOptions): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = opts.contentType ?? (typeof body === 'string' ? contentTypeFor(raw) : JSON_CONTENT_TYPE);
  const signed = signRequest(opts.secret, raw, opts.timestamp, contentType);
  if (opts.signature !== undefined) signed['X-Slack-Signature'] = opts.signature;
  return fetch(url, {
    method: 'POST',
    headers: { ...signed, ...opts.headers },
    body: raw,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
