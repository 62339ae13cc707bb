-- CreateTable
CREATE TABLE "Team" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "channelId" TEXT,
    "leadUserIds" TEXT NOT NULL DEFAULT '',
    "memberUserIds" TEXT NOT NULL DEFAULT '',
    "userGroupId" TEXT,
    "costCenter" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TeamAlias" (
    "alias" TEXT NOT NULL PRIMARY KEY,
    "teamId" INTEGER NOT NULL,
    CONSTRAINT "TeamAlias_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Feature" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "teamId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Feature_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CostEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "teamId" INTEGER,
    "featureId" INTEGER,
    "environment" TEXT,
    "customer" TEXT,
    "workItem" TEXT,
    "model" TEXT,
    "provider" TEXT,
    "category" TEXT NOT NULL DEFAULT 'api',
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "amount" BIGINT NOT NULL,
    "pricedBy" TEXT NOT NULL DEFAULT 'source',
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CostEntry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "CostEntry_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Budget" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "teamId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedBy" TEXT,
    CONSTRAINT "Budget_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "before" TEXT,
    "after" TEXT,
    "reason" TEXT
);

-- CreateTable
CREATE TABLE "JobClaim" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "claimedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedBy" TEXT NOT NULL,
    "doneAt" DATETIME
);

-- CreateTable
CREATE TABLE "SyncState" (
    "source" TEXT NOT NULL PRIMARY KEY,
    "watermark" DATETIME,
    "lastRunAt" DATETIME,
    "lastSuccess" DATETIME,
    "lastError" TEXT,
    "lastErrorAt" DATETIME,
    "recordsTotal" INTEGER NOT NULL DEFAULT 0,
    "lastRecords" INTEGER NOT NULL DEFAULT 0,
    "lastPages" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE UNIQUE INDEX "Team_slug_key" ON "Team"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Feature_slug_key" ON "Feature"("slug");

-- CreateIndex
CREATE INDEX "CostEntry_occurredAt_teamId_amount_idx" ON "CostEntry"("occurredAt", "teamId", "amount");

-- CreateIndex
CREATE INDEX "CostEntry_teamId_occurredAt_amount_idx" ON "CostEntry"("teamId", "occurredAt", "amount");

-- CreateIndex
CREATE INDEX "CostEntry_featureId_occurredAt_idx" ON "CostEntry"("featureId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "CostEntry_source_sourceId_key" ON "CostEntry"("source", "sourceId");

-- CreateIndex
CREATE UNIQUE INDEX "Budget_teamId_month_key" ON "Budget"("teamId", "month");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

