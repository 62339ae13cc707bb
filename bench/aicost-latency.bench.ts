import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/logger.ts';
import { createServices } from '../src/container.ts';
import { createSlackApp } from '../src/slack/app.ts';
import { postSigned } from '../test/support/slack-signer.ts';
import { slashCommandBody } from '../test/support/slack-payloads.ts';
import { startSlackStandIn } from '../test/support/slack-stand-in.ts';
import { seedLargeSqlite } from './seed-sqlite.ts';

/**
 * `/aicost` latency from a signed HTTP request to the complete reply arriving at response_url, with
 * 1,000,000 cost entries in SQLite, next to a no-op command on the same app as the baseline.
 */
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const SECRET = 'bench-secret';
const now = new Date();

const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-'));
const url = `file:${join(dir, 'bench.db')}`;
await migrate(url);
const db = openDatabase(url);
const services = createServices(db, { timeZone: 'America/New_York' });
const teamIds: number[] = [];
const featureIds: number[] = [];
for (let t = 0; t < 6; t++) {
  const team = await services.teams.upsert({ slug: `team-${t}`, name: `Team ${t}`, channelId: `C0TEAM${t}` });
  teamIds.push(team.id);
  for (let f = 0; f < 3; f++) featureIds.push((await services.teams.upsertFeature({ slug: `feature-${t}-${f}`, name: `Feature ${t}.${f}`, teamId: team.id })).id);
}
const seedStart = performance.now();
seedLargeSqlite(url, { count: ENTRIES, days: 120, now, teamIds, featureIds });
const seedMs = performance.now() - seedStart;

const slack = await startSlackStandIn();
const app: App = createSlackApp(services, { botToken: 'xoxb-bench', signingSecret: SECRET, slackApiUrl: slack.url, quickchartUrl: 'https://quickchart.io', retries: 0, log: createLogger('silent') });
app.command('/noop', async ({ ack, respond }) => {
  await ack();
  await respond({ response_type: 'ephemeral', text: 'ok' });
});
await app.init();
const server = (await app.start({ port: 0, host: '127.0.0.1' })) as import('node:http').Server;
const port = (server.address() as import('node:net').AddressInfo).port;

let seq = 0;
async function once(command: string, text: string, channelId = 'C0OTHER'): Promise<number> {
  const id = `r${++seq}`;
  const body = slashCommandBody({ command, text, channelId, responseUrl: slack.responseUrl(id) });
  const t0 = performance.now();
  const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, body, { secret: SECRET });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  await slack.waitForResponse((r) => r.url.endsWith(id), 30_000);
  return performance.now() - t0;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const cases: [string, string, string?][] = [
  ['month_to_date_team', 'team team-2'],
  ['organisation_overview', '', 'C0OTHER'],
  ['top_teams_last_month', 'top teams last month'],
  ['top_features_90d', 'top features 90d'],
];
for (let w = 0; w < 5; w++) await once('/noop', '');
const noop: number[] = [];
for (let i = 0; i < RUNS; i++) noop.push(await once('/noop', ''));
const baseline = { p50: pct(noop, 50), p99: pct(noop, 99) };
for (const [name, text, channel] of cases) {
  await once('/aicost', text, channel); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) xs.push(await once('/aicost', text, channel));
  for (const p of [50, 99] as const) {
    console.log(JSON.stringify({
      bench: `aicost.latency.${name}.p${p}`, value: Math.round(pct(xs, p) * 10) / 10, unit: 'ms',
      baseline: Math.round(baseline[`p${p}`] * 10) / 10, baselineLabel: `no-op command p${p}, same app`, goal: p === 99 ? 300 : undefined,
      entries: ENTRIES, runs: RUNS,
    }));
  }
}
console.log(JSON.stringify({ bench: 'aicost.latency.seed', value: Math.round(seedMs), unit: 'ms', entries: ENTRIES, baseline: null, baselineLabel: 'setup only (raw better-sqlite3 inserts), not a product figure' }));
await app.stop();
await slack.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
