import { calcPrice, findProvider, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import type { CallUsage, KnownModel, PriceTable } from '../services/price-table.ts';
import { estimateCost } from './pricing.ts';

/**
 * The `PriceTable` port over the bundled `@pydantic/genai-prices` table: every price is the table's
 * own calculation at the call's instant (`estimateCost`, the same path the sync prices unpriced
 * records with), so a dated price change applies from its start date on.
 */

/** Models a text what-if should not propose: audio, realtime, speech, images, embeddings, search, moderation, fine-tunes. */
const NOT_TEXT = /audio|realtime|tts|transcribe|whisper|image|embedding|search|moderation|computer-use|deep-research|^ft:|:extended|vision/i;

export function familyOf(modelId: string): string {
  return /^[a-z]+/i.exec(modelId)?.[0]?.toLowerCase() ?? modelId.toLowerCase();
}

function hasTextPrices(m: ModelInfo): boolean {
  const entries = Array.isArray(m.prices) ? m.prices.map((p) => p.prices) : [m.prices];
  return entries.some((p) => p.input_mtok !== undefined && p.output_mtok !== undefined);
}

export function genaiPriceTable(): PriceTable {
  const providers = new Map<string, Provider | undefined>();
  const provider = (id: string) => {
    if (!providers.has(id)) providers.set(id, findProvider({ providerId: id }));
    return providers.get(id);
  };
  return {
    price(model: string, providerId: string | null, usage: CallUsage, at: Date) {
      return estimateCost({ model, provider: providerId, usage, at });
    },
    identify(model: string, providerId: string | null, at: Date): KnownModel | null {
      const usage = { input_tokens: 1, output_tokens: 1 };
      const p = providerId ? provider(providerId.toLowerCase()) : undefined;
      try {
        const r = (p ? calcPrice(usage, model, { provider: p, timestamp: at }) : null) ?? calcPrice(usage, model, { timestamp: at });
        return r ? { modelId: r.model.id, providerId: r.provider.id, family: familyOf(r.model.id) } : null;
      } catch {
        return null;
      }
    },
    familyModels(providerId: string, family: string): string[] {
      const p = provider(providerId);
      if (!p) return [];
      return p.models.filter((m) => !m.deprecated && familyOf(m.id) === family && !NOT_TEXT.test(m.id) && hasTextPrices(m)).map((m) => m.id);
    },
  };
}
