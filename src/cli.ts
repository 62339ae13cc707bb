import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chargebackParts, reconciliationLine } from './format/chargeback-lines.ts';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDatabaseConfig, loadSourcesConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { costWrites } from './db/repositories/cost-writes.ts';
import { seedDemo } from './demo/seed.ts';
import { replyText } from './format/reply-lines.ts';
import { createLogger } from './logger.ts';
import { ask } from './services/ask.ts';
import { createAuthz } from './services/authz.ts';
import { createServices } from './services/container.ts';

/** The operator's entry points: `npx aicost <command>`. */
const USAGE = `Usage: aicost <command>

  start                         run the Slack bot (what \`npm start\` does)
  migrate                       apply database migrations (also done on start)
  ask "<text>" [--user U…] [--channel C…]
                                answer like /aicost <text> would, as plain text
  demo [--days N]               seed a demo organisation into the configured database
  sync [--source helicone|langfuse] [--from <ISO>] [--to <ISO>]
                                pull costs from the configured sources, with progress
  chargeback --month YYYY-MM [--format summary|detail|gl] [--out FILE]
                                the month's chargeback: a summary, or the detail / GL CSV
  anomalies --csv <file>        run the anomaly detector over a date,value CSV of daily totals;
                                one JSON line per alert
  verify [--repair] [--month YYYY-MM]
                                compare the rollups with the cost ledger (every period, or one
                                month) and, with --repair, rebuild what differs
  backup --out FILE             online backup of the SQLite database, safe while the bot runs
                                (PostgreSQL: use pg_dump, see README)
  run <job> [--at <ISO time>]   run a scheduled job once, exactly as the scheduler would for that
                                time (claimed per slot: running it twice for one slot posts once)

Configuration comes from the environment or .env; see README.md.`;

async function withServices<T>(fn: (s: ReturnType<typeof createServices>) => Promise<T>): Promise<T> {
  const config = loadDatabaseConfig();
  await migrate(config.DATABASE_URL);
  const db = openDatabase(config.DATABASE_URL);
  try {
    return await fn(
      createServices(db, {
        timeZone: config.REPORT_TIMEZONE, financeUserIds: config.FINANCE_USER_IDS, quickchartUrl: config.QUICKCHART_URL,
        gl: { expenseAccount: config.GL_EXPENSE_ACCOUNT, clearingAccount: config.GL_CLEARING_ACCOUNT },
      }),
    );
  } finally {
    await db.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      // Loaded only here, so the other commands never load Bolt.
      const { onShutdown, startBot } = await import('./main.ts');
      const running = await startBot(config, log);
      onShutdown(running, log);
      return -1; // keep running
    }
    case 'migrate': {
      const config = loadDatabaseConfig();
      const applied = await migrate(config.DATABASE_URL);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      return 0;
    }
    case 'ask': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { user: { type: 'string' }, channel: { type: 'string' } } });
      const text = positionals.join(' ');
      return withServices(async (s) => {
        const answer = await ask(s.askDeps, { text, userId: values.user ?? 'UCLI', channelId: values.channel ?? null, now: new Date() });
        console.log(replyText(answer.reply, s.timeZone));
        return answer.reply.kind === 'invalid' || answer.reply.kind === 'unknown' ? 2 : 0;
      });
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { days: { type: 'string', default: '120' } } });
      const days = Number(values.days);
      if (!Number.isInteger(days) || days < 1 || days > 730) {
        console.error('--days must be a whole number between 1 and 730');
        return 2;
      }
      return withServices(async (s) => {
        const result = await seedDemo({ teams: s.teams, writes: costWrites(s.db) }, { now: new Date(), timeZone: s.timeZone, days });
        console.log(`Demo organisation ready: ${result.teams} teams, ${result.features} features, ${result.entries.toLocaleString('en-US')} cost entries over ${days} days.`);
        console.log('Try: npx aicost ask "top teams last month"');
        return 0;
      });
    }
    case 'sync': {
      const { values } = parseArgs({ args: rest, options: { source: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
      const config = loadSourcesConfig();
      const when = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const d = new Date(v);
        if (Number.isNaN(d.getTime())) throw new ConfigError([`--${name} "${v}" is not an ISO time, e.g. 2026-10-01T00:00:00Z`]);
        return d;
      };
      const from = when('from', values.from);
      const to = when('to', values.to);
      if (values.source && !['helicone', 'langfuse'].includes(values.source)) {
        console.error('--source must be helicone or langfuse');
        return 2;
      }
      const { costStore } = await import('./db/repositories/cost-store.ts');
      const { sourceClients, syncService } = await import('./services/sync-service.ts');
      const clients = sourceClients(config);
      if (clients.length === 0) {
        console.error('No source is configured: set HELICONE_API_KEY, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY.');
        return 2;
      }
      await migrate(config.DATABASE_URL);
      const db = openDatabase(config.DATABASE_URL);
      const store = costStore(db, { timeZone: config.REPORT_TIMEZONE });
      const log = createLogger('warn');
      try {
        const sync = syncService({ store, clients, backfillDays: config.SYNC_BACKFILL_DAYS, authz: createAuthz({ financeUserIds: [] }), log });
        let last = 0;
        const results = await sync.run(new Date(), {
          source: values.source, from, to,
          onProgress: (p) => {
            if (Date.now() - last < 1000 && p.windowsDone < p.windowsTotal) return;
            last = Date.now();
            const eta = p.etaMs === null ? '?' : `${Math.round(p.etaMs / 1000)}s`;
            process.stderr.write(`${p.source}: ${p.records.toLocaleString('en-US')} records, ${p.pages} pages, window ${p.windowsDone}/${p.windowsTotal}, ${Math.round(p.ratePerSecond).toLocaleString('en-US')}/s, about ${eta} left\n`);
          },
        });
        for (const r of results) {
          console.log(r.ok
            ? `${r.source}: ${r.records.toLocaleString('en-US')} records read (${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged) from ${r.from.toISOString()} to ${r.to.toISOString()} in ${(r.durationMs / 1000).toFixed(1)}s`
            : `${r.source}: FAILED: ${r.error}`);
        }
        return results.every((r) => r.ok) ? 0 : 1;
      } finally {
        store.close();
        await db.close();
      }
    }
    case 'verify': {
      const { values } = parseArgs({ args: rest, options: { repair: { type: 'boolean', default: false }, month: { type: 'string' } } });
      if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
        console.error('--month must be YYYY-MM, e.g. 2026-10');
        return 2;
      }
      const config = loadDatabaseConfig();
      await migrate(config.DATABASE_URL);
      const db = openDatabase(config.DATABASE_URL);
      try {
        const { verifyRollups } = await import('./db/repositories/rollup-check.ts');
        const result = await verifyRollups(db, { month: values.month, repair: values.repair, timeZone: config.REPORT_TIMEZONE });
        console.log(result.lines.join('\n'));
        return result.differences > 0 && !values.repair ? 1 : 0;
      } finally {
        await db.close();
      }
    }
    case 'backup': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      if (!values.out) {
        console.error('--out FILE is required, e.g. aicost backup --out backups/aicost-2026-11-28.db');
        return 2;
      }
      const config = loadDatabaseConfig();
      const { backupSqlite } = await import('./db/backup.ts');
      try {
        const r = await backupSqlite(config.DATABASE_URL, values.out);
        console.log(`Backup written to ${values.out} (${r.pages} pages).`);
        return 0;
      } catch (err) {
        console.error((err as Error).message);
        return 2;
      }
    }
    case 'chargeback': {
      const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, format: { type: 'string', default: 'summary' }, out: { type: 'string' } } });
      if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
        console.error('--month YYYY-MM is required, e.g. --month 2026-10');
        return 2;
      }
      if (!['summary', 'detail', 'gl'].includes(values.format!)) {
        console.error('--format must be summary, detail or gl');
        return 2;
      }
      const month = values.month;
      return withServices(async (s) => {
        const cb = await s.chargeback.build(month);
        const files = s.chargeback.files(cb);
        const output = values.format === 'detail' ? files.detail : values.format === 'gl' ? files.gl : replyText({ kind: 'message', parts: chargebackParts(cb, null) }, s.timeZone);
        if (values.out) {
          writeFileSync(values.out, output);
          console.log(`Wrote ${values.out} (${values.format}, ${month}, ${cb.periodStatus}). ${reconciliationLine(cb)}`);
        } else process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
        return cb.reconcile().ok ? 0 : 1;
      });
    }
    case 'anomalies': {
      const { values } = parseArgs({ args: rest, options: { csv: { type: 'string' } } });
      if (!values.csv) {
        console.error('--csv <file> is required: a CSV of date,value daily totals (a header row is optional)');
        return 2;
      }
      const { anomaliesFromCsv } = await import('./domain/anomaly/csv.ts');
      let text: string;
      try {
        text = readFileSync(values.csv, 'utf8');
      } catch (err) {
        console.error(`Cannot read ${values.csv}: ${(err as Error).message}`);
        return 2;
      }
      for (const alert of anomaliesFromCsv(text)) console.log(JSON.stringify(alert));
      return 0;
    }
    case 'run': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { at: { type: 'string' } } });
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      const { createRuntime } = await import('./main.ts');
      const { runClaimed } = await import('./jobs/runner.ts');
      const runtime = await createRuntime(config, log);
      try {
        const job = runtime.jobs.find((j) => j.name === positionals[0]);
        if (!job) {
          console.error(`Unknown job "${positionals[0] ?? ''}". Jobs: ${runtime.jobs.map((j) => `${j.name} (${j.description})`).join('; ')}.`);
          return 2;
        }
        const at = values.at ? new Date(values.at) : new Date();
        if (Number.isNaN(at.getTime())) {
          console.error(`--at "${values.at}" is not an ISO time, e.g. 2026-11-02T09:00:00+01:00`);
          return 2;
        }
        const r = await runClaimed(job, runtime.jobDeps, at);
        console.log(r.ran ? `${job.name} ran for ${at.toISOString()}: ${r.summary}` : `${job.name} already ran for this slot (${at.toISOString()}); nothing done.`);
        return 0;
      } finally {
        await runtime.db.close();
      }
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command ? 0 : 2;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`aicost: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
