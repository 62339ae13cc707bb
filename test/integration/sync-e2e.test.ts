import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openDatabase } from '../../src/db/client.ts';
import { costQueries } from '../../src/db/repositories/cost-rollups.ts';
import { ledgerCostQueries } from '../../src/db/repositories/costs.ts';
import { rollupChecks } from '../../src/db/repositories/rollup-check.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { formatMoney, fromUsd, sum } from '../../src/domain/money.ts';
import { monthPeriod } from '../../src/domain/periods.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, startHarness, type Harness, tableRows } from '../support/app-harness.ts';
import { startHeliconeStandIn, syntheticHeliconeRows, type HeliconeStandIn } from '../support/helicone-stand-in.ts';
import { startLangfuseStandIn, syntheticLangfuseData, type LangfuseStandIn } from '../support/langfuse-stand-in.ts';

const TZ = 'Asia/Tokyo';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const scrape = (url: string) => fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });

describe.each(testProviders())('sync from Helicone and Langfuse, then ask, on %s', (provider) => {
  let h: Harness;
  let helicone: HeliconeStandIn;
  let langfuse: LangfuseStandIn;
  let env: Record<string, string>;
  const start = new Date('2026-09-20T00:00:00Z');
  const spanMs = 50 * 86_400_000;

  beforeAll(async () => {
    // 2,500 Helicone rows (3 pages of 1000 per day window at most), every 9th without a team.
    helicone = await startHeliconeStandIn({ rows: syntheticHeliconeRows(2500, { start, spanMs, teamlessEvery: 9, seed: 7 }).rows });
    const lf = syntheticLangfuseData(900, { start, spanMs, teamlessEvery: 8, seed: 9, embeddingEvery: 10 });
    langfuse = await startLangfuseStandIn({ observations: lf.observations, traces: lf.traces });
    const sources = {
      REPORT_TIMEZONE: TZ,
      HELICONE_API_KEY: helicone.apiKey,
      HELICONE_BASE_URL: helicone.url,
      LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
      LANGFUSE_SECRET_KEY: langfuse.secretKey,
      LANGFUSE_BASE_URL: langfuse.url,
    };
    h = await startHarness(provider, { ...sources, SCHEDULER_ENABLED: 'false', VISIBILITY: 'open', METRICS_ENABLED: 'true', METRICS_TOKEN: METRICS_TOKEN });
    env = { ...sources, DATABASE_URL: h.db.url };
  }, 120_000);
  afterAll(async () => {
    await helicone?.close();
    await langfuse?.close();
    await h?.stop();
  });

  /** The stand-ins' own total for a team in a month of the report time zone. */
  function expectedTeamMonth(team: string, month: string) {
    const p = monthPeriod(month, TZ);
    const inMonth = (iso: string) => new Date(iso) >= p.from && new Date(iso) < p.to;
    const fromHelicone = helicone.rows.filter((r) => r.properties?.team === team && inMonth(r.request_created_at)).map((r) => fromUsd(r.cost ?? 0));
    const teamOf = new Map(langfuse.traces.map((t) => [t.id, (t.metadata as { team?: string } | null)?.team ?? null]));
    const fromLangfuse = langfuse.observations
      .filter((o) => teamOf.get(o.traceId ?? '') === team && inMonth(o.startTime))
      .map((o) => fromUsd(o.totalCost ?? 0));
    return { total: sum([...fromHelicone, ...fromLangfuse]), count: fromHelicone.length + fromLangfuse.length };
  }

  it('stores exactly what the sources report, and /aicost and `aicost ask` show that total', async () => {
    const first = await cli(['sync', '--from', '2026-09-15T00:00:00Z', '--to', '2026-11-15T00:00:00Z'], env);
    expect(first.stderr + first.stdout).not.toContain('FAILED');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/helicone: 2,500 records read \(2500 new/);
    expect(first.stdout).toMatch(/langfuse: 900 records read \(900 new/);

    const stored = await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
    const served = sum([...helicone.rows.map((r) => fromUsd(r.cost ?? 0)), ...langfuse.observations.map((o) => fromUsd(o.totalCost ?? 0))]);
    expect(stored._count).toBe(3400);
    expect(stored._sum.amount).toBe(served);

    const expected = expectedTeamMonth('platform', '2026-10');
    expect(expected.count).toBeGreaterThan(100);
    const { reply } = await h.command('team platform 2026-10');
    expect(blocksText(reply.blocks)).toContain(`API spend: ${formatMoney(expected.total)} across ${expected.count.toLocaleString('en-US')} calls`);
    const asked = await cli(['ask', 'team platform 2026-10'], env);
    expect(asked.stdout).toContain(`API spend: ${formatMoney(expected.total)} across ${expected.count.toLocaleString('en-US')} calls`);

    const top = await h.command('top teams 2026-10');
    expect(blocksText(top.reply.blocks)).toMatch(/unattributed +\$/);
  }, 120_000);

  it('changes nothing when the same window is synced again', async () => {
    const before = await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
    const again = await cli(['sync', '--from', '2026-09-15T00:00:00Z', '--to', '2026-11-15T00:00:00Z'], env);
    expect(again.stdout).toMatch(/helicone: 2,500 records read \(0 new, 0 updated, 2500 unchanged\)/);
    expect(again.stdout).toMatch(/langfuse: 900 records read \(0 new, 0 updated, 900 unchanged\)/);
    expect(await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true })).toEqual(before);
  }, 120_000);

  it('updates a re-costed observation instead of adding one', async () => {
    const target = langfuse.observations[100]!;
    const before = await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
    const old = fromUsd(target.totalCost ?? 0);
    langfuse.setCost(target.id, 1.25);
    const r = await cli(['sync', '--source', 'langfuse', '--from', '2026-09-15T00:00:00Z', '--to', '2026-11-15T00:00:00Z'], env);
    expect(r.stdout).toMatch(/langfuse: 900 records read \(0 new, 1 updated, 899 unchanged\)/);
    const after = await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
    expect(after._count).toBe(before._count);
    expect(after._sum.amount).toBe((before._sum.amount ?? 0n) - old + fromUsd('1.25'));
  }, 120_000);

  it('shows each source in /aicost sync, and lets only finance start one', async () => {
    const status = await h.command('sync');
    const rows = tableRows(status.reply.blocks);
    expect(rows.find((r) => r[0] === 'helicone')?.[1]).toBe('on');
    // The notification text stands alone (it was "Cost sources:").
    expect(status.reply.text).toMatch(/^Cost sources: 2 of 4 sources on, none failing; data up to /);
    // The terminal says the same as Slack about the configured sources.
    const asked = await cli(['ask', 'sync'], env);
    expect(asked.stdout).toMatch(/helicone +on/);
    expect(asked.stdout).toMatch(/langfuse +on/);
    expect(asked.stdout).not.toContain('No cost source is configured');
    const refused = await h.command('sync now', { userId: 'U0SOMEONE' });
    expect(blocksText(refused.reply.blocks)).toContain('Only finance can start a sync');
  });

  it.skipIf(provider !== 'sqlite')(
    'takes an online backup while the bot runs and a sync writes; the copy opens and holds the same totals',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aicost-backup-'));
      const out = join(dir, 'copy.db');
      try {
        // A backfill of a wider window runs while the backup is taken and /aicost answers.
        const syncing = cli(['sync', '--from', '2026-08-01T00:00:00Z', '--to', '2026-11-15T00:00:00Z'], env);
        const [backup, answer] = await Promise.all([cli(['backup', '--out', out], env), h.command('top teams 2026-10')]);
        expect(backup.stderr).toBe('');
        expect(backup.code).toBe(0);
        expect(backup.stdout).toMatch(/Backup written to .*copy\.db \(\d+ pages\)/);
        expect(answer.status).toBe(200);
        expect((await syncing).code).toBe(0);

        const copy = openDatabase(`file:${out}`);
        try {
          const live = await h.db.db.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
          const copied = await copy.prisma.costEntry.aggregate({ _sum: { amount: true }, _count: true });
          expect(copied).toEqual(live);
          expect(copied._count).toBe(3400);
          // Its reports (read from its rollups) equal its ledger, and `verify` finds nothing to repair.
          const p = monthPeriod('2026-10', TZ);
          expect(await costQueries(copy).teamFeatureSummary(p)).toEqual(await ledgerCostQueries(copy).teamFeatureSummary(p));
          expect((await rollupChecks(copy).compare(null)).every((c) => c.differences === 0)).toBe(true);
        } finally {
          await copy.close();
        }
        expect((await cli(['backup', '--out', out], env)).stderr).toContain('already exists');
        expect((await cli(['backup', '--out', out], { ...env, DATABASE_URL: 'postgresql://x@127.0.0.1:1/x' })).stderr).toContain('pg_dump');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('serves Prometheus metrics after a sync the bot ran: records per source, lag, jobs, Slack errors, /aicost latency', async () => {
    langfuse.setCost(langfuse.observations[200]!.id, 2.5);
    // Forget the watermarks: the bot's sync backfills and re-reads every record.
    await h.db.db.prisma.syncState.updateMany({ data: { watermark: null } });
    const started = await h.command('sync now', { userId: 'U0FINANCE' });
    expect(blocksText(started.reply.blocks)).toContain('Sync started');
    let text = '';
    for (let i = 0; i < 200 && !/aicost_sync_runs_total\{source="langfuse",result="ok"\} 1/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await scrape(`${h.url}/metrics`)).text();
    }
    const res = await scrape(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
    // Per source, the outcomes add up to the records the bot's sync read (as its sync state records).
    const value = (source: string, outcome: string) =>
      Number(new RegExp(`^aicost_sync_records_total\\{source="${source}",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    for (const state of await h.db.db.prisma.syncState.findMany()) {
      const outcomes = ['ingested', 'updated', 'unchanged', 'rejected'].map((o) => value(state.source, o));
      expect(outcomes.every(Number.isInteger)).toBe(true);
      expect(outcomes.reduce((a, b) => a + b, 0)).toBe(state.lastRecords);
    }
    expect([value('helicone', 'ingested'), value('helicone', 'updated'), value('helicone', 'unchanged')]).toEqual([0, 0, 2500]);
    expect([value('langfuse', 'ingested'), value('langfuse', 'updated'), value('langfuse', 'unchanged')]).toEqual([0, 1, 899]);
    expect(text).toMatch(/^aicost_sync_lag_seconds\{source="helicone"\} \d+(\.\d+)?(e\+\d+)?$/m);
    expect(text).toMatch(/^# TYPE aicost_job_runs_total counter$/m);
    expect(text).toMatch(/^# TYPE aicost_slack_api_errors_total counter$/m);
    // The commands this suite sent were timed.
    expect(text).toMatch(/^aicost_command_duration_seconds_count\{command="\/aicost"\} [1-9]\d*$/m);
    expect(text).toMatch(/^aicost_command_duration_seconds_bucket\{le="0\.1",command="\/aicost"\} \d+$/m);
  }, 120_000);
});
