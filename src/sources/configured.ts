import { readFileSync } from 'node:fs';
import type { SourcesConfig } from '../config.ts';
import type { SourceClient } from '../services/ports/source.ts';
import { parseAttributionConfig, type AttributionConfig } from './attribution.ts';
import { createHeliconeClient } from './helicone/client.ts';
import { createLangfuseClient } from './langfuse/client.ts';

/** The attribution mapping: the defaults, or ATTRIBUTION_FILE's JSON (see README, "Attribution"). */
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
    clients.push(createLangfuseClient({ publicKey: config.LANGFUSE_PUBLIC_KEY, secretKey: config.LANGFUSE_SECRET_KEY, baseUrl: config.LANGFUSE_BASE_URL, attribution }));
  }
  return clients;
}
