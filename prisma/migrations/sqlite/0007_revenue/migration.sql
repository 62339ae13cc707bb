-- AlterTable
ALTER TABLE "CostEntry" ADD COLUMN "cacheReadTokens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "CostEntry" ADD COLUMN "cacheWriteTokens" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Revenue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "customer" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "plan" TEXT,
    "importId" TEXT NOT NULL,
    "importedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "importedBy" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "CustomerAlias" (
    "alias" TEXT NOT NULL PRIMARY KEY,
    "customer" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Revenue_month_idx" ON "Revenue"("month");

-- CreateIndex
CREATE UNIQUE INDEX "Revenue_customer_month_key" ON "Revenue"("customer", "month");
