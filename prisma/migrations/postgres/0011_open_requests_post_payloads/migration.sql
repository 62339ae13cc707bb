-- Issue 23: one open budget request per team and month; pending posts keep their message for a retry.
-- AlterTable
ALTER TABLE "OverrunRequest" ADD COLUMN "openKey" TEXT;

-- AlterTable
ALTER TABLE "PostClaim" ADD COLUMN "payload" TEXT;

-- The newest pending request of each team and month becomes its open request; older duplicates stay
-- pending (finance can still decide them) without the key.
UPDATE "OverrunRequest" SET "openKey" = CAST("teamId" AS TEXT) || ':' || "month"
WHERE "status" = 'pending' AND "id" = (
  SELECT MAX(o."id") FROM "OverrunRequest" o WHERE o."teamId" = "OverrunRequest"."teamId" AND o."month" = "OverrunRequest"."month" AND o."status" = 'pending'
);

-- CreateIndex
CREATE UNIQUE INDEX "OverrunRequest_openKey_key" ON "OverrunRequest"("openKey");
