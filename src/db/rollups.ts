import type { Provider } from './client.ts';
import { applyDeltasSql, workItemTablesSql } from './work-items.ts';
import { ADVISORY_LOCK } from './locks.ts';

/**
 * Exact rollups of the cost ledger (issue 13), maintained by database triggers so that every write path
 * keeps them exact without remembering to: the bulk writer's inserts and re-costed updates, corrections
 * for closed months, demo seeding, admin aliases/merges that move history (`updateMany`), deletions, and
 * rows written straight into "CostEntry" by hand. SQLite uses row triggers; PostgreSQL statement
 * triggers over transition tables, so a 1,000-row batch costs one aggregated upsert per rollup table.
 *
 * Time grain. Buckets are UTC: quarter hours (grain 0), hours (grain 1) and UTC days (grain 2), numbered
 * from the Unix epoch. Every time zone's offset is a multiple of 15 minutes (India +5:30, Nepal +5:45,
 * Chatham +12:45), so every local midnight, local hour and month start falls on a quarter-hour boundary.
 * A period [from, to) is read as its largest aligned buckets (days in the middle, hours then quarters at
 * the edges) plus the raw ledger for what is not a whole quarter hour — which is only "up to now" of a
 * running period, at most 15 minutes of entries. Hence changing REPORT_TIMEZONE needs no rebuild: the
 * rollups hold no local dates at all.
 *
 * Distinct work items stay exact in their own tables, by local day (src/db/work-items.ts).
 *
 * SQLite has only row triggers, and seven upserts per ledger row made a sync run at a tenth of the raw
 * insert rate. Since migration 0010 its triggers append each changed row to "RollupLog" (one insert),
 * and `applyLogSql` folds the log into the rollups set-based — one grouped upsert per table and grain
 * for a whole batch: the bulk writer runs it at the end of every batch, in the batch's transaction; the
 * readers run it first when the log is not empty (after any other write, including rows written by
 * hand), so what they read is always exact. The bulk writer's own inserts skip even the log: it holds a
 * row in "RollupBypass" inside its transaction (the insert trigger's WHEN clause sees it; no other
 * connection can), and folds the inserted id range straight from the ledger before it commits.
 *
 * Keys are NOT NULL (a unique key must treat "none" as one value on both databases): a missing team or
 * feature is 0, a missing text value ''. Reads turn them back into NULL.
 */

export const QUARTER_MS = 900_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Grain id → bucket length, coarsest last. */
export const GRAINS = [
  { id: 0, ms: QUARTER_MS },
  { id: 1, ms: HOUR_MS },
  { id: 2, ms: DAY_MS },
] as const;

type Dim = 'teamId' | 'featureId' | 'model' | 'source' | 'pricedBy' | 'correction' | 'environment' | 'customer' | 'category' | 'workItem';

export interface Cube {
  table: string;
  dims: Dim[];
  /** Grains kept (ids from GRAINS). */
  grains: number[];
  /** Measures: name → expression over a ledger row (prefix `x.`). */
  measures: Record<string, string>;
  /** Only ledger rows matching this (over `x.`) are counted. */
  where?: string;
}

export const CUBES: Cube[] = [
  {
    // Serves totals, team/feature/model/source groupings, unpriced counts, corrections and day/hour series.
    table: 'CostRollup',
    dims: ['teamId', 'featureId', 'model', 'source', 'pricedBy', 'correction'],
    grains: [0, 1, 2],
    measures: { amount: 'x."amount"', calls: '1', inputTokens: 'x."inputTokens"', outputTokens: 'x."outputTokens"' },
  },
  {
    // Adds the dimensions only some reports group on (customer, environment, category).
    table: 'CostRollupDetail',
    dims: ['teamId', 'featureId', 'model', 'source', 'pricedBy', 'correction', 'environment', 'customer', 'category'],
    grains: [0, 2],
    measures: { amount: 'x."amount"', calls: '1', inputTokens: 'x."inputTokens"', outputTokens: 'x."outputTokens"' },
  },
];

const NUMERIC_DIMS = new Set<Dim>(['teamId', 'featureId', 'correction']);

/** The rollup key of a ledger row (`x.` prefix). */
export function dimExpr(d: Dim, x = 'x'): string {
  if (d === 'correction') return `(CASE WHEN ${x}."originalAt" IS NULL THEN 0 ELSE 1 END)`;
  if (d === 'source' || d === 'pricedBy' || d === 'category') return `COALESCE(${x}."${d}", '')`;
  return NUMERIC_DIMS.has(d) ? `COALESCE(${x}."${d}", 0)` : `COALESCE(${x}."${d}", '')`;
}

/** A rollup column read back with "none" as NULL. */
export function dimRead(d: Dim, alias?: string): string {
  const col = alias ? `${alias}."${d}"` : `"${d}"`;
  if (d === 'correction') return col;
  return NUMERIC_DIMS.has(d) ? `NULLIF(${col}, 0)` : `NULLIF(${col}, '')`;
}

export function bucketExpr(provider: Provider, grainMs: number, x = 'x'): string {
  const secs = grainMs / 1000;
  return provider === 'sqlite'
    ? `(CAST(strftime('%s', ${x}."occurredAt") AS INTEGER) / ${secs})`
    : `(floor(extract(epoch from ${x}."occurredAt") / ${secs})::integer)`;
}

function keyCols(c: Cube): string[] {
  return ['grain', 'bucket', ...c.dims];
}

function q(s: string): string {
  return `"${s}"`;
}

/**
 * The rollup rows of the ledger rows in `from` (a table or subquery aliased x, with a column `s` = +1/-1
 * when `signed`), as an INSERT … SELECT … ON CONFLICT that adds them to what is stored.
 */
function upsertFrom(provider: Provider, c: Cube, grain: { id: number; ms: number }, from: string, signed: boolean, extraWhere?: string): string {
  const s = signed ? 'x."s" * ' : '';
  const key = [`${grain.id}`, bucketExpr(provider, grain.ms), ...c.dims.map((d) => dimExpr(d))];
  const measures = Object.entries(c.measures).map(([, e]) => `SUM(${s}${e})`);
  const where = [c.where, extraWhere].filter(Boolean).join(' AND ') || 'true';
  const groups = key.map((_, i) => String(i + 1)).join(', ');
  const cols = [...keyCols(c), ...Object.keys(c.measures)].map(q).join(', ');
  const having = Object.entries(c.measures)
    .map(([, e]) => `SUM(${s}${e}) <> 0`)
    .join(' OR ');
  const set = Object.keys(c.measures)
    .map((m) => `${q(m)} = ${q(c.table)}.${q(m)} + excluded.${q(m)}`)
    .join(', ');
  return `INSERT INTO ${q(c.table)} (${cols})
  SELECT ${[...key, ...measures].join(', ')} FROM ${from} WHERE ${where} GROUP BY ${groups} HAVING ${having} ORDER BY ${groups}
  ON CONFLICT (${keyCols(c).map(q).join(', ')}) DO UPDATE SET ${set};`;
}

const grainsOf = (c: Cube) => GRAINS.filter((g) => c.grains.includes(g.id));

/** Columns that change a rollup when updated. */
const ROLLUP_SOURCE_COLUMNS = [
  'occurredAt',
  'teamId',
  'featureId',
  'model',
  'source',
  'pricedBy',
  'originalAt',
  'environment',
  'customer',
  'category',
  'workItem',
  'amount',
  'inputTokens',
  'outputTokens',
];

const LOG_COLUMNS = ROLLUP_SOURCE_COLUMNS;

/**
 * Folds "RollupLog" into the rollups and empties it (SQLite). Run in one write transaction; the log's
 * rows carry the ledger's columns and a sign `s`.
 */
export function applyLogSql(): string[] {
  return [...foldSql('"RollupLog" x'), 'DELETE FROM "RollupLog"'];
}

/** Folds ledger-shaped rows `x` with a sign `s` into every rollup (SQLite). */
function foldSql(from: string): string[] {
  return [...CUBES.flatMap((c) => grainsOf(c).map((g) => upsertFrom('sqlite', c, g, from, true).replace(/;$/, ''))), ...applyDeltasSql('sqlite', from)];
}

/**
 * Folds the rows a bulk insert added (ids from @first to @last) into the rollups, for inserts made while
 * "RollupBypass" held a row, so the insert trigger logged nothing (SQLite; the bulk writer).
 */
export function foldInsertedSql(): string[] {
  return foldSql('(SELECT c.*, 1 AS "s" FROM "CostEntry" c WHERE c."id" >= @first AND c."id" <= @last) x');
}

/**
 * Migration 0010: distinct work items by local day replace "WorkItemRollup" (src/db/work-items.ts);
 * SQLite's row triggers log rows for a set-based apply instead of upserting seven rollup rows each.
 */
export function migration0010Sql(provider: Provider): string {
  const out: string[] = [
    '-- Distinct work items by local day; SQLite rollups applied from a log (issue 13). See src/db/rollups.ts and src/db/work-items.ts. Generated by scripts/rollup-migration.ts.',
    ...(provider === 'sqlite' ? ['insert', 'delete', 'update'].map((t) => `DROP TRIGGER "CostEntry_rollup_${t}";`) : []),
    'DROP TABLE "WorkItemRollup";',
    ...workItemTablesSql(provider).map((x) => `${x};`),
  ];
  if (provider === 'sqlite') {
    out.push(`CREATE TABLE "RollupLog" ("id" INTEGER NOT NULL PRIMARY KEY, "s" INTEGER NOT NULL, ${LOG_COLUMNS.map(q).join(', ')});`);
    out.push('CREATE TABLE "RollupBypass" ("id" INTEGER NOT NULL PRIMARY KEY);');
    const log = (rows: ['NEW' | 'OLD', 1 | -1][]) =>
      rows
        .map(
          ([row, sign]) =>
            `  INSERT INTO "RollupLog" ("s", ${LOG_COLUMNS.map(q).join(', ')}) VALUES (${sign}, ${LOG_COLUMNS.map((c) => `${row}.${q(c)}`).join(', ')});`,
        )
        .join('\n');
    out.push(
      `CREATE TRIGGER "CostEntry_rollup_insert" AFTER INSERT ON "CostEntry" WHEN NOT EXISTS (SELECT 1 FROM "RollupBypass") BEGIN\n${log([['NEW', 1]])}\nEND;`,
    );
    out.push(`CREATE TRIGGER "CostEntry_rollup_delete" AFTER DELETE ON "CostEntry" BEGIN\n${log([['OLD', -1]])}\nEND;`);
    out.push(
      `CREATE TRIGGER "CostEntry_rollup_update" AFTER UPDATE OF ${ROLLUP_SOURCE_COLUMNS.map(q).join(', ')} ON "CostEntry" BEGIN\n${log([
        ['OLD', -1],
        ['NEW', 1],
      ])}\nEND;`,
    );
  } else {
    const fn = (name: string, from: string) => {
      const cubes = CUBES.flatMap((c) => grainsOf(c).map((g) => upsertFrom('postgresql', c, g, from, true)));
      // Work items: `prev` is computed from the table's state, so concurrent writers take turns.
      const items = [`PERFORM pg_advisory_xact_lock(${ADVISORY_LOCK.workItems});`, ...applyDeltasSql('postgresql', from).map((x) => `${x};`)];
      return `CREATE OR REPLACE FUNCTION "${name}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${[...cubes, ...items].join('\n  ')}
  RETURN NULL;
END
$$;`;
    };
    out.push(fn('aicost_rollup_insert', '(SELECT n.*, 1 AS "s" FROM "new_rows" n) x'));
    out.push(fn('aicost_rollup_delete', '(SELECT o.*, -1 AS "s" FROM "old_rows" o) x'));
    out.push(fn('aicost_rollup_update', '(SELECT n.*, 1 AS "s" FROM "new_rows" n UNION ALL SELECT o.*, -1 AS "s" FROM "old_rows" o) x'));
  }
  out.push('-- The work-item tables are built at start, in REPORT_TIMEZONE (ensureRollupZone).');
  return `${out.join('\n\n')}\n`;
}

/** The rollup rows the ledger implies for buckets in [fromMs, toMs) (whole UTC days), as a SELECT. */
export function expectedRowsSql(provider: Provider, c: Cube, g: { id: number; ms: number }, range: { from: string; to: string } | null): string {
  const key = [`${g.id} AS "grain"`, `${bucketExpr(provider, g.ms)} AS "bucket"`, ...c.dims.map((d) => `${dimExpr(d)} AS ${q(d)}`)];
  const measures = Object.entries(c.measures).map(([m, e]) => `SUM(${e}) AS ${q(m)}`);
  const where = [c.where, range ? `x."occurredAt" >= ${range.from} AND x."occurredAt" < ${range.to}` : null].filter(Boolean).join(' AND ') || 'true';
  return `SELECT ${[...key, ...measures].join(', ')} FROM "CostEntry" x WHERE ${where} GROUP BY ${key.map((_, i) => i + 1).join(', ')}`;
}

export function storedRowsSql(c: Cube, g: { id: number }, buckets: { from: number; to: number } | null): string {
  const cols = [...keyCols(c), ...Object.keys(c.measures)].map(q).join(', ');
  const nonZero = Object.keys(c.measures)
    .map((m) => `${q(m)} <> 0`)
    .join(' OR ');
  const range = buckets ? ` AND "bucket" >= ${buckets.from} AND "bucket" < ${buckets.to}` : '';
  return `SELECT ${cols} FROM ${q(c.table)} WHERE "grain" = ${g.id}${range} AND (${nonZero})`;
}

export function insertExpectedSql(provider: Provider, c: Cube, g: { id: number; ms: number }, range: { from: string; to: string } | null): string {
  const cols = [...keyCols(c), ...Object.keys(c.measures)].map(q).join(', ');
  return `INSERT INTO ${q(c.table)} (${cols}) ${expectedRowsSql(provider, c, g, range)}`;
}

export { grainsOf };

/** A piece of a period: a run of whole buckets of one grain, or a raw range of the ledger. */
export type Piece = { grain: number; from: number; to: number } | { raw: true; from: Date; to: Date };

/**
 * Splits [from, to) into the largest aligned buckets of the given grains (coarsest first) and the raw
 * ranges left at the edges (shorter than the finest grain).
 */
export function decompose(from: Date, to: Date, grains: readonly { id: number; ms: number }[]): Piece[] {
  const out: Piece[] = [];
  const sorted = [...grains].sort((a, b) => b.ms - a.ms);
  const go = (a: number, b: number, level: number) => {
    if (a >= b) return;
    const g = sorted[level];
    if (!g) {
      out.push({ raw: true, from: new Date(a), to: new Date(b) });
      return;
    }
    const first = Math.ceil(a / g.ms);
    const last = Math.floor(b / g.ms);
    if (first >= last) return go(a, b, level + 1);
    go(a, first * g.ms, level + 1);
    out.push({ grain: g.id, from: first, to: last });
    go(last * g.ms, b, level + 1);
  };
  go(from.getTime(), to.getTime(), 0);
  return out;
}

/**
 * Like `decompose`, for additive rollups (sums and counts, not distinct work items): a range of a day or
 * more is read as whole UTC days plus, at each end, whichever is shorter of the part of the boundary's
 * UTC day inside the range (added) or outside it (subtracted from that whole day). A local day in New
 * York is then one day row plus 5 hours minus 5 hours, instead of 24 hour rows.
 */
export function decomposeSigned(from: Date, to: Date, grains: readonly { id: number; ms: number }[]): { piece: Piece; sign: 1 | -1 }[] {
  const day = grains.find((g) => g.ms === DAY_MS);
  const fine = grains.filter((g) => g.ms < DAY_MS);
  const plus = (ps: Piece[], sign: 1 | -1 = 1) => ps.map((piece) => ({ piece, sign }));
  if (!day || to.getTime() - from.getTime() < DAY_MS) return plus(decompose(from, to, grains));
  const a = from.getTime();
  const b = to.getTime();
  const da = Math.floor(a / DAY_MS);
  const db = Math.floor(b / DAY_MS);
  const out: { piece: Piece; sign: 1 | -1 }[] = [];
  let dayFrom = da;
  let dayTo = db;
  const offA = a - da * DAY_MS;
  if (offA > DAY_MS / 2) {
    dayFrom = da + 1;
    out.push(...plus(decompose(from, new Date(dayFrom * DAY_MS), fine)));
  } else if (offA > 0) out.push(...plus(decompose(new Date(da * DAY_MS), from, fine), -1));
  const offB = b - db * DAY_MS;
  if (offB > DAY_MS / 2) {
    dayTo = db + 1;
    out.push(...plus(decompose(to, new Date(dayTo * DAY_MS), fine), -1));
  } else if (offB > 0) out.push(...plus(decompose(new Date(db * DAY_MS), to, fine)));
  if (dayTo > dayFrom) out.push({ piece: { grain: day.id, from: dayFrom, to: dayTo }, sign: 1 });
  return out;
}
