-- AlterTable
ALTER TABLE "ImportedCharge" ADD COLUMN "chargeKey" TEXT;
ALTER TABLE "ImportedCharge" ADD COLUMN "originalDay" TEXT;
ALTER TABLE "ImportedCharge" ADD COLUMN "unassigned" TEXT;

-- CreateTable
CREATE TABLE "ImportedChargeStage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "importId" TEXT NOT NULL,
    "rowKey" TEXT NOT NULL,
    "chargeKey" TEXT,
    "day" TEXT NOT NULL,
    "originalDay" TEXT,
    "category" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "teamId" INTEGER,
    "featureId" INTEGER,
    "providerName" TEXT,
    "serviceName" TEXT,
    "description" TEXT,
    "file" TEXT NOT NULL,
    "unassigned" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ImportedCharge_chargeKey_idx" ON "ImportedCharge"("chargeKey");

-- CreateIndex
CREATE INDEX "ImportedChargeStage_importId_idx" ON "ImportedChargeStage"("importId");
