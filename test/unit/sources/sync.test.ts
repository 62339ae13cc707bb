import { afterEach, describe, expect, it } from 'vitest';
import { createHeliconeClient } from '../../../src/sources/helicone/client.ts';
import { createLangfuseClient } from '../../../src/sources/langfuse/client.ts';
import { DEFAULT_OVERLAP_MS, syncAll, syncSource, type SyncProgress } from '../../../src/services/source-sync.ts';
import type { SourceClient } from '../../../src/services/ports/source.ts';
import { startHeliconeStandIn, syntheticHeliconeRows, type HeliconeStandIn } from '../../support/helicone-stand-in.ts';
import { startLangfuseStandIn, syntheticLangfuseData, type LangfuseStandIn } from '../../support/langfuse-stand-in.ts';
import { FakeCostStore } from './fake-store.ts';
import { DAY, addMs, fastHttp } from './helpers.ts';

const start = new Date('2026-08-17T00:00:00.000Z');
const servers: Array<HeliconeStandIn | LangfuseStandIn> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function helicone(n: number, spanMs: number, apiKey?: string) {
  const data = syntheticHeliconeRows(n, { start, spanMs });
  const server = await startHeliconeStandIn({ rows: data.rows });
  servers.push(server);
  const client = createHeliconeClient({ baseUrl: server.url, apiKey: apiKey ?? server.apiKey, http: fastHttp() });
  return { server, client, total: data.total };
}

/** Wraps a client so that reading the window starting at `failAt` throws, as a crash would. */
function crashingAt(inner: SourceClient, failAt: Date): SourceClient {
  return {
    source: inner.source,
    async *pages(from, to, signal) {
      if (from.getTime() === failAt.getTime()) throw new Error('process killed');
      yield* inner.pages(from, to, signal);
    },
  };
}

describe('syncSource', () => {
  it('first run backfills backfillDays; the next starts at watermark − overlap', async () => {
    const { server, client } = await helicone(10, DAY);
    const store = new FakeCostStore();
    const now = addMs(start, 3 * DAY);
    const first = await syncSource({ client, store, now, backfillDays: 3 });
    expect(first.from).toEqual(start);
    expect(first.to).toEqual(now);
    expect(first.watermark).toEqual(now);
    expect((await store.getSyncState('helicone'))?.watermark).toEqual(now);

    server.requests.length = 0;
    const later = addMs(now, 6 * 3_600_000);
    const second = await syncSource({ client, store, now: later });
    expect(second.from).toEqual(new Date(now.getTime() - DEFAULT_OVERLAP_MS));
    const firstBody = server.requests[0]!.body as { filter: { left: { request_response_rmt: { request_created_at: { gte: string } } } } };
    expect(firstBody.filter.left.request_response_rmt.request_created_at.gte).toBe(second.from.toISOString());
    expect(second.watermark).toEqual(later);
  });

  it('advances the watermark window by window; after a crash it resumes and nothing is lost or doubled', async () => {
    const { client, total } = await helicone(900, 3 * DAY);
    const store = new FakeCostStore();
    const now = addMs(start, 3 * DAY);

    const crashed = await syncSource({ client: crashingAt(client, addMs(start, 2 * DAY)), store, now, backfillDays: 3 });
    expect(crashed).toMatchObject({ ok: false, error: 'process killed', windows: 2 });
    const state = store.states.get('helicone')!;
    expect(state.watermark).toEqual(addMs(start, 2 * DAY)); // the two complete windows
    expect(state).toMatchObject({ lastError: 'process killed', lastErrorAt: now, recordsTotal: 600 });
    expect(store.all()).toHaveLength(600);

    const resumed = await syncSource({ client, store, now });
    expect(resumed).toMatchObject({ ok: true, error: null });
    expect(resumed.from).toEqual(new Date(addMs(start, 2 * DAY).getTime() - DEFAULT_OVERLAP_MS));
    expect(store.all()).toHaveLength(900);
    expect(store.total()).toBe(total);
    expect(store.states.get('helicone')).toMatchObject({ lastError: null, lastSuccess: now, watermark: now, recordsTotal: 900 });
  });

  it('an explicit old range does not move the watermark back', async () => {
    const { client } = await helicone(10, DAY);
    const store = new FakeCostStore();
    const now = addMs(start, 10 * DAY);
    await syncSource({ client, store, now, backfillDays: 1 });
    const result = await syncSource({ client, store, now, from: start, to: addMs(start, DAY) });
    expect(result.ok).toBe(true);
    expect(store.all()).toHaveLength(10);
    expect((await store.getSyncState('helicone'))?.watermark).toEqual(now);
  });

  it('reports progress: records, pages, rate and a time-left estimate that reaches zero', async () => {
    const { client } = await helicone(3000, 3 * DAY);
    const store = new FakeCostStore();
    const seen: SyncProgress[] = [];
    let t = 0;
    await syncSource({ client, store, from: start, now: addMs(start, 3 * DAY), onProgress: (p) => seen.push(p), clock: () => (t += 100) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[0]).toMatchObject({ source: 'helicone', records: 1000, pages: 1, windowsDone: 0, windowsTotal: 3, etaMs: null });
    expect(seen[0]!.ratePerSecond).toBeGreaterThan(0);
    const records = seen.map((p) => p.records);
    expect(records).toEqual([...records].sort((a, b) => a - b));
    expect(seen.find((p) => p.windowsDone === 1)!.etaMs).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ records: 3000, windowsDone: 3, etaMs: 0 });
  });
});

describe('syncAll', () => {
  it('one failing source does not stop the other; each gets its own state', async () => {
    const bad = await helicone(5, DAY, 'sk-wrong');
    const data = syntheticLangfuseData(40, { start, spanMs: DAY });
    const lf = await startLangfuseStandIn({ observations: data.observations, traces: data.traces });
    servers.push(lf);
    const good = createLangfuseClient({ baseUrl: lf.url, publicKey: lf.publicKey, secretKey: lf.secretKey, http: fastHttp() });
    const store = new FakeCostStore();

    const results = await syncAll([bad.client, good], { store, now: addMs(start, DAY), backfillDays: 1 });
    expect(results.map((r) => [r.source, r.ok])).toEqual([
      ['helicone', false],
      ['langfuse', true],
    ]);
    expect(results[0]!.error).toMatch(/HTTP 401/);
    expect(results[0]!.error).not.toContain('sk-wrong');
    expect(store.total('langfuse')).toBe(data.total);
    expect(store.states.get('helicone')).toMatchObject({ lastError: expect.stringMatching(/401/) });
    expect(store.states.get('helicone')!.watermark).toBeUndefined();
    expect(store.states.get('langfuse')).toMatchObject({ lastError: null, watermark: addMs(start, DAY) });
  });

  it('even a store that fails while recording the error does not stop the next source', async () => {
    const a = await helicone(5, DAY);
    const b = await helicone(5, DAY);
    const store = new FakeCostStore();
    let calls = 0;
    const flaky = Object.assign(Object.create(store) as FakeCostStore, {
      getSyncState: async (source: string) => {
        if (calls++ === 0) throw new Error('database is locked');
        return store.getSyncState(source);
      },
    });
    const results = await syncAll([a.client, b.client], { store: flaky, now: addMs(start, DAY), backfillDays: 1 });
    expect(results.map((r) => [r.ok, r.error])).toEqual([
      [false, 'database is locked'],
      [true, null],
    ]);
    expect(store.all()).toHaveLength(5);
  });
});
