import { describe, expect, it } from 'vitest';
import { SourceHttpError, requestJson, retryAfterMs, type HttpOptions } from '../../../src/sources/http.ts';

const KEY = 'sk-helicone-very-secret-key';
const url = new URL('http://127.0.0.1:9/v1/thing?x=1');
const NOW = Date.parse('2026-08-20T12:00:00.000Z');

/** A fetch that plays back scripted answers and records what it was asked. */
function scripted(...steps: Array<Response | Error | 'hang'>) {
  const calls: RequestInit[] = [];
  const fetchFn = (async (_input: unknown, init?: RequestInit) => {
    calls.push(init ?? {});
    const step = steps.shift();
    if (!step) throw new Error('no more scripted answers');
    if (step === 'hang') {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    }
    if (step instanceof Error) throw step;
    return step;
  }) as typeof fetch;
  return { fetchFn, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function harness(steps: Array<Response | Error | 'hang'>, extra: HttpOptions = {}) {
  const { fetchFn, calls } = scripted(...steps);
  const sleeps: number[] = [];
  const options: HttpOptions = {
    fetch: fetchFn,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    now: () => NOW,
    ...extra,
  };
  const run = (over: Partial<Parameters<typeof requestJson>[0]> = {}) =>
    requestJson({ method: 'POST', url, label: 'Test', headers: { authorization: `Bearer ${KEY}` }, body: { a: 1 }, secrets: [KEY], ...over }, options);
  return { run, calls, sleeps };
}

describe('retryAfterMs', () => {
  const h = (entries: Record<string, string>) => new Headers(entries);
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs(h({ 'retry-after': '7' }), NOW)).toBe(7000);
    expect(retryAfterMs(h({ 'retry-after': new Date(NOW + 12_000).toUTCString() }), NOW)).toBe(12_000);
    expect(retryAfterMs(h({ 'retry-after': new Date(NOW - 5_000).toUTCString() }), NOW)).toBe(0);
  });
  it('falls back to IETF RateLimit-Reset, the structured RateLimit header, then X-RateLimit-Reset', () => {
    expect(retryAfterMs(h({ 'ratelimit-reset': '30' }), NOW)).toBe(30_000);
    expect(retryAfterMs(h({ ratelimit: 'limit=100, remaining=0, reset=9' }), NOW)).toBe(9000);
    expect(retryAfterMs(h({ 'x-ratelimit-reset': '4' }), NOW)).toBe(4000);
    expect(retryAfterMs(h({ 'x-ratelimit-reset': String(NOW / 1000 + 20) }), NOW)).toBe(20_000); // epoch seconds
    expect(retryAfterMs(h({ 'x-ratelimit-reset': String(NOW + 3000) }), NOW)).toBe(3000); // epoch ms
    expect(retryAfterMs(h({ 'x-ratelimit-reset': new Date(NOW + 8000).toISOString() }), NOW)).toBe(8000);
    expect(retryAfterMs(h({ 'retry-after': '2', 'ratelimit-reset': '30' }), NOW)).toBe(2000);
    expect(retryAfterMs(h({}), NOW)).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
  });
});

describe('requestJson', () => {
  it('returns the parsed body and sends JSON with the given headers', async () => {
    const { run, calls } = harness([json(200, { ok: true })]);
    const res = await run();
    expect(res.body).toEqual({ ok: true });
    expect(calls[0]!.body).toBe('{"a":1}');
    expect((calls[0]!.headers as Record<string, string>).authorization).toBe(`Bearer ${KEY}`);
  });

  it('waits exactly what Retry-After says on 429, then succeeds', async () => {
    const { run, sleeps, calls } = harness([json(429, { error: 'slow down' }, { 'retry-after': '7' }), json(200, [])]);
    await run();
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([7000]);
  });

  it('uses a body retry hint when no header gives one, and caps server-directed waits', async () => {
    const hint = (b: unknown) => (b as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds;
    const a = harness([json(429, { details: { retryAfterSeconds: 37 } }), json(200, {})]);
    await a.run({ retryHintFromBody: hint });
    expect(a.sleeps).toEqual([37_000]);
    const b = harness([json(503, {}, { 'retry-after': '3600' }), json(200, {})], { maxRetryAfterMs: 60_000 });
    await b.run();
    expect(b.sleeps).toEqual([60_000]);
  });

  it('backs off exponentially with full jitter on 5xx, capped', async () => {
    const { run, sleeps } = harness([json(500, {}), json(502, {}), json(503, {}), json(504, {}), json(200, {})], {
      baseDelayMs: 100,
      maxDelayMs: 500,
      random: () => 0.5,
    });
    await run();
    expect(sleeps).toEqual([50, 100, 200, 250]); // 0.5 × min(500, 100·2^n)
  });

  it('gives up after maxRetries with the status and the server message', async () => {
    const { run, calls } = harness(
      [json(500, { data: null, error: 'invalid limit' }), json(500, { data: null, error: 'invalid limit' }), json(500, { data: null, error: 'invalid limit' })],
      { maxRetries: 2 },
    );
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 500, attempts: 3, kind: 'http', detail: 'invalid limit' });
    expect((err as Error).message).toBe('Test POST /v1/thing failed: HTTP 500: invalid limit (gave up after 3 attempts)');
    expect(calls).toHaveLength(3);
  });

  it('defaults to 5 retries', async () => {
    const { run, calls } = harness(Array.from({ length: 7 }, () => json(503, {})));
    await expect(run()).rejects.toMatchObject({ attempts: 6 });
    expect(calls).toHaveLength(6);
  });

  it('does not retry 4xx other than 408/429', async () => {
    for (const status of [400, 401, 403, 404]) {
      const { run, calls } = harness([json(status, { message: 'no' }), json(200, {})]);
      await expect(run()).rejects.toMatchObject({ status, attempts: 1 });
      expect(calls).toHaveLength(1);
    }
    const { run, calls } = harness([json(408, {}), json(200, {})]);
    await run();
    expect(calls).toHaveLength(2);
  });

  it('retries network errors and timeouts', async () => {
    const net = harness([new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), json(200, {})]);
    await net.run();
    expect(net.calls).toHaveLength(2);

    const slow = harness(['hang', 'hang'], { timeoutMs: 20, maxRetries: 1 });
    const err = await slow.run().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'timeout', status: null, attempts: 2 });
    expect((err as Error).message).toContain('timed out after 20 ms');
    expect(slow.calls).toHaveLength(2);
  });

  it('never puts a key or auth header in an error, even when the server echoes it', async () => {
    const echo = { error: `bad key Bearer ${KEY}` };
    const { run } = harness([json(401, echo)]);
    const err = (await run().catch((e: unknown) => e)) as SourceHttpError;
    expect(err.message).not.toContain(KEY);
    expect(err.detail).not.toContain(KEY);
    expect(err.message).toContain('[redacted]');
    expect(JSON.stringify(err)).not.toContain(KEY);
    const net = harness([new TypeError(`boom ${KEY}`)], { maxRetries: 0 });
    const err2 = (await net.run().catch((e: unknown) => e)) as Error;
    expect(err2.message).not.toContain(KEY);
  });

  it('stops at once, without retrying, when the caller aborts', async () => {
    const controller = new AbortController();
    const { fetchFn, calls } = scripted(json(503, {}), json(200, {}));
    const pending = requestJson(
      { method: 'GET', url, label: 'Test', signal: controller.signal },
      {
        fetch: fetchFn,
        // Aborts while the client waits to retry.
        sleep: (_ms, signal) => {
          const waiting = new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
          controller.abort(new Error('shutting down'));
          return waiting;
        },
      },
    );
    await expect(pending).rejects.toThrow('shutting down');
    expect(calls).toHaveLength(1);
  });

  it('rejects a 2xx body that is not JSON without retrying', async () => {
    const { run, calls } = harness([new Response('<html>proxy</html>', { status: 200 }), json(200, {})]);
    await expect(run()).rejects.toMatchObject({ kind: 'invalid-response', status: 200 });
    expect(calls).toHaveLength(1);
  });
});
