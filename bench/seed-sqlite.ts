import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { sqlitePath } from '../src/db/client.ts';
import { CUBES, allGrainsOf, insertExpectedSql, switchZoneSql } from '../src/db/rollups.ts';

/**
 * Builds a large ledger for a benchmark (what is measured is reading it, not this): `count` cost
 * entries spread evenly over `days` days before `now`, across the given teams and features and `customers` customers, with a
 * few percent unattributed. Bulk inserts with the rollup triggers off, then the rollups built from the ledger
 * in one pass per rollup table and grain (the same SQL `aicost verify --repair` runs) and the work-item
 * tables in the reader's zone, triggers back on.
 */
export interface SeedOptions {
  count: number;
  days: number;
  now: Date;
  teamIds: number[];
  featureIds: number[];
  source?: string;
  /** REPORT_TIMEZONE of the app that reads it: the work-item tables are built in it. */
  timeZone: string;
  /** Distinct customer ids (default 50), spread independently of features and models (a hash of the row number). */
  customers?: number;
}

/** Entry i's customer: customer-<(i × 2654435761 mod 2^32) mod n>, computed the same way on both databases. */
const customerOf = (i: number, n: number) => `customer-${(Math.imul(i, 2654435761 | 0) >>> 0) % n}`;

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'text-embedding-3-small'];
const backfill = (provider: 'sqlite' | 'postgresql') => CUBES.flatMap((c) => allGrainsOf(c).map((g) => insertExpectedSql(provider, c, g, null)));

export function seedLargeSqlite(url: string, opts: SeedOptions): void {
  const db = new Sqlite(sqlitePath(url));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'CostEntry'`).all() as { name: string; sql: string }[];
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
  const insert = db.prepare(
    `INSERT INTO "CostEntry" ("source","sourceId","occurredAt","teamId","featureId","environment","customer","workItem","model","provider","category","inputTokens","outputTokens","amount","pricedBy","updatedAt")
     VALUES (?,?,?,?,?,?,?,?,?,?,'api',?,?,?,'source',?)`,
  );
  const span = opts.days * 86_400_000;
  const start = opts.now.getTime() - span;
  const stamp = opts.now.toISOString().replace('Z', '+00:00');
  const chunk = 500_000;
  for (let from = 0; from < opts.count; from += chunk) {
    db.transaction(() => {
      for (let i = from; i < Math.min(opts.count, from + chunk); i++) {
        const at = new Date(start + Math.floor((i / opts.count) * span)).toISOString().replace('Z', '+00:00');
        const f = i % opts.featureIds.length;
        const unattributed = i % 29 === 0;
        insert.run(
          opts.source ?? 'bench',
          String(i),
          at,
          unattributed ? null : opts.teamIds[f % opts.teamIds.length]!,
          unattributed ? null : opts.featureIds[f]!,
          'production',
          customerOf(i, opts.customers ?? 50),
          `wi-${i % 5000}`,
          MODELS[i % MODELS.length]!,
          'openai',
          500 + (i % 1000),
          100 + (i % 300),
          BigInt(1000 + ((i * 7919) % 5_000_000)),
          stamp,
        );
      }
    })();
  }
  db.transaction(() => {
    for (const sql of backfill('sqlite')) db.exec(sql);
    for (const sql of switchZoneSql('sqlite', opts.timeZone)) db.exec(sql);
    for (const t of triggers) db.exec(t.sql);
  })();
  db.exec('ANALYZE');
  db.close();
}

/** The same rows on PostgreSQL, generated server-side by generate_series. */
export async function seedLargePostgres(url: string, opts: SeedOptions): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const span = opts.days * 86_400_000;
    const start = opts.now.getTime() - span;
    const features = `ARRAY[${opts.featureIds.join(',')}]`;
    const teams = `ARRAY[${opts.featureIds.map((_, f) => opts.teamIds[f % opts.teamIds.length]).join(',')}]`;
    await c.query('ALTER TABLE "CostEntry" DISABLE TRIGGER USER');
    const chunk = 1_000_000;
    for (let from = 0; from < opts.count; from += chunk) {
      await c.query(`
        INSERT INTO "CostEntry" ("source","sourceId","occurredAt","teamId","featureId","environment","customer","workItem","model","provider","category","inputTokens","outputTokens","amount","pricedBy","updatedAt")
        SELECT '${opts.source ?? 'bench'}', i::text,
               TIMESTAMP '1970-01-01' + ((${start}::bigint + floor(i::float8 / ${opts.count} * ${span})::bigint) * INTERVAL '1 millisecond'),
               CASE WHEN i % 29 = 0 THEN NULL ELSE (${teams})[1 + i % ${opts.featureIds.length}] END,
               CASE WHEN i % 29 = 0 THEN NULL ELSE (${features})[1 + i % ${opts.featureIds.length}] END,
               'production', 'customer-' || ((i::bigint * 2654435761) % 4294967296) % ${opts.customers ?? 50}, 'wi-' || (i % 5000), (ARRAY['${MODELS.join("','")}'])[1 + i % 4], 'openai', 'api',
               500 + i % 1000, 100 + i % 300, 1000 + (i::bigint * 7919) % 5000000, 'source', now()
        FROM generate_series(${from}, ${Math.min(opts.count, from + chunk) - 1}) AS i`);
    }
    await c.query('BEGIN');
    for (const sql of backfill('postgresql')) await c.query(sql);
    for (const sql of switchZoneSql('postgresql', opts.timeZone)) await c.query(sql);
    await c.query('ALTER TABLE "CostEntry" ENABLE TRIGGER USER');
    await c.query('COMMIT');
    await c.query('VACUUM ANALYZE');
  } finally {
    await c.end();
  }
}
