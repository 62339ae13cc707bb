import { existsSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import { providerOf, sqlitePath } from './client.ts';

/**
 * `aicost backup --out FILE`: an online backup of the SQLite database through SQLite's backup API
 * (better-sqlite3's `backup()`), page by page, consistent as of one moment and safe while the bot and a
 * sync write (the WAL keeps them going meanwhile). PostgreSQL has its own tools (pg_dump, base backups;
 * see docs/operations.md), so this refuses a PostgreSQL URL rather than pretend.
 */
export async function backupSqlite(url: string, out: string): Promise<{ pages: number }> {
  if (providerOf(url) !== 'sqlite')
    throw new Error('aicost backup is for the SQLite database; for PostgreSQL use pg_dump (see docs/operations.md, "Backups").');
  if (existsSync(out)) throw new Error(`${out} already exists; choose a new file.`);
  const db = new Sqlite(sqlitePath(url), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const r = await db.backup(out);
    return { pages: r.totalPages };
  } finally {
    db.close();
  }
}
