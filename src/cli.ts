import { closeSync, createReadStream, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AppGraph } from './app.ts';
import type { AppConfig } from './config.ts';
import type { Money } from './domain/money.ts';
import { isMonth } from './domain/calendar.ts';

// Every module a command needs is imported inside that command (dynamic `import()`), so `aicost --help`
// loads nothing, and a command loads only what it uses (Bolt only for `start`): see `npm run bench -- startup`.

/** The operator's entry points: `npx aicost <command>`. */
const USAGE = `Usage: aicost <command>

  start                         run the Slack bot (what \`npm start\` does)
  migrate                       apply database migrations (also done on start)
  ask "<text>" [--user U…] [--channel C…]
                                answer like /aicost <text> would, as plain text
  demo [--days N]               seed a demo organisation into the configured database
  sync [--source helicone|langfuse|openai|anthropic] [--from <ISO>] [--to <ISO>]
                                pull costs from the configured sources (and provider bills), with progress
  sync --rejected [--source helicone|langfuse|openai|anthropic]
                                list the source records kept aside as untrustworthy, with why
  reconcile --month YYYY-MM     billed (OpenAI, Anthropic) vs observed, unobserved and coverage
  chargeback --month YYYY-MM [--format summary|detail|totals|gl|focus] [--out FILE]
                                the month's chargeback: a summary, or the detail / totals / GL / FOCUS 1.2 CSV
  import revenue <file.csv>     import revenue per customer and month (columns customer, month
                                YYYY-MM, revenue, plan optional); a month in the file replaces
                                that month; any bad row refuses the whole file
  import focus FILE.csv [--cost effective|billed]
                                import a FOCUS 1.0-1.2 cost export as hidden costs (all rows or none)
  anomalies --csv <file>        run the anomaly detector over a date,value CSV of daily totals;
                                one JSON line per alert
  verify [--repair] [--month YYYY-MM]
                                compare the rollups with the cost ledger (every period, or one
                                month) and, with --repair, rebuild what differs
  backup --out FILE             online backup of the SQLite database, safe while the bot runs
                                (PostgreSQL: use pg_dump, see docs/operations.md)
  run <job> [--at <ISO time>]   run a scheduled job once, exactly as the scheduler would for that
                                time (claimed per slot: running it twice for one slot posts once)

Configuration comes from the environment or .env; see README.md and docs/configuration.md.`;

/** The app graph for a command that never talks to Slack (it reads, or writes the database only). */
async function withApp<T>(fn: (app: AppGraph) => Promise<T>, patch: Partial<AppConfig> = {}): Promise<T> {
  const [{ buildApp }, { loadAppConfig }, { createLogger }] = await Promise.all([import('./app.ts'), import('./config.ts'), import('./logger.ts')]);
  const app = await buildApp({ ...loadAppConfig(), ...patch }, { slack: false, log: createLogger('warn') });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const [{ loadConfig }, { createLogger }] = await Promise.all([import('./config.ts'), import('./logger.ts')]);
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      // Loaded only here, so the other commands never load Bolt.
      const { onShutdown, startBot } = await import('./main.ts');
      const running = await startBot(config, log);
      onShutdown(running, log);
      return -1; // keep running
    }
    case 'migrate': {
      const [{ loadAppConfig }, { migrate }] = await Promise.all([import('./config.ts'), import('./db/migrate.ts')]);
      const config = loadAppConfig();
      const applied = await migrate(config.DATABASE_URL);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      return 0;
    }
    case 'ask': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { user: { type: 'string' }, channel: { type: 'string' } } });
      const text = positionals.join(' ');
      const [{ ask }, { replyText }, { plainMentions }] = await Promise.all([
        import('./format/ask.ts'),
        import('./format/reply-lines.ts'),
        import('./domain/mentions.ts'),
      ]);
      return withApp(async ({ services: s }) => {
        // Without --user the operator sees everything; with it, what that Slack user would see.
        const answer = await ask(s.askDeps, {
          text,
          userId: values.user ?? 'UCLI',
          channelId: values.channel ?? null,
          now: new Date(),
          operator: values.user === undefined,
        });
        console.log(plainMentions(replyText(answer.reply, s.timeZone)));
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
      const [{ DEMO_FINANCE_USER, setUpDemo }, { seedDemo }, { costWrites }, { add, ZERO }] = await Promise.all([
        import('./demo/setup.ts'),
        import('./demo/seed.ts'),
        import('./db/repositories/cost-writes.ts'),
        import('./domain/money.ts'),
      ]);
      return withApp(
        async ({ services: s }) => {
          const now = new Date();
          const result = await seedDemo({ teams: s.teams, writes: costWrites(s.db) }, { now, timeZone: s.timeZone, days });
          const setup = await setUpDemo(s, { now, timeZone: s.timeZone });
          console.log(
            `Demo organisation ready: ${result.teams} teams, ${result.features} features, ${result.entries.toLocaleString('en-US')} cost entries over ${days} days.`,
          );
          // Demo revenue for the complete months seeded, through the real import (it replaces those months).
          const { demoRevenueCsv } = await import('./demo/revenue.ts');
          const { customerCostQueries } = await import('./db/repositories/customer-costs.ts');
          const { monthOf, monthPeriod, previousMonth } = await import('./domain/periods.ts');
          const spend: { month: string; customer: string; amount: Money }[] = [];
          for (let i = 0, m = previousMonth(monthOf(new Date(), s.timeZone)); i < Math.min(3, Math.floor(days / 31)); i++, m = previousMonth(m)) {
            const p = monthPeriod(m, s.timeZone);
            const rows = await customerCostQueries(s.db).customerSpend({ from: p.from, to: p.to });
            const byCustomer = new Map<string, Money>();
            for (const r of rows) if (r.customer) byCustomer.set(r.customer, add(byCustomer.get(r.customer) ?? ZERO, ...r.amounts));
            for (const [customer, amount] of byCustomer) spend.push({ month: m, customer, amount });
          }
          if (spend.length) {
            const r = await s.revenue.importCsv(demoRevenueCsv(spend), { actor: 'demo', source: 'demo', now: new Date(), slackUser: false });
            if (r.ok) console.log(`Demo revenue imported for ${r.months.map((x) => x.month).join(', ')}: try npx aicost ask "margin"`);
          }
          for (const line of setup) console.log(`  ${line}`);
          console.log('Try: npx aicost ask "budget", npx aicost ask "iceberg", then npx aicost run anomalies (a spike was planted yesterday).');
          return 0;
        },
        { FINANCE_USER_IDS: [DEMO_FINANCE_USER] },
      ); // the demo enters budgets and hidden costs as its finance user
    }
    case 'sync': {
      const { values } = parseArgs({
        args: rest,
        options: { source: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, rejected: { type: 'boolean' } },
      });
      if (values.rejected) {
        const { alignTable } = await import('./format/table.ts');
        return withApp(async ({ db }) => {
          const { rejectedRecordsRepository } = await import('./db/repositories/rejected-records.ts');
          const rows = await rejectedRecordsRepository(db).list({ ...(values.source ? { source: values.source } : {}), limit: 1000 });
          if (rows.length === 0) console.log('No source record has been kept aside.');
          else {
            console.log(
              alignTable(
                ['source', 'id', 'date sent', 'cost sent', 'reason', 'last seen', 'times'],
                rows.map((r) => [
                  r.source,
                  r.sourceId,
                  r.occurredAt ?? '-',
                  r.cost ?? '-',
                  r.reason,
                  r.lastSeen.toISOString().slice(0, 16).replace('T', ' '),
                  String(r.seenCount),
                ]),
              ),
            );
            console.log(`${rows.length} record(s) kept aside: never summed into any total.`);
          }
          return 0;
        });
      }
      const { ConfigError } = await import('./config.ts');
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
      return withApp(async ({ sources, bills, sync }) => {
        if (sources.length === 0 && bills.length === 0) {
          console.error(
            'No source is configured: set HELICONE_API_KEY, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, or OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY.',
          );
          return 2;
        }
        if (values.source && ![...sources.map((c) => c.source as string), ...bills.map((b) => b.provider as string)].includes(values.source)) {
          console.error(`${values.source} is not configured (see docs/configuration.md).`);
          return 2;
        }
        let last = 0;
        const results = await sync.run(new Date(), {
          source: values.source,
          from,
          to,
          onProgress: (p) => {
            if (Date.now() - last < 1000 && p.windowsDone < p.windowsTotal) return;
            last = Date.now();
            const eta = p.etaMs === null ? '?' : `${Math.round(p.etaMs / 1000)}s`;
            process.stderr.write(
              `${p.source}: ${p.records.toLocaleString('en-US')} records, ${p.pages} pages, window ${p.windowsDone}/${p.windowsTotal}, ${Math.round(p.ratePerSecond).toLocaleString('en-US')}/s, about ${eta} left\n`,
            );
          },
        });
        for (const r of results) {
          console.log(
            r.ok
              ? ['openai', 'anthropic'].includes(r.source)
                ? `${r.source}: ${r.pages} billing days read (${r.records} rows${r.rejected ? `, ${r.rejected} kept aside as untrustworthy: npx aicost sync --rejected --source ${r.source}` : ''}) from ${r.from.toISOString()} to ${r.to.toISOString()}`
                : `${r.source}: ${r.records.toLocaleString('en-US')} records read (${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged${r.rejected ? `, ${r.rejected} kept aside as untrustworthy: npx aicost sync --rejected` : ''}) from ${r.from.toISOString()} to ${r.to.toISOString()} in ${(r.durationMs / 1000).toFixed(1)}s`
              : `${r.source}: FAILED: ${r.error}`,
          );
        }
        return results.every((r) => r.ok) ? 0 : 1;
      });
    }
    case 'verify': {
      const { values } = parseArgs({ args: rest, options: { repair: { type: 'boolean', default: false }, month: { type: 'string' } } });
      if (values.month !== undefined && !isMonth(values.month)) {
        console.error('--month must be YYYY-MM, e.g. 2026-10');
        return 2;
      }
      return withApp(async ({ db, config }) => {
        const { verifyRollups } = await import('./db/repositories/rollup-check.ts');
        const result = await verifyRollups(db, { month: values.month, repair: values.repair, timeZone: config.REPORT_TIMEZONE });
        console.log(result.lines.join('\n'));
        return result.differences > 0 && !values.repair ? 1 : 0;
      });
    }
    case 'backup': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      if (!values.out) {
        console.error('--out FILE is required, e.g. aicost backup --out backups/aicost-2026-11-28.db');
        return 2;
      }
      const [{ loadAppConfig }, { backupSqlite }] = await Promise.all([import('./config.ts'), import('./db/backup.ts')]);
      const config = loadAppConfig();
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
      const { values } = parseArgs({
        args: rest,
        options: { month: { type: 'string' }, format: { type: 'string', default: 'summary' }, out: { type: 'string' } },
      });
      if (!values.month || !isMonth(values.month)) {
        console.error('--month YYYY-MM is required, e.g. --month 2026-10');
        return 2;
      }
      if (!['summary', 'detail', 'totals', 'gl', 'focus'].includes(values.format!)) {
        console.error('--format must be summary, detail, totals, gl or focus');
        return 2;
      }
      const month = values.month;
      const [{ chargebackParts, reconciliationLine }, { replyText }] = await Promise.all([
        import('./format/chargeback-lines.ts'),
        import('./format/reply-lines.ts'),
      ]);
      return withApp(async ({ services: s }) => {
        const cb = await s.chargeback.build(month);
        const files = s.chargeback.files(cb);
        const focus = async () => {
          const { chargebackFocusRecords, focusCsv, focusExportDays } = await import('./domain/focus-export.ts');
          const { monthPeriod } = await import('./domain/periods.ts');
          const p = monthPeriod(month, s.timeZone);
          const days = focusExportDays(month, s.timeZone, new Date());
          return focusCsv(chargebackFocusRecords(cb, { days, billingPeriod: p }));
        };
        const output =
          values.format === 'focus'
            ? await focus()
            : values.format === 'detail'
              ? files.detail
              : values.format === 'totals'
                ? files.summary
                : values.format === 'gl'
                  ? files.gl
                  : replyText({ kind: 'message', parts: chargebackParts(cb, null) }, s.timeZone);
        if (values.out) {
          writeFileSync(values.out, output);
          console.log(`Wrote ${values.out} (${values.format}, ${month}, ${cb.periodStatus}). ${reconciliationLine(cb)}`);
        } else process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
        return cb.reconcile().ok ? 0 : 1;
      });
    }
    case 'reconcile': {
      const { values } = parseArgs({ args: rest, options: { month: { type: 'string' } } });
      if (!values.month || !isMonth(values.month)) {
        console.error('--month YYYY-MM is required, e.g. --month 2026-10');
        return 2;
      }
      const month = values.month;
      return withApp(async ({ services: s }) => {
        const { monthPeriod } = await import('./domain/periods.ts');
        const { reconcileParts } = await import('./format/reconcile-lines.ts');
        const { replyText } = await import('./format/reply-lines.ts');
        const { plainMentions } = await import('./domain/mentions.ts');
        const report = await s.reconcile.report(await s.visibility.of('UCLI', { operator: true }), monthPeriod(month, s.timeZone), new Date());
        console.log(plainMentions(replyText({ kind: 'message', parts: reconcileParts(report) }, s.timeZone)));
        return 0;
      });
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { cost: { type: 'string', default: 'effective' } } });
      const [kind, file, ...more] = positionals;
      if ((kind !== 'revenue' && kind !== 'focus') || !file || more.length) {
        console.error(
          'Usage: aicost import revenue FILE.csv  (columns customer, month YYYY-MM, revenue, plan optional)\n       aicost import focus FILE.csv [--cost effective|billed]',
        );
        return 2;
      }
      if (values.cost !== 'effective' && values.cost !== 'billed') {
        console.error('--cost must be effective (amortised, the default) or billed (as invoiced)');
        return 2;
      }
      let content = '';
      try {
        // A FOCUS file is streamed (a cloud bill may have millions of rows); revenue files are small.
        if (kind === 'revenue') content = readFileSync(file, 'utf8');
        else closeSync(openSync(file, 'r'));
      } catch (err) {
        console.error(`Cannot read ${file}: ${(err as Error).message}`);
        return 2;
      }
      if (kind === 'revenue') {
        const { importParts } = await import('./format/margin-lines.ts');
        const { userInfo } = await import('node:os');
        return withApp(async ({ services: s }) => {
          const r = await s.revenue.importCsv(content, { actor: `cli:${userInfo().username}`, source: `file ${file}`, now: new Date(), slackUser: false });
          const p = importParts(r);
          (r.ok ? console.log : console.error)([p.title, '', ...p.summary, '', ...p.notes].join('\n'));
          return r.ok ? 0 : 1;
        });
      }
      const cost = values.cost === 'billed' ? 'BilledCost' : 'EffectiveCost';
      return withApp(async ({ services: s, config }) => {
        const { focusImportService, loadFocusRules } = await import('./services/focus-service.ts');
        const { periodsRepository } = await import('./db/repositories/periods.ts');
        const { formatMoney } = await import('./domain/money.ts');
        const { failureText } = await import('./format/failure-text.ts');
        const periods = periodsRepository(s.db);
        const service = focusImportService({
          charges: s.billing,
          teams: s.teams,
          monthStatus: async (m) => (await periods.get(m)).status,
          rules: loadFocusRules(config.FOCUS_RULES_FILE),
          timeZone: s.timeZone,
        });
        const r = await service.importCsv(createReadStream(file), file, cost, new Date());
        if (!r.ok) {
          console.error(`Refused ${file}: nothing was imported. ${r.problemCount} problem${r.problemCount === 1 ? '' : 's'}:`);
          for (const p of r.problems.slice(0, 50)) console.error(`  row ${p.row}: ${failureText(p.failure)}`);
          if (r.problemCount > 50) console.error(`  … and ${r.problemCount - 50} more`);
          return 1;
        }
        console.log(
          `Imported ${file} (${cost}): ${r.rows} rows as ${r.charges} daily charges (${r.inserted} new, ${r.replaced} replaced${r.corrections ? `, ${r.corrections} corrections of closed months booked in the open month` : ''}), ${formatMoney(r.total)}.`,
        );
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
      const [{ loadConfig }, { createLogger }, { buildApp }, { runClaimed }] = await Promise.all([
        import('./config.ts'),
        import('./logger.ts'),
        import('./app.ts'),
        import('./jobs/runner.ts'),
      ]);
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      const runtime = await buildApp(config, { log });
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
        console.log(
          r.ran
            ? `${job.name} ran for ${at.toISOString()}: ${r.summary}`
            : `${job.name} already ran, or is running, for this slot (${at.toISOString()}); nothing done. A run that failed or died is retried once its 5-minute lease is over.`,
        );
        return 0;
      } finally {
        await runtime.close();
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
  async (err) => {
    const { ConfigError } = await import('./config.ts');
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`aicost: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
