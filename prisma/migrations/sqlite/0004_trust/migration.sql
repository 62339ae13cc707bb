-- CreateTable
CREATE TABLE "SlackRequestKey" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RejectedRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "occurredAt" TEXT,
    "cost" TEXT,
    "firstSeen" DATETIME NOT NULL,
    "lastSeen" DATETIME NOT NULL,
    "seenCount" INTEGER NOT NULL DEFAULT 1
);

-- CreateIndex
CREATE INDEX "SlackRequestKey_at_idx" ON "SlackRequestKey"("at");

-- CreateIndex
CREATE INDEX "RejectedRecord_source_lastSeen_idx" ON "RejectedRecord"("source", "lastSeen");

-- CreateIndex
CREATE UNIQUE INDEX "RejectedRecord_source_sourceId_key" ON "RejectedRecord"("source", "sourceId");
