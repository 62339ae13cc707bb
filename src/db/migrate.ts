import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { providerOf, sqlitePath, type Database } from './client.ts';
import { ADVISORY_LOCK } from './locks.ts';

/**
 * Applies prisma/migrations/<provider>/<name>/migration.sql in name order, each once, each in a
 * transaction, recording applied names in `_aicost_migrations`. Prisma's own `migrate deploy` fails on
 * PostgreSQL with the JavaScript schema engine (see shared/notes/stack.md), so both providers use this
 * one small path. Migrations are generated with `prisma migrate diff` (see docs/development.md, "Changing the schema").
 */

/** prisma/migrations of this package: the nearest one up from this module (src/db/ under tsx and vitest, dist/ in the build). */
function migrationsRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('prisma/migrations not found beside the aicost code');
  }
}

export interface Migration {
  name: string;
  sql: string;
}

export function listMigrations(provider: 'sqlite' | 'postgresql'): Migration[] {
  const dir = join(migrationsRoot(), provider === 'sqlite' ? 'sqlite' : 'postgres');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name, 'migration.sql'), 'utf8') }));
}

export async function migrate(url: string): Promise<string[]> {
  const provider = providerOf(url);
  const migrations = listMigrations(provider);
  return provider === 'sqlite' ? migrateSqlite(url, migrations) : migratePostgres(url, migrations);
}

function migrateSqlite(url: string, migrations: Migration[]): string[] {
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Sqlite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS "_aicost_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TEXT NOT NULL)');
    const applied = new Set(
      db
        .prepare('SELECT name FROM "_aicost_migrations"')
        .all()
        .map((r) => (r as { name: string }).name),
    );
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      // BEGIN IMMEDIATE takes the write lock first, so two processes starting together apply each migration once.
      db.exec('BEGIN IMMEDIATE');
      try {
        const again = db.prepare('SELECT 1 FROM "_aicost_migrations" WHERE name = ?').get(m.name);
        if (!again) {
          db.exec(m.sql);
          db.prepare('INSERT INTO "_aicost_migrations" (name, "appliedAt") VALUES (?, ?)').run(m.name, new Date().toISOString());
          done.push(m.name);
        }
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
    }
    return done;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const { default: pg } = await import('pg'); // loaded only for a PostgreSQL URL
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // An advisory lock serialises replicas that start at the same time.
    await client.query(`SELECT pg_advisory_lock(${ADVISORY_LOCK.migrations})`);
    await client.query('CREATE TABLE IF NOT EXISTS "_aicost_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TIMESTAMPTZ NOT NULL)');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM "_aicost_migrations"');
    const applied = new Set(rows.map((r) => r.name));
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO "_aicost_migrations" (name, "appliedAt") VALUES ($1, now())', [m.name]);
        await client.query('COMMIT');
        done.push(m.name);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
    }
    return done;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCK.migrations})`).catch(() => undefined);
    await client.end();
  }
}

/**
 * Migrations this build has that the database has not applied (for `/readyz`): empty when the schema is
 * current. Throws when the database cannot be reached.
 */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT "name" FROM "_aicost_migrations"');
  const applied = new Set(rows.map((r) => r.name));
  return listMigrations(db.provider)
    .map((m) => m.name)
    .filter((n) => !applied.has(n));
}
