import cron from 'node-cron';
import { z } from 'zod';

/**
 * The whole environment, validated once at start. Names are a contract with operators and the
 * README's table; every problem is reported at once, by variable name, with how to fix it.
 */
const slackId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[A-Z0-9]+$`), `must be a Slack id starting with ${prefix}`);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isCron(expr: string): boolean {
  return cron.validate(expr);
}

/**
 * `.env.example`'s sample values: they have the right shape, so without this check they pass and the
 * app then fails far from the cause ("fetch failed", invalid_auth, channel_not_found).
 */
export const PLACEHOLDERS: Record<string, readonly string[]> = {
  SLACK_BOT_TOKEN: ['xoxb-your-bot-token'],
  SLACK_APP_TOKEN: ['xapp-your-app-token'],
  SLACK_SIGNING_SECRET: ['your-signing-secret'],
  FINANCE_CHANNEL_ID: ['C0123456789'],
  FINANCE_USER_IDS: ['U0123456789'],
  FINANCE_USERGROUP_ID: ['S0123456789'],
};

const placeholderProblems = (env: NodeJS.ProcessEnv): string[] =>
  Object.entries(PLACEHOLDERS).flatMap(([name, samples]) => {
    const values = (env[name] ?? '').split(',').map((v) => v.trim());
    const hit = values.find((v) => samples.includes(v) || /^x(oxb|app)-your-/.test(v));
    return hit
      ? [`${name} is still the example value "${hit}" from .env.example: replace it with your workspace's real value (see "Configuration" in README.md)`]
      : [];
  });

export const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .default('file:./data/aicost.db')
    .refine((v) => v.startsWith('file:') || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be a SQLite "file:" URL (e.g. file:./data/aicost.db) or a postgresql:// URL',
    }),
  SLACK_BOT_TOKEN: z.string({ error: 'is required: the bot token (xoxb-…) from OAuth & Permissions' }).startsWith('xoxb-', 'must start with xoxb-'),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), 'must start with xapp- (an app-level token with connections:write)'),
  SLACK_API_URL: optionalText.refine((v) => v === undefined || /^https?:\/\//.test(v), 'must be an http(s) URL'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  REPORT_TIMEZONE: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/New_York'),
  FINANCE_CHANNEL_ID: z
    .string({ error: 'is required: the channel id (C…) where finance posts go' })
    .regex(/^[CG][A-Z0-9]+$/, 'must be a channel id such as C0123456789'),
  FINANCE_USER_IDS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(slackId('[UW]'))),
  FINANCE_USERGROUP_ID: optionalText.refine((v) => v === undefined || /^S[A-Z0-9]+$/.test(v), 'must be a user group id such as S0123456789'),
  /** Who sees what: `teams` (members see their own teams and organisation totals; finance everything) or `open`. */
  VISIBILITY: z
    .enum(['teams', 'open'], { error: 'must be teams (members see their own teams; finance sees everything) or open (everyone sees every team)' })
    .default('teams'),
  QUICKCHART_URL: z
    .string()
    .default('https://quickchart.io')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL'),
  BUDGET_THRESHOLDS: z
    .string()
    .default('80,100')
    .transform((v) => v.split(',').map((x) => Number(x.trim())))
    .refine((xs) => xs.length > 0 && xs.every((x) => Number.isInteger(x) && x > 0 && x <= 1000), 'must be comma-separated whole percentages, e.g. 50,80,100'),
  BUDGET_CHECK_CRON: z.string().default('0 8 * * *').refine(isCron, 'must be a cron expression such as "0 8 * * *" (daily at 08:00)'),
  SCHEDULER_ENABLED: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .default('true')
    .transform((v) => ['true', '1', 'on'].includes(v)),
  /** Serve Prometheus metrics at GET /metrics on the HTTP server (issue 13); off by default. */
  METRICS_ENABLED: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .default('false')
    .transform((v) => ['true', '1', 'on'].includes(v)),
  /** Serve /metrics on this port of its own (not the Slack port), so it can stay inside the cluster. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Bearer token /metrics requires (required to serve it on the Slack port). */
  METRICS_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters (e.g. openssl rand -hex 32)'),
  /** How long a shutdown (SIGTERM) waits for running jobs, syncs and Slack requests before exiting anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  HELICONE_API_KEY: optionalText,
  HELICONE_BASE_URL: z
    .string()
    .default('https://api.helicone.ai')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL'),
  LANGFUSE_PUBLIC_KEY: optionalText,
  LANGFUSE_SECRET_KEY: optionalText,
  LANGFUSE_BASE_URL: z
    .string()
    .default('https://cloud.langfuse.com')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL'),
  OPENAI_ADMIN_KEY: optionalText,
  OPENAI_BASE_URL: z
    .string()
    .default('https://api.openai.com')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL'),
  ANTHROPIC_ADMIN_KEY: optionalText,
  ANTHROPIC_BASE_URL: z
    .string()
    .default('https://api.anthropic.com')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL'),
  /** Billing days re-read on every sync (provider billing lands late and is revised). */
  BILLING_REREAD_DAYS: z.coerce.number().int().min(1).max(31).default(3),
  /** USD: a bill row (one day, project/workspace, API key and line item) above this, or a credit beyond it, is kept aside. */
  BILLING_MAX_DAY_AMOUNT: z.coerce.number().positive().max(1e9).default(1_000_000),
  /** A provider's unobserved share of a completed week above this posts to finance. */
  RECONCILE_ALERT_PCT: z.coerce.number().min(0).max(100).default(10),
  RECONCILE_CRON: z.string().default('0 9 * * 1').refine(isCron, 'must be a cron expression such as "0 9 * * 1" (Mondays at 09:00)'),
  /** Unobserved spend of unmapped projects/workspaces: allocated like shared costs, or kept as its own line. */
  UNOBSERVED_UNMAPPED: z.enum(['allocate', 'line']).default('allocate'),
  /** Optional JSON file: FOCUS import rules (categories, tag keys); see README "FOCUS import". */
  FOCUS_RULES_FILE: optionalText,
  SYNC_CRON: z.string().default('*/15 * * * *').refine(isCron, 'must be a cron expression such as "*/15 * * * *"'),
  SYNC_BACKFILL_DAYS: z.coerce.number().int().min(1).max(730).default(90),
  /** Optional JSON file overriding the attribution mapping (see README, "Attribution"). */
  ATTRIBUTION_FILE: optionalText,
  CHARGEBACK_CRON: z.string().default('0 9 2 * *').refine(isCron, 'must be a cron expression such as "0 9 2 * *" (the 2nd at 09:00)'),
  GL_EXPENSE_ACCOUNT: z.string().default('6400'),
  GL_CLEARING_ACCOUNT: z.string().default('2990'),
  /** The chargeback draft names a team's largest model-switch saving when it is at least this (USD). */
  SAVING_CANDIDATE_MIN: z.coerce.number().min(0).default(50),
  ANOMALY_CRON: z.string().default('30 0 * * *').refine(isCron, 'must be a cron expression such as "30 0 * * *" (daily at 00:30)'),
  ANOMALY_MIN_IMPACT: z.coerce.number().min(0).default(25),
  ANOMALY_MIN_IMPACT_PCT: z.coerce.number().min(0).default(20),
  ANOMALY_Z: z.coerce.number().positive().default(4),
  ANOMALY_FINANCE_MIN_IMPACT: z.coerce.number().min(0).default(250),
  /** A feature's anomaly must move its team's expected daily spend by at least this many percent. */
  ANOMALY_MIN_TEAM_SHARE_PCT: z.coerce.number().min(0).max(100).default(20),
  ANOMALY_INTRADAY: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .default('true')
    .transform((v) => ['true', '1', 'on'].includes(v)),
  /** Intraday bursts: a few hours spending far more than the same hours usually do (checked after each sync). */
  ANOMALY_BURSTS: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .default('true')
    .transform((v) => ['true', '1', 'on'].includes(v)),
  /** A burst's excess over the usual for its hours must pass this many spreads (robust z, with floors). */
  ANOMALY_BURST_Z: z.coerce.number().positive().default(4.5),
  /** Longest window of consecutive hours scanned for a burst. */
  ANOMALY_BURST_MAX_HOURS: z.coerce.number().int().min(1).max(12).default(2),
  /** A burst's excess must be at least this share of the team's usual whole day (percent). */
  ANOMALY_BURST_MIN_DAY_SHARE_PCT: z.coerce.number().min(0).max(100).default(7),
  ANOMALY_TEAM_OVERRIDES: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"search": {"minImpact": 100, "minImpactPct": 30}}' });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(
        z.string(),
        z.object({ minImpact: z.number().min(0).optional(), minImpactPct: z.number().min(0).optional(), z: z.number().positive().optional() }).strict(),
      ),
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `aicost cannot start: the environment has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet them in .env (copy .env.example) or the environment; see "Configuration" in README.md.',
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        const missing = i.code === 'invalid_type' && env[name] === undefined;
        return `${name} ${missing && !i.message.startsWith('is required') ? 'is required' : i.message}`;
      });
  // Checked here rather than in the schema so they are reported together with every other problem.
  problems.push(...placeholderProblems(env).filter((p) => !problems.some((q) => q.startsWith(p.split(' ')[0]!))));
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode');
  }
  if (result.success) problems.push(...metricsProblems(result.data));
  if (problems.length || !result.success) throw new ConfigError(problems);
  return result.data;
}

/**
 * The same schema, defaults and checks, without the Slack credentials and channel: for CLI commands
 * that never talk to Slack (`migrate`, `ask`, `demo`, `sync`, `chargeback`). One schema, so every
 * default lives in one place.
 */
export const appConfigSchema = configSchema.partial({ SLACK_BOT_TOKEN: true, FINANCE_CHANNEL_ID: true });
export type AppConfig = z.output<typeof appConfigSchema>;
export type SourcesConfig = Pick<
  AppConfig,
  | 'ATTRIBUTION_FILE'
  | 'HELICONE_API_KEY'
  | 'HELICONE_BASE_URL'
  | 'LANGFUSE_PUBLIC_KEY'
  | 'LANGFUSE_SECRET_KEY'
  | 'LANGFUSE_BASE_URL'
  | 'OPENAI_ADMIN_KEY'
  | 'OPENAI_BASE_URL'
  | 'ANTHROPIC_ADMIN_KEY'
  | 'ANTHROPIC_BASE_URL'
>;

/** /metrics is never open on the Slack port: its own port, or a bearer token. */
function metricsProblems(c: Pick<AppConfig, 'METRICS_ENABLED' | 'METRICS_PORT' | 'METRICS_TOKEN' | 'PORT'>): string[] {
  if (!c.METRICS_ENABLED) return [];
  if (c.METRICS_PORT === undefined && c.METRICS_TOKEN === undefined)
    return ['METRICS_ENABLED needs METRICS_PORT (serve /metrics on a port of its own) or METRICS_TOKEN (a bearer token for /metrics on PORT)'];
  if (c.METRICS_PORT !== undefined && c.METRICS_PORT !== 0 && c.METRICS_PORT === c.PORT)
    return ['METRICS_PORT must differ from PORT (the Slack port); to serve /metrics on PORT, unset METRICS_PORT and set METRICS_TOKEN'];
  return [];
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = appConfigSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${String(i.path[0])} ${i.message}`));
}
