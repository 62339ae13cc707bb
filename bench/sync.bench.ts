import { ensureRollupZone } from '../src/db/rollup-maintenance.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { openDatabase, sqlitePath } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { costStore } from '../src/db/repositories/cost-store.ts';
import { fromUsd } from '../src/domain/money.ts';
import { createHeliconeClient } from '../src/sources/helicone/client.ts';
import { syncSource } from '../src/services/source-sync.ts';
import { syntheticHeliconeRows } from '../test/support/helicone-stand-in.ts';

/**
 * Records per second and peak memory syncing BENCH_SYNC_RECORDS (default 1,000,000) Helicone records
 * from a local stand-in into SQLite, next to raw better-sqlite3 inserts of the same rows in one
 * transaction as the baseline. Goal: at least a quarter of the raw insert rate, peak RSS under 500 MB.
 *
 * The stand-in runs in a child process (bench/helicone-server.ts), so its rows are not in this
 * process's RSS. The baseline rebuilds the same rows here only after the sync's peak RSS is taken.
 * BENCH_SYNC_SERVER=stand-in serves them with test/support's stand-in unchanged (slow at 1M rows).
 */
const N = Number(process.env.BENCH_SYNC_RECORDS ?? 1_000_000);
const SERVER_MODE = process.env.BENCH_SYNC_SERVER === 'stand-in' ? 'stand-in' : 'indexed';
const DAY = 86_400_000;
const data = {
  n: N,
  start: '2026-03-01T00:00:00.000Z',
  spanMs: 30 * DAY,
  seed: 42,
  teams: ['platform', 'search', 'billing', 'growth', 'support'],
  teamlessEvery: 20, // 5% without a team
  workItems: 5000, // a ticket on every call, so the distinct work items are maintained too
  apiKey: 'sk-helicone-bench-0000',
};
const here = dirname(fileURLToPath(import.meta.url));
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

// ---------------------------------------------------------------- the stand-in, in its own process
const child = spawn(
  process.execPath,
  ['--max-old-space-size=4096', '--import', 'tsx', join(here, 'helicone-server.ts'), JSON.stringify({ ...data, mode: SERVER_MODE })],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const childExit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
const served = await new Promise<{ url: string; apiKey: string; rows: number; total: string; generateMs: number }>((resolve, reject) => {
  const lines = createInterface({ input: child.stdout! });
  lines.once('line', (line) => resolve(JSON.parse(line) as never));
  child.once('exit', (code) => reject(new Error(`helicone-server exited with ${code} before listening`)));
});
if (served.rows !== N) throw new Error(`stand-in serves ${served.rows} rows, expected ${N}`);

// ---------------------------------------------------------------- the sync, measured
const dir = mkdtempSync(join(tmpdir(), 'aicost-sync-bench-'));
const url = `file:${join(dir, 'sync.db')}`;
await migrate(url);
const db = openDatabase(url);
await ensureRollupZone(db, 'UTC');
const store = costStore(db, { timeZone: 'UTC' });
const client = createHeliconeClient({ apiKey: served.apiKey, baseUrl: served.url });
const from = new Date(data.start);
const to = new Date(from.getTime() + data.spanMs);

gc();
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sample = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};
const sampler = setInterval(sample, 50);
const t0 = performance.now();
const result = await syncSource({ client, store, now: to, from, to });
const syncMs = performance.now() - t0;
sample();
clearInterval(sampler);
if (!result.ok) throw new Error(`sync failed: ${result.error}`);

const stored = await db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
const servedTotal = BigInt(served.total);
const reconciled = stored._count === N && stored._sum.amount === servedTotal && result.inserted === N;
store.close();
await db.close();
child.stdin!.end();
child.kill('SIGTERM');
await childExit;
const syncRate = (N * 1000) / syncMs;

// ---------------------------------------------------------------- baseline: raw inserts of the same rows
// Same rows (rebuilt from the same seed), mapped the way the store writes them, into a fresh migrated
// database with the same schema and indexes; only the one-transaction insert loop is timed.
const rawUrl = `file:${join(dir, 'raw.db')}`;
await migrate(rawUrl);
const raw = new Sqlite(sqlitePath(rawUrl));
raw.pragma('journal_mode = WAL');
// The baseline is the ledger alone: without the rollup triggers the sync keeps maintained.
for (const t of raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'CostEntry'`).all() as { name: string }[])
  raw.exec(`DROP TRIGGER "${t.name}"`);
let params: unknown[][];
{
  const { rows, total } = syntheticHeliconeRows(N, {
    start: from,
    spanMs: data.spanMs,
    seed: data.seed,
    teams: data.teams,
    teamlessEvery: data.teamlessEvery,
    workItems: data.workItems,
  });
  if (total !== servedTotal) throw new Error('baseline rows differ from the served ones');
  const teamIds = new Map<string, number>();
  const featureIds = new Map<string, number>();
  const addTeam = raw.prepare('INSERT INTO "Team" ("slug", "name") VALUES (?, ?)');
  const addFeature = raw.prepare('INSERT INTO "Feature" ("slug", "name", "teamId") VALUES (?, ?, ?)');
  const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');
  const stamp = iso(new Date());
  params = rows.map((r) => {
    const p = r.properties ?? {};
    const team = p.team ?? null;
    if (team !== null && !teamIds.has(team)) teamIds.set(team, Number(addTeam.run(team, team).lastInsertRowid));
    const teamId = team === null ? null : teamIds.get(team)!;
    const feature = p.feature ?? null;
    if (feature !== null && !featureIds.has(feature)) featureIds.set(feature, Number(addFeature.run(feature, feature, teamId).lastInsertRowid));
    return [
      'helicone',
      r.request_id,
      iso(new Date(r.request_created_at)),
      teamId,
      feature === null ? null : featureIds.get(feature)!,
      p.environment ?? null,
      r.request_user_id ?? null,
      p.ticket ?? null,
      r.model ?? null,
      typeof r.provider === 'string' ? r.provider.toLowerCase() : null,
      'api',
      r.prompt_tokens ?? 0,
      r.completion_tokens ?? 0,
      fromUsd(r.cost ?? 0),
      'source',
      null,
      null,
      stamp,
    ];
  });
}
gc();
const insert = raw.prepare(
  `INSERT INTO "CostEntry" ("source","sourceId","occurredAt","teamId","featureId","environment","customer","workItem","model","provider","category","inputTokens","outputTokens","amount","pricedBy","originalAt","correctionOf","updatedAt")
   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
);
const r0 = performance.now();
raw.transaction(() => {
  for (const p of params) insert.run(...p);
})();
const rawMs = performance.now() - r0;
const rawCount = (raw.prepare('SELECT COUNT(*) AS n FROM "CostEntry"').get() as { n: number }).n;
raw.close();
params = [];
rmSync(dir, { recursive: true, force: true });
if (rawCount !== N) throw new Error(`raw insert stored ${rawCount} rows, expected ${N}`);
const rawRate = (N * 1000) / rawMs;

// ---------------------------------------------------------------- figures
const round = (x: number) => Math.round(x);
console.log(
  JSON.stringify({
    bench: 'sync.helicone.records_per_second',
    value: round(syncRate),
    unit: 'records/s',
    baseline: round(rawRate),
    baselineLabel: 'raw better-sqlite3 INSERTs of the same rows, one transaction, same schema without the rollup triggers',
    ratio: Math.round((syncRate / rawRate) * 1000) / 1000,
    goalRatio: 0.25,
    records: N,
    seconds: Math.round(syncMs / 100) / 10,
    pages: result.pages,
    windows: result.windows,
    reconciled,
    server: SERVER_MODE,
  }),
);
console.log(
  JSON.stringify({
    bench: 'sync.helicone.peak_rss_mb',
    value: mb(peakRss),
    unit: 'MB',
    baseline: 500,
    baselineLabel: 'goal: peak RSS under 500 MB',
    goal: 500,
    rssBeforeSyncMb: mb(rssBefore),
    records: N,
  }),
);
console.log(
  JSON.stringify({
    bench: 'sync.raw_insert.records_per_second',
    value: round(rawRate),
    unit: 'records/s',
    baseline: null,
    baselineLabel: 'the baseline of sync.helicone.records_per_second',
    records: N,
    seconds: Math.round(rawMs / 100) / 10,
  }),
);
