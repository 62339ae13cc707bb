-- AlterTable
ALTER TABLE "CostEntry" ADD COLUMN "cacheReadTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "cacheWriteTokens" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Revenue" (
    "id" SERIAL NOT NULL,
    "customer" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "plan" TEXT,
    "importId" TEXT NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "importedBy" TEXT NOT NULL,

    CONSTRAINT "Revenue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerAlias" (
    "alias" TEXT NOT NULL,
    "customer" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerAlias_pkey" PRIMARY KEY ("alias")
);

-- CreateIndex
CREATE INDEX "Revenue_month_idx" ON "Revenue"("month");

-- CreateIndex
CREATE UNIQUE INDEX "Revenue_customer_month_key" ON "Revenue"("customer", "month");
