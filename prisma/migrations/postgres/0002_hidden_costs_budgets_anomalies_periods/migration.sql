-- DropIndex
DROP INDEX "CostEntry_occurredAt_teamId_amount_idx";

-- DropIndex
DROP INDEX "CostEntry_teamId_occurredAt_amount_idx";

-- DropIndex
DROP INDEX "CostEntry_featureId_occurredAt_idx";

-- AlterTable
ALTER TABLE "Feature" ADD COLUMN     "baselinePerUnit" BIGINT;

-- AlterTable
ALTER TABLE "CostEntry" ADD COLUMN     "correctionOf" INTEGER,
ADD COLUMN     "originalAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "FeatureAlias" (
    "alias" TEXT NOT NULL,
    "featureId" INTEGER NOT NULL,

    CONSTRAINT "FeatureAlias_pkey" PRIMARY KEY ("alias")
);

-- CreateTable
CREATE TABLE "CostCategory" (
    "name" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CostCategory_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "HiddenCost" (
    "id" SERIAL NOT NULL,
    "category" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "date" TEXT,
    "fromMonth" TEXT,
    "untilMonth" TEXT,
    "unit" TEXT,
    "targetType" TEXT NOT NULL,
    "teamId" INTEGER,
    "featureId" INTEGER,
    "rule" TEXT,
    "note" TEXT,
    "author" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "HiddenCost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostClaim" (
    "key" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "messageTs" TEXT,
    "amount" BIGINT,
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "postedAt" TIMESTAMP(3),

    CONSTRAINT "PostClaim_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "OverrunRequest" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "automatic" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decidedAmount" BIGINT,
    "decisionReason" TEXT,
    "channelId" TEXT,
    "messageTs" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OverrunRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnomalyIncident" (
    "id" SERIAL NOT NULL,
    "scope" TEXT NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "teamId" INTEGER,
    "direction" TEXT NOT NULL,
    "startDay" TEXT NOT NULL,
    "lastDay" TEXT NOT NULL,
    "actual" BIGINT NOT NULL,
    "expected" BIGINT NOT NULL,
    "impact" BIGINT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "feedbackBy" TEXT,
    "feedbackAt" TIMESTAMP(3),
    "channelId" TEXT,
    "messageTs" TEXT,
    "financeTs" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnomalyIncident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountingPeriod" (
    "month" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closedAt" TIMESTAMP(3),
    "closedBy" TEXT,
    "reopenedAt" TIMESTAMP(3),
    "reopenedBy" TEXT,
    "finalizedAt" TIMESTAMP(3),
    "finalizedBy" TEXT,
    "snapshot" TEXT,

    CONSTRAINT "AccountingPeriod_pkey" PRIMARY KEY ("month")
);

-- CreateIndex
CREATE INDEX "HiddenCost_targetType_deletedAt_idx" ON "HiddenCost"("targetType", "deletedAt");

-- CreateIndex
CREATE INDEX "OverrunRequest_status_idx" ON "OverrunRequest"("status");

-- CreateIndex
CREATE INDEX "OverrunRequest_teamId_month_idx" ON "OverrunRequest"("teamId", "month");

-- CreateIndex
CREATE INDEX "AnomalyIncident_lastDay_idx" ON "AnomalyIncident"("lastDay");

-- CreateIndex
CREATE UNIQUE INDEX "AnomalyIncident_scope_scopeKey_startDay_key" ON "AnomalyIncident"("scope", "scopeKey", "startDay");

-- CreateIndex
CREATE INDEX "CostEntry_occurredAt_teamId_featureId_pricedBy_amount_idx" ON "CostEntry"("occurredAt", "teamId", "featureId", "pricedBy", "amount");

-- CreateIndex
CREATE INDEX "CostEntry_teamId_occurredAt_featureId_pricedBy_amount_idx" ON "CostEntry"("teamId", "occurredAt", "featureId", "pricedBy", "amount");

-- CreateIndex
CREATE INDEX "CostEntry_featureId_occurredAt_amount_idx" ON "CostEntry"("featureId", "occurredAt", "amount");

-- AddForeignKey
ALTER TABLE "FeatureAlias" ADD CONSTRAINT "FeatureAlias_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Built-in hidden-cost categories.
INSERT INTO "CostCategory" ("name", "label", "builtIn") VALUES
  ('human_review', 'Human review', true),
  ('embeddings', 'Embeddings', true),
  ('vector_db', 'Vector database', true),
  ('integrations', 'Integrations', true),
  ('infrastructure', 'Infrastructure', true),
  ('observability', 'Observability', true),
  ('retries', 'Retries', true),
  ('other', 'Other', true);
