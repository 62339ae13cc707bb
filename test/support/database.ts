import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * Real databases for tests: a fresh SQLite file, or a fresh database on the PostgreSQL server named by
 * TEST_POSTGRES_URL (CI starts a throwaway one). Database tests run on every provider in
 * `testProviders()`; in CI a missing PostgreSQL is an error, not a skip.
 */
export type TestProvider = 'sqlite' | 'postgresql';

export function testProviders(): TestProvider[] {
  if (process.env.TEST_POSTGRES_URL) return ['sqlite', 'postgresql'];
  if (process.env.CI) throw new Error('CI must run the database tests on PostgreSQL too: set TEST_POSTGRES_URL (.ci/run does)');
  return ['sqlite'];
}

export interface TestDatabase {
  url: string;
  db: Database;
  /** Closes the client and removes the database. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(provider: TestProvider): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aicost-test-'));
    const url = `file:${join(dir, 'test.db')}`;
    await migrate(url);
    const db = openDatabase(url);
    return {
      url,
      db,
      async destroy() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = process.env.TEST_POSTGRES_URL!;
  const name = `aicost_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const db = openDatabase(url.toString());
  return {
    url: url.toString(),
    db,
    async destroy() {
      await db.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
