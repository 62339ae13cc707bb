import { readFileSync } from 'node:fs';
import type { SourcesConfig } from '../config.ts';
import type { SourceClient } from '../services/ports/source.ts';
import { parseAttributionConfig, type AttributionConfig } from './attribution.ts';
import { createHeliconeClient } from './helicone/client.ts';
import { createLangfuseClient } from './langfuse/client.ts';
import { createAnthropicCostClient } from './billing/anthropic-cost-report.ts';
import { createOpenAiCostsClient } from './billing/openai-costs.ts';
import type { BillingClient } from '../services/ports/billing-source.ts';

/** The attribution mapping: the defaults, or ATTRIBUTION_FILE's JSON (see docs/data.md, "Attribution"). */
export function loadAttribution(file: string | undefined): AttributionConfig {
  if (!file) return parseAttributionConfig({});
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`ATTRIBUTION_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  return parseAttributionConfig(json);
}

/** One client per source whose credentials are set; a source without them is off. */
export function sourceClients(config: SourcesConfig): SourceClient[] {
  const attribution = loadAttribution(config.ATTRIBUTION_FILE);
  const clients: SourceClient[] = [];
  if (config.HELICONE_API_KEY) clients.push(createHeliconeClient({ apiKey: config.HELICONE_API_KEY, baseUrl: config.HELICONE_BASE_URL, attribution }));
  if (config.LANGFUSE_PUBLIC_KEY && config.LANGFUSE_SECRET_KEY) {
    clients.push(
      createLangfuseClient({ publicKey: config.LANGFUSE_PUBLIC_KEY, secretKey: config.LANGFUSE_SECRET_KEY, baseUrl: config.LANGFUSE_BASE_URL, attribution }),
    );
  }
  return clients;
}

/** The provider billing clients (OpenAI costs, Anthropic cost report): each is off without its admin key. */
export function billingClients(
  config: Pick<SourcesConfig, 'OPENAI_ADMIN_KEY' | 'OPENAI_BASE_URL' | 'ANTHROPIC_ADMIN_KEY' | 'ANTHROPIC_BASE_URL'>,
): BillingClient[] {
  const out: BillingClient[] = [];
  if (config.OPENAI_ADMIN_KEY) out.push(createOpenAiCostsClient({ adminKey: config.OPENAI_ADMIN_KEY, baseUrl: config.OPENAI_BASE_URL }));
  if (config.ANTHROPIC_ADMIN_KEY) out.push(createAnthropicCostClient({ adminKey: config.ANTHROPIC_ADMIN_KEY, baseUrl: config.ANTHROPIC_BASE_URL }));
  return out;
}
