import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import { sqlitePath, type Database } from '../client.ts';
import { isUniqueViolation } from '../errors.ts';
import { instant } from '../sql.ts';

/** Slack signs a request for 5 minutes; keys are kept twice that long, then purged. */
export const REQUEST_KEY_TTL_MS = 10 * 60_000;

/** How long a key's write waits, in short sleeps, for SQLite's write lock (e.g. held by a sync's batch). */
const SQLITE_LOCK_WAIT_MS = 10_000;

/**
 * Keys of Slack requests already handled, so a replay of the same signed request (within the
 * signature window, with or without x-slack-retry-num) does nothing twice. First insert wins.
 *
 * On SQLite the key is written on a connection of its own that never busy-waits: better-sqlite3 waits
 * for a held write lock by sleeping in the main thread, which froze every request of the bot while a
 * sync's batch held the lock (issue 23). Here a busy database is retried after a short asynchronous
 * sleep instead, so the rest of the bot keeps running meanwhile.
 */
export function slackRequestsRepository(db: Database) {
  if (db.provider === 'sqlite') return sqliteKeys(db);
  const { prisma } = db;
  let inserts = 0;
  return {
    /** True when this is the first time `key` is seen. */
    async firstTime(key: string, now: Date): Promise<boolean> {
      if (++inserts % 50 === 1) await prisma.slackRequestKey.deleteMany({ where: { at: { lt: new Date(now.getTime() - REQUEST_KEY_TTL_MS) } } });
      try {
        await prisma.slackRequestKey.create({ data: { key, at: now } });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    close(): void {},
  };
}

function sqliteKeys(db: Database) {
  let conn: Sqlite.Database | null = null;
  let statements: { insert: Sqlite.Statement; purge: Sqlite.Statement } | null = null;
  const open = () => {
    if (!statements) {
      conn = new Sqlite(sqlitePath(db.url), { timeout: 0 });
      conn.pragma('busy_timeout = 0');
      statements = {
        insert: conn.prepare('INSERT INTO "SlackRequestKey" ("key", "at") VALUES (?, ?) ON CONFLICT ("key") DO NOTHING'),
        purge: conn.prepare('DELETE FROM "SlackRequestKey" WHERE "at" < ?'),
      };
    }
    return statements;
  };
  async function write<T>(run: () => T): Promise<T> {
    for (const started = Date.now(); ; ) {
      try {
        return run();
      } catch (err) {
        const busy = (err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED';
        if (!busy || Date.now() - started > SQLITE_LOCK_WAIT_MS) throw err;
        await sleep(15);
      }
    }
  }
  let inserts = 0;
  return {
    async firstTime(key: string, now: Date): Promise<boolean> {
      const st = open();
      if (++inserts % 50 === 1) await write(() => st.purge.run(instant('sqlite', new Date(now.getTime() - REQUEST_KEY_TTL_MS))));
      return (await write(() => st.insert.run(key, instant('sqlite', now)))).changes === 1;
    },
    close(): void {
      conn?.close();
      conn = null;
      statements = null;
    },
  };
}
