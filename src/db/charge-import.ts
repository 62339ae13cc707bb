import { randomUUID } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import type { ChargeImport, StagedCharge } from '../services/ports/billing.ts';
import { sqlitePath, type Database } from './client.ts';
import { Prisma, instant } from './sql.ts';

/**
 * A streamed FOCUS import (see `ChargeImport`): batches go into `ImportedChargeStage` under one import
 * id as the file is read, so memory stays flat however long the file is; `commit` merges them into
 * `ImportedCharge` set-based in one transaction (readers never see half a file), `abort` deletes them.
 * On SQLite the rows go through better-sqlite3 prepared statements (Prisma's parameter binding was the
 * bottleneck of bulk writes, see bulk-writer.ts); on PostgreSQL one multi-row INSERT per batch.
 */
const STAGE_COLUMNS = [
  'importId',
  'rowKey',
  'chargeKey',
  'day',
  'originalDay',
  'category',
  'amount',
  'teamId',
  'featureId',
  'providerName',
  'serviceName',
  'description',
  'file',
  'unassigned',
] as const;
const CHARGE_COLUMNS = STAGE_COLUMNS.filter((c) => c !== 'importId');
const q = (c: string) => `"${c}"`;

/** The merge, in order (`?` is the import id; the SQL is the same on both providers). */
function mergeSql(param: (n: number) => string) {
  const stage = `SELECT "rowKey" FROM "ImportedChargeStage" WHERE "importId" = ${param(1)}`;
  const picked = CHARGE_COLUMNS.map((c) => (c === 'rowKey' ? q(c) : c === 'amount' ? 'SUM("amount")' : `MIN(${q(c)})`)).join(', ');
  return {
    replaced: `SELECT COUNT(*) AS "n" FROM "ImportedCharge" WHERE "rowKey" IN (${stage})`,
    steps: [
      `DELETE FROM "ImportedCharge" WHERE "rowKey" IN (${stage})`,
      // The same charge twice in one file is one charge: its amounts add up.
      `INSERT INTO "ImportedCharge" (${CHARGE_COLUMNS.map(q).join(', ')}, "importedAt")
       SELECT ${picked}, ${param(2)} FROM "ImportedChargeStage" WHERE "importId" = ${param(1)} GROUP BY "rowKey"`,
      // A correction is what the file says minus what the charge's family has booked elsewhere.
      `UPDATE "ImportedCharge" SET "amount" = "amount" - COALESCE((SELECT SUM(o."amount") FROM "ImportedCharge" o
         WHERE o."chargeKey" = "ImportedCharge"."chargeKey" AND o."rowKey" <> "ImportedCharge"."rowKey"), 0)
       WHERE "originalDay" IS NOT NULL AND "rowKey" IN (${stage})`,
      `DELETE FROM "ImportedCharge" WHERE "originalDay" IS NOT NULL AND "amount" = 0 AND "rowKey" IN (${stage})`,
    ],
    corrections: `SELECT COUNT(*) AS "n" FROM "ImportedCharge" WHERE "originalDay" IS NOT NULL AND "rowKey" IN (${stage})`,
    keys: `SELECT COUNT(DISTINCT "rowKey") AS "n" FROM "ImportedChargeStage" WHERE "importId" = ${param(1)}`,
    clear: `DELETE FROM "ImportedChargeStage" WHERE "importId" = ${param(1)}`,
  };
}

/** Stage rows left by an import that died more than a day ago. */
const STALE_MS = 86_400_000;

export async function beginChargeImport(db: Database): Promise<ChargeImport> {
  const importId = randomUUID();
  const values = (r: StagedCharge) => [
    importId,
    r.rowKey,
    r.chargeKey,
    r.day,
    r.originalDay,
    r.category,
    r.amount,
    r.teamId,
    r.featureId,
    r.providerName,
    r.serviceName,
    r.description,
    r.file,
    r.unassigned,
  ];
  if (db.provider === 'sqlite') {
    const conn = new Sqlite(sqlitePath(db.url));
    conn.pragma('journal_mode = WAL');
    conn.pragma('busy_timeout = 10000');
    conn.defaultSafeIntegers(true);
    conn.prepare('DELETE FROM "ImportedChargeStage" WHERE "createdAt" < ?').run(instant('sqlite', new Date(Date.now() - STALE_MS)));
    const insert = conn.prepare(
      `INSERT INTO "ImportedChargeStage" (${STAGE_COLUMNS.map(q).join(', ')}, "createdAt") VALUES (${STAGE_COLUMNS.map(() => '?').join(', ')}, ?)`,
    );
    const created = instant('sqlite', new Date()) as string;
    const stageAll = conn.transaction((rows: StagedCharge[]) => {
      for (const r of rows) insert.run(...values(r), created);
    });
    const sql = mergeSql((n) => (n === 1 ? '@id' : '@now'));
    const count = (text: string) => Number((conn.prepare(text).get({ id: importId }) as { n: bigint }).n);
    const merge = conn.transaction((now: string) => {
      const replaced = count(sql.replaced);
      const keys = count(sql.keys);
      for (const s of sql.steps) conn.prepare(s).run(s.includes('@now') ? { id: importId, now } : { id: importId });
      const corrections = count(sql.corrections);
      conn.prepare(sql.clear).run({ id: importId });
      return { inserted: keys - replaced, replaced, corrections };
    });
    return {
      async stage(rows) {
        stageAll(rows);
      },
      async commit(now) {
        try {
          return merge.immediate(instant('sqlite', now) as string);
        } finally {
          conn.close();
        }
      },
      async abort() {
        try {
          conn.prepare(sql.clear).run({ id: importId });
        } finally {
          conn.close();
        }
      },
    };
  }
  const { prisma } = db;
  await prisma.$executeRaw`DELETE FROM "ImportedChargeStage" WHERE "createdAt" < ${new Date(Date.now() - STALE_MS)}`;
  const cols = Prisma.raw(STAGE_COLUMNS.map(q).join(', '));
  const sql = mergeSql((n) => `$${n}`);
  const clear = () => prisma.$executeRawUnsafe(sql.clear, importId);
  return {
    async stage(rows) {
      // 14 parameters a row: 2,000 rows stay under PostgreSQL's 65,535 parameters a statement.
      for (let i = 0; i < rows.length; i += 2000) {
        const batch = rows.slice(i, i + 2000);
        await prisma.$executeRaw`INSERT INTO "ImportedChargeStage" (${cols}) VALUES ${Prisma.join(batch.map((r) => Prisma.sql`(${Prisma.join(values(r))})`))}`;
      }
    },
    async commit(now) {
      return prisma.$transaction(
        async (tx) => {
          const count = async (text: string) => Number((await tx.$queryRawUnsafe<{ n: bigint }[]>(text, importId))[0]!.n);
          const replaced = await count(sql.replaced);
          const keys = await count(sql.keys);
          for (const s of sql.steps) await (s.includes('$2') ? tx.$executeRawUnsafe(s, importId, now) : tx.$executeRawUnsafe(s, importId));
          const corrections = await count(sql.corrections);
          await tx.$executeRawUnsafe(sql.clear, importId);
          return { inserted: keys - replaced, replaced, corrections };
        },
        { timeout: 30 * 60_000, maxWait: 60_000 },
      );
    },
    async abort() {
      await clear();
    },
  };
}
