-- AlterTable
ALTER TABLE "ImportedCharge" ADD COLUMN "chargeKey" TEXT,
ADD COLUMN "originalDay" TEXT,
ADD COLUMN "unassigned" TEXT;

-- CreateTable
CREATE TABLE "ImportedChargeStage" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportedChargeStage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImportedCharge_chargeKey_idx" ON "ImportedCharge"("chargeKey");

-- CreateIndex
CREATE INDEX "ImportedChargeStage_importId_idx" ON "ImportedChargeStage"("importId");
