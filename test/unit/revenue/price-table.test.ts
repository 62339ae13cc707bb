import { describe, expect, it } from 'vitest';
import { genaiPriceTable, familyOf } from '../../../src/sources/price-table.ts';
import { estimateCost } from '../../../src/sources/pricing.ts';

const table = genaiPriceTable();
let seed = 7;
const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const calls = (n: number, from: string, days: number) =>
  Array.from({ length: n }, () => {
    const input = 100 + Math.floor(rand() * 300_000);
    return {
      at: new Date(Date.parse(from) + Math.floor(rand() * days * 86_400_000)),
      usage: { input, output: Math.floor(rand() * 4000), cacheRead: Math.floor(input * rand() * 0.5), cacheWrite: 0 },
    };
  });

describe('price table port over @pydantic/genai-prices', () => {
  it.each([
    ['o3', 'openai', '2025-06-01'], // untiered, price change on 2025-06-10: priced per day
    ['claude-sonnet-4-6', 'anthropic', '2026-03-01'], // long-context tiers until 2026-03-13: priced per call
    ['deepseek-v4-flash', 'deepseek', '2026-08-10'], // time-of-day prices: priced per call
  ])('prices a batch of %s calls as the sum of each call priced at its own instant', (model, provider, from) => {
    const batch = calls(400, from, 20);
    const one = batch.reduce((s, c) => s + estimateCost({ model, provider, usage: c.usage, at: c.at })!, 0n);
    const r = table.priceCalls(model, provider, batch);
    expect(r.missingDays).toEqual([]);
    const diff = r.total! - one;
    // Per-call sums round each call to the nanodollar; a day's sum rounds once.
    expect(diff < 0n ? -diff : diff).toBeLessThanOrEqual(BigInt(batch.length));
  });

  it('names the days a model has no price instead of pricing them at $0', () => {
    const r = table.priceCalls('no-such-model-9', null, calls(3, '2026-10-01', 1));
    expect(r.total).toBeNull();
    expect(r.missingDays.length).toBeGreaterThan(0);
    expect(table.identify('no-such-model-9', null, new Date())).toBeNull();
  });

  it("knows a model's provider and family, and lists text models of the family only", () => {
    expect(table.identify('gpt-4o', 'openai', new Date('2026-10-01'))).toEqual({ modelId: 'gpt-4o', providerId: 'openai', family: 'gpt-4' });
    const family = table.familyModels('openai', 'gpt-4');
    expect(family).toContain('gpt-4o-mini');
    expect(family).toContain('gpt-4.1-nano');
    expect(family.some((m) => m.startsWith('gpt-5') || m.startsWith('gpt-oss'))).toBe(false);
    expect(family.some((m) => /audio|realtime|tts|transcribe|image|embedding/.test(m))).toBe(false);
    expect([
      familyOf('claude-3-5-haiku'),
      familyOf('claude-sonnet-4-6'),
      familyOf('o3-mini'),
      familyOf('gpt-oss-20b'),
      familyOf('gemini-2.5-flash'),
      familyOf('mistral-medium-latest'),
    ]).toEqual(['claude-3', 'claude-4', 'o-3', 'gpt-20', 'gemini-2', 'mistral']);
  });
});
