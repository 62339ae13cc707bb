-- The ledger's negative entries (a lower re-costing of a closed month, booked as a correction; issue 25).
-- `customer <id>` splits a team's hidden and shared costs by its customers' positive net spend; when no
-- entry of the month is negative, that is the team's total, read from the rollups. This partial index
-- finds the month's negative entries and their customers without scanning the month. Prisma's schema
-- cannot declare a partial index, so it lives here only.
CREATE INDEX "CostEntry_negative_idx" ON "CostEntry"("occurredAt", "customer") WHERE "amount" < 0;
