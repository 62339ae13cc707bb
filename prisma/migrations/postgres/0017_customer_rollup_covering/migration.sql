-- The customer rollups' primary keys carry "amount" and "calls" (issue 25), so PostgreSQL answers a
-- customer read (`top customers`, `margin`) from the index alone: a month bucket's rows were fetched from
-- the heap one page each (37,933 pages for the 37,669 rows of a month at 1M entries; 27 ms of a 97 ms
-- query), and the planner's parallel plan for that read took twice as long again. Measured on the 1M /
-- 10,000-customer latency bench, the same database before and after, twice each: `top customers 30d`
-- p50 98 -> 45-57 ms, `margin last month` p50 225 -> 166-179 ms. Writes in 1,000-row batches (a sync's)
-- were not measurably slower (6.3-6.7 s against 5.3-7.1 s per 10,000 entries). Prisma's schema cannot
-- declare INCLUDE columns, so they live here only; the key columns, and so ON CONFLICT, are unchanged.
-- On a large ledger this rebuilds both keys once, at start, with the tables locked: 33 s for the 45M rows
-- of a 10M-entry ledger. A month's bucket is then read from the index only once autovacuum has marked
-- its pages all-visible (at once after `VACUUM`); until then it reads as fast as before.
-- SQLite is unchanged: a table's key changes there only by rebuilding the table, and its `top customers`
-- answers are under 100 ms at 10M entries already (docs/benchmarks.md).
ALTER TABLE "CustomerRollup" DROP CONSTRAINT "CustomerRollup_pkey",
  ADD CONSTRAINT "CustomerRollup_pkey" PRIMARY KEY ("grain", "bucket", "customer") INCLUDE ("amount", "calls");

ALTER TABLE "CustomerTeamRollup" DROP CONSTRAINT "CustomerTeamRollup_pkey",
  ADD CONSTRAINT "CustomerTeamRollup_pkey" PRIMARY KEY ("grain", "bucket", "customer", "teamId") INCLUDE ("amount", "calls");
