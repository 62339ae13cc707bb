import { tzOffset, tzScan } from '@date-fns/tz';
import type { Provider } from './client.ts';

/**
 * Exact distinct work items per team and per feature for any run of local days, at a cost that grows
 * with days and keys, not with calls or work items (issue 13; cost per work item is a headline figure).
 *
 * "WorkItemDay" holds one row per (scope, key, work item, local day) the item was active on, with its
 * call count and `prev`, the item's previous active day in that scope and key (-1 for its first).
 * An item is active in the days [A, B) exactly when it has a row in [A, B) whose `prev` is before A —
 * its first active day of the range — so the distinct count of [A, B) is the number of rows with
 * day in [A, B) and prev < A. "WorkItemSpan" counts those rows per (scope, day, prev, key): the count is
 * a sum over at most (days × distinct gaps) rows per key. An item used every day adds one row a day to
 * WorkItemDay and nothing new to WorkItemSpan.
 *
 * Scope 0 is the team (key teamId), scope 1 the feature (key featureId); "none" is key 0.
 *
 * Days are local calendar days in the report time zone, numbered from 1970-01-01: the day of an
 * instant is floor((epoch seconds + offset) / 86400), with the zone's offsets in "ZoneOffset" (written
 * from the time zone database by `zoneOffsetRows`) so SQLite and PostgreSQL compute the same day as
 * the application. The zone the tables were built in is in "RollupZone"; when REPORT_TIMEZONE changes,
 * the application rebuilds them at start (`ensureRollupZone`). The sum and count rollups hold no local
 * dates and need no rebuild (src/db/rollups.ts).
 *
 * Maintenance applies a set of call deltas per (scope, key, item, day) ("WorkItemDelta"): the rows
 * whose `prev` can change are the delta's own rows and, for each, the item's next active day before
 * the change ("WorkItemTouched"); their Span counts are taken out, the calls applied, empty days
 * deleted, `prev` recomputed for the touched rows, and their counts put back. What that costs grows
 * with the rows of the batch, not with the table. PostgreSQL runs it in a statement trigger (under an
 * advisory lock, as concurrent writers would otherwise compute `prev` from each other's stale state);
 * SQLite's row triggers log rows to "RollupLog" and the log is applied per batch (see rollups.ts).
 */

export const SCOPE = { team: 0, feature: 1 } as const;
const DAY_S = 86_400;

/** An instant's local day number in SQL, from its epoch seconds `e` (an SQL expression). */
export function localDayOf(provider: Provider, e: string): string {
  const offset = `COALESCE((SELECT z."offsetSec" FROM "ZoneOffset" z WHERE z."fromSec" <= ${e} ORDER BY z."fromSec" DESC LIMIT 1), 0)`;
  return provider === 'sqlite' ? `((${e} + ${offset}) / ${DAY_S})` : `(((${e}) + ${offset}) / ${DAY_S})::integer`;
}

export function epochSecondsOf(provider: Provider, column: string): string {
  return provider === 'sqlite' ? `CAST(strftime('%s', ${column}) AS INTEGER)` : `floor(extract(epoch from ${column}))::bigint`;
}

/**
 * The zone's offsets as rows (fromSec, offsetSec): the offset from 1970 on, then every change to 2100.
 * The first row starts far in the past so every instant finds one.
 */
export function zoneOffsetRows(zone: string): { fromSec: number; offsetSec: number }[] {
  const start = new Date(Date.UTC(1970, 0, 1));
  const rows = [{ fromSec: -1e12, offsetSec: tzOffset(zone, start) * 60 }];
  for (const c of tzScan(zone, { start, end: new Date(Date.UTC(2100, 0, 1)) }))
    rows.push({ fromSec: Math.floor(c.date.getTime() / 1000), offsetSec: c.offset * 60 });
  return rows;
}

/**
 * The row in effect at `sec` of rows sorted by `fromSec` whose first row starts before any instant (what
 * `"fromSec" <= sec ORDER BY "fromSec" DESC LIMIT 1` finds in SQL).
 */
export function rowAt<T extends { fromSec: number }>(rows: readonly T[], sec: number): T {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rows[mid]!.fromSec <= sec) lo = mid;
    else hi = mid - 1;
  }
  return rows[lo]!;
}

/** The same day numbering in the application, from the same rows. */
export function dayNumbering(zone: string) {
  const rows = zoneOffsetRows(zone);
  const offsetAt = (sec: number) => rowAt(rows, sec).offsetSec;
  const dayOf = (at: Date) => {
    const sec = Math.floor(at.getTime() / 1000);
    return Math.floor((sec + offsetAt(sec)) / DAY_S);
  };
  return {
    dayOf,
    /** Whether `at` is the first instant of its local day (to the millisecond the ledger stores). */
    startsDay: (at: Date) => dayOf(new Date(at.getTime() - 1)) !== dayOf(at),
  };
}

/**
 * Per (scope, key, item, day): the sum of `x."s"` over ledger-shaped rows `x` of `from` with a work
 * item, as a SELECT.
 */
function scopedRows(provider: Provider, from: string, measure: string): string {
  const day = localDayOf(provider, epochSecondsOf(provider, 'x."occurredAt"'));
  return `SELECT sc."scope", CASE WHEN sc."scope" = 0 THEN COALESCE(y."teamId", 0) ELSE COALESCE(y."featureId", 0) END AS "key", y."workItem", y."day", ${measure} AS "n"
    FROM (SELECT x."teamId", x."featureId", x."workItem", ${day} AS "day"${measure === 'COUNT(*)' ? '' : ', x."s"'} FROM ${from} WHERE x."workItem" IS NOT NULL) y
    CROSS JOIN (SELECT 0 AS "scope" UNION ALL SELECT 1) sc
    GROUP BY 1, 2, 3, 4`;
}

/** Statements that fold the call deltas of `from` (ledger-shaped rows `x` with a sign `s`) into the tables. */
export function applyDeltasSql(provider: Provider, from: string): string[] {
  const same = (a: string, b: string, withDay = true) =>
    `${a}."scope" = ${b}."scope" AND ${a}."key" = ${b}."key" AND ${a}."workItem" = ${b}."workItem"${withDay ? ` AND ${a}."day" = ${b}."day"` : ''}`;
  // The touched rows, looked up from the small table by primary key (SQLite: CROSS JOIN fixes the join
  // order; PostgreSQL: LATERAL), never a scan of WorkItemDay.
  const touchedRows =
    provider === 'sqlite'
      ? `"WorkItemTouched" t CROSS JOIN "WorkItemDay" w WHERE ${same('w', 't')}`
      : `"WorkItemTouched" t CROSS JOIN LATERAL (SELECT * FROM "WorkItemDay" x WHERE ${same('x', 't')}) w WHERE true`;
  const spanCounts = (sign: '' | '-') => `INSERT INTO "WorkItemSpan" ("scope", "day", "prev", "key", "items")
    SELECT w."scope", w."day", w."prev", w."key", ${sign}COUNT(*) FROM ${touchedRows}
    GROUP BY w."scope", w."day", w."prev", w."key"
    ON CONFLICT ("scope", "day", "prev", "key") DO UPDATE SET "items" = "WorkItemSpan"."items" + excluded."items"`;
  return [
    `INSERT INTO "WorkItemDelta" ("scope", "key", "workItem", "day", "delta")
    SELECT "scope", "key", "workItem", "day", "n" FROM (${scopedRows(provider, from, 'SUM(y."s")')}) d WHERE "n" <> 0
    ON CONFLICT ("scope", "key", "workItem", "day") DO UPDATE SET "delta" = "WorkItemDelta"."delta" + excluded."delta"`,
    `INSERT INTO "WorkItemTouched" ("scope", "key", "workItem", "day") SELECT "scope", "key", "workItem", "day" FROM "WorkItemDelta" WHERE "delta" <> 0
    ON CONFLICT DO NOTHING`,
    // The next active day of each changed day, before the change: its prev may change.
    `INSERT INTO "WorkItemTouched" ("scope", "key", "workItem", "day")
    SELECT * FROM (SELECT d."scope", d."key", d."workItem",
      (SELECT MIN(w."day") FROM "WorkItemDay" w WHERE ${same('w', 'd', false)} AND w."day" > d."day") AS "day"
      FROM "WorkItemDelta" d WHERE d."delta" <> 0) n WHERE n."day" IS NOT NULL
    ON CONFLICT DO NOTHING`,
    spanCounts('-'),
    `INSERT INTO "WorkItemDay" ("scope", "key", "workItem", "day", "calls", "prev")
    SELECT "scope", "key", "workItem", "day", "delta", -1 FROM "WorkItemDelta" WHERE "delta" <> 0
    ON CONFLICT ("scope", "key", "workItem", "day") DO UPDATE SET "calls" = "WorkItemDay"."calls" + excluded."calls"`,
    // Row-value IN drives these from the small tables through the primary keys (an EXISTS made both
    // databases scan the whole table on every batch).
    `DELETE FROM "WorkItemDay" WHERE ("scope", "key", "workItem", "day") IN (SELECT "scope", "key", "workItem", "day" FROM "WorkItemDelta") AND "calls" <= 0`,
    `UPDATE "WorkItemDay" SET "prev" = COALESCE((SELECT MAX(e."day") FROM "WorkItemDay" e WHERE ${same('e', '"WorkItemDay"', false)} AND e."day" < "WorkItemDay"."day"), -1)
    WHERE ("scope", "key", "workItem", "day") IN (SELECT "scope", "key", "workItem", "day" FROM "WorkItemTouched")`,
    spanCounts(''),
    `DELETE FROM "WorkItemSpan" WHERE ("scope", "day") IN (SELECT "scope", "day" FROM "WorkItemTouched") AND "items" = 0`,
    'DELETE FROM "WorkItemTouched"',
    'DELETE FROM "WorkItemDelta"',
  ];
}

/** The rows the ledger implies, as SELECTs (for the rebuild and for `aicost verify`). */
export function expectedWorkItemDaysSql(provider: Provider): string {
  return `SELECT g."scope", g."key", g."workItem", g."day", g."n" AS "calls",
    COALESCE(LAG(g."day") OVER (PARTITION BY g."scope", g."key", g."workItem" ORDER BY g."day"), -1) AS "prev"
    FROM (${scopedRows(provider, '"CostEntry" x', 'COUNT(*)')}) g`;
}

export function expectedWorkItemSpansSql(provider: Provider): string {
  return `SELECT w."scope", w."day", w."prev", w."key", COUNT(*) AS "items" FROM (${expectedWorkItemDaysSql(provider)}) w GROUP BY 1, 2, 3, 4`;
}

/** Empties and rebuilds the work-item tables from the ledger, in the zone "ZoneOffset" holds. */
export function rebuildWorkItemsSql(provider: Provider): string[] {
  return [
    'DELETE FROM "WorkItemDay"',
    'DELETE FROM "WorkItemSpan"',
    'DELETE FROM "WorkItemDelta"',
    'DELETE FROM "WorkItemTouched"',
    `INSERT INTO "WorkItemDay" ("scope", "key", "workItem", "day", "calls", "prev") ${expectedWorkItemDaysSql(provider)}`,
    `INSERT INTO "WorkItemSpan" ("scope", "day", "prev", "key", "items") SELECT "scope", "day", "prev", "key", COUNT(*) FROM "WorkItemDay" GROUP BY 1, 2, 3, 4`,
  ];
}
