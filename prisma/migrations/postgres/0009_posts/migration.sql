-- Issue 12: posts re-rendered from what they showed (anomaly feedback, decided budget requests).
-- AlterTable
ALTER TABLE "AnomalyIncident" ADD COLUMN "post" TEXT;

-- AlterTable
ALTER TABLE "OverrunRequest" ADD COLUMN "context" TEXT;
