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

/**
 * The merge (`param(1)` is the import id, `param(2)` the time; the same SQL on both providers). The
 * correction steps run only when the import staged a correction.
 */
function mergeSql(param: (n: number) => string) {
  const staged = `SELECT "rowKey" FROM "ImportedChargeStage" WHERE "importId" = ${param(1)}`;
  const corrections = `${staged} AND "originalDay" IS NOT NULL`;
  const picked = CHARGE_COLUMNS.map((c) => (c === 'rowKey' ? q(c) : c === 'amount' ? 'SUM("amount")' : `MIN(${q(c)})`)).join(', ');
  return {
    /** Its row count is how many charges were replaced. */
    replace: `DELETE FROM "ImportedCharge" WHERE "rowKey" IN (${staged})`,
    /** Its row count is how many charges the file holds. The same charge twice in one file is one charge: its amounts add up. */
    insert: `INSERT INTO "ImportedCharge" (${CHARGE_COLUMNS.map(q).join(', ')}, "importedAt")
       SELECT ${picked}, ${param(2)} FROM "ImportedChargeStage" WHERE "importId" = ${param(1)} GROUP BY "rowKey" ORDER BY "rowKey"`,
    corrections: [
      // A correction is what the file says minus what the charge's family has booked elsewhere.
      `UPDATE "ImportedCharge" SET "amount" = "amount" - COALESCE((SELECT SUM(o."amount") FROM "ImportedCharge" o
         WHERE (o."rowKey" = "ImportedCharge"."chargeKey" OR o."chargeKey" = "ImportedCharge"."chargeKey") AND o."rowKey" <> "ImportedCharge"."rowKey"), 0)
       WHERE "rowKey" IN (${corrections})`,
      `DELETE FROM "ImportedCharge" WHERE "amount" = 0 AND "rowKey" IN (${corrections})`,
    ],
    countCorrections: `SELECT COUNT(*) AS "n" FROM "ImportedCharge" WHERE "rowKey" IN (${corrections})`,
    clear: `DELETE FROM "ImportedChargeStage" WHERE "importId" = ${param(1)}`,
  };
}

/** Stage rows left by an import that died more than a day ago. */
const STALE_MS = 86_400_000;

export async function beginChargeImport(db: Database): Promise<ChargeImport> {
  const importId = randomUUID();
  let anyCorrection = false;
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
    // A bounded page cache big enough for the key index's working set: the merge inserts in key order.
    conn.pragma('cache_size = -16384');
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
    const merge = conn.transaction((now: string) => {
      const replaced = conn.prepare(sql.replace).run({ id: importId }).changes;
      const charges = conn.prepare(sql.insert).run({ id: importId, now }).changes;
      let corrections = 0;
      if (anyCorrection) {
        for (const s of sql.corrections) conn.prepare(s).run({ id: importId });
        corrections = Number((conn.prepare(sql.countCorrections).get({ id: importId }) as { n: bigint }).n);
      }
      conn.prepare(sql.clear).run({ id: importId });
      return { inserted: charges - replaced, replaced, corrections };
    });
    return {
      async stage(rows) {
        anyCorrection ||= rows.some((r) => r.originalDay !== null);
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
      anyCorrection ||= rows.some((r) => r.originalDay !== null);
      // 14 parameters a row: 2,000 rows stay under PostgreSQL's 65,535 parameters a statement.
      for (let i = 0; i < rows.length; i += 2000) {
        const batch = rows.slice(i, i + 2000);
        await prisma.$executeRaw`INSERT INTO "ImportedChargeStage" (${cols}) VALUES ${Prisma.join(batch.map((r) => Prisma.sql`(${Prisma.join(values(r))})`))}`;
      }
    },
    async commit(now) {
      return prisma.$transaction(
        async (tx) => {
          const replaced = await tx.$executeRawUnsafe(sql.replace, importId);
          const charges = await tx.$executeRawUnsafe(sql.insert, importId, now);
          let corrections = 0;
          if (anyCorrection) {
            for (const s of sql.corrections) await tx.$executeRawUnsafe(s, importId);
            corrections = Number((await tx.$queryRawUnsafe<{ n: bigint }[]>(sql.countCorrections, importId))[0]!.n);
          }
          await tx.$executeRawUnsafe(sql.clear, importId);
          return { inserted: charges - replaced, replaced, corrections };
        },
        { timeout: 30 * 60_000, maxWait: 60_000 },
      );
    },
    async abort() {
      await clear();
    },
  };
}
