import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { fromUsd } from '../src/domain/money.ts';
import { loadAppConfig } from '../src/config.ts';
import { createServices, serviceSettings } from '../src/container.ts';
import { seedLargeSqlite } from './seed-sqlite.ts';

/**
 * The daily anomaly scan over 500 feature series (plus 50 team and 4 model series) × 90 days, and the
 * budget check for 50 teams, on SQLite with rollups, next to the same job summed from the raw ledger.
 * BENCH_JOBS_ENTRIES entries (default 360,000: 8 per series and day) over 91 days, `now` on the 28th.
 * Goals: scan ≤ 2 s, budget check ≤ 1 s.
 */
const ENTRIES = Number(process.env.BENCH_JOBS_ENTRIES ?? 360_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const now = new Date('2026-11-28T15:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'aicost-jobs-bench-'));
const url = `file:${join(dir, 'jobs.db')}`;
await migrate(url);
const db = openDatabase(url);
const setup = createServices(db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: 'America/New_York' })) });
const teamIds: number[] = [];
const featureIds: number[] = [];
for (let t = 0; t < 50; t++) {
  const team = await setup.teams.upsert({ slug: `team-${t}`, name: `Team ${t}`, channelId: `C0TEAM${t}` });
  teamIds.push(team.id);
  await db.prisma.budget.create({ data: { teamId: team.id, month: '*', amount: fromUsd('900') } });
}
for (let f = 0; f < 500; f++) featureIds.push((await setup.teams.upsertFeature({ slug: `feature-${f}`, name: `Feature ${f}`, teamId: teamIds[f % 50]! })).id);
seedLargeSqlite(url, { count: ENTRIES, days: 91, now, teamIds, featureIds, timeZone: 'America/New_York' });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return Math.round(median(xs));
}
const rolled = createServices(db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: 'America/New_York' })) });
const ledger = createServices(db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: 'America/New_York' })), readFromLedger: true });
const scan = await time(() => rolled.anomalies.scanDay(now), RUNS);
const scanLedger = await time(() => ledger.anomalies.scanDay(now), 1);
const budgets = await time(() => rolled.budgets.check(now), RUNS);
const budgetsLedger = await time(() => ledger.budgets.check(now), 1);
const common = { entries: ENTRIES, runs: RUNS, now: now.toISOString() };
console.log(
  JSON.stringify({
    bench: 'jobs.anomaly_scan.500_series_90_days',
    value: scan,
    unit: 'ms',
    baseline: scanLedger,
    baselineLabel: 'same scan summed from the raw ledger, 1 run',
    goal: 2000,
    series: 554,
    ...common,
  }),
);
console.log(
  JSON.stringify({
    bench: 'jobs.budget_check.50_teams',
    value: budgets,
    unit: 'ms',
    baseline: budgetsLedger,
    baselineLabel: 'same check summed from the raw ledger, 1 run',
    goal: 1000,
    teams: 50,
    ...common,
  }),
);
await db.close();
rmSync(dir, { recursive: true, force: true });
