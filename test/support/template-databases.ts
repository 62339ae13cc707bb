import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A SQLite file with every migration applied, copied for each test database (test/support/database.ts). */
    sqliteTemplate: string;
    /** A PostgreSQL database with every migration applied, cloned with CREATE DATABASE … TEMPLATE; '' without TEST_POSTGRES_URL. */
    postgresTemplate: string;
  }
}

/**
 * vitest's globalSetup: migrates one database per provider once per run, through the same `migrate()`
 * as `aicost migrate`, so each test database is a copy of it instead of a migration of its own (on
 * PostgreSQL, fourteen migrations took about a second per test database; a clone takes a tenth of that).
 * Removed again when the run ends.
 */
export default async function templateDatabases(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'aicost-template-'));
  const file = join(dir, 'template.db');
  await migrate(`file:${file}`);
  project.provide('sqliteTemplate', file);
  const admin = process.env.TEST_POSTGRES_URL;
  const name = admin ? `aicost_template_${randomBytes(6).toString('hex')}` : '';
  if (admin) {
    await adminQuery(admin, `CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    await migrate(url.toString());
  }
  project.provide('postgresTemplate', name);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (admin) await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
}

export async function adminQuery(admin: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
