import { tz } from '@date-fns/tz';
import { startOfDay } from 'date-fns';
import type { Database, Provider } from '../client.ts';
import { applyRollupLog, localMonthScheme, rollupZone } from '../rollup-maintenance.ts';
import { CUBES, DAY_MS, GRAINS, allGrainsOf, decompose, decomposeWithMonths, dimRead, grainsOf, type Cube, type MonthScheme, type Piece } from '../rollups.ts';
import { SCOPE, dayNumbering } from '../work-items.ts';
import { Prisma, asJsonRows, countAsText, instant, parseRows, sumAsText, type Sql } from '../sql.ts';
import { nanos, type Money } from '../../domain/money.ts';
import type { CostFilter, CostQueries, Dimension } from '../../services/ports/costs.ts';
import { intervalGroups } from './interval-groups.ts';
import { customerSpendSql, parseCustomerSpend } from './customer-spend.ts';
import type { CustomerSpend } from '../../domain/margin.ts';

/**
 * The aggregates every report is built from, read from the exact rollups (src/db/rollups.ts) instead of
 * the per-call ledger: a period is its whole UTC days, hours and quarter hours in the rollup tables plus
 * the raw entries of its unaligned edges (only "up to now": under 15 minutes). What a question costs
 * grows with the days in the period and the teams × features × models (× customers, for the detail
 * table) active per bucket, not with the calls. Same interface and results as `ledgerCostQueries`.
 */
const [narrow, detail, customers, customerTeams] = CUBES as [Cube, Cube, Cube, Cube];

/**
 * The narrowest rollup that has a dimension and every filtered one: a customer ranking reads the
 * per-customer rollup (issue 25), filtered by team the per-customer-and-team one, by feature or model
 * the detail rollup.
 */
function cubeFor(column: string, f: Omit<CostFilter, 'from' | 'to'>): Cube {
  const needed = [
    column,
    ...(f.teamIds ? ['teamId'] : []),
    ...(f.featureIds ? ['featureId'] : []),
    ...(f.models ? ['model'] : []),
    ...(f.customers ? ['customer'] : []),
  ];
  return [narrow, customers, customerTeams, detail].find((c) => needed.every((d) => c.dims.includes(d as never))) ?? detail;
}

/** A period and filters (customer answers: the customer ids it appears under). */
type PeriodFilter = CostFilter;

const numberings = new Map<string, ReturnType<typeof dayNumbering>>();
function numbering(zone: string) {
  let n = numberings.get(zone);
  if (!n) numberings.set(zone, (n = dayNumbering(zone)));
  return n;
}

const rollupColumn: Record<Dimension, string> = {
  team: 'teamId',
  feature: 'featureId',
  model: 'model',
  customer: 'customer',
  environment: 'environment',
  source: 'source',
  category: 'category',
};

type Col = { name: string; rollup: string; raw: string; measure?: boolean };
const amount: Col = { name: 'amount', rollup: '"amount"', raw: '"amount"', measure: true };
const calls: Col = { name: 'calls', rollup: '"calls"', raw: '1', measure: true };

/**
 * The signed pieces of consecutive intervals, as `intervalTotals` reads them: interval i is
 * S[a, b) = days[day(a), day(b)) + P(b) − P(a), with P(t) the part of t's UTC day before t, read from
 * the fine grains of t's day before t or (past midday) as the whole day minus the fine grains after t.
 * Folding the whole days of P into the day run, interval i is one run of UTC days plus boundary i's and
 * boundary i+1's fine pieces, each with a sign. The raw pieces (a boundary off a quarter hour) are kept
 * per boundary: their sum R(t) adds σ(t)·R(t) to the interval ending at t and subtracts it from the one
 * starting there.
 */
function intervalPlan(boundaries: Date[], grains: readonly { id: number; ms: number }[]) {
  const day = grains.find((g) => g.ms === DAY_MS);
  if (!day) throw new Error('interval sums need a day grain');
  const fine = grains.filter((g) => g.ms < DAY_MS);
  const points = boundaries.map((t, j) => {
    if (j > 0 && t < boundaries[j - 1]!) throw new Error('groupByIntervals: boundaries must not decrease');
    const d = Math.floor(t.getTime() / DAY_MS);
    const start = d * DAY_MS;
    const before = t.getTime() - start <= DAY_MS / 2;
    const pieces = before ? decompose(new Date(start), t, fine) : decompose(t, new Date(start + DAY_MS), fine);
    // P(t) = (before ? 0 : whole day) + sign · pieces.
    return { day: before ? d : d + 1, sign: before ? 1 : -1, pieces };
  });
  // Each run of buckets once (a boundary's pieces serve the interval it ends and the one it starts),
  // with the intervals it counts towards and the sign.
  const runs: { id: number; grain: number; from: number; to: number }[] = [];
  const uses: { id: number; i: number; sign: 1 | -1 }[] = [];
  const ids = new Map<string, number>();
  const use = (i: number, grain: number, from: number, to: number, sign: 1 | -1) => {
    const k = `${grain}:${from}:${to}`;
    let id = ids.get(k);
    if (id === undefined) {
      id = runs.length;
      ids.set(k, id);
      runs.push({ id, grain, from, to });
    }
    uses.push({ id, i, sign });
  };
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (b.day > a.day) use(i, day.id, a.day, b.day, 1);
    for (const [p, sign] of [
      [b, b.sign],
      [a, -a.sign],
    ] as const)
      for (const x of p.pieces) if ('grain' in x) use(i, x.grain, x.from, x.to, sign as 1 | -1);
  }
  const raw = points.flatMap((p, j) => {
    const ranges = p.pieces.filter((x): x is Extract<Piece, { raw: true }> => 'raw' in x);
    return ranges.length ? [{ boundary: j, sign: p.sign as 1 | -1, ranges }] : [];
  });
  return { runs, uses, raw };
}

/** The SQL of a period's rows read from a rollup table and the raw ledger at its edges. */
function periodReader(provider: Provider) {
  const raw = (s: string) => Prisma.raw(s);
  // '' is "no customer" in the rollups: never a customer id.
  const customerIn = (names: string[]): Sql => {
    const ids = names.filter((n) => n !== '');
    return ids.length ? Prisma.sql`"customer" IN (${Prisma.join(ids)})` : Prisma.sql`1 = 0`;
  };

  /** Filters on the rollup columns ("none" is 0). */
  function rollupFilter(f: Omit<PeriodFilter, 'from' | 'to'>, cube: Cube): Sql[] {
    const parts: Sql[] = [];
    if (f.teamIds) {
      const ids = f.teamIds.map((t) => t ?? 0);
      parts.push(ids.length ? Prisma.sql`"teamId" IN (${Prisma.join(ids)})` : Prisma.sql`1 = 0`);
    }
    if (f.featureIds) parts.push(f.featureIds.length ? Prisma.sql`"featureId" IN (${Prisma.join(f.featureIds)})` : Prisma.sql`1 = 0`);
    if (f.models) {
      if (!cube.dims.includes('model')) throw new Error(`${cube.table} has no model`);
      parts.push(f.models.length ? Prisma.sql`"model" IN (${Prisma.join(f.models)})` : Prisma.sql`1 = 0`);
    }
    if (f.customers) parts.push(customerIn(f.customers));
    return parts;
  }

  function rawFilter(f: Omit<PeriodFilter, 'from' | 'to'>): Sql[] {
    const parts: Sql[] = [];
    if (f.teamIds) {
      const ids = f.teamIds.filter((t): t is number => t !== null);
      const alternatives: Sql[] = [];
      if (ids.length) alternatives.push(Prisma.sql`"teamId" IN (${Prisma.join(ids)})`);
      if (f.teamIds.includes(null)) alternatives.push(Prisma.sql`"teamId" IS NULL`);
      parts.push(alternatives.length ? Prisma.sql`(${Prisma.join(alternatives, ' OR ')})` : Prisma.sql`1 = 0`);
    }
    if (f.featureIds) parts.push(f.featureIds.length ? Prisma.sql`"featureId" IN (${Prisma.join(f.featureIds)})` : Prisma.sql`1 = 0`);
    if (f.models) parts.push(f.models.length ? Prisma.sql`"model" IN (${Prisma.join(f.models)})` : Prisma.sql`1 = 0`);
    if (f.customers) parts.push(customerIn(f.customers));
    return parts;
  }

  function rawRanges(pieces: Piece[]): Sql | null {
    const ranges = pieces.filter((p): p is Extract<Piece, { raw: true }> => 'raw' in p);
    if (!ranges.length) return null;
    return Prisma.sql`(${Prisma.join(
      ranges.map((r) => Prisma.sql`("occurredAt" >= ${instant(provider, r.from)} AND "occurredAt" < ${instant(provider, r.to)})`),
      ' OR ',
    )})`;
  }

  /**
   * The period's rows from the rollup table and from the raw edges, with the same columns: one UNION ALL
   * branch per run of buckets (an OR of ranges made SQLite de-duplicate rows through a temporary B-tree).
   */
  function rows(cube: Cube, f: PeriodFilter, cols: Col[], local?: MonthScheme | null): Sql {
    const signed = decomposeWithMonths(f.from, f.to, allGrainsOf(cube), local);
    const branches: Sql[] = [];
    const filter = rollupFilter(f, cube);
    const select = (sign: 1 | -1, side: 'rollup' | 'raw') =>
      raw(cols.map((c) => `${sign === -1 && c.measure ? `-(${c[side]})` : c[side]} AS "${c.name}"`).join(', '));
    // A few customers in a customer rollup (key: grain, bucket, customer): the buckets listed, so the key
    // is probed per bucket and customer instead of scanned for every customer of a run of buckets (the
    // previous 30 days of the ten customers `top customers` shows: 14 → 5–10 ms at 10M on PostgreSQL).
    const probe = f.customers !== undefined && cube.dims[0] === 'customer';
    for (const { piece: p, sign } of signed) {
      if (!('grain' in p)) continue;
      const buckets =
        probe && p.to - p.from <= 64
          ? Prisma.sql`"bucket" IN (${Prisma.join(Array.from({ length: p.to - p.from }, (_, i) => p.from + i))})`
          : Prisma.sql`"bucket" >= ${p.from} AND "bucket" < ${p.to}`;
      branches.push(Prisma.sql`SELECT ${select(sign, 'rollup')} FROM ${raw(`"${cube.table}"`)}
      WHERE ${Prisma.join([Prisma.sql`"grain" = ${p.grain}`, buckets, ...filter], ' AND ')}`);
    }
    for (const sign of [1, -1] as const) {
      const edges = rawRanges(signed.filter((x) => x.sign === sign).map((x) => x.piece));
      if (edges) {
        branches.push(Prisma.sql`SELECT ${select(sign, 'raw')} FROM "CostEntry"
        WHERE ${Prisma.join([edges, ...rawFilter(f)], ' AND ')}`);
      }
    }
    if (!branches.length) branches.push(Prisma.sql`SELECT ${select(1, 'raw')} FROM "CostEntry" WHERE 1 = 0`);
    return Prisma.join(branches, ' UNION ALL ');
  }

  /**
   * The period's rows summed per key (`keys`: columns of the cube, named as they should come out), with
   * `amount` and `calls` as text ("count"), keys whose calls net to zero left out. A period that is one
   * bucket of one grain, keyed by every dimension of the cube (a local month of the customer rollups), is
   * already one row per key: it is read as it is stored, without the grouping, which was most of the read
   * (a local month of 10,000 customers × teams: SQLite 59 → 17 ms). With `stored`, such a bucket's keys
   * come as stored (0 and '' for none, named as their columns) for a caller that groups on them: a
   * grouping on the stored column follows the table's order, one on NULLIF of it is hashed (PostgreSQL:
   * 10,000 groups spilled to disk, 35 against 18 ms).
   */
  function summed(cube: Cube, f: PeriodFilter, keys: Col[], local?: MonthScheme | null, stored = false): Sql {
    const list = (cs: string[]) => raw(cs.join(', '));
    const sumText = (c: string) => sumAsText(provider, raw(`"${c}"`));
    const asText = (c: string) => raw(provider === 'sqlite' ? `CAST("${c}" AS TEXT)` : `"${c}"::text`);
    const signed = decomposeWithMonths(f.from, f.to, allGrainsOf(cube), local);
    const only = signed.length === 1 ? signed[0]! : null;
    const keyed = new Set(keys.map((k) => k.rollup));
    if (
      only &&
      only.sign === 1 &&
      'grain' in only.piece &&
      only.piece.to - only.piece.from === 1 &&
      cube.dims.length === keys.length &&
      cube.dims.every((d) => keyed.has(dimRead(d)))
    ) {
      return Prisma.sql`SELECT ${list(keys.map((k) => (stored ? `"${k.name}"` : `${k.rollup} AS "${k.name}"`)))}, ${asText('amount')} AS "amount", ${asText('calls')} AS "count"
        FROM ${raw(`"${cube.table}"`)}
        WHERE ${Prisma.join([Prisma.sql`"grain" = ${only.piece.grain} AND "bucket" = ${only.piece.from} AND "calls" <> 0`, ...rollupFilter(f, cube)], ' AND ')}`;
    }
    const names = keys.map((k) => `"${k.name}"`);
    return Prisma.sql`SELECT ${list(names)}, ${sumText('amount')} AS "amount", ${sumText('calls')} AS "count"
      FROM (${rows(cube, f, [...keys, amount, calls], local)}) u
      GROUP BY ${list(names)} HAVING SUM("calls") <> 0`;
  }

  return { rows, summed, rollupFilter, rawFilter, rawRanges };
}

export function costQueries(db: Database): CostQueries {
  const { prisma, provider } = db;
  const raw = (s: string) => Prisma.raw(s);

  const { rows, summed, rollupFilter, rawFilter, rawRanges } = periodReader(provider);

  const sumText = (c: string) => sumAsText(provider, Prisma.raw(`"${c}"`));
  const key = (d: string): Col => ({
    name: d,
    rollup: dimRead(d as never),
    raw: d === 'correction' ? '(CASE WHEN "originalAt" IS NULL THEN 0 ELSE 1 END)' : `"${d}"`,
  });
  const num = (v: unknown) => (v === null ? null : Number(v));
  const byAmount = <T extends { amount: Money }>(xs: T[]) => xs.sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1));

  /**
   * Distinct work items per team or feature in the period: from the work-item tables when the period
   * is whole local days in the zone they are built in (src/db/work-items.ts) — its end may be "now"
   * in a running day, as the part of that day up to `to` is read from the ledger — else from the
   * ledger (a model filter, a filter on the other dimension, or a period off local midnight).
   */
  async function distinctWorkItems(f: CostFilter, by: 'team' | 'feature'): Promise<Map<number | null, number>> {
    const col = by === 'team' ? 'teamId' : 'featureId';
    const counted = (rs: { key: unknown; n: unknown }[], into = new Map<number | null, number>()) => {
      for (const r of rs) {
        const k = r.key === null || Number(r.key) === 0 ? null : Number(r.key);
        into.set(k, (into.get(k) ?? 0) + Number(r.n));
      }
      return into;
    };
    const fromLedger = async () =>
      counted(
        await prisma.$queryRaw<{ key: unknown; n: unknown }[]>`
          SELECT "${raw(col)}" AS "key", ${provider === 'sqlite' ? Prisma.sql`CAST(COUNT(DISTINCT "workItem") AS TEXT)` : Prisma.sql`COUNT(DISTINCT "workItem")::text`} AS "n"
          FROM "CostEntry" WHERE ${Prisma.join(
            [
              Prisma.sql`"occurredAt" >= ${instant(provider, f.from)} AND "occurredAt" < ${instant(provider, f.to)} AND "workItem" IS NOT NULL`,
              ...rawFilter(f),
            ],
            ' AND ',
          )}
          GROUP BY "${raw(col)}"`,
      );
    if (f.models || (by === 'team' ? f.featureIds : f.teamIds) || f.to <= f.from) return fromLedger();
    const zone = await rollupZone(db);
    if (!zone) return fromLedger();
    const days = numbering(zone);
    if (!days.startsDay(f.from)) return fromLedger();
    const keys = by === 'team' ? f.teamIds?.map((t) => t ?? 0) : f.featureIds;
    if (keys && keys.length === 0) return new Map();
    const first = days.dayOf(f.from);
    let end = days.dayOf(f.to);
    let partial: { from: Date; day: number } | null = null;
    if (!days.startsDay(f.to)) {
      // A running day: whole when nothing in the ledger is later that day (the usual "up to now").
      const later = await prisma.$queryRaw<
        { at: unknown }[]
      >`SELECT MIN("occurredAt") AS "at" FROM "CostEntry" WHERE "occurredAt" >= ${instant(provider, f.to)}`;
      const at = later[0]?.at;
      if (at === null || at === undefined || days.dayOf(new Date(at as string)) > end) end += 1;
      else {
        const from = new Date(startOfDay(f.to, { in: tz(zone) }).getTime());
        if (days.dayOf(from) !== end || !days.startsDay(from)) return fromLedger();
        partial = { from, day: end };
      }
    }
    const scope = SCOPE[by];
    const keyFilter = keys ? Prisma.sql` AND "key" IN (${Prisma.join(keys)})` : Prisma.empty;
    const out = counted(
      await prisma.$queryRaw<{ key: unknown; n: unknown }[]>`
        SELECT "key", ${sumText('items')} AS "n" FROM "WorkItemSpan"
        WHERE "scope" = ${scope} AND "day" >= ${first} AND "day" < ${end} AND "prev" < ${first}${keyFilter}
        GROUP BY "key"`,
    );
    if (partial) {
      // Items of the day's part up to `to` not active earlier in the period.
      counted(
        await prisma.$queryRaw<{ key: unknown; n: unknown }[]>`
          SELECT r."k" AS "key", ${countAsText(provider)} AS "n"
          FROM (SELECT DISTINCT COALESCE("${raw(col)}", 0) AS "k", "workItem" FROM "CostEntry"
                WHERE ${Prisma.join(
                  [
                    Prisma.sql`"occurredAt" >= ${instant(provider, partial.from)} AND "occurredAt" < ${instant(provider, f.to)} AND "workItem" IS NOT NULL`,
                    ...rawFilter(f),
                  ],
                  ' AND ',
                )}) r
          JOIN "WorkItemDay" w ON w."scope" = ${scope} AND w."key" = r."k" AND w."workItem" = r."workItem" AND w."day" = ${partial.day}
          WHERE w."prev" < ${first}
          GROUP BY r."k"`,
        out,
      );
    }
    for (const [k, n] of out) if (n === 0) out.delete(k);
    return out;
  }

  async function total(f: CostFilter): Promise<{ amount: Money; count: number }> {
    await applyRollupLog(db);
    const r = (
      await prisma.$queryRaw<{ amount: string; count: string }[]>`
      SELECT ${sumText('amount')} AS "amount", ${sumText('calls')} AS "count" FROM (${rows(narrow, f, [amount, calls])}) u`
    )[0];
    return { amount: nanos(r?.amount ?? '0'), count: Number(r?.count ?? 0) };
  }

  return {
    async groupBy(dimension, f) {
      await applyRollupLog(db);
      const col = rollupColumn[dimension];
      const cube = cubeFor(col, f);
      const local = cube.months ? await localMonthScheme(db) : null;
      // 10,000 customers: one JSON text rather than 10,000 rows through Prisma (issue 25).
      const out = await prisma.$queryRaw<
        { rows: unknown }[]
      >`${asJsonRows(provider, ['key', 'amount', 'count'], summed(cube, f, [{ ...key(col), name: 'key' }], local))}`;
      return byAmount(parseRows(out).map(([k, sum, count]) => ({ key: k === null ? null : String(k), amount: nanos(String(sum)), count: Number(count) })));
    },

    async intervalTotals(f, boundaries) {
      await applyRollupLog(db);
      // Consecutive intervals (local days or hours) share their boundaries, so each interval is read as
      // the UTC days between its boundaries' days, plus the part of the end boundary's UTC day before it,
      // minus the same for the start: S[a, b) = days[day(a), day(b)) + P(b) − P(a), with P(t) the sum of
      // t's UTC day before t. P(t) comes from hours, quarter hours and (off a quarter hour, e.g. "now") raw
      // entries — of the day's start up to t, or of t up to the day's end subtracted from the whole day,
      // whichever is shorter — so a local day costs one day row and at most 12 hours, not 24.
      if (boundaries.length < 2) return [];
      const fine = GRAINS.filter((g) => g.ms < DAY_MS);
      const dayOf = (t: Date) => Math.floor(t.getTime() / DAY_MS);
      const prefix = boundaries.map((t) => {
        const start = dayOf(t) * DAY_MS;
        const before = t.getTime() - start <= DAY_MS / 2;
        const pieces = before ? decompose(new Date(start), t, fine) : decompose(t, new Date(start + DAY_MS), fine);
        return { day: dayOf(t), before, pieces };
      });
      const firstDay = prefix[0]!.day;
      const lastDay = prefix[prefix.length - 1]!.day;
      const runs: { grain: number; from: number; to: number }[] = [{ grain: 2, from: firstDay, to: lastDay + 1 }];
      for (const p of prefix) for (const x of p.pieces) if ('grain' in x) runs.push({ grain: x.grain, from: x.from, to: x.to });
      // Merge overlapping runs of one grain so each bucket is read once.
      const merged: { grain: number; from: number; to: number }[] = [];
      for (const r of runs.sort((x, y) => x.grain - y.grain || x.from - y.from)) {
        const last = merged[merged.length - 1];
        if (last && last.grain === r.grain && last.to >= r.from) last.to = Math.max(last.to, r.to);
        else merged.push({ ...r });
      }
      const sums = new Map<string, bigint>();
      // One branch per grain: a range when its buckets are contiguous, else the list of them (the hours
      // around each boundary are many short runs).
      const branches = [...new Set(merged.map((r) => r.grain))].map((grain) => {
        const mine = merged.filter((r) => r.grain === grain);
        const buckets = mine.length === 1 ? null : mine.flatMap((r) => Array.from({ length: r.to - r.from }, (_, k) => r.from + k));
        const where = buckets
          ? Prisma.sql`"grain" = ${grain} AND "bucket" IN (${Prisma.join(buckets)})`
          : Prisma.sql`"grain" = ${grain} AND "bucket" >= ${mine[0]!.from} AND "bucket" < ${mine[0]!.to}`;
        return Prisma.sql`
          SELECT "grain", "bucket", ${sumText('amount')} AS "amount" FROM "CostRollup"
          WHERE ${Prisma.join([where, ...rollupFilter(f, narrow)], ' AND ')}
          GROUP BY "grain", "bucket"`;
      });
      for (let i = 0; i < branches.length; i += 100) {
        const found = await prisma.$queryRaw<{ grain: unknown; bucket: unknown; amount: string }[]>`${Prisma.join(branches.slice(i, i + 100), ' UNION ALL ')}`;
        for (const r of found) sums.set(`${Number(r.grain)}:${Number(r.bucket)}`, BigInt(r.amount));
      }
      const rawParts: Sql[] = [];
      prefix.forEach((p, i) => {
        const edges = rawRanges(p.pieces);
        if (edges)
          rawParts.push(
            Prisma.sql`SELECT ${i} AS "i", ${sumText('amount')} AS "amount" FROM "CostEntry" WHERE ${Prisma.join([edges, ...rawFilter(f)], ' AND ')}`,
          );
      });
      const rawSums = new Map<number, bigint>();
      for (let i = 0; i < rawParts.length; i += 100) {
        const found = await prisma.$queryRaw<{ i: unknown; amount: string }[]>`${Prisma.join(rawParts.slice(i, i + 100), ' UNION ALL ')}`;
        for (const r of found) rawSums.set(Number(r.i), BigInt(r.amount));
      }
      const day = (d: number) => sums.get(`2:${d}`) ?? 0n;
      const P = prefix.map((p, i) => {
        let part = rawSums.get(i) ?? 0n;
        for (const x of p.pieces) if ('grain' in x) for (let b = x.from; b < x.to; b++) part += sums.get(`${x.grain}:${b}`) ?? 0n;
        return p.before ? part : day(p.day) - part;
      });
      return boundaries.slice(0, -1).map((_, i) => {
        let sum = P[i + 1]! - P[i]!;
        for (let d = prefix[i]!.day; d < prefix[i + 1]!.day; d++) sum += day(d);
        return nanos(sum);
      });
    },

    async groupByIntervals(dimension, f, boundaries) {
      await applyRollupLog(db);
      // One grouped read of every interval: the rollup rows of each run of buckets, summed per key (a join
      // with the runs as a VALUES list; CROSS JOIN keeps SQLite reading the runs first, each an index range
      // of the primary key), then added into the intervals they count towards with their signs; and the raw
      // entries of the boundaries off a quarter hour.
      const intervals = Math.max(0, boundaries.length - 1);
      if (!intervals) return [];
      const col = rollupColumn[dimension];
      const cube = narrow.dims.includes(col as never) ? narrow : detail;
      const { runs, uses, raw: rawEdges } = intervalPlan(boundaries, grainsOf(cube));
      const sums: { i: number; key: string | null; amount: bigint; count: number }[] = [];
      const keyOf = (k: unknown) => (k === null ? null : String(k));
      if (runs.length) {
        const values = (xs: number[][]) => raw(xs.map((x) => `(${x.map((n) => String(Math.trunc(n))).join(', ')})`).join(', '));
        const k = raw(dimRead(col as never, 'r'));
        const inRun = Prisma.join(
          [Prisma.sql`r."grain" = "runs"."grain" AND r."bucket" >= "runs"."lo" AND r."bucket" < "runs"."hi"`, ...rollupFilter(f, cube)],
          ' AND ',
        );
        // PostgreSQL hashes the join on the grain alone and tests every rollup row against every run's
        // range (7.6M comparisons, 550 ms, at 360k entries): a LATERAL subquery, kept from being flattened
        // by OFFSET 0, makes it one primary-key range scan per run instead. SQLite has no LATERAL and
        // already reads the runs first (CROSS JOIN fixes its join order).
        const runsJoin =
          provider === 'postgresql'
            ? Prisma.sql`"runs" CROSS JOIN LATERAL (SELECT * FROM ${raw(`"${cube.table}"`)} r WHERE ${inRun} OFFSET 0) r`
            : Prisma.sql`"runs" CROSS JOIN ${raw(`"${cube.table}"`)} r WHERE ${inRun}`;
        const found = await prisma.$queryRaw<{ i: unknown; key: unknown; amount: string; count: string }[]>`
          WITH "runs" ("id", "grain", "lo", "hi") AS (VALUES ${values(runs.map((r) => [r.id, r.grain, r.from, r.to]))}),
          "uses" ("id", "i", "s") AS (VALUES ${values(uses.map((u) => [u.id, u.i, u.sign]))}),
          "part" AS (
            SELECT "runs"."id" AS "id", ${k} AS "key", SUM(r."amount") AS "amount", SUM(r."calls") AS "calls"
            FROM ${runsJoin}
            GROUP BY "runs"."id", ${k})
          SELECT "uses"."i" AS "i", "part"."key" AS "key", ${sumAsText(provider, Prisma.sql`"uses"."s" * "part"."amount"`)} AS "amount",
                 ${sumAsText(provider, Prisma.sql`"uses"."s" * "part"."calls"`)} AS "count"
          FROM "part" JOIN "uses" ON "uses"."id" = "part"."id" GROUP BY "uses"."i", "part"."key"`;
        for (const r of found) sums.push({ i: Number(r.i), key: keyOf(r.key), amount: BigInt(r.amount), count: Number(r.count) });
      }
      const edgeSign = new Map(rawEdges.map((e) => [e.boundary, e.sign]));
      const edgeRows = (e: (typeof rawEdges)[number]) =>
        Prisma.sql`SELECT ${raw(String(e.boundary))} AS "j", ${raw(`"${col}"`)} AS "key", ${sumText('amount')} AS "amount", ${countAsText(provider)} AS "count"
          FROM "CostEntry" WHERE ${Prisma.join([rawRanges(e.ranges)!, ...rawFilter(f)], ' AND ')} GROUP BY ${raw(`"${col}"`)}`;
      for (let start = 0; start < rawEdges.length; start += 100) {
        const parts = rawEdges.slice(start, start + 100).map(edgeRows);
        const found = await prisma.$queryRaw<{ j: unknown; key: unknown; amount: string; count: string }[]>`${Prisma.join(parts, ' UNION ALL ')}`;
        for (const r of found) {
          const j = Number(r.j);
          const sign = edgeSign.get(j)!;
          const amount = BigInt(r.amount) * BigInt(sign);
          const count = Number(r.count) * sign;
          // P(t) ends the interval before t and starts the one after it.
          if (j > 0) sums.push({ i: j - 1, key: keyOf(r.key), amount, count });
          if (j < intervals) sums.push({ i: j, key: keyOf(r.key), amount: -amount, count: -count });
        }
      }
      return intervalGroups(intervals, sums);
    },

    async teamFeatureSummary(f) {
      await applyRollupLog(db);
      const unpriced: Col = {
        name: 'unpriced',
        rollup: `CASE WHEN "pricedBy" = 'unpriced' THEN "calls" ELSE 0 END`,
        raw: `CASE WHEN "pricedBy" = 'unpriced' THEN 1 ELSE 0 END`,
        measure: true,
      };
      const out = await prisma.$queryRaw<{ teamId: unknown; featureId: unknown; amount: string; count: string; unpriced: string }[]>`
        SELECT "teamId", "featureId", ${sumText('amount')} AS "amount", ${sumText('calls')} AS "count", ${sumText('unpriced')} AS "unpriced"
        FROM (${rows(narrow, f, [key('teamId'), key('featureId'), amount, calls, unpriced])}) u
        GROUP BY "teamId", "featureId" HAVING SUM("calls") <> 0`;
      return out.map((r) => ({
        teamId: num(r.teamId),
        featureId: num(r.featureId),
        amount: nanos(r.amount),
        count: Number(r.count),
        unpriced: Number(r.unpriced),
      }));
    },

    async usage(f, by) {
      await applyRollupLog(db);
      const col = by === 'team' ? 'teamId' : 'featureId';
      const tokens: Col = { name: 'tokens', rollup: '"inputTokens" + "outputTokens"', raw: '"inputTokens" + "outputTokens"', measure: true };
      const [volume, items] = await Promise.all([
        prisma.$queryRaw<{ key: unknown; requests: string; tokens: string }[]>`
          SELECT "k" AS "key", ${sumText('calls')} AS "requests", ${sumText('tokens')} AS "tokens"
          FROM (${rows(narrow, f, [{ ...key(col), name: 'k' }, calls, tokens])}) u GROUP BY "k" HAVING SUM("calls") <> 0`,
        distinctWorkItems(f, by),
      ]);
      return volume.map((r) => ({ key: num(r.key), requests: Number(r.requests), tokens: BigInt(r.tokens), workItems: items.get(num(r.key)) ?? 0 }));
    },

    async teamSourceSummary(f) {
      await applyRollupLog(db);
      const out = await prisma.$queryRaw<{ teamId: unknown; source: string; correction: unknown; amount: string; count: string }[]>`
        SELECT "teamId", "source", "correction", ${sumText('amount')} AS "amount", ${sumText('calls')} AS "count"
        FROM (${rows(narrow, f, [key('teamId'), key('source'), key('correction'), amount, calls])}) u
        GROUP BY "teamId", "source", "correction" HAVING SUM("calls") <> 0`;
      return out.map((r) => ({
        teamId: num(r.teamId),
        source: r.source,
        correction: Number(r.correction) === 1,
        amount: nanos(r.amount),
        count: Number(r.count),
      }));
    },

    total,
  };
}

/**
 * The customer answers' reads (`margin`, `customer <id>`, issue 25) from the rollups, with the results of
 * the ledger reads in customer-costs.ts: direct spend per (team, customer) from the per-customer-and-team
 * rollup — a month is one bucket of it, whatever the number of calls — and one customer's spend by
 * feature and model from the detail rollup, through its index on the customer. Customer ids are the
 * sources' own; aliases are applied by the caller.
 */
export function customerRollupQueries(db: Database) {
  const { prisma, provider } = db;
  const { rows, summed } = periodReader(provider);
  const sumText = (c: string) => sumAsText(provider, Prisma.raw(`"${c}"`));
  const key = (d: 'teamId' | 'featureId' | 'model' | 'customer'): Col => ({ name: d, rollup: dimRead(d), raw: `"${d}"` });
  const num = (v: unknown) => (v === null ? null : Number(v));
  return {
    async customerSpend(f: { from: Date; to: Date }): Promise<CustomerSpend[]> {
      await applyRollupLog(db);
      const local = await localMonthScheme(db);
      return parseCustomerSpend(
        await prisma.$queryRaw<{ rows: unknown }[]>`${customerSpendSql(provider, summed(customerTeams, f, [key('teamId'), key('customer')], local, true))}`,
      );
    },

    /**
     * Some customer ids' direct spend per (team, customer) (`customer <id>`, issue 25): from the detail rollup
     * through its index on the customer, so it reads that customer's buckets, not every customer's.
     */
    async teamCustomerSummaryOf(
      f: { from: Date; to: Date },
      names: string[],
    ): Promise<{ teamId: number | null; customer: string | null; amount: Money; count: number }[]> {
      await applyRollupLog(db);
      const out = await prisma.$queryRaw<{ teamId: unknown; customer: string | null; amount: string; count: string }[]>`
        SELECT "teamId", "customer", ${sumText('amount')} AS "amount", ${sumText('calls')} AS "count"
        FROM (${rows(detail, { ...f, customers: names }, [key('teamId'), key('customer'), amount, calls])}) u
        GROUP BY "teamId", "customer" HAVING SUM("calls") <> 0`;
      return out.map((r) => ({ teamId: num(r.teamId), customer: r.customer, amount: nanos(r.amount), count: Number(r.count) }));
    },

    async customerBreakdown(
      f: { from: Date; to: Date },
      names: string[],
    ): Promise<{ featureId: number | null; model: string | null; amount: Money; count: number; unpriced: number }[]> {
      await applyRollupLog(db);
      const unpriced: Col = {
        name: 'unpriced',
        rollup: `CASE WHEN "pricedBy" = 'unpriced' THEN "calls" ELSE 0 END`,
        raw: `CASE WHEN "pricedBy" = 'unpriced' THEN 1 ELSE 0 END`,
        measure: true,
      };
      const out = await prisma.$queryRaw<{ featureId: unknown; model: string | null; amount: string; count: string; unpriced: string }[]>`
        SELECT "featureId", "model", ${sumText('amount')} AS "amount", ${sumText('calls')} AS "count", ${sumText('unpriced')} AS "unpriced"
        FROM (${rows(detail, { ...f, customers: names }, [key('featureId'), key('model'), amount, calls, unpriced])}) u
        GROUP BY "featureId", "model" HAVING SUM("calls") <> 0`;
      return out.map((r) => ({ featureId: num(r.featureId), model: r.model, amount: nanos(r.amount), count: Number(r.count), unpriced: Number(r.unpriced) }));
    },

    /** Whether the ledger has any entry under one of these customer ids (an index lookup). */
    async hasCustomer(names: string[]): Promise<boolean> {
      const ids = names.filter((n) => n !== '');
      if (!ids.length) return false;
      await applyRollupLog(db);
      const found = await prisma.$queryRaw<unknown[]>`
        SELECT 1 FROM "CostRollupDetail" WHERE "customer" IN (${Prisma.join(ids)}) AND "grain" = 2 AND "calls" <> 0 LIMIT 1`;
      return found.length > 0;
    },

    /** Every customer id the ledger has seen (for suggestions): one row per customer and month. */
    async knownCustomers(): Promise<string[]> {
      await applyRollupLog(db);
      const found = await prisma.$queryRaw<{ customer: string }[]>`
        SELECT DISTINCT "customer" FROM "CustomerRollup" WHERE "grain" = 4 AND "calls" <> 0 AND "customer" <> ''`;
      return found.map((r) => r.customer);
    },
  };
}
