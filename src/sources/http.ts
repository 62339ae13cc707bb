import { setTimeout as delay } from 'node:timers/promises';

/**
 * The one HTTP path both source clients use: JSON in, JSON out, with a per-attempt timeout, bounded
 * retries (429, 408, 5xx, network errors, timeouts), server-directed waits on 429/503 and exponential
 * backoff with full jitter otherwise. Errors carry the status and a safe message: never a header,
 * never a key (secrets passed in `secrets` are scrubbed from anything a server echoes back).
 */

export interface HttpOptions {
  /** Per attempt, covering connect, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** Backoff base and cap: attempt n waits random() * min(cap, base * 2^n). Defaults 500 ms and 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Upper bound on a server-directed wait (Retry-After, RateLimit-Reset). Default 5 min. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Wall clock in ms, for HTTP-date and epoch reset headers. */
  now?: () => number;
  fetch?: typeof fetch;
  /** Called before each retry wait (for logs/metrics); receives only safe data. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  attempt: number;
  waitMs: number;
  reason: string;
  status: number | null;
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: unknown;
  /** Label for messages, e.g. "Helicone". */
  label: string;
  /** Strings that must never appear in an error message (API keys). */
  secrets?: readonly string[];
  /** Extracts a retry hint in seconds from an error body when the headers give none. */
  retryHintFromBody?: (body: unknown) => number | undefined;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export type SourceHttpErrorKind = 'http' | 'network' | 'timeout' | 'invalid-response';

export class SourceHttpError extends Error {
  override readonly name = 'SourceHttpError';
  constructor(
    message: string,
    readonly kind: SourceHttpErrorKind,
    /** HTTP status, or null when no response arrived. */
    readonly status: number | null,
    readonly attempts: number,
    /** The server's own error text (envelope `error` or `message`), scrubbed and truncated. */
    readonly detail: string | null = null,
  ) {
    super(message);
  }
}

const DEFAULTS = {
  timeoutMs: 30_000,
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
} as const;

const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : undefined);

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Performs one JSON request with retries; resolves only with a 2xx response whose body parsed. */
export async function requestJson(req: JsonRequest, options: HttpOptions = {}): Promise<JsonResponse> {
  const opts = { ...DEFAULTS, ...options };
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const what = `${req.label} ${req.method} ${req.url.pathname}`;
  const scrub = (text: string) => redact(text, req.secrets ?? []);

  for (let attempt = 1; ; attempt++) {
    const signals = [AbortSignal.timeout(opts.timeoutMs), ...(req.signal ? [req.signal] : [])];
    let failure: SourceHttpError;
    let serverWaitMs: number | undefined;
    try {
      const res = await doFetch(req.url, {
        method: req.method,
        headers: {
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...req.headers,
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.any(signals),
      });
      const text = await res.text();
      const body = parseJson(text);
      if (res.ok) {
        if (body === undefined) {
          throw new SourceHttpError(`${what}: HTTP ${res.status} with a body that is not JSON`, 'invalid-response', res.status, attempt);
        }
        return { status: res.status, headers: res.headers, body };
      }
      const detail = errorDetail(body, text, scrub);
      failure = new SourceHttpError(`${what} failed: HTTP ${res.status}${detail ? `: ${detail}` : ''}`, 'http', res.status, attempt, detail);
      if (!isRetryableStatus(res.status)) throw failure;
      serverWaitMs = retryAfterMs(res.headers, now()) ?? secondsToMs(req.retryHintFromBody?.(body));
    } catch (e) {
      if (e instanceof SourceHttpError) throw e;
      if (req.signal?.aborted) throw req.signal.reason ?? e;
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      failure = timedOut
        ? new SourceHttpError(`${what} timed out after ${opts.timeoutMs} ms`, 'timeout', null, attempt)
        : new SourceHttpError(`${what} failed: ${scrub(networkMessage(e))}`, 'network', null, attempt);
    }

    if (attempt > opts.maxRetries) {
      throw new SourceHttpError(`${failure.message} (gave up after ${attempt} attempts)`, failure.kind, failure.status, attempt, failure.detail);
    }
    const backoff = random() * Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
    const waitMs = serverWaitMs !== undefined ? Math.min(serverWaitMs, opts.maxRetryAfterMs) : backoff;
    req.signal?.throwIfAborted();
    options.onRetry?.({ attempt, waitMs, reason: failure.message, status: failure.status });
    await sleep(waitMs, req.signal);
  }
}

/**
 * The wait a server asked for, in ms: `Retry-After` (delta-seconds or HTTP date), else the IETF
 * `RateLimit-Reset` / `RateLimit: …, reset=N` (delta-seconds), else `X-RateLimit-Reset` (delta seconds,
 * epoch seconds, epoch ms or a date, as servers differ). Undefined when none is usable.
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const parsed = parseDeltaOrDate(retryAfter, nowMs, false);
    if (parsed !== undefined) return parsed;
  }
  const ietf = headers.get('ratelimit-reset') ?? /(?:^|[;,\s])reset=(\d+)/i.exec(headers.get('ratelimit') ?? '')?.[1] ?? null;
  if (ietf !== null) {
    const parsed = parseDeltaOrDate(ietf, nowMs, false);
    if (parsed !== undefined) return parsed;
  }
  const legacy = headers.get('x-ratelimit-reset');
  return legacy === null ? undefined : parseDeltaOrDate(legacy, nowMs, true);
}

function parseDeltaOrDate(value: string, nowMs: number, allowEpoch: boolean): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (allowEpoch && n >= 1e12) return Math.max(0, n - nowMs); // epoch milliseconds
    if (allowEpoch && n >= 1e9) return Math.max(0, n * 1000 - nowMs); // epoch seconds
    return n * 1000;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function secondsToMs(s: number | undefined): number | undefined {
  return s !== undefined && Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The server's own error text: Helicone's envelope `error`, Langfuse's `message`, else a short body. */
function errorDetail(body: unknown, text: string, scrub: (s: string) => string): string | null {
  let detail: string | null = null;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string') detail = b.error;
    else if (typeof b.message === 'string') detail = b.message;
  } else if (text.trim() !== '' && !/^\s*</.test(text)) {
    detail = text.trim(); // plain text, but never an HTML error page
  }
  if (detail === null) return null;
  const clean = scrub(detail).replace(/\s+/g, ' ');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

function networkMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // undici wraps the useful part ("ECONNREFUSED", "socket hang up") in `cause`.
  const cause = e.cause instanceof Error ? e.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return [e.message, code ?? cause?.message].filter(Boolean).join(': ');
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** `Authorization: Basic …` value for a user/password pair. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Joins a base URL (with or without a path prefix or trailing slash) and an absolute API path. */
export function apiUrl(base: string, path: string, query?: Record<string, string | number | undefined>): URL {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}
