import type { Provider, Usage } from '@pydantic/genai-prices';
import { genaiPrices } from './genai-prices.ts';
import { fromUsd, type Money } from '../domain/money.ts';
import type { NormalizedCost } from '../services/ports/source.ts';

/**
 * Pricing: the source's own cost wins whenever it reported one (a reported 0 is a real 0, e.g. a
 * failed or cached call). Only a record with no cost at all is priced here, with the bundled
 * `@pydantic/genai-prices` table at the record's own time; a model that table does not know stays
 * unpriced (amount null) rather than being guessed.
 */

/** Token counts as the price table wants them: `input` is ALL input tokens, cache reads/writes included. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** A normalized record before pricing: what the source said it cost (USD), if anything. */
export interface CostDraft extends Omit<NormalizedCost, 'amount' | 'pricedBy'> {
  sourceCostUsd: number | string | null | undefined;
  usage: TokenUsage;
}

export type PriceFn = ReturnType<typeof genaiPrices>['calcPrice'];

export function priceRecord(draft: CostDraft, calc: PriceFn = genaiPrices().calcPrice): NormalizedCost {
  const { sourceCostUsd, usage, ...record } = draft;
  const reported = sourceAmount(sourceCostUsd);
  if (reported !== null) return { ...record, amount: reported, pricedBy: 'source' };
  const estimated = estimateCost({ model: record.model, provider: record.provider, usage, at: record.occurredAt }, calc);
  return estimated === null ? { ...record, amount: null, pricedBy: 'unpriced' } : { ...record, amount: estimated, pricedBy: 'aicost' };
}

/** The source's cost in Money; null when absent or not a usable amount. */
function sourceAmount(value: number | string | null | undefined): Money | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  try {
    return fromUsd(value);
  } catch {
    return null;
  }
}

/**
 * Price of `usage` for `model` at `at`, from the price table; null when the model is unknown or the
 * usage is unusable. A provider the table knows is used to disambiguate, falling back to matching by
 * model name alone (e.g. an Azure deployment of an OpenAI model).
 */
export function estimateCost(
  args: { model: string | null; provider: string | null; usage: TokenUsage; at: Date },
  calc: PriceFn = genaiPrices().calcPrice,
): Money | null {
  if (!args.model) return null;
  const usage = toPriceUsage(args.usage);
  const model = args.model;
  const lookup = (): ReturnType<PriceFn> => {
    const provider = args.provider ? genaiPrices().findProvider({ providerId: args.provider.toLowerCase() }) : undefined;
    return (provider ? calc(usage, model, { provider, timestamp: args.at }) : null) ?? calc(usage, model, { timestamp: args.at });
  };
  try {
    const result =
      calc === genaiPrices().calcPrice
        ? matchedOnce(args.provider, model, lookup, (provider) => calc(usage, model, { provider, timestamp: args.at }))
        : lookup();
    if (!result || !Number.isFinite(result.total_price)) return null;
    // The table computes in floats; this is the one edge where a float becomes Money (rounded to 1e-9 USD).
    return fromUsd(result.total_price);
  } catch {
    return null; // e.g. usage the table rejects as inconsistent
  }
}

/**
 * Per provider and model name: the provider the table matched, narrowed to the one model it matched, or
 * null when the table knows no such model. Finding the model is most of a price's cost (the table copies
 * the provider's whole model list and tries each model's name pattern on every call: pricing the demo's
 * 108,000 calls took 4.5 s); which model a name matches depends on the name and provider only, not on
 * the tokens or the instant, so it is done once and each call is then priced by the table on the
 * narrowed provider, the same model and dated prices, i.e. the same figure (pinned by
 * test/unit/demo/generate.test.ts). Only for the table's own calcPrice.
 */
const matched = new Map<string, Provider | null>();

function matchedOnce(
  providerId: string | null,
  model: string,
  lookup: () => ReturnType<PriceFn>,
  onProvider: (p: Provider) => ReturnType<PriceFn>,
): ReturnType<PriceFn> {
  const key = `${providerId?.toLowerCase() ?? ''}\u0000${model}`;
  const known = matched.get(key);
  if (known === null) return null;
  if (known) return onProvider(known);
  const result = lookup(); // a throw (e.g. usage the table rejects) caches nothing
  if (matched.size >= 10_000) matched.clear(); // model names come from sources: bounded whatever they send
  matched.set(key, result ? { ...result.provider, models: [result.model], fallback_model_providers: undefined } : null);
  return result;
}

function toPriceUsage(u: TokenUsage): Usage {
  const cacheRead = nonNegative(u.cacheRead);
  const cacheWrite = nonNegative(u.cacheWrite);
  // The table requires cache tokens to be a part of input_tokens; when a source reported input
  // exclusive of them (so the parts exceed the whole), add them back.
  const input = nonNegative(u.input);
  const totalInput = cacheRead + cacheWrite > input ? input + cacheRead + cacheWrite : input;
  return {
    input_tokens: totalInput,
    output_tokens: nonNegative(u.output),
    ...(cacheRead > 0 ? { cache_read_tokens: cacheRead } : {}),
    ...(cacheWrite > 0 ? { cache_write_tokens: cacheWrite } : {}),
  };
}

function nonNegative(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}
