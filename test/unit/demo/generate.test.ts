import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_TEAMS, generateDemo } from '../../../src/demo/generate.ts';
import { dayKey } from '../../../src/domain/periods.ts';
import { estimateCost } from '../../../src/sources/pricing.ts';

/**
 * Issue 21.3: the demo's calls cost what their tokens cost at the dated list prices aicost prices with,
 * and the demo stays a plausible mid-size company's bill (its recorded cost was up to 150× list).
 */
describe('the demo generator', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const entries = [...generateDemo(now, 'UTC', { days: 60 })].flat();

  it("costs each call the list price of its tokens on its model at its instant (genai-prices, as the sync's pricing)", () => {
    expect(entries.length).toBeGreaterThan(10_000);
    for (const e of entries.filter((_, i) => i % 97 === 0)) {
      const list = estimateCost({
        model: e.model,
        provider: e.provider,
        usage: { input: e.inputTokens, output: e.outputTokens, cacheRead: 0, cacheWrite: 0 },
        at: e.occurredAt,
      });
      expect(`${e.sourceId} ${e.amount}`).toBe(`${e.sourceId} ${list}`);
    }
  });

  it('generates exactly the calls and amounts it generated before pricing was sped up (every field of every call hashed)', () => {
    // Pinned from the demo generated when every call went through the price table's full model lookup
    // (before src/sources/pricing.ts matched each model once): the figures must not move by a nanodollar.
    const hash = createHash('sha256');
    for (const e of entries) {
      hash.update(
        `${e.sourceId} ${e.occurredAt.toISOString()} ${e.teamSlug} ${e.featureSlug} ${e.environment} ${e.customer} ${e.workItem} ${e.model} ${e.provider} ${e.inputTokens} ${e.outputTokens} ${e.amount}\n`,
      );
    }
    expect(entries.length).toBe(54_900);
    expect(entries.reduce((s, e) => s + e.amount, 0n)).toBe(4_902_247_835_850n);
    expect(hash.digest('hex')).toBe('581118d4d426603d2bf781d6edc0691b2068e9b56de39f080a42661e719340f7');
  });

  it('keeps a plausible monthly bill (about $2,500 of API spend in October), every feature spending', () => {
    const october = entries.filter((e) => dayKey(e.occurredAt, 'UTC').startsWith('2026-10'));
    const dollars = Number(october.reduce((s, e) => s + e.amount, 0n)) / 1e9;
    expect(dollars).toBeGreaterThan(1_500);
    expect(dollars).toBeLessThan(4_000);
    const features = new Set(october.map((e) => e.featureSlug));
    for (const f of DEMO_TEAMS.flatMap((t) => t.features)) expect(features.has(f.slug), f.slug).toBe(true);
  });
});
