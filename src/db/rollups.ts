import type { Provider } from './client.ts';
import { monthPeriod } from '../domain/periods.ts';
import { applyDeltasSql, epochSecondsOf, rebuildWorkItemsSql, rowAt, zoneOffsetRows } from './work-items.ts';
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
 * running period, at most 15 minutes of entries. Hence these grains hold no local dates, and changing
 * REPORT_TIMEZONE needs no rebuild of them; only the customer rollups' local months (LOCAL_MONTH_GRAIN)
 * are rebuilt, at start, with the work-item tables.
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

/**
 * UTC calendar months (grain 4), kept by the customer rollups only (issue 25): a margin is read by the
 * month, and with 10,000 customers a month read as 30 day buckets is 30 times the customers. A local
 * month is its UTC month plus and minus the hours of its offset at each end, so they hold no local dates
 * either. Bucket = (year − 1970) × 12 + month − 1.
 */
export const MONTH_GRAIN = { id: 4, ms: 0, months: 'utc' } as const;

/**
 * Calendar months of the report time zone (grain 5, issue 25), kept by the customer rollups: a margin, a
 * chargeback's customer lines and `top customers last month` read a local month, which in UTC months is
 * its month plus and minus the hours of the offset at both ends (for New York, 4 or 5 hours × every
 * customer and team active in them, summed and grouped); as a local month it is one bucket, already one
 * row per key. Unlike every other grain this one holds local dates: its bucket is looked up in
 * "ZoneMonth" (the first instant of every local month, written from the time zone database by
 * `zoneMonthRows`, like "ZoneOffset"), so when REPORT_TIMEZONE changes it is rebuilt at start with the
 * work-item tables (`switchZoneSql`). Until the zone is first set it holds UTC months and is not read.
 * Bucket = (year − 1970) × 12 + month − 1, of the local month.
 */
export const LOCAL_MONTH_GRAIN = { id: 5, ms: 0, months: 'local' } as const;
export type Grain = { id: number; ms: number; months?: 'utc' | 'local' };

/** The first instant of UTC month bucket `m`. */
export function monthStart(m: number): number {
  return Date.UTC(1970 + Math.floor(m / 12), ((m % 12) + 12) % 12);
}
/** The UTC month bucket of an instant. */
export function monthOfInstant(at: number): number {
  const d = new Date(at);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}

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
  /** Also kept by UTC month (MONTH_GRAIN) and by month of the report time zone (LOCAL_MONTH_GRAIN). */
  months?: boolean;
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
  {
    // Per customer (issue 25): `top customers`. Its size grows with customers × buckets, not with the
    // features and models each customer uses; by month too, so a month is one bucket.
    table: 'CustomerRollup',
    dims: ['customer'],
    grains: [0, 1, 2],
    months: true,
    measures: { amount: 'x."amount"', calls: '1' },
  },
  {
    // Per customer and team: the margin's direct spend (a team's shared costs are split by its customers' spend).
    table: 'CustomerTeamRollup',
    dims: ['customer', 'teamId'],
    grains: [0, 1, 2],
    months: true,
    measures: { amount: 'x."amount"', calls: '1' },
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

export function bucketExpr(provider: Provider, grain: Grain, x = 'x'): string {
  if (grain.months === 'local') {
    const e = epochSecondsOf(provider, `${x}."occurredAt"`);
    return `COALESCE((SELECT zm."month" FROM "ZoneMonth" zm WHERE zm."fromSec" <= ${e} ORDER BY zm."fromSec" DESC LIMIT 1), ${bucketExpr(provider, MONTH_GRAIN, x)})`;
  }
  const grainMs = grain.ms;
  if (grain.months === 'utc') {
    return provider === 'sqlite'
      ? `((CAST(strftime('%Y', ${x}."occurredAt") AS INTEGER) - 1970) * 12 + CAST(strftime('%m', ${x}."occurredAt") AS INTEGER) - 1)`
      : `((extract(year from ${x}."occurredAt")::integer - 1970) * 12 + extract(month from ${x}."occurredAt")::integer - 1)`;
  }
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
function upsertFrom(provider: Provider, c: Cube, grain: Grain, from: string, signed: boolean, extraWhere?: string): string {
  const s = signed ? 'x."s" * ' : '';
  const key = [`${grain.id}`, bucketExpr(provider, grain), ...c.dims.map((d) => dimExpr(d))];
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

/**
 * What each "DataVersion" counter counts (src/db/repositories/data-versions.ts): writes to the ledger's
 * entries of a UTC day (key: the day), to a month's revenue (key: months since 1970-01) and rebuilds of
 * the rollups (key 0).
 */
export const VERSION_SCOPE = { ledgerDay: 0, revenueMonth: 1, rebuilds: 2 } as const;

/** Counts a rebuild of the rollups. */
export const BUMP_REBUILDS_SQL = `INSERT INTO "DataVersion" ("scope", "key", "version") VALUES (${VERSION_SCOPE.rebuilds}, 0, 1) ON CONFLICT ("scope", "key") DO UPDATE SET "version" = "DataVersion"."version" + 1`;

/**
 * Bumps the ledger's change counter of every UTC day the rows `x` fall in ("DataVersion" scope 0), so a
 * month computed from the ledger can be reused while its days' counters are unchanged
 * (src/db/repositories/data-versions.ts). Part of every fold and trigger, so no write path can skip it.
 */
function ledgerVersionSql(provider: Provider, from: string): string {
  return `INSERT INTO "DataVersion" ("scope", "key", "version")
  SELECT ${VERSION_SCOPE.ledgerDay}, ${bucketExpr(provider, GRAINS[2])}, 1 FROM ${from} WHERE true GROUP BY 2 ORDER BY 2
  ON CONFLICT ("scope", "key") DO UPDATE SET "version" = "DataVersion"."version" + 1;`;
}

/** The fixed-length grains of a cube (what the readers' decompositions use). */
const grainsOf = (c: Cube) => GRAINS.filter((g) => c.grains.includes(g.id));
/** Every grain a cube keeps, months included (what maintenance and `verify` use). */
export const allGrainsOf = (c: Cube): Grain[] => [...grainsOf(c), ...(c.months ? [MONTH_GRAIN, LOCAL_MONTH_GRAIN] : [])];

/**
 * Folds "RollupLog" into the rollups and empties it (SQLite). Run in one write transaction; the log's
 * rows carry the ledger's columns and a sign `s`.
 */
export function applyLogSql(): string[] {
  return [...foldSql('"RollupLog" x'), 'DELETE FROM "RollupLog"'];
}

/** Folds ledger-shaped rows `x` with a sign `s` into every rollup (SQLite). */
function foldSql(from: string): string[] {
  return [
    ...CUBES.flatMap((c) => allGrainsOf(c).map((g) => upsertFrom('sqlite', c, g, from, true).replace(/;$/, ''))),
    ledgerVersionSql('sqlite', from).replace(/;$/, ''),
    ...applyDeltasSql('sqlite', from),
  ];
}

/**
 * Folds the rows a bulk insert added (ids from @first to @last) into the rollups, for inserts made while
 * "RollupBypass" held a row, so the insert trigger logged nothing (SQLite; the bulk writer).
 */
export function foldInsertedSql(): string[] {
  return foldSql('(SELECT c.*, 1 AS "s" FROM "CostEntry" c WHERE c."id" >= @first AND c."id" <= @last) x');
}

/**
 * PostgreSQL's statement-trigger functions (created by migration 0010, replaced by each migration that
 * adds a rollup): one grouped upsert per rollup table and grain over the statement's transition table.
 */
function pgTriggerFunctionsSql(): string[] {
  const fn = (name: string, from: string) => {
    const cubes = [...CUBES.flatMap((c) => allGrainsOf(c).map((g) => upsertFrom('postgresql', c, g, from, true))), ledgerVersionSql('postgresql', from)];
    // Work items: `prev` is computed from the table's state, so concurrent writers take turns.
    const items = [`PERFORM pg_advisory_xact_lock(${ADVISORY_LOCK.workItems});`, ...applyDeltasSql('postgresql', from).map((x) => `${x};`)];
    return `CREATE OR REPLACE FUNCTION "${name}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${[...cubes, ...items].join('\n  ')}
  RETURN NULL;
END
$$;`;
  };
  return [
    fn('aicost_rollup_insert', '(SELECT n.*, 1 AS "s" FROM "new_rows" n) x'),
    fn('aicost_rollup_delete', '(SELECT o.*, -1 AS "s" FROM "old_rows" o) x'),
    fn('aicost_rollup_update', '(SELECT n.*, 1 AS "s" FROM "new_rows" n UNION ALL SELECT o.*, -1 AS "s" FROM "old_rows" o) x'),
  ];
}

/**
 * Revenue's change counter per month ("DataVersion" scope 1), bumped by triggers on every write: row
 * triggers on SQLite; on PostgreSQL statement triggers over the transition tables, one upsert per month a
 * statement touched (a row trigger upserted the same counter 150,000 times for a large file, and the
 * import ran out of time).
 */
function revenueVersionTriggersSql(provider: Provider): string[] {
  const key = (row: string) =>
    provider === 'sqlite'
      ? `(CAST(substr(${row}."month", 1, 4) AS INTEGER) - 1970) * 12 + CAST(substr(${row}."month", 6, 2) AS INTEGER) - 1`
      : `(substr(${row}."month", 1, 4)::integer - 1970) * 12 + substr(${row}."month", 6, 2)::integer - 1`;
  if (provider === 'sqlite') {
    const bump = (row: string) =>
      `INSERT INTO "DataVersion" ("scope", "key", "version") VALUES (${VERSION_SCOPE.revenueMonth}, ${key(row)}, 1) ON CONFLICT ("scope", "key") DO UPDATE SET "version" = "DataVersion"."version" + 1;`;
    return [
      `CREATE TRIGGER "Revenue_version_insert" AFTER INSERT ON "Revenue" BEGIN\n  ${bump('NEW')}\nEND;`,
      `CREATE TRIGGER "Revenue_version_delete" AFTER DELETE ON "Revenue" BEGIN\n  ${bump('OLD')}\nEND;`,
      `CREATE TRIGGER "Revenue_version_update" AFTER UPDATE ON "Revenue" BEGIN\n  ${bump('OLD')}\n  ${bump('NEW')}\nEND;`,
    ];
  }
  const bump = (table: string) =>
    `INSERT INTO "DataVersion" ("scope", "key", "version") SELECT ${VERSION_SCOPE.revenueMonth}, ${key('r')}, 1 FROM "${table}" r GROUP BY 2 ORDER BY 2 ON CONFLICT ("scope", "key") DO UPDATE SET "version" = "DataVersion"."version" + 1;`;
  return [
    `CREATE OR REPLACE FUNCTION "aicost_revenue_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    ${bump('old_rows')}
  END IF;
  IF TG_OP <> 'DELETE' THEN
    ${bump('new_rows')}
  END IF;
  RETURN NULL;
END
$$;`,
    'CREATE TRIGGER "Revenue_version_insert" AFTER INSERT ON "Revenue" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "aicost_revenue_version"();',
    'CREATE TRIGGER "Revenue_version_delete" AFTER DELETE ON "Revenue" REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "aicost_revenue_version"();',
    'CREATE TRIGGER "Revenue_version_update" AFTER UPDATE ON "Revenue" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "aicost_revenue_version"();',
  ];
}

/**
 * Migration 0018 (issue 25): the local-month buckets of the customer rollups. The table of local month
 * starts is created empty; the application fills it and builds the buckets at its next start, in
 * REPORT_TIMEZONE (`ensureRollupZone`), as it does the work-item tables. PostgreSQL's trigger functions
 * are replaced to maintain the new grain from then on (SQLite folds every grain of CUBES from its log).
 * Earlier versions of this function wrote 0005, 0010 and 0014 the same way.
 */
export function migration0018Sql(provider: Provider): string {
  const big = provider === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const tables = [
    `CREATE TABLE "ZoneMonth" ("fromSec" ${big} NOT NULL, "month" INTEGER NOT NULL, CONSTRAINT "ZoneMonth_pkey" PRIMARY KEY ("fromSec"));`,
    `CREATE TABLE "DataVersion" ("scope" INTEGER NOT NULL, "key" INTEGER NOT NULL, "version" ${big} NOT NULL, CONSTRAINT "DataVersion_pkey" PRIMARY KEY ("scope", "key"));`,
  ].join('\n\n');
  const out = [
    [
      '-- Local-month buckets of the customer rollups (issue 25). See LOCAL_MONTH_GRAIN in src/db/rollups.ts.',
      '-- Generated by scripts/rollup-migration.ts. The buckets are built at the next start, in REPORT_TIMEZONE',
      '-- (ensureRollupZone), with writers held off meanwhile. And the change counters a computed month is',
      "-- reused by (src/db/repositories/data-versions.ts): the ledger's, bumped by the same folds and triggers as the",
      "-- rollups, and the revenue table's, bumped by its own triggers.",
    ].join('\n'),
    tables,
    // The time zone database version the zone tables were written with (set when they are built).
    `ALTER TABLE "RollupZone" ADD COLUMN "tzdata" TEXT NOT NULL DEFAULT '';`,
    ...revenueVersionTriggersSql(provider),
    ...(provider === 'postgresql' ? pgTriggerFunctionsSql() : []),
  ];
  return `${out.join('\n\n')}\n`;
}

/** The rollup rows the ledger implies for buckets in [fromMs, toMs) (whole UTC days), as a SELECT. */
export function expectedRowsSql(provider: Provider, c: Cube, g: Grain, range: { from: string; to: string } | null): string {
  const key = [`${g.id} AS "grain"`, `${bucketExpr(provider, g)} AS "bucket"`, ...c.dims.map((d) => `${dimExpr(d)} AS ${q(d)}`)];
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

export function insertExpectedSql(provider: Provider, c: Cube, g: Grain, range: { from: string; to: string } | null): string {
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

export type SignedPiece = { piece: Piece; sign: 1 | -1 };

/** A rough count of rollup rows read per bucket of each grain, relative to a day's (to choose a plan). */
const GRAIN_COST: Record<number, number> = { 0: 0.1, 1: 0.3, 2: 1, 4: 2, 5: 2 };
const planCost = (ps: SignedPiece[]) => ps.reduce((n, { piece: p }) => n + ('grain' in p ? (p.to - p.from) * (GRAIN_COST[p.grain] ?? 1) : 0.1), 0);

/** A numbering of calendar months: the bucket of an instant, the first instant of a bucket. */
export interface MonthScheme {
  grain: number;
  of(at: number): number;
  start(m: number): number;
}

export const UTC_MONTHS: MonthScheme = { grain: MONTH_GRAIN.id, of: monthOfInstant, start: monthStart };

/**
 * `decomposeSigned`, for a cube that also keeps months: [from, to) is also tried as the months between
 * the month boundaries nearest to each end, plus or minus the part between each end and its boundary ("30
 * days" is one month ± a few days), in UTC months and, given `local` (the numbering of the zone the
 * local-month buckets are built in), in local months, where a local month is exactly one bucket. The plan
 * that reads fewer rows is kept.
 */
export function decomposeWithMonths(from: Date, to: Date, grains: readonly Grain[], local?: MonthScheme | null): SignedPiece[] {
  const fixed = grains.filter((g) => !g.months);
  const byDays = decomposeSigned(from, to, fixed);
  if (to <= from) return byDays;
  // Local months first: in UTC, or a zone on UTC, both plans cost the same, and the first is kept.
  const schemes = [...(local && grains.some((g) => g.months === 'local') ? [local] : []), ...(grains.some((g) => g.months === 'utc') ? [UTC_MONTHS] : [])];
  let best = byDays;
  for (const scheme of schemes) {
    const plan = byMonths(from.getTime(), to.getTime(), scheme, fixed);
    if (plan && planCost(plan) < planCost(best)) best = plan;
  }
  return best;
}

function byMonths(a: number, b: number, months: MonthScheme, fixed: readonly Grain[]): SignedPiece[] | null {
  const nearest = (t: number) => {
    const m = months.of(t);
    return t - months.start(m) <= months.start(m + 1) - t ? m : m + 1;
  };
  const ma = nearest(a);
  const mb = nearest(b);
  if (mb <= ma) return null;
  const out: SignedPiece[] = [{ piece: { grain: months.grain, from: ma, to: mb }, sign: 1 }];
  const part = (x: number, y: number, sign: 1 | -1) => {
    if (x < y) for (const p of decomposeSigned(new Date(x), new Date(y), fixed)) out.push({ piece: p.piece, sign: (p.sign * sign) as 1 | -1 });
  };
  // [a, b) = months [ma, mb) + [a, M(ma)) − [M(ma), a) + [M(mb), b) − [b, M(mb)).
  part(a, months.start(ma), 1);
  part(months.start(ma), a, -1);
  part(months.start(mb), b, 1);
  part(b, months.start(mb), -1);
  return out;
}

/**
 * The first instant (epoch seconds) of every local month of `zone` from 1900 to 2199, with its bucket; the
 * first row starts far in the past (an instant before 1900 counts in December 1899).
 */
const monthRows = new Map<string, readonly { fromSec: number; month: number }[]>();
export function zoneMonthRows(zone: string): readonly { fromSec: number; month: number }[] {
  // 3,600 months through the time zone database take 130–180 ms: once per zone and process.
  let rows = monthRows.get(zone);
  if (rows) return rows;
  const out = [{ fromSec: -1e12, month: (1900 - 1970) * 12 - 1 }];
  for (let m = (1900 - 1970) * 12; m < (2200 - 1970) * 12; m++) {
    const month = `${1970 + Math.floor(m / 12)}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`;
    out.push({ fromSec: Math.floor(monthPeriod(month, zone).from.getTime() / 1000), month: m });
  }
  rows = Object.freeze(out);
  monthRows.set(zone, rows);
  return rows;
}

const localSchemes = new Map<string, MonthScheme>();
/** The local-month numbering of `zone` in the application, from the same rows as "ZoneMonth". */
export function localMonths(zone: string): MonthScheme {
  let scheme = localSchemes.get(zone);
  if (scheme) return scheme;
  const rows = zoneMonthRows(zone);
  const starts = new Map(rows.map((r) => [r.month, r.fromSec * 1000]));
  scheme = {
    grain: LOCAL_MONTH_GRAIN.id,
    of: (at) => rowAt(rows, Math.floor(at / 1000)).month,
    start: (m) => starts.get(m) ?? (m < 0 ? -1e15 : 1e15),
  };
  localSchemes.set(zone, scheme);
  return scheme;
}

/** The cubes' local-month buckets rebuilt from the ledger, in the zone "ZoneMonth" holds. */
function rebuildLocalMonthsSql(provider: Provider): string[] {
  return CUBES.flatMap((c) =>
    allGrainsOf(c)
      .filter((g) => g.months === 'local')
      .flatMap((g) => [`DELETE FROM ${q(c.table)} WHERE "grain" = ${g.id}`, insertExpectedSql(provider, c, g, null)]),
  );
}

function valuesSql(table: string, cols: string[], rows: number[][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += 500)
    out.push(
      `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES ${rows
        .slice(i, i + 500)
        .map((r) => `(${r.join(', ')})`)
        .join(', ')}`,
    );
  return out;
}

/**
 * The version of the time zone database the application computes zones with (Node's, e.g. "2025c"): the
 * zone tables record the one they were written with, so a start with the same one need not compare them
 * row by row (computing a zone's 3,600 month starts takes 130–180 ms).
 */
export const TZDATA = process.versions.tz ?? '';
export const recordTzdataSql = (): string => `UPDATE "RollupZone" SET "tzdata" = '${TZDATA.replaceAll("'", "''")}' WHERE "id" = 1`;

/** Statements that write `zone`'s month starts to "ZoneMonth" and rebuild the local-month buckets from the ledger. */
export function localMonthsSql(provider: Provider, zone: string): string[] {
  return [
    recordTzdataSql(),
    'DELETE FROM "ZoneMonth"',
    ...valuesSql(
      'ZoneMonth',
      ['fromSec', 'month'],
      zoneMonthRows(zone).map((r) => [r.fromSec, r.month]),
    ),
    ...rebuildLocalMonthsSql(provider),
    BUMP_REBUILDS_SQL,
  ];
}

/**
 * Statements that switch the rollups that hold local dates to `zone` and rebuild them from the ledger:
 * the work-item tables (by local day) and the local-month buckets.
 */
export function switchZoneSql(provider: Provider, zone: string): string[] {
  return [
    'DELETE FROM "ZoneOffset"',
    ...valuesSql(
      'ZoneOffset',
      ['fromSec', 'offsetSec'],
      zoneOffsetRows(zone).map((r) => [r.fromSec, r.offsetSec]),
    ),
    `UPDATE "RollupZone" SET "zone" = '${zone.replaceAll("'", "''")}' WHERE "id" = 1`,
    ...rebuildWorkItemsSql(provider),
    ...localMonthsSql(provider, zone),
  ];
}
