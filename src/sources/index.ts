/** The sources module: clients for Helicone and Langfuse, attribution, pricing and the resumable sync. */
export type { CostStore, NormalizedCost, SourceClient, SourceName, SyncStatePatch, UpsertCounts } from '../services/ports/source.ts';
export { SourceHttpError, type HttpOptions } from './http.ts';
export { createHeliconeClient, type HeliconeClientOptions } from './helicone/client.ts';
export { createLangfuseClient, type LangfuseClientOptions } from './langfuse/client.ts';
export {
  DEFAULT_ATTRIBUTION,
  attributionConfigSchema,
  parseAttributionConfig,
  type AttributionConfig,
  type AttributionConfigInput,
} from './attribution.ts';
export { estimateCost, priceRecord } from './pricing.ts';
export { syncAll, syncSource, type SyncOptions, type SyncProgress, type SyncResult, type SyncSourceOptions } from '../services/source-sync.ts';
