import Sqlite from 'better-sqlite3';
import { sqlitePath, type Database } from './client.ts';
import { applyLogSql, foldInsertedSql } from './rollups.ts';
import { Prisma, instant } from './sql.ts';

/**
 * Bulk upsert of cost entries, the hot path of a sync. On SQLite it runs prepared statements through
 * better-sqlite3 in one transaction per batch: Prisma's driver-adapter path spends most of its time
 * binding parameters, and a 1M-record backfill through it ran at a tenth of the raw insert rate.
 * On PostgreSQL it sends one multi-row statement per batch through Prisma.
 * Both skip rows whose values did not change, and tell new rows from updated ones.
 */
export const COST_COLUMNS = [
  'source',
  'sourceId',
  'occurredAt',
  'teamId',
  'featureId',
  'environment',
  'customer',
  'workItem',
  'model',
  'provider',
  'category',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'amount',
  'pricedBy',
  'originalAt',
  'correctionOf',
  'updatedAt',
] as const;
export type CostRow = Record<(typeof COST_COLUMNS)[number], unknown>;

/** Columns an update may change; a row whose values all equal the incoming ones is left alone. */
const UPDATABLE = COST_COLUMNS.filter((c) => !['source', 'sourceId', 'originalAt', 'correctionOf', 'updatedAt'].includes(c));

export interface BulkWriter {
  /** Inserts new rows, updates changed ones; returns how many of each (the rest were unchanged). */
  upsert(rows: CostRow[]): Promise<{ inserted: number; updated: number }>;
  /** Plain inserts of rows known to be new (corrections). */
  insert(rows: CostRow[]): Promise<void>;
  close(): void;
}

function sqlText(provider: 'sqlite' | 'postgresql', placeholders: string) {
  const cols = COST_COLUMNS.map((c) => `"${c}"`).join(', ');
  const set = [...UPDATABLE, 'updatedAt'].map((c) => `"${c}" = excluded."${c}"`).join(', ');
  const changed = UPDATABLE.map((c) => `"CostEntry"."${c}" ${provider === 'sqlite' ? 'IS NOT' : 'IS DISTINCT FROM'} excluded."${c}"`).join(' OR ');
  return {
    insert: `INSERT INTO "CostEntry" (${cols}) VALUES ${placeholders}`,
    upsert: `INSERT INTO "CostEntry" (${cols}) VALUES ${placeholders} ON CONFLICT ("source", "sourceId") DO UPDATE SET ${set} WHERE ${changed} RETURNING "id"`,
  };
}

export function createBulkWriter(db: Database): BulkWriter {
  return db.provider === 'sqlite' ? sqliteWriter(db) : prismaWriter(db);
}

function sqliteWriter(db: Database): BulkWriter {
  const conn = new Sqlite(sqlitePath(db.url));
  conn.pragma('journal_mode = WAL');
  conn.pragma('busy_timeout = 10000');
  conn.defaultSafeIntegers(true);
  const sql = sqlText('sqlite', `(${COST_COLUMNS.map(() => '?').join(', ')})`);
  const insert = conn.prepare(sql.insert);
  // Insert first, update only on conflict: a backfill of new records runs at plain-insert speed
  // (one ON CONFLICT DO UPDATE statement measured at half of it), and the update touches a row only
  // when a value changed.
  const tryInsert = conn.prepare(`${sql.insert} ON CONFLICT ("source", "sourceId") DO NOTHING`);
  const update = conn.prepare(
    `UPDATE "CostEntry" SET ${[...UPDATABLE, 'updatedAt'].map((c) => `"${c}" = ?`).join(', ')} WHERE "source" = ? AND "sourceId" = ? AND (${UPDATABLE.map((c) => `"${c}" IS NOT ?`).join(' OR ')})`,
  );
  // Dates become the text Prisma stores; a batch shares one updatedAt, so it is converted once.
  let lastDate: Date | null = null;
  let lastText = '';
  const text = (d: Date) => {
    if (d !== lastDate) {
      lastDate = d;
      lastText = instant('sqlite', d) as string;
    }
    return lastText;
  };
  const bind = (r: CostRow) => {
    const out = new Array<unknown>(COST_COLUMNS.length);
    for (let i = 0; i < COST_COLUMNS.length; i++) {
      const v = r[COST_COLUMNS[i]!];
      out[i] = v instanceof Date ? text(v) : v;
    }
    return out;
  };
  // Rollups (src/db/rollups.ts): the batch's inserts bypass the insert trigger and are folded into the
  // rollups from their id range, updates are logged by the update trigger and the log folded, both
  // before the batch commits: a grouped upsert per rollup table per batch, not seven per row.
  const bypassOn = conn.prepare('INSERT INTO "RollupBypass" ("id") VALUES (1)');
  const bypassOff = conn.prepare('DELETE FROM "RollupBypass"');
  const foldInserted = foldInsertedSql().map((s) => ({ st: conn.prepare(s), ranged: s.includes('@first') }));
  const applyLog = applyLogSql().map((s) => conn.prepare(s));
  let firstId: bigint | null = null;
  let lastId: bigint | null = null;
  const inserted = (id: number | bigint) => {
    const n = BigInt(id);
    if (firstId === null || n < firstId) firstId = n;
    if (lastId === null || n > lastId) lastId = n;
  };
  const begin = () => {
    firstId = lastId = null;
    bypassOn.run();
  };
  const foldLog = () => {
    bypassOff.run();
    if (firstId !== null) for (const f of foldInserted) f.ranged ? f.st.run({ first: firstId, last: lastId }) : f.st.run();
    firstId = lastId = null;
    for (const st of applyLog) st.run();
  };
  const updatableIndex = UPDATABLE.map((c) => COST_COLUMNS.indexOf(c));
  const updatedAtIndex = COST_COLUMNS.indexOf('updatedAt');
  const upsertAll = conn.transaction((rows: CostRow[]) => {
    let added = 0;
    let updated = 0;
    begin();
    for (const r of rows) {
      const values = bind(r);
      const res = tryInsert.run(...values);
      if (res.changes === 1) {
        added++;
        inserted(res.lastInsertRowid);
        continue;
      }
      const changed = updatableIndex.map((i) => values[i]);
      if (update.run(...changed, values[updatedAtIndex], r.source, r.sourceId, ...changed).changes === 1) updated++;
    }
    foldLog();
    return { inserted: added, updated };
  });
  const insertAll = conn.transaction((rows: CostRow[]) => {
    begin();
    for (const r of rows) inserted(insert.run(...bind(r)).lastInsertRowid);
    foldLog();
  });
  return {
    async upsert(rows) {
      return upsertAll(rows);
    },
    async insert(rows) {
      insertAll(rows);
    },
    close: () => conn.close(),
  };
}

function prismaWriter(db: Database): BulkWriter {
  const { prisma } = db;
  const values = (rows: CostRow[]) =>
    Prisma.join(rows.map((r) => Prisma.sql`(${Prisma.join(COST_COLUMNS.map((c) => (r[c] instanceof Date ? instant('postgresql', r[c] as Date) : r[c])))})`));
  const cols = Prisma.raw(COST_COLUMNS.map((c) => `"${c}"`).join(', '));
  const set = Prisma.raw([...UPDATABLE, 'updatedAt'].map((c) => `"${c}" = excluded."${c}"`).join(', '));
  const changed = Prisma.raw(UPDATABLE.map((c) => `"CostEntry"."${c}" IS DISTINCT FROM excluded."${c}"`).join(' OR '));
  return {
    async upsert(rows) {
      if (!rows.length) return { inserted: 0, updated: 0 };
      // xmax = 0 marks a row this statement inserted (PostgreSQL's documented idiom).
      const out = await prisma.$queryRaw<{ inserted: boolean }[]>`
        INSERT INTO "CostEntry" (${cols}) VALUES ${values(rows)}
        ON CONFLICT ("source", "sourceId") DO UPDATE SET ${set} WHERE ${changed}
        RETURNING (xmax = 0) AS "inserted"`;
      const inserted = out.filter((r) => r.inserted).length;
      return { inserted, updated: out.length - inserted };
    },
    async insert(rows) {
      if (rows.length) await prisma.$executeRaw`INSERT INTO "CostEntry" (${cols}) VALUES ${values(rows)}`;
    },
    close: () => undefined,
  };
}
