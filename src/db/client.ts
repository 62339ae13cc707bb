import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from '../generated/postgres/client.ts';

/**
 * One client type stands for both providers: the two generated clients come from the same models
 * (prisma/postgres/schema.prisma is generated from prisma/schema.prisma), so their APIs are identical.
 */
export type Db = SqliteClient;
export type Provider = 'sqlite' | 'postgresql';

export interface Database {
  prisma: Db;
  provider: Provider;
  url: string;
  close(): Promise<void>;
}

export function providerOf(url: string): Provider {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';
}

/** Path of a SQLite `file:` URL, relative to the working directory, as Prisma resolves it. */
export function sqlitePath(url: string): string {
  const path = url.replace(/^file:/, '').replace(/\?.*$/, '');
  return resolve(path);
}

export function openDatabase(url: string): Database {
  const provider = providerOf(url);
  if (provider === 'postgresql') {
    const adapter = new PrismaPg({ connectionString: url });
    const prisma = new PostgresClient({ adapter }) as unknown as Db;
    return { prisma, provider, url, close: () => prisma.$disconnect() };
  }
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}` });
  const prisma = new SqliteClient({ adapter });
  return { prisma, provider, url, close: () => prisma.$disconnect() };
}
