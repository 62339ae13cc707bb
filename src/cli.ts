import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDatabaseConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { costWrites } from './db/repositories/cost-writes.ts';
import { seedDemo } from './demo/seed.ts';
import { replyText } from './format/reply-lines.ts';
import { createLogger } from './logger.ts';
import { ask } from './services/ask.ts';
import { createServices } from './services/container.ts';

/** The operator's entry points: `npx aicost <command>`. */
const USAGE = `Usage: aicost <command>

  start                         run the Slack bot (what \`npm start\` does)
  migrate                       apply database migrations (also done on start)
  ask "<text>" [--user U…] [--channel C…]
                                answer like /aicost <text> would, as plain text
  demo [--days N]               seed a demo organisation into the configured database
  run <job> [--at <ISO time>]   run a scheduled job once, exactly as the scheduler would for that
                                time (claimed per slot: running it twice for one slot posts once)

Configuration comes from the environment or .env; see README.md.`;

async function withServices<T>(fn: (s: ReturnType<typeof createServices>) => Promise<T>): Promise<T> {
  const config = loadDatabaseConfig();
  await migrate(config.DATABASE_URL);
  const db = openDatabase(config.DATABASE_URL);
  try {
    return await fn(createServices(db, { timeZone: config.REPORT_TIMEZONE, financeUserIds: config.FINANCE_USER_IDS }));
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
