-- CreateTable
CREATE TABLE "BilledCost" (
    "id" SERIAL NOT NULL,
    "provider" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "lineItem" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BilledCost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BillingMapping" (
    "provider" TEXT NOT NULL,
    "scopeType" TEXT NOT NULL,
    "scopeId" TEXT NOT NULL,
    "teamId" INTEGER NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BillingMapping_pkey" PRIMARY KEY ("provider","scopeId")
);

-- CreateTable
CREATE TABLE "ImportedCharge" (
    "id" SERIAL NOT NULL,
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
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportedCharge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BilledCost_day_idx" ON "BilledCost"("day");

-- CreateIndex
CREATE UNIQUE INDEX "BilledCost_provider_day_scope_lineItem_key" ON "BilledCost"("provider", "day", "scope", "lineItem");

-- CreateIndex
CREATE UNIQUE INDEX "ImportedCharge_rowKey_key" ON "ImportedCharge"("rowKey");

-- CreateIndex
CREATE INDEX "ImportedCharge_day_idx" ON "ImportedCharge"("day");
