import type { ModelInfo, Provider } from '@pydantic/genai-prices';
import { genaiPrices } from './genai-prices.ts';
import type { CallUsage, KnownModel, PriceTable } from '../services/price-table.ts';
import { nanos } from '../domain/money.ts';
import { estimateCost } from './pricing.ts';

/**
 * The `PriceTable` port over the bundled `@pydantic/genai-prices` table: every price is the table's
 * own calculation at the call's instant (`estimateCost`, the same path the sync prices unpriced
 * records with), so a dated price change applies from its start date on.
 */

/** Models a text what-if should not propose: audio, realtime, speech, images, embeddings, search, moderation, fine-tunes. */
const NOT_TEXT = /audio|realtime|tts|transcribe|whisper|image|embedding|search|moderation|computer-use|deep-research|^ft:|:extended|vision/i;

/**
 * A model's family: its leading name and major version, so a switch stays within one generation of one
 * product line ("gpt-4o" and "gpt-4.1-nano" → gpt-4; "claude-3-5-sonnet" and "claude-3-haiku" →
 * claude-3; "claude-sonnet-4-6" → claude-4; "o3-mini" → o-3; "gpt-oss-20b" → gpt-20, not gpt-4).
 * One word may sit between the name and the version ("claude-sonnet-4-6"); an id with no version is its
 * own name ("mistral-medium-latest" → mistral).
 */
export function familyOf(modelId: string): string {
  const id = modelId.toLowerCase();
  const m = /^([a-z]+)[-_.]?(?:[a-z]+[-_.])?(\d+)/.exec(id);
  if (m) return `${m[1]}-${m[2]}`;
  return /^[a-z]+/.exec(id)?.[0] ?? id;
}

function hasTextPrices(m: ModelInfo): boolean {
  const entries = Array.isArray(m.prices) ? m.prices.map((p) => p.prices) : [m.prices];
  return entries.some((p) => p.input_mtok !== undefined && p.output_mtok !== undefined);
}

/**
 * Whether the model's price is linear in tokens within a UTC day: no tiered (long-context) prices and
 * no time-of-day prices. Then the calls of one day can be priced together, which is the same sum as
 * pricing them one by one (but about a thousand times faster for a month of calls).
 */
function linearPerDay(m: ModelInfo): boolean {
  const entries = Array.isArray(m.prices) ? m.prices : [{ prices: m.prices }];
  return entries.every((e) => {
    const c = (e as { constraint?: { type: string } }).constraint;
    return (c === undefined || c.type === 'start_date') && Object.values(e.prices).every((v) => v === undefined || typeof v === 'number');
  });
}

/** Cache tokens are part of input; a source that reported input without them gets them added back (as pricing.ts does). */
function normalized(u: CallUsage): CallUsage {
  const cached = u.cacheRead + u.cacheWrite;
  return cached > u.input ? { ...u, input: u.input + cached } : u;
}

export function genaiPriceTable(): PriceTable {
  const calcPrice: ReturnType<typeof genaiPrices>['calcPrice'] = (...args) => genaiPrices().calcPrice(...args);
  const findProvider: ReturnType<typeof genaiPrices>['findProvider'] = (...args) => genaiPrices().findProvider(...args);
  const providers = new Map<string, Provider | undefined>();
  const provider = (id: string) => {
    if (!providers.has(id)) providers.set(id, findProvider({ providerId: id }));
    return providers.get(id);
  };
  /** The table's record of a model at an instant (by provider when given, else by name alone). */
  function modelInfo(model: string, providerId: string | null, at: Date): ModelInfo | null {
    const p = providerId ? provider(providerId.toLowerCase()) : undefined;
    try {
      const usage = { input_tokens: 1, output_tokens: 1 };
      return ((p ? calcPrice(usage, model, { provider: p, timestamp: at }) : null) ?? calcPrice(usage, model, { timestamp: at }))?.model ?? null;
    } catch {
      return null;
    }
  }
  return {
    price(model: string, providerId: string | null, usage: CallUsage, at: Date) {
      return estimateCost({ model, provider: providerId, usage, at });
    },
    priceCalls(model: string, providerId: string | null, calls: readonly { usage: CallUsage; at: Date }[]) {
      const missing = new Set<string>();
      let total = 0n;
      const info = calls.length ? modelInfo(model, providerId, calls[0]!.at) : null;
      if (info && linearPerDay(info)) {
        const days = new Map<string, { usage: CallUsage; at: Date }>();
        for (const c of calls) {
          const day = c.at.toISOString().slice(0, 10);
          const u = normalized(c.usage);
          const d = days.get(day);
          if (!d) days.set(day, { usage: { ...u }, at: c.at });
          else {
            d.usage.input += u.input;
            d.usage.output += u.output;
            d.usage.cacheRead += u.cacheRead;
            d.usage.cacheWrite += u.cacheWrite;
          }
        }
        for (const [day, d] of days) {
          const p = estimateCost({ model, provider: providerId, usage: d.usage, at: d.at });
          if (p === null) missing.add(day);
          else total += p;
        }
      } else {
        for (const c of calls) {
          const p = estimateCost({ model, provider: providerId, usage: c.usage, at: c.at });
          if (p === null) missing.add(c.at.toISOString().slice(0, 10));
          else total += p;
        }
      }
      return missing.size ? { total: null, missingDays: [...missing].sort() } : { total: nanos(total), missingDays: [] };
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
