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
  sync [--source helicone|langfuse|openai|anthropic] [--from <ISO>] [--to <ISO>]
                                pull costs from the configured sources (and provider bills), with progress
  reconcile --month YYYY-MM     billed (OpenAI, Anthropic) vs observed, unobserved and coverage
  import focus FILE.csv [--cost effective|billed]
                                import a FOCUS 1.0-1.2 cost export as hidden costs (all rows or none)
  chargeback --month YYYY-MM [--format summary|detail|gl|focus] [--out FILE]
                                the month's chargeback: a summary, or the detail / GL / FOCUS 1.2 CSV
  anomalies --csv <file>        run the anomaly detector over a date,value CSV of daily totals;
                                one JSON line per alert
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
        gl: { expenseAccount: config.GL_EXPENSE_ACCOUNT, clearingAccount: config.GL_CLEARING_ACCOUNT }, unobservedUnmapped: config.UNOBSERVED_UNMAPPED,
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
      if (values.source && !['helicone', 'langfuse', 'openai', 'anthropic'].includes(values.source)) {
        console.error('--source must be helicone, langfuse, openai or anthropic');
        return 2;
      }
      const { costStore } = await import('./db/repositories/cost-store.ts');
      const { billingRepository } = await import('./db/repositories/billing.ts');
      const { billingClients, sourceClients, syncService } = await import('./services/sync-service.ts');
      const clients = sourceClients(config);
      const bills = billingClients(config);
      if (clients.length === 0 && bills.length === 0) {
        console.error('No source is configured: set HELICONE_API_KEY, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, or OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY.');
        return 2;
      }
      if (values.source && ![...clients.map((c) => c.source as string), ...bills.map((b) => b.provider as string)].includes(values.source)) {
        console.error(`${values.source} is not configured (see the Configuration table in README.md).`);
        return 2;
      }
      await migrate(config.DATABASE_URL);
      const db = openDatabase(config.DATABASE_URL);
      const store = costStore(db, { timeZone: config.REPORT_TIMEZONE });
      const log = createLogger('warn');
      try {
        const sync = syncService({
          store, clients, backfillDays: config.SYNC_BACKFILL_DAYS, authz: createAuthz({ financeUserIds: [] }), log,
          billing: { clients: bills, store: billingRepository(db), rereadDays: config.BILLING_REREAD_DAYS },
        });
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
            ? ['openai', 'anthropic'].includes(r.source) ? `${r.source}: ${r.pages} billing days read (${r.records} rows) from ${r.from.toISOString()} to ${r.to.toISOString()}`
            : `${r.source}: ${r.records.toLocaleString('en-US')} records read (${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged) from ${r.from.toISOString()} to ${r.to.toISOString()} in ${(r.durationMs / 1000).toFixed(1)}s`
            : `${r.source}: FAILED: ${r.error}`);
        }
        return results.every((r) => r.ok) ? 0 : 1;
      } finally {
        store.close();
        await db.close();
      }
    }
    case 'chargeback': {
      const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, format: { type: 'string', default: 'summary' }, out: { type: 'string' } } });
      if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
        console.error('--month YYYY-MM is required, e.g. --month 2026-10');
        return 2;
      }
      if (!['summary', 'detail', 'gl', 'focus'].includes(values.format!)) {
        console.error('--format must be summary, detail, gl or focus');
        return 2;
      }
      const month = values.month;
      return withServices(async (s) => {
        const cb = await s.chargeback.build(month);
        const files = s.chargeback.files(cb);
        const focus = async () => {
          const { chargebackFocusRecords, focusCsv } = await import('./domain/focus-export.ts');
          const { dayStart, daysOf, monthPeriod } = await import('./domain/periods.ts');
          const p = monthPeriod(month, s.timeZone);
          const days = daysOf(p, s.timeZone).map((d, i, all) => ({ from: dayStart(d, s.timeZone), to: i + 1 < all.length ? dayStart(all[i + 1]!, s.timeZone) : p.to }));
          return focusCsv(chargebackFocusRecords(cb, { days, billingPeriod: p }));
        };
        const output = values.format === 'focus' ? await focus() : values.format === 'detail' ? files.detail : values.format === 'gl' ? files.gl : replyText({ kind: 'message', parts: chargebackParts(cb, null) }, s.timeZone);
        if (values.out) {
          writeFileSync(values.out, output);
          console.log(`Wrote ${values.out} (${values.format}, ${month}, ${cb.periodStatus}). ${reconciliationLine(cb)}`);
        } else process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
        return cb.reconcile().ok ? 0 : 1;
      });
    }
    case 'reconcile': {
      const { values } = parseArgs({ args: rest, options: { month: { type: 'string' } } });
      if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
        console.error('--month YYYY-MM is required, e.g. --month 2026-10');
        return 2;
      }
      const month = values.month;
      return withServices(async (s) => {
        const { monthPeriod } = await import('./domain/periods.ts');
        const { reconcileParts } = await import('./format/reconcile-lines.ts');
        const report = await s.reconcile.report(monthPeriod(month, s.timeZone), new Date());
        console.log(replyText({ kind: 'message', parts: reconcileParts(report) }, s.timeZone));
        return 0;
      });
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { cost: { type: 'string', default: 'effective' } } });
      const [kind, file, ...more] = positionals;
      if (kind !== 'focus' || !file || more.length) {
        console.error('Usage: aicost import focus FILE.csv [--cost effective|billed]');
        return 2;
      }
      if (values.cost !== 'effective' && values.cost !== 'billed') {
        console.error('--cost must be effective (amortised, the default) or billed (as invoiced)');
        return 2;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        console.error(`Cannot read ${file}: ${(err as Error).message}`);
        return 2;
      }
      const cost = values.cost === 'billed' ? 'BilledCost' : 'EffectiveCost';
      const config = loadDatabaseConfig();
      return withServices(async (s) => {
        const { focusImportService, loadFocusRules } = await import('./services/focus-service.ts');
        const { billingRepository } = await import('./db/repositories/billing.ts');
        const { periodsRepository } = await import('./db/repositories/periods.ts');
        const { formatMoney } = await import('./domain/money.ts');
        const periods = periodsRepository(s.db);
        const service = focusImportService({ charges: billingRepository(s.db), teams: s.teams, monthStatus: async (m) => (await periods.get(m)).status, rules: loadFocusRules(config.FOCUS_RULES_FILE) });
        const r = await service.importCsv(text, file, cost);
        if (!r.ok) {
          console.error(`Refused ${file}: nothing was imported. ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`);
          for (const p of r.problems.slice(0, 50)) console.error(`  row ${p.row}: ${p.reason}`);
          if (r.problems.length > 50) console.error(`  … and ${r.problems.length - 50} more`);
          return 1;
        }
        console.log(`Imported ${file} (${cost}): ${r.rows} rows as ${r.charges} daily charges (${r.inserted} new, ${r.replaced} replaced), ${formatMoney(r.total)}.`);
        for (const g of r.byTeamCategory) console.log(`  ${g.team}  ${g.category}  ${formatMoney(g.amount)}`);
        return 0;
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
