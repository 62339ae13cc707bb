-- CreateTable
CREATE TABLE "Adjustment" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Adjustment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Adjustment_month_idx" ON "Adjustment"("month");

