import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { fromUsd } from '../../../src/domain/money.ts';
import { estimateCost, priceRecord, type CostDraft, type PriceFn } from '../../../src/sources/pricing.ts';

const at = new Date('2026-08-20T14:03:11.512Z');
const draft = (over: Partial<CostDraft> = {}): CostDraft => ({
  source: 'helicone',
  sourceId: 'r1',
  occurredAt: at,
  team: null,
  feature: null,
  environment: null,
  customer: null,
  workItem: null,
  model: 'gpt-4o-mini',
  provider: 'openai',
  category: 'api',
  inputTokens: 1234,
  outputTokens: 311,
  usage: { input: 1234, output: 311 },
  sourceCostUsd: null,
  ...over,
});

describe('priceRecord', () => {
  it("keeps the source's cost, exactly", () => {
    const r = priceRecord(draft({ sourceCostUsd: 0.0003717 }));
    expect(r).toMatchObject({ amount: 371_700n, pricedBy: 'source' });
    expect(r).not.toHaveProperty('usage');
    expect(r).not.toHaveProperty('sourceCostUsd');
    expect(priceRecord(draft({ sourceCostUsd: '0.000000001' })).amount).toBe(1n);
  });

  it('a reported 0 is a real 0, not a missing cost', () => {
    expect(priceRecord(draft({ sourceCostUsd: 0 }))).toMatchObject({ amount: 0n, pricedBy: 'source' });
  });

  it('prices a tokens-only record with genai-prices', () => {
    const expected = calcPrice({ input_tokens: 1234, output_tokens: 311 }, 'gpt-4o-mini', { providerId: 'openai', timestamp: at });
    expect(expected).not.toBeNull();
    const r = priceRecord(draft());
    expect(r.pricedBy).toBe('aicost');
    expect(r.amount).toBe(fromUsd(expected!.total_price));
    expect(r.amount).toBe(371_700n); // $0.15/M in, $0.60/M out
  });

  it("prices at the record's own time and with its provider", () => {
    const seen: Array<{ model: string; timestamp?: Date; provider?: string }> = [];
    const spy: PriceFn = (usage, model, options) => {
      seen.push({ model, timestamp: options?.timestamp, provider: options?.provider?.id });
      return calcPrice(usage, model, options);
    };
    priceRecord(draft(), spy);
    expect(seen).toEqual([{ model: 'gpt-4o-mini', timestamp: at, provider: 'openai' }]);
  });

  it('unknown model → amount null, pricedBy unpriced', () => {
    expect(priceRecord(draft({ model: 'acme-llm-9000', provider: null }))).toMatchObject({ amount: null, pricedBy: 'unpriced' });
    expect(priceRecord(draft({ model: null }))).toMatchObject({ amount: null, pricedBy: 'unpriced' });
    expect(priceRecord(draft({ sourceCostUsd: Number.NaN, model: 'nope' }))).toMatchObject({ pricedBy: 'unpriced' });
  });
});

describe('estimateCost', () => {
  it('an unknown provider falls back to matching by model name', () => {
    const usage = { input: 1000, output: 100 };
    const plain = estimateCost({ model: 'gpt-4o-mini', provider: null, usage, at });
    expect(plain).not.toBeNull();
    expect(estimateCost({ model: 'gpt-4o-mini', provider: 'SOME-GATEWAY', usage, at })).toBe(plain);
    expect(estimateCost({ model: 'gpt-4o-mini', provider: 'OPENAI', usage, at })).toBe(plain);
  });

  it('applies cache rates, whether the source counted cache tokens inside input or beside it', () => {
    const inclusive = estimateCost({ model: 'claude-sonnet-4-20250514', provider: 'anthropic', usage: { input: 5210, output: 902, cacheRead: 4096 }, at });
    expect(inclusive).toBe(fromUsd('0.0181008'));
    const exclusive = estimateCost({ model: 'claude-sonnet-4-20250514', provider: 'anthropic', usage: { input: 1114, output: 902, cacheRead: 4096 }, at });
    expect(exclusive).toBe(inclusive);
  });

  it('a table error is unpriced, not a crash', () => {
    const throwing: PriceFn = () => {
      throw new Error('Invalid usage');
    };
    expect(estimateCost({ model: 'gpt-4o-mini', provider: null, usage: { input: 1, output: 1 }, at }, throwing)).toBeNull();
  });
});
