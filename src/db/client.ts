import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
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
  const adapter = yieldingAdapter(new PrismaBetterSQLite3({ url: `file:${file}` }));
  const prisma = new SqliteClient({ adapter });
  return { prisma, provider, url, close: () => prisma.$disconnect() };
}

/**
 * better-sqlite3 is synchronous, so through Prisma a query resolves as a microtask: a command's dozen
 * queries would run as one uninterrupted stretch of the event loop, and Node accepts one new connection
 * per turn of the loop. Measured (issue 23): 200 commands sent at once waited in the kernel's accept
 * queue, accepted one every ~16 ms (one command's work), so each was acknowledged only just before its
 * reply (ack p50 1.8 s). Each query outside a transaction first yields a turn, so the server accepts and
 * acknowledges waiting requests between queries. A transaction's queries do not yield (it holds the
 * connection).
 */
function yieldingAdapter(factory: PrismaBetterSQLite3): PrismaBetterSQLite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const queryRaw = adapter.queryRaw.bind(adapter);
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.queryRaw = async (query) => {
      await nextTurn();
      return queryRaw(query);
    };
    adapter.executeRaw = async (query) => {
      await nextTurn();
      return executeRaw(query);
    };
    return adapter;
  };
  return factory;
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
