-- CreateTable
CREATE TABLE "BilledCost" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "provider" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "lineItem" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "fetchedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "BillingMapping" (
    "provider" TEXT NOT NULL,
    "scopeType" TEXT NOT NULL,
    "scopeId" TEXT NOT NULL,
    "teamId" INTEGER NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("provider", "scopeId")
);

-- CreateTable
CREATE TABLE "ImportedCharge" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "rowKey" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "teamId" INTEGER,
    "featureId" INTEGER,
    "providerName" TEXT,
    "serviceName" TEXT,
    "description" TEXT,
    "file" TEXT NOT NULL,
    "importedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "BilledCost_day_idx" ON "BilledCost"("day");

-- CreateIndex
CREATE UNIQUE INDEX "BilledCost_provider_day_scope_lineItem_key" ON "BilledCost"("provider", "day", "scope", "lineItem");

-- CreateIndex
CREATE UNIQUE INDEX "ImportedCharge_rowKey_key" ON "ImportedCharge"("rowKey");

-- CreateIndex
CREATE INDEX "ImportedCharge_day_idx" ON "ImportedCharge"("day");
