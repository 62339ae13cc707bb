-- CreateTable
CREATE TABLE "SlackRequestKey" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SlackRequestKey_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "RejectedRecord" (
    "id" SERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "occurredAt" TEXT,
    "cost" TEXT,
    "firstSeen" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,
    "seenCount" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "RejectedRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SlackRequestKey_at_idx" ON "SlackRequestKey"("at");

-- CreateIndex
CREATE INDEX "RejectedRecord_source_lastSeen_idx" ON "RejectedRecord"("source", "lastSeen");

-- CreateIndex
CREATE UNIQUE INDEX "RejectedRecord_source_sourceId_key" ON "RejectedRecord"("source", "sourceId");
