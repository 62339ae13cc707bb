import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { adminQuery } from './template-databases.ts';

/**
 * Real databases for tests: a fresh SQLite file, or a fresh database on the PostgreSQL server named by
 * TEST_POSTGRES_URL (CI starts a throwaway one). Database tests run on every provider in
 * `testProviders()`; in CI a missing PostgreSQL is an error, not a skip. Each is a copy of the database
 * the global setup migrated once for the run (test/support/template-databases.ts): the same schema and
 * `_aicost_migrations` rows as a migration of its own, without running fourteen migrations per file.
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
    const file = join(dir, 'test.db');
    copyFileSync(inject('sqliteTemplate'), file);
    const url = `file:${file}`;
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
  const template = inject('postgresTemplate');
  if (!template) throw new Error('no PostgreSQL template database: the global setup runs with TEST_POSTGRES_URL set (test/support/template-databases.ts)');
  await adminQuery(admin, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString());
  return {
    url: url.toString(),
    db,
    async destroy() {
      await db.close();
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
