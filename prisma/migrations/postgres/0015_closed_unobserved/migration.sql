-- A closed month's unobserved bill spend, frozen when it closes, and the corrections of it booked later
-- into the open month (issue 21 item 2).
-- CreateTable
CREATE TABLE "UnobservedBook" (
    "id" SERIAL NOT NULL,
    "month" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "teamId" INTEGER,
    "amount" BIGINT NOT NULL,
    "note" TEXT NOT NULL,
    "bookedAt" TIMESTAMP(3) NOT NULL,
    "seqKey" TEXT,

    CONSTRAINT "UnobservedBook_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "UnobservedBook_seqKey_key" ON "UnobservedBook"("seqKey");

-- CreateIndex
CREATE INDEX "UnobservedBook_month_kind_idx" ON "UnobservedBook"("month", "kind");

-- CreateIndex
CREATE INDEX "UnobservedBook_kind_day_idx" ON "UnobservedBook"("kind", "day");
