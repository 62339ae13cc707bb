-- Bill rows per API key (issue 22 item 6): OpenAI's costs grouped by api_key_id, mapped to teams by key.
ALTER TABLE "BilledCost" ADD COLUMN "apiKey" TEXT NOT NULL DEFAULT '';

DROP INDEX "BilledCost_provider_day_scope_lineItem_key";

CREATE UNIQUE INDEX "BilledCost_provider_day_scope_apiKey_lineItem_key" ON "BilledCost"("provider", "day", "scope", "apiKey", "lineItem");
