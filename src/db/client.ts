import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { PrismaPg } from '@prisma/adapter-pg';
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
    const prisma = new PostgresClient({ adapter: lazyPgAdapter(url) }) as unknown as Db;
    return { prisma, provider, url, close: () => prisma.$disconnect() };
  }
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}` });
  const prisma = new SqliteClient({ adapter });
  return { prisma, provider, url, close: () => prisma.$disconnect() };
}

/**
 * The PostgreSQL driver adapter, loaded when Prisma first connects: `pg` and its Prisma adapter cost
 * about 0.1 s of CPU to load, which a SQLite installation never needs to pay (and `openDatabase` stays
 * synchronous).
 */
function lazyPgAdapter(url: string): Pick<PrismaPg, 'provider' | 'adapterName' | 'connect'> {
  let factory: Promise<PrismaPg> | undefined;
  const load = () => (factory ??= import('@prisma/adapter-pg').then(({ PrismaPg }) => new PrismaPg({ connectionString: url })));
  return { provider: 'postgres', adapterName: '@prisma/adapter-pg', connect: async () => (await load()).connect() };
}
