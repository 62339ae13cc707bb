import { pino, type Logger as Pino } from 'pino';
import type { LogLevel, Logger as SlackLogger } from '@slack/bolt';

/**
 * Structured logs with pino. Anything that looks like a credential is redacted by path and by value,
 * so a token can never reach a log line even if an error object carries request headers.
 */
export type Logger = Pino;

const SECRET_PATTERN =
  /(xox[abprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-lf-[A-Za-z0-9-]+|pk-lf-[A-Za-z0-9-]+|sk-helicone-[A-Za-z0-9-]+|Bearer\s+[A-Za-z0-9._-]+|Basic\s+[A-Za-z0-9+/=]+)/g;

export function scrub(text: string): string {
  return text.replace(SECRET_PATTERN, '[redacted]');
}

export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'aicost' },
      redact: {
        paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'config.headers.Authorization', '*.password', 'SLACK_BOT_TOKEN'],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (e: Error) => ({ type: e.name, message: scrub(e.message), stack: e.stack ? scrub(e.stack) : undefined }) },
    },
    destination as pino.DestinationStream | undefined,
  );
}

/**
 * Bolt's logger interface on top of pino. Bolt's `LogLevel` is imported as a type only: importing its
 * value would load all of Bolt into every CLI command that logs.
 */
export function boltLogger(log: Logger): SlackLogger {
  const text = (msg: unknown[]) => scrub(msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
  let level = 'info' as LogLevel; // LogLevel.INFO
  return {
    debug: (...m) => log.debug(text(m)),
    info: (...m) => log.info(text(m)),
    warn: (...m) => log.warn(text(m)),
    error: (...m) => log.error(text(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
